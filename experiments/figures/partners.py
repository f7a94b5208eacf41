"""Figure partners: the city's engagement with a donor-funded NGO x the month its donor leaves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.figures import style
from experiments.figures.book import Book, Quick, cell, grid_table, with_levels

NAME = "partners"
QUESTION = (
    "How much does engaging a donor-funded partner matter, and what happens when the donor leaves?"
)
SWEEP = "figure_partners.toml"
QUICK = Quick(
    replicates=2,
    parameters={"partners.0.funding_end_month": [24, 0]},
)

OUTCOMES = {
    "service_uptake_irregular_mean": ("Service uptake, irregular", "share"),
    "trust_mean_mean": ("Newcomers' trust", "score 0-1"),
    "unmet_need_rate_migrants_mean": ("Unmet need, newcomers", "share"),
}
LEVERS = {
    "partners.0.engagement_level": "engagement",
    "partners.0.funding_end_month": "donor_exit_month",
}


def compute(book: Book) -> pd.DataFrame:
    """Per engagement level and exit month: each outcome's mean and 95 % interval over seeds."""
    runs = with_levels(book.runs(book.sweep(SWEEP)), LEVERS)
    runs["donor_exit_month"] = runs.donor_exit_month.map(lambda m: "never" if m == 0 else str(m))
    return grid_table(runs, list(LEVERS.values()), OUTCOMES)


def draw(table: pd.DataFrame, stem: Path) -> None:
    """Heat maps: engagement up, donor exit month across, one panel per outcome."""
    style.heatmap_grid(
        table,
        ("donor_exit_month", "month the donor's funding ends"),
        ("engagement", "city's engagement"),
        OUTCOMES,
        "Partners in the southern city: engagement with an international NGO and its donor's exit"
        "\nmeans over 72 months and over seeds",
        stem,
    )


def answer(table: pd.DataFrame) -> str:
    """Uptake by irregular residents: engagement's range, with the donor staying or leaving."""
    name = "service_uptake_irregular_mean"
    low, high = table.engagement.iloc[0], table.engagement.iloc[-1]
    first = table.donor_exit_month.iloc[0]

    def uptake(level: str, exit_month: str) -> float:
        return 100 * cell(table, name, engagement=level, donor_exit_month=exit_month)

    return (
        f"Irregular residents' service uptake goes from {uptake(low, 'never'):.0f}% ({low}) to "
        f"{uptake(high, 'never'):.0f}% ({high}) when the donor stays, and from "
        f"{uptake(low, first):.0f}% to {uptake(high, first):.0f}% when it leaves in month "
        f"{first} (means over 72 months)."
    )
