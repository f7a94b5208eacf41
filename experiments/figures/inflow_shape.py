"""Figure inflow-shape: sudden, gradual or in waves, the same total, against the zero-arrival twin.

City-wide outcomes (waits, rent, tension, budget gap) are the run minus its twin (same city, same
seed, no arrivals), averaged over the horizon; newcomers' own shares (unmet need, informal
housing) have no twin to subtract and are shown as levels.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.figures import style
from experiments.figures.book import CITIES, Book, Quick, paired, summarise

NAME = "inflow-shape"
QUESTION = "Does the shape of the inflow matter when the total is the same?"
SWEEP = "figure_inflow_shape.toml"
QUICK = Quick(replicates=2)

SHAPES = {"inflow_sudden": "sudden", "inflow_gradual": "gradual", "inflow_waves": "waves"}
# summary name -> (panel title, unit, against the twin?)
OUTCOMES = {
    "mean_wait_months_mean": ("Wait for services", "months", True),
    "course_wait_months_mean": ("Integration-course wait", "months", True),
    "unmet_need_rate_migrants_mean": ("Unmet need", "share", False),
    "informal_housing_share_migrants_mean": ("Informal housing", "share", False),
    "mean_rent_mean": ("Mean rent", "currency/month", True),
    "tension_index_mean": ("Tension", "share", True),
    "budget_gap_mean": ("Budget gap", "currency/month", True),
}


def compute(book: Book) -> pd.DataFrame:
    """Per city, shape and outcome: mean over the horizon, its 95 % interval over seeds."""
    runs = book.runs(book.sweep(SWEEP))
    parts = runs.arm.str.split("+")
    runs = runs.assign(city=parts.str[0], shape=parts.str[1].map(SHAPES).fillna("twin"))
    tables = []
    for _, group in runs.groupby("city", sort=False):
        twin = group["shape"] == "twin"
        against = [name for name, spec in OUTCOMES.items() if spec[2]]
        effects = paired(group, twin, against)
        levels = group[~twin]
        for frame, names, measure in (
            (effects, against, "effect vs twin"),
            (levels, [n for n in OUTCOMES if n not in against], "level"),
        ):
            table = summarise(frame, ["city", "shape"], {n: n for n in names})
            table.insert(3, "measure", measure)
            tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    table.insert(4, "unit", table.outcome.map(lambda n: OUTCOMES[n][1]))
    level = (table.measure == "level") & (table.unit == "share")  # a share stays within 0-1
    table.loc[level, ["ci_low", "ci_high"]] = table.loc[level, ["ci_low", "ci_high"]].clip(0, 1)
    order = {name: i for i, name in enumerate(OUTCOMES)}
    shapes = {s: i for i, s in enumerate(SHAPES.values())}
    table = table.sort_values(
        ["city", "outcome", "shape"],
        key=lambda c: (
            c.map(order) if c.name == "outcome" else c.map(shapes) if c.name == "shape" else c
        ),
        kind="stable",
    )
    return table.reset_index(drop=True)


def draw(table: pd.DataFrame, stem: Path) -> None:
    """Two rows (cities) x six outcomes; per panel, one point and interval per shape."""
    cities = list(dict.fromkeys(table.city))
    shapes = list(SHAPES.values())
    with style.figure(
        len(cities),
        len(OUTCOMES),
        "Same total, different shape. Δ = run minus its zero-arrival twin (same seeds);"
        " mean over the run, 95 % CI over seeds",
    ) as (fig, axes):
        handles = []
        for row, city in enumerate(cities):
            for col, (name, (title, unit, twin)) in enumerate(OUTCOMES.items()):
                ax = axes[row, col]
                cell = table[(table.city == city) & (table.outcome == name)].set_index("shape")
                scale = 100.0 if unit == "share" else 1.0
                for x, shape in enumerate(shapes):
                    mean, low, high = (
                        scale * cell.loc[shape, c] for c in ("mean", "ci_low", "ci_high")
                    )
                    handle = ax.errorbar(
                        x,
                        mean,
                        yerr=[[mean - low], [high - mean]],
                        fmt="o",
                        ms=10,
                        capsize=6,
                        color=style.COLOURS[x],
                        lw=2.5,
                    )
                    if row == 0 and col == 0:
                        handles.append(handle)
                ax.set_xticks([])
                ax.set_xlim(-0.6, len(shapes) - 0.4)
                if row == 0:
                    ax.set_title(f"{title}\n{_measure(unit, twin)}", fontsize=14)
                if twin:
                    style.zero_line(ax)
                if unit == "share" and not twin:
                    # from zero, with room above the highest point for its marker
                    ax.set_ylim(0, 1.08 * ax.get_ylim()[1])
                if unit == "currency/month":
                    style.money_axis(ax)
                if col == 0:
                    ax.set_ylabel(CITIES.get(city, city).replace(" ", "\n", 1))
        style.legend_below(fig, handles, [f"{s} inflow" for s in shapes])
        style.save(fig, stem)


def _measure(unit: str, twin: bool) -> str:
    if unit == "currency/month":  # short enough for the last column's title
        return "Δ currency/mo" if twin else "currency/mo"
    if twin:
        return f"Δ {'% points' if unit == 'share' else unit}"
    return "newcomers, %" if unit == "share" else unit


def answer(table: pd.DataFrame) -> str:
    """Which shape strains services most, in each city (the wait's effect vs the twin)."""
    waits = table[table.outcome == "mean_wait_months_mean"]
    parts = []
    for city, group in waits.groupby("city", sort=False):
        ranked = group.sort_values("mean", ascending=False)
        top, low = ranked.iloc[0], ranked.iloc[-1]
        parts.append(
            f"{CITIES.get(city, city)}: a {top['shape']} inflow adds {top['mean']:+.2f} months "
            f"to the mean wait vs {low['mean']:+.2f} for {low['shape']}"
        )
    return "; ".join(parts) + " (mean over the horizon, against the zero-arrival twin)."
