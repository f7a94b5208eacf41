"""Figure evidence: the model against published findings (the evidence registry's table).

With the evidence registry (``experiments.evidence``) installed, the recipe evaluates every fact
(``--quick``: each fact's quick seeds) through the runner and the store. Without it, it reads an
evidence table in the registry's format (columns :data:`COLUMNS`) from ``$ARRIVAL_CITY_EVIDENCE``,
else ``results/evidence/evidence.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.evidence.run import COLUMNS
from experiments.figures import style
from experiments.figures.book import ROOT, Book, MissingInputError, Quick

NAME = "evidence"
QUESTION = "Does the model reproduce published findings?"
SWEEP = "(the evidence registry's fact files)"
QUICK = Quick()


def table_path() -> Path:
    """Where an evidence table is read when the registry cannot be run here."""
    return Path(os.environ.get("ARRIVAL_CITY_EVIDENCE", ROOT / "results/evidence/evidence.csv"))


def compute(book: Book) -> pd.DataFrame:
    """The evidence table: evaluated by the registry if it is installed, else read from a file.

    Raises:
        MissingInputError: neither the registry nor an evidence table is there.
    """
    try:
        from experiments.evidence.registry import load_facts
        from experiments.evidence.run import evaluate
    except ImportError:
        path = table_path()
        if not path.is_file():
            raise MissingInputError(
                f"no evidence registry in this version and no evidence table at {path} "
                "(set ARRIVAL_CITY_EVIDENCE to an evidence.csv)"
            ) from None
        table = pd.read_csv(path)
    else:
        book.sweeps.append({"evidence": "experiments/evidence (every fact file)"})
        table = evaluate(
            load_facts(), seeds="quick" if book.quick else "full", db=book.db, workers=book.workers
        )
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise MissingInputError(f"the evidence table has no column(s) {missing}")
    table = table[COLUMNS].copy()
    table["within_band"] = table.within_band.astype(str).str.lower() == "true"
    return table.sort_values(["role", "fact"], kind="stable")


def draw(table: pd.DataFrame, stem: Path) -> None:
    """The evidence registry's own figure where it is installed, else :func:`draw_relative`."""
    try:
        from experiments.evidence.figure import evidence_figure
    except ImportError:
        draw_relative(table, stem)
        return
    for suffix in (".png", ".svg"):
        evidence_figure(table, stem.with_suffix(suffix))


def draw_relative(table: pd.DataFrame, stem: Path) -> None:
    """One row per fact: the published band and value, the model's mean and 95 % interval.

    Values are relative to the published value (1 = the published value), so facts in different
    units share one axis.
    """
    facts = table.reset_index(drop=True)
    scale = facts.published.abs().replace(0, np.nan)
    y = np.arange(len(facts))
    with style.figure(1, 1, "The model against published findings (1 = the published value)") as (
        fig,
        axes,
    ):
        ax = axes[0, 0]
        ax.barh(
            y,
            (facts.high - facts.low) / scale,
            left=facts.low / scale,
            height=0.6,
            color="0.85",
            label="published band",
        )
        ax.plot(facts.published / scale, y, "|", ms=22, mew=3, color="black", label="published")
        for inside, colour, label in (
            (True, 2, "model, inside the band"),
            (False, 3, "model, outside"),
        ):
            rows = facts[facts.within_band == inside]
            mean = rows.model_mean / scale[rows.index]
            ax.errorbar(
                mean,
                rows.index,
                xerr=[
                    mean - rows.model_ci_low / scale[rows.index],
                    rows.model_ci_high / scale[rows.index] - mean,
                ],
                fmt="o",
                ms=10,
                capsize=4,
                color=style.COLOURS[colour],
                label=label,
            )
        ax.set_yticks(y, [f"{f} ({r})" for f, r in zip(facts.fact, facts.role, strict=True)])
        ax.invert_yaxis()
        ax.axvline(1.0, color="0.3", lw=1)
        ax.set_xlabel("value relative to the published value (model mean, 95 % CI over seeds)")
        handles, labels = ax.get_legend_handles_labels()
        style.legend_below(fig, handles, labels)
        style.save(fig, stem)


def answer(table: pd.DataFrame) -> str:
    """How many facts fall inside their published band, by role."""
    parts = [
        f"{int(group.within_band.sum())} of {len(group)} {role} facts"
        for role, group in table.groupby("role", sort=True)
    ]
    return f"Inside the published band: {'; '.join(parts)}."
