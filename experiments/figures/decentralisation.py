"""Figure decentralisation: competences (who runs the services) x resources (the money)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.figures import style
from experiments.figures.book import CITIES, Book, Quick, cell, grid_table, with_levels

NAME = "decentralisation"
QUESTION = (
    "What happens when the city runs more services, with or without the money following them?"
)
SWEEP = "figure_decentralisation.toml"
QUICK = Quick(
    replicates=2,
    parameters={"governance.competences": [0.0, 0.5, 1.0]},
)

OUTCOMES = {
    "integration_index_end": ("Integration at month 60", "score 0-1"),
    "budget_gap_mean": ("Budget gap", "currency/month"),
    "mean_wait_months_mean": ("Wait for services", "months"),
}
LEVERS = {"governance.competences": "competences", "governance.resources": "resources"}


def compute(book: Book) -> pd.DataFrame:
    """Per city, competences and resources: each outcome's mean and 95 % interval over seeds."""
    runs = with_levels(book.runs(book.sweep(SWEEP)), LEVERS)
    return grid_table(runs, list(LEVERS.values()), OUTCOMES)


def draw(table: pd.DataFrame, stem: Path) -> None:
    """Heat maps: cities in rows, outcomes in columns."""
    style.heatmap_grid(
        table,
        ("resources", "resources (money / cost of mandates)"),
        ("competences", "competences (share run by city)"),
        OUTCOMES,
        "Decentralisation: responsibility (competences) and money (resources) are separate dials"
        "\nmean over seeds; gap and wait averaged over 60 months",
        stem,
    )


def answer(table: pd.DataFrame) -> str:
    """The budget gap and integration of full decentralisation, unfunded vs funded."""
    top, poor, rich = table.competences.max(), table.resources.min(), table.resources.max()
    parts = []
    for city in dict.fromkeys(table.city):
        gap, integration = (
            [cell(table, name, city=city, competences=top, resources=m) for m in (poor, rich)]
            for name in ("budget_gap_mean", "integration_index_end")
        )
        parts.append(
            f"{CITIES.get(city, city)}: all services to the city with resources {poor:g} leave "
            f"a budget gap of {gap[0]:,.0f}/month and integration {integration[0]:.2f}; with "
            f"{rich:g}, {gap[1]:,.0f}/month and {integration[1]:.2f}"
        )
    return "; ".join(parts) + "."
