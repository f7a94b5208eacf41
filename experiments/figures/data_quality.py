"""Figure data-quality: what planners miss with poor local data, and who goes without."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.figures import style
from experiments.figures.book import CITIES, Book, Quick, cell, grid_table, with_levels

NAME = "data-quality"
QUESTION = "What do planners miss when their data are poor, and who goes without?"
SWEEP = "figure_data_quality.toml"
QUICK = Quick(
    replicates=2,
    parameters={"governance.data_quality": [0.0, 0.4, 1.0]},
)

OUTCOMES = {
    "demand_perception_gap_mean": ("Demand the planners did not see", "share"),
    "unmet_need_rate_migrants_mean": ("Unmet need, all newcomers", "share"),
    "unmet_need_rate_irregular_mean": ("Unmet need, irregular newcomers", "share"),
    "service_uptake_irregular_mean": ("Service uptake, irregular newcomers", "share"),
}
LEVERS = {"governance.data_quality": "data_quality"}


def compute(book: Book) -> pd.DataFrame:
    """Per city and data quality: each outcome's mean and 95 % interval over seeds."""
    runs = with_levels(book.runs(book.sweep(SWEEP)), LEVERS)
    return grid_table(runs, ["data_quality"], OUTCOMES)


def draw(table: pd.DataFrame, stem: Path) -> None:
    """Four panels sharing the data-quality axis; one line and 95 % band per city."""
    cities = list(dict.fromkeys(table.city))
    with style.figure(
        2,
        2,
        "Data quality: what planners do not see, and who goes without"
        "\nmeans over 60 months; bands: 95 % CI over seeds",
        sharex=True,
    ) as (fig, axes):
        lines = []
        for ax, (name, (label, _)) in zip(axes.flat, OUTCOMES.items(), strict=True):
            for i, city in enumerate(cities):
                rows = table[(table.city == city) & (table.outcome == name)]
                (line,) = ax.plot(rows.data_quality, rows["mean"], "o-", color=style.COLOURS[i])
                ax.fill_between(
                    rows.data_quality, rows.ci_low, rows.ci_high, color=style.COLOURS[i], alpha=0.2
                )
                lines.append(line)
            ax.set_title(label)
            style.percent_axis(ax)
            ax.set_ylim(bottom=0)
        for ax in axes[-1]:
            ax.set_xlabel("local data quality (0 = none, 1 = complete)")
        style.legend_below(fig, lines[: len(cities)], [CITIES.get(c, c) for c in cities])
        style.save(fig, stem)


def answer(table: pd.DataFrame) -> str:
    """Unseen demand and irregular newcomers' unmet need, from no to complete data."""
    low, high = table.data_quality.min(), table.data_quality.max()
    parts = []
    for city in dict.fromkeys(table.city):
        unseen = [
            100 * cell(table, "demand_perception_gap_mean", city=city, data_quality=q)
            for q in (low, high)
        ]
        unmet = [
            100 * cell(table, "unmet_need_rate_irregular_mean", city=city, data_quality=q)
            for q in (low, high)
        ]
        parts.append(
            f"{CITIES.get(city, city)}: from no to complete data, unseen demand "
            f"{unseen[0]:.0f}% -> {unseen[1]:.0f}% and irregular newcomers' unmet need "
            f"{unmet[0]:.0f}% -> {unmet[1]:.0f}%"
        )
    return "; ".join(parts) + "."
