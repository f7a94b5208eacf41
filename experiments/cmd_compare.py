"""``arrival-city compare``: every level against a baseline, with units and 95 % intervals."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DB_HELP = "SQLAlchemy URL (default: $ARRIVAL_CITY_DB, else the project's results/arrival-city.db)"
METHODS = {
    "paired": "paired by seed (common random numbers): mean of the per-seed differences, "
    "t interval (scipy.stats.ttest_rel)",
    "welch": "no common seeds: difference of the means, Welch's t interval (unequal variances, "
    "scipy.stats.ttest_ind)",
}


def number(value: float, unit: str, signed: bool = False) -> str:
    """A value in its unit's format: shares in %, money and persons whole, others 3 digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * value:{sign}.1f}" + (" pts" if signed else " %")
    if unit.startswith(("currency", "persons", "households", "cases", "posts")):
        return f"{value:{sign},.0f}"
    if unit in ("months", "month"):
        return f"{value:{sign}.2f}"
    return f"{value:{sign}.3f}"


def _interval(low: float, high: float, unit: str, signed: bool) -> str:
    if math.isnan(low) or math.isnan(high):
        return "[-]"
    return f"[{number(low, unit, signed)}, {number(high, unit, signed)}]"


def print_table(table: pd.DataFrame, experiment: str) -> None:
    """The comparison as a person reads it: one block per outcome, the method said."""
    from experiments.outcomes import describe

    base = table[table.baseline].iloc[0]
    print(
        f"{experiment}: {table.level_id.nunique()} levels; baseline {base.level_id} "
        f"({base.level_label}, {base.runs} runs)"
    )
    methods = sorted(set(table[~table.baseline].method))
    for method in methods:
        print(f"  differences {method}: {METHODS[method]}")
    for outcome, rows in table.groupby("outcome", sort=False):
        unit = rows.unit.iloc[0]
        try:
            definition = describe(outcome)["definition"]
        except KeyError:
            definition = ""
        shown = "%" if unit == "share" else unit or "no unit"
        print(f"\n{outcome} [{shown}] — {definition}")
        width = max(len(label) for label in rows.level_label)
        print(
            f"  {'level':<10}  {'':<{width}}  {'runs':>4}  {'mean [95 % CI]':>34}  "
            f"{'minus baseline [95 % CI]':>40}"
        )
        for row in rows.itertuples(index=False):
            mean = f"{number(row.mean, unit)} {_interval(row.low, row.high, unit, False)}"
            if row.baseline:
                diff = "(baseline)"
            else:
                diff = (
                    f"{number(row.diff, unit, True)} "
                    f"{_interval(row.diff_low, row.diff_high, unit, True)} {row.method}"
                )
            print(
                f"  {row.level_id:<10}  {row.level_label:<{width}}  {row.runs:>4}  {mean:>34}  "
                f"{diff:>40}"
            )


def cmd_compare(args: argparse.Namespace) -> int:
    """Mean and interval per level; difference from the baseline, paired or Welch."""
    from experiments.analysis import compare

    table = compare(args.db, args.experiment, args.outcome, baseline=args.baseline)
    print_table(table, args.experiment)
    return 0


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` to the command line."""
    cp = subparsers.add_parser(
        "compare",
        help="every level against a baseline level, with 95 %% intervals",
        description="Mean and 95 %% interval of each outcome per level, and each level minus "
        "the baseline: paired by seed when the levels share seeds (common random numbers), "
        "else Welch's interval. Intervals from scipy.stats.",
    )
    cp.add_argument("experiment")
    cp.add_argument(
        "--outcome",
        action="append",
        default=None,
        help="summary name (repeatable), e.g. unmet_need_rate_migrants_mean",
    )
    cp.add_argument(
        "--baseline",
        default=None,
        metavar="LEVEL",
        help="the level to compare against: a level id (or its unique start, as printed) or a "
        "row number (default: the first level)",
    )
    cp.add_argument("--db", default=None, help=DB_HELP)
    cp.set_defaults(func=cmd_compare)
