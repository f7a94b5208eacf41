"""``arrival-city sensitivity``: Morris or Sobol indices of an outcome, with their meaning."""

from __future__ import annotations

import argparse

DB_HELP = "SQLAlchemy URL (default: $ARRIVAL_CITY_DB, else the project's results/arrival-city.db)"


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Print the outcome, what the columns mean, then the indices (most influential first)."""
    import pandas as pd

    from experiments.sensitivity import analyse, explain

    kind, table = analyse(args.experiment, args.outcome, args.db)
    print(explain(args.outcome, kind))
    print("  low, high    the parameter's range in the design (its unit in the unit column)")
    print()
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sensitivity`` to the command line."""
    se = subparsers.add_parser(
        "sensitivity",
        help="Morris (mu*, sigma) or Sobol (S1, ST) indices of an outcome, with their meaning",
        description="Indices of an outcome from a morris or sobol sweep (each sample's "
        "replicates averaged); prints the outcome's unit and definition and what each "
        "column means. Run the sweep first: arrival-city sweep FILE.",
    )
    se.add_argument(
        "experiment",
        help="the experiment's name (arrival-city status lists them), or its sweep file",
    )
    se.add_argument(
        "--outcome",
        default="migrant_employment_rate_end",
        help="a run summary (<outcome>_end, _mean, _total; arrival-city outcomes lists them)",
    )
    se.add_argument("--db", default=None, help=DB_HELP)
    se.set_defaults(func=cmd_sensitivity)
