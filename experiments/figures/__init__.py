"""Figures: the overview of one run, and the figure book (named figures over sweeps).

Each named figure is a sweep file in ``experiments/sweeps/`` and a recipe here (one module per
figure, sharing :mod:`experiments.figures.style`); ``arrival-city figure NAME`` makes it with
:func:`experiments.figures.book.make`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from experiments.figures.overview import overview

# name -> recipe module, in the book's order
RECIPES = {
    "inflow-shape": "inflow_shape",
    "decentralisation": "decentralisation",
    "coherence": "coherence",
    "partners": "partners",
    "data-quality": "data_quality",
    "policy-tradeoffs": "policy_tradeoffs",
    "sensitivity": "sensitivity",
    "evidence": "evidence",
}


def recipe(name: str) -> ModuleType:
    """The recipe module of a named figure.

    Raises:
        KeyError: no figure has that name.
    """
    return importlib.import_module(f"experiments.figures.{RECIPES[name]}")


__all__ = ["RECIPES", "overview", "recipe"]
