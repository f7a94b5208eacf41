"""``arrival-city evidence``: the model against published facts, calibration and validation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_FAILED_RUNS = 1


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``evidence`` to the ``arrival-city`` command."""
    ev = subparsers.add_parser(
        "evidence",
        help="run every published fact's protocol and compare the model with the literature",
        description="Runs each fact of evidence/ (docs/EVIDENCE.md) through the runner and store "
        "(resumable, cached by run key), then writes DIR/evidence.csv and DIR/evidence.png and "
        "prints the table with, per role, the share of facts inside their bands and the mean "
        "absolute relative difference.",
    )
    ev.add_argument("--quick", action="store_true", help="each fact's quick_seeds (fewer seeds)")
    ev.add_argument("--out", default="results/evidence", help="output folder")
    ev.add_argument(
        "--db",
        default=None,
        help="SQLAlchemy URL (default: $ARRIVAL_CITY_DB, else results/arrival-city.db)",
    )
    ev.add_argument("--role", choices=["calibration", "validation"], default=None)
    ev.add_argument("--evidence", default=None, help="folder of fact files (default: evidence/)")
    ev.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    ev.add_argument("--quiet", action="store_true", help="no progress lines")
    ev.set_defaults(func=cmd_evidence)


def cmd_evidence(args: argparse.Namespace) -> int:
    """Run the facts, write the table and the figure, print them with the error summary."""
    import pandas as pd

    from experiments.cli import UsageError, _check_out
    from experiments.evidence.figure import evidence_figure
    from experiments.evidence.registry import EVIDENCE_DIR, load_facts
    from experiments.evidence.run import COLUMNS, EvidenceRunError, evaluate, summary

    if args.workers < 1:
        raise UsageError(f"--workers: got {args.workers}: must be at least 1")
    facts = load_facts(args.role, args.evidence or EVIDENCE_DIR)
    out = Path(args.out)
    _check_out(out)
    try:
        table = evaluate(
            facts,
            seeds="quick" if args.quick else "full",
            db=args.db,
            workers=args.workers,
            progress=not args.quiet,
        )
    except EvidenceRunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED_RUNS
    table[COLUMNS].to_csv(out / "evidence.csv", index=False)
    evidence_figure(table, out / "evidence.png")
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        shown = table[["fact", "role", "source", "published", "low", "high"]].assign(
            model=table.model_mean.map("{:.3g}".format),
            interval=[
                f"[{lo:.3g}, {hi:.3g}]"
                for lo, hi in zip(table.model_ci_low, table.model_ci_high, strict=True)
            ],
            within_band=table.within_band.map({True: "yes", False: "NO"}),
        )
        print(shown.to_string(index=False))
        print()
        print(summary(table).to_string(index=False, float_format="{:.2f}".format))
    print(f"\nwrote {out / 'evidence.csv'} and {out / 'evidence.png'}")
    return 0
