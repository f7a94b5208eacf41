"""Everything that uses the model for people: CLI, sweeps, the results store, analysis, figures.

Python API: ``run_sweep(path, ...)`` runs or resumes a sweep file; ``load_results(url, ...)``
reads stored results into a pandas DataFrame.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from experiments.runner import SweepReport, run_sweep
    from experiments.store import load_results

# loaded on first use, so that ``arrival-city --help`` does not import the model (PEP 562)
_LAZY = {
    "SweepReport": "experiments.runner",
    "run_sweep": "experiments.runner",
    "load_results": "experiments.store",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")


__all__ = ["SweepReport", "load_results", "run_sweep"]
