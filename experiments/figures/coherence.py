"""Figure coherence: horizontal (between city sectors) x vertical (with the nation) coherence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.figures import style
from experiments.figures.book import CITIES, Book, Quick, cell, grid_table, with_levels

NAME = "coherence"
QUESTION = (
    "Does coherence between city sectors and with the national government get newcomers "
    "into formal work?"
)
SWEEP = "figure_coherence.toml"
QUICK = Quick(
    replicates=2,
    parameters={"governance.horizontal_coherence": [0.0, 0.5, 1.0]},
)

OUTCOMES = {
    "migrant_formal_employment_rate_end": ("Formal work at month 60", "share"),
    "referrals_lost_mean": ("Referrals lost", "persons/month"),
    "mean_wait_months_mean": ("Wait for services", "months"),
    "budget_gap_mean": ("Budget gap", "currency/month"),
}
LEVERS = {
    "governance.horizontal_coherence": "horizontal",
    "governance.vertical_coherence": "vertical",
}


def compute(book: Book) -> pd.DataFrame:
    """Per city and coherence pair: each outcome's mean and 95 % interval over seeds."""
    runs = with_levels(book.runs(book.sweep(SWEEP)), LEVERS)
    return grid_table(runs, list(LEVERS.values()), OUTCOMES)


def draw(table: pd.DataFrame, stem: Path) -> None:
    """Heat maps: cities in rows, outcomes in columns."""
    style.heatmap_grid(
        table,
        ("vertical", "vertical coherence"),
        ("horizontal", "horizontal coherence"),
        OUTCOMES,
        "Coherence across city sectors (horizontal) and with the nation (vertical)"
        "\nmean over seeds; referrals, wait and gap averaged over 60 months",
        stem,
    )


def answer(table: pd.DataFrame) -> str:
    """Formal work and lost referrals at no coherence vs full coherence."""
    parts = []
    for city in dict.fromkeys(table.city):
        low, high = table.horizontal.min(), table.horizontal.max()
        work = [
            100
            * cell(table, "migrant_formal_employment_rate_end", city=city, horizontal=v, vertical=v)
            for v in (low, high)
        ]
        lost = [
            cell(table, "referrals_lost_mean", city=city, horizontal=v, vertical=v)
            for v in (low, high)
        ]
        parts.append(
            f"{CITIES.get(city, city)}: from no to full coherence, formal work at month 60 goes "
            f"{work[0]:.0f}% -> {work[1]:.0f}% and referrals lost {lost[0]:,.0f} -> "
            f"{lost[1]:,.0f} a month"
        )
    return "; ".join(parts) + "."
