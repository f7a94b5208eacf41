"""``arrival-city calibrate``: fit uncertain parameters to the calibration facts.

See docs/CALIBRATION.md. ``history`` is the inference, ``spec`` the calibration file, ``facts`` the
evidence registry as a simulator, ``run`` the command's work, ``figures`` its report.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Calibrate, store the posterior, write the report, print the posterior and the fit."""
    from experiments.calibration.run import calibrate, summary_table, write_report
    from experiments.calibration.spec import Calibration
    from experiments.cli import UsageError, _check_out

    spec = Calibration.from_toml(args.calibration)
    out = Path(args.out or Path("results") / "calibration" / spec.calibration.name)
    _check_out(out)
    try:
        outcome = calibrate(spec, quick=args.quick, db=args.db)
    except ValueError as exc:
        raise UsageError(f"{args.calibration}: {exc}") from None
    written = write_report(outcome, out)
    table = summary_table(outcome.posterior)
    print(
        f"Posterior {outcome.posterior.name!r}: {len(outcome.posterior.weights)} weighted sets "
        f"(effective {outcome.posterior.effective_size():.0f}), {outcome.seconds:.0f} s"
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    columns = ["fact", "published", "low", "high", "model_mean", "model_ci_low", "model_ci_high"]
    for title, frame in (("Fit", outcome.fit), ("Validation (held out)", outcome.validation)):
        if not frame.empty:
            inside = frame["within_band"].mean()
            print(f"{title}: {100 * inside:.0f} % of {len(frame)} facts inside their bands")
            print(frame[columns].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print("Wrote " + ", ".join(str(p) for p in written))
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``calibrate`` to the ``arrival-city`` command line."""
    cal = subparsers.add_parser(
        "calibrate", help="fit uncertain parameters to the calibration facts (a posterior)"
    )
    cal.add_argument("calibration", help="calibration file, e.g. experiments/calibrations/*.toml")
    cal.add_argument(
        "--quick", action="store_true", help="the file's [quick] budget (tests, a first look)"
    )
    cal.add_argument(
        "--db",
        default=None,
        help="SQLAlchemy URL (default: $ARRIVAL_CITY_DB, else results/arrival-city.db)",
    )
    cal.add_argument(
        "--out", default=None, help="report folder (default results/calibration/<name>)"
    )
    cal.set_defaults(func=cmd_calibrate)
