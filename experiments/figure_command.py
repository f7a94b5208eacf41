"""``arrival-city figure``: the figure book's named figures, one command each.

``figure NAME`` resumes or runs the figure's sweep through the runner and the store, then writes
``NAME.png``, ``NAME.svg``, ``NAME.csv`` (the plotted numbers) and ``NAME.json`` (provenance);
``figure --list`` names them with their question; ``figure --all`` makes every one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``figure`` to the ``arrival-city`` command line."""
    from experiments.cli import _int_at_least

    fig = subparsers.add_parser("figure", help="make a named figure of the figure book")
    fig.add_argument("name", nargs="?", default=None, help="the figure (see --list)")
    fig.add_argument("--list", action="store_true", help="list the figures and their questions")
    fig.add_argument("--all", action="store_true", help="make every figure")
    fig.add_argument(
        "--quick", action="store_true", help="coarse cities, few seeds (minutes, not an hour)"
    )
    fig.add_argument("--out", default=None, help="output folder (default results/figures[-quick])")
    fig.add_argument(
        "--db",
        default=None,
        help="SQLAlchemy URL (default: $ARRIVAL_CITY_DB, else results/arrival-city.db)",
    )
    fig.add_argument(
        "--workers", type=_int_at_least(1, 4096), default=2, help="parallel runs (default 2)"
    )
    fig.set_defaults(func=cmd_figure)


def cmd_figure(args: argparse.Namespace) -> int:
    """List, make one, or make all figures; print each figure's one-line answer."""
    from experiments.cli import UsageError, _check_out
    from experiments.figures import RECIPES, recipe

    if args.list:
        for name in RECIPES:
            print(f"{name:<18} {recipe(name).QUESTION}")
        return 0
    if args.all == (args.name is not None):
        raise UsageError("figure: give one figure name or --all (see arrival-city figure --list)")
    if args.name is not None and args.name not in RECIPES:
        raise UsageError(f"figure: no figure named {args.name!r}; known: {', '.join(RECIPES)}")
    from experiments.figures.book import FigureError, MissingInputError, make

    out = Path(args.out or ("results/figures-quick" if args.quick else "results/figures"))
    _check_out(out)
    names = list(RECIPES) if args.all else [args.name]
    started = time.time()
    made = []
    for name in names:
        try:
            _, answer, seconds = make(
                recipe(name),
                out,
                quick=args.quick,
                db=args.db,
                workers=args.workers,
                progress=sys.stderr.isatty(),
            )
        except MissingInputError as exc:
            if not args.all:
                raise UsageError(f"figure {name}: {exc}") from None
            print(f"{name}: skipped: {exc}")
            continue
        except FigureError as exc:
            raise UsageError(f"figure {name}: {exc}") from None
        made.append(name)
        print(f"{name} ({seconds:.0f} s): {answer}")
    print(
        f"wrote {len(made)} figure(s) (.png .svg .csv .json) to {out} "
        f"in {time.time() - started:.0f} s"
    )
    return 0
