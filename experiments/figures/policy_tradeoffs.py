"""Figure policy-tradeoffs: each policy overlay's monthly cost against what it buys.

Every overlay of ``scenarios/policies`` on each preset, paired with the preset alone on common
seeds: its extra spending (the city's mandate, per 1,000 residents) and its effect on
integration, tension and unmet need.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.figures import style
from experiments.figures.book import CITIES, Book, Quick, paired, summarise

NAME = "policy-tradeoffs"
QUESTION = "What does each policy cost the city a month, and what does it buy?"
SWEEP = "figure_policy_tradeoffs.toml"
QUICK = Quick(replicates=2)

# per-run column -> (panel title, axis label)
PANELS = {
    "cost_per_1000": ("Monthly cost", "extra spending per 1,000 residents (currency/month)"),
    "integration_index_end": ("Integration at month 60", "Δ score (0-1)"),
    "tension_index_mean": ("Tension", "Δ % points of hosts hostile"),
    "unmet_need_rate_migrants_mean": ("Unmet need, newcomers", "Δ % points"),
}


def compute(book: Book) -> pd.DataFrame:
    """Per city and overlay: paired differences from the city alone, mean and 95 % interval."""
    runs = book.runs(book.sweep(SWEEP))
    parts = runs.arm.str.split("+")
    runs = runs.assign(city=parts.str[0], policy=parts.str[1].fillna("(none)"))
    runs["cost_per_1000"] = 1000 * runs.city_mandate_mean / runs.residents_mean
    columns = list(PANELS)
    tables = []
    for _, group in runs.groupby("city", sort=False):
        effects = paired(group, group.policy == "(none)", columns)
        tables.append(summarise(effects, ["city", "policy"], {c: c for c in columns}))
    return pd.concat(tables, ignore_index=True)


def draw(table: pd.DataFrame, stem: Path) -> None:
    """One row per policy; cost and three effects across; one colour per city."""
    cities = list(dict.fromkeys(table.city))
    policies = sorted(dict.fromkeys(table.policy))
    with style.figure(
        1,
        len(PANELS),
        "What each policy costs and buys: paired with the city alone on common seeds"
        "\n(mean over seeds, bars 95 % CI; right of zero = more)",
        sharey=True,
    ) as (fig, axes):
        handles = []
        for ax, (column, (title, label)) in zip(axes[0], PANELS.items(), strict=True):
            scale = 100.0 if "points" in label else 1.0
            for i, city in enumerate(cities):
                rows = table[(table.city == city) & (table.outcome == column)].set_index("policy")
                rows = rows.reindex(policies)
                y = np.arange(len(policies)) + (i - (len(cities) - 1) / 2) * 0.25
                mean = scale * rows["mean"].to_numpy()
                err = [
                    mean - scale * rows.ci_low.to_numpy(),
                    scale * rows.ci_high.to_numpy() - mean,
                ]
                handles.append(
                    ax.errorbar(
                        mean, y, xerr=err, fmt="o", ms=7, capsize=3, color=style.COLOURS[i], lw=1.5
                    )
                )
            ax.set_title(title)
            ax.set_xlabel(label, fontsize=12)
            style.zero_line(ax, "x")
            if column == "cost_per_1000":
                style.money_axis(ax, "x")
        axes[0, 0].set_yticks(range(len(policies)), [p.replace("_", " ") for p in policies])
        axes[0, 0].invert_yaxis()
        style.legend_below(fig, handles[: len(cities)], [CITIES.get(c, c) for c in cities])
        style.save(fig, stem)


def _clear(table: pd.DataFrame, outcome: str, sign: int) -> pd.Series | None:
    """The row of the largest effect of that sign whose 95 % interval excludes zero, if any."""
    rows = table[table.outcome == outcome]
    rows = rows[rows.ci_low > 0] if sign > 0 else rows[rows.ci_high < 0]
    if rows.empty:
        return None
    return rows.loc[(sign * rows["mean"]).idxmax()]


def _name(row: pd.Series) -> str:
    return f"{row.policy.replace('_', ' ')} ({CITIES.get(row.city, row.city)})"


def answer(table: pd.DataFrame) -> str:
    """The clearest gain in integration and the clearest moves in tension, with their cost."""
    cost = table[table.outcome == "cost_per_1000"].set_index(["city", "policy"])["mean"]
    parts = []
    gain = _clear(table, "integration_index_end", +1)
    if gain is None:
        parts.append("no overlay raises integration at month 60 beyond seed noise")
    else:
        parts.append(
            f"the clearest integration gain is {_name(gain)}: {gain['mean']:+.3f} on a 0-1 score "
            f"for {cost[gain.city, gain.policy]:,.0f} per 1,000 residents a month"
        )
    for sign, verb in ((-1, "lowers"), (+1, "raises")):
        row = _clear(table, "tension_index_mean", sign)
        if row is not None:
            parts.append(f"{_name(row)} {verb} tension by {100 * abs(row['mean']):.1f} points")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + " (95 % CI excluding zero)."
