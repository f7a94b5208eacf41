"""The ``arrival-city`` command.

Bad input (unknown key, out-of-range value, wrong type, missing or malformed file, a bad argument,
an output folder that cannot be written) prints one clear line naming the file, key or argument
and what is allowed, and exits with code 2 — never a traceback. Ctrl-C during a sweep keeps what
was stored and exits with 130. Reading commands (status, compare, export, sensitivity) never
create or change a database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any, NoReturn

from experiments import calibration, cmd_compare, cmd_sensitivity, figure_command
from experiments.dashboard import command as dashboard
from experiments.evidence import cli as evidence_cli
from model.scenario import ScenarioError

EXIT_BAD_INPUT = 2
EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130
MAX_SEED = 2**63 - 1


class UsageError(ValueError):
    """A bad command-line argument or output place; the message names it."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _int_at_least(low: int, high: int | None = None, hint: str = ""):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}: not a whole number") from None
        if value < low or (high is not None and value > high):
            allowed = f"{low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"got {value}: must be {allowed}{hint}")
        return value

    return parse


def _check_out(out: Path) -> None:
    """Refuse an output folder that cannot be written, before any work is done."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder; give a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".arrival-city-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def _parse_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax where it parses (numbers, booleans, lists), else a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _overrides(pairs: list[str]) -> dict[str, Any]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ScenarioError("--set", pair, "expected key=value, e.g. inflow.total=5000")
        out[key.strip()] = _parse_value(value.strip())
    return out


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write timeseries.csv, cohorts.csv, summary.json and overview.png."""
    from experiments.figures import overview
    from model import Scenario, simulate
    from model.presets import is_overlay, preset_path

    for option, value in (("scenario", args.scenario), *(("--overlay", o) for o in args.overlay)):
        if not value.strip():
            raise UsageError(f"{option}: empty; give a scenario file or a preset name")
    base = preset_path(args.scenario)
    if is_overlay(base):
        raise UsageError(
            f"{args.scenario}: is an overlay, not a city; put it on a city: "
            f"arrival-city run northern_midsize_asylum --overlay {base.stem}"
        )
    files = [base, *(preset_path(name) for name in args.overlay)]
    overrides = _overrides(args.set)
    if args.months is not None:
        overrides["run.months"] = args.months
    scenario = Scenario.from_files(files).with_overrides(
        overrides, "--set" if args.months is None else "--set/--months"
    )
    months = scenario.run.months
    out = Path(args.out or Path("results") / Path(args.scenario).stem)
    _check_out(out)
    twin = args.vs_twin
    if args.quiet or not sys.stderr.isatty():
        result = simulate(scenario, seed=args.seed, twin=twin)
    else:
        from tqdm.auto import tqdm

        with tqdm(total=months, desc="months", unit="mo", leave=False) as bar:
            result = simulate(
                scenario, seed=args.seed, progress=lambda m, n: bar.update(1), twin=twin
            )
    layers = [str(args.scenario), *args.overlay]
    changes = _overrides(args.set)
    result.timeseries.to_csv(out / "timeseries.csv", index=False)
    result.cohorts.to_csv(out / "cohorts.csv", index=False)
    if result.twin is not None:  # the inflow's effect: the run minus its zero-arrival twin
        result.twin.timeseries.to_csv(out / "twin_timeseries.csv", index=False)
        result.vs_twin().to_csv(out / "effect_vs_twin.csv", index=False)
    summary = {
        "scenario": str(args.scenario),
        "overlays": list(args.overlay),
        "overrides": changes,
        "seed": args.seed,
        **result.summary,
    }
    if result.twin is not None:
        summary["twin"] = result.twin.summary
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "scenario.toml").write_text(result.scenario.to_toml())
    subtitle = " + ".join(layers[1:]) if args.overlay else ""
    if changes:
        sets = ", ".join(f"{k}={v}" for k, v in changes.items())
        subtitle = f"{subtitle}; {sets}" if subtitle else sets
    overview(result, out / "overview.png", subtitle=subtitle)
    _print_summary(result, out, subtitle)
    return 0


def _money(value: float) -> str:
    return f"{value:,.0f} a month"


def _print_summary(result, out: Path, subtitle: str = "") -> None:
    s = result.summary
    employed = s["migrant_employment_rate_end"]
    formal = s["migrant_formal_employment_rate_end"]
    of_workers = f"{100 * formal / employed:.1f} %" if employed > 0 else "-"
    rows = [
        ("newcomers arrived", f"{s['arrivals_total']:,.0f}"),
        ("newcomers left", f"{s['departures_total']:,.0f}"),
        ("newcomers present at the end", f"{s['migrants_present_end']:,.0f}"),
        ("newcomers in work, end", f"{100 * employed:.1f} %"),
        ("  of those in work, formal", of_workers),
        ("host unemployment, end", f"{100 * s['host_unemployment_rate_end']:.1f} %"),
        (
            "overcrowded newcomers / hosts, mean",
            f"{100 * s['overcrowding_rate_migrants_mean']:.1f} % / "
            f"{100 * s['overcrowding_rate_hosts_mean']:.1f} %",
        ),
        ("longest mean wait for services", f"{s['mean_wait_months_peak']:.2f} months"),
        (
            "newcomers' needs not met in the month, mean",
            f"{100 * s['unmet_need_rate_migrants_mean']:.1f} %",
        ),
        ("evictions", f"{s['evictions_total']:,.0f}"),
        ("dissimilarity index, end", f"{s['dissimilarity_index_end']:.3f}"),
    ]
    notes = []
    if "budget_gap_end" in s:
        gap = s["budget_gap_end"]
        rows.append(("budget gap (mandates - money), end", _money(gap)))
        if gap < 0:
            notes.append("a negative budget gap: the city has more money than its mandates cost")
    if "tension_index_end" in s:
        rows.append(("tension index (0-1), end", f"{s['tension_index_end']:.3f}"))
    if result.twin is not None:
        effect = result.vs_twin().mean()
        rows += [
            ("effect of the inflow vs twin, mean:", ""),
            ("  host unemployment", f"{100 * effect['host_unemployment_rate']:+.2f} points"),
            ("  mean rent", f"{effect['mean_rent']:+,.0f} a month"),
            ("  mean wait for services", f"{effect['mean_wait_months']:+.2f} months"),
            ("  tension index", f"{effect['tension_index']:+.3f}"),
            ("  budget gap", f"{effect['budget_gap']:+,.0f} a month"),
        ]
    width = max(len(r[0]) for r in rows)
    title = f"{result.scenario.city.name}: {int(s['months'])} months, seed {result.seed}"
    print(title + (f" ({subtitle})" if subtitle else ""))
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>18}")
    for note in notes:
        print(f"  ({note})")
    twin = ", twin_timeseries.csv, effect_vs_twin.csv" if result.twin is not None else ""
    print(
        f"Wrote {out}/timeseries.csv, cohorts.csv, summary.json, scenario.toml, overview.png{twin}"
    )


def _description(path: Path) -> str:
    """The leading comment block of a scenario file, as one paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    text = " ".join(line for line in lines if line)
    for prefix in ("Overlay:", "Policy overlay:"):
        text = text.removeprefix(prefix).strip()
    return text


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List the preset cities, then the overlays, each with its whole description."""
    import textwrap

    from model.presets import is_overlay, list_presets, scenarios_dir

    root = scenarios_dir()
    presets = list_presets()
    groups = [
        ("Cities (arrival-city run NAME)", [p for p in presets if not is_overlay(p)]),
        (
            "Overlays, to put on a city (arrival-city run CITY --overlay NAME)",
            [p for p in presets if is_overlay(p)],
        ),
    ]
    for heading, paths in groups:
        print(heading)
        for path in paths:
            name = path.relative_to(root).with_suffix("").as_posix()
            text = _description(path) or "(no description)"
            wrapped = textwrap.wrap(text, 96, subsequent_indent=" " * 4)
            print(f"  {name}")
            print("    " + "\n".join(wrapped))
        print()
    return 0


def _is_sweep(name: str) -> bool:
    path = Path(name)
    if not path.is_file():
        return False
    try:
        return "experiment" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario or sweep files; print OK or the first problem of each."""
    from model.presets import resolve_scenario

    worst = 0
    for name in args.scenario:
        try:
            if _is_sweep(name):
                from experiments.sweep import Sweep, plan

                runs = len(plan(Sweep.from_toml(name)))
                print(f"{name}: OK (a sweep of {runs} runs)")
                continue
            resolve_scenario(name)
            print(f"{name}: OK")
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            worst = EXIT_BAD_INPUT
    return worst


def _default_text(row: dict[str, Any]) -> str:
    value = row["default"]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[]" if not value else json.dumps(value)
    return str(value) if not isinstance(value, str) else f'"{value}"'


def cmd_parameters(args: argparse.Namespace) -> int:
    """Print every scenario parameter: default, allowed values or range, unit and meaning."""
    from model.scenario import Scenario

    rows = Scenario.describe()
    print(f"{'key':<48} {'default':>12}  {'allowed':<34} {'unit':<32} meaning")
    for row in rows:
        if row.get("choices"):
            allowed = " | ".join(
                str(c).lower() if isinstance(c, bool) else str(c) for c in row["choices"]
            )
        elif row["min"] is not None or row["max"] is not None:
            lo = "" if row["min"] is None else f"{row['min']:g}"
            hi = "" if row["max"] is None else f"{row['max']:g}"
            allowed = f"{lo} to {hi}"
        else:
            allowed = (
                "text"
                if isinstance(row["default"], str)
                else "list"
                if isinstance(row["default"], list)
                else ""
            )
        print(
            f"{row['key']:<48} {_default_text(row):>12}  {allowed:<34} {row['unit']:<32} "
            f"{row['meaning']}"
        )
    return 0


def outcome_table() -> str:
    """The outcome registry as the Markdown table of docs/ODD.md §7.11."""
    from model.metrics import OUTCOMES

    rows = ["| outcome | unit | kind | definition |", "|---|---|---|---|"]
    rows += [f"| `{o.name}` | {o.unit} | {o.kind} | {o.definition} |" for o in OUTCOMES]
    return "\n".join(rows)


def cmd_outcomes(args: argparse.Namespace) -> int:
    """Print every outcome: name, unit, kind and one line of definition."""
    from model.metrics import OUTCOMES

    if args.markdown:
        print(outcome_table())
        return 0
    for o in OUTCOMES:
        print(f"{o.name:<44} {o.unit:<16} {o.kind:<6} {o.definition}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run (or resume) a sweep; exit 1 if runs failed, 130 on Ctrl-C."""
    from experiments.runner import SweepInterrupted, run_sweep

    try:
        report = run_sweep(
            args.sweep,
            workers=args.workers,
            engine=args.engine,
            address=args.address,
            db=args.db,
            retry_failed=args.retry_failed,
            progress=not args.quiet,
        )
    except SweepInterrupted as exc:
        print(f"interrupted: {exc.stored} runs stored; rerun to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(
        f"{report.experiment}: {report.planned} runs planned, {report.already_done} already "
        f"done, {report.executed} run now ({report.failed} failed) in {report.seconds:.1f} s; "
        f"results in {report.url}"
    )
    if report.claimed_elsewhere:
        print(
            f"{report.claimed_elsewhere} runs were left to another sweep running on the same "
            "database; rerun later to pick up any it does not finish"
        )
    if report.failed or report.failed_before:
        parts = []
        if report.failed:
            parts.append(f"{report.failed} runs failed now")
        if report.failed_before:
            parts.append(f"{report.failed_before} runs failed earlier and were not rerun")
        print(f"error: {'; '.join(parts)}; first error: {report.errors[0]}", file=sys.stderr)
        print(
            f"see them with: arrival-city status --failed --db {report.url}; run them again "
            "with: arrival-city sweep ... --retry-failed",
            file=sys.stderr,
        )
        return EXIT_FAILED_RUNS
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Done, pending and failed runs per experiment; with --failed, each failed run's error."""
    from experiments import store

    engine = store.open_store(args.db, readonly=True)
    if args.failed:
        failed = store.failed_runs(engine)
        if failed.empty:
            print("no failed runs")
        for row in failed.itertuples(index=False):
            params = json.dumps(row.params, sort_keys=True) if row.params else "{}"
            print(f"{row.experiment} {row.run_key[:12]} {row.scenario} seed {row.seed} {params}")
            print(f"    {row.error}")
        return 0
    table = store.status_table(engine)
    if table.empty:
        print(f"no experiments in {args.db or store.default_url()}")
    else:
        print(table.to_string(index=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export tidy tables (CSV or Parquet) with outcomes.json and parameters.json beside them."""
    from experiments import store

    engine = store.open_store(args.db, readonly=True)
    if args.experiment is not None:
        store.experiment_id(engine, args.experiment)
    out = Path(args.out)
    _check_out(out)
    for path in store.export(args.db, args.experiment, out, args.format, args.long):
        print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``arrival-city``."""
    parser = _Parser(prog="arrival-city", description="Agent-based simulation of arrival cities.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one scenario and write its outputs")
    run.add_argument("scenario", help="scenario file or preset name (a city)")
    run.add_argument(
        "--months",
        type=_int_at_least(1, 600),
        default=None,
        help="horizon, 1 to 600 (default: the scenario's)",
    )
    run.add_argument(
        "--seed",
        type=_int_at_least(0, MAX_SEED),
        default=0,
        help="seed of the model's generator, a whole number >= 0",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, e.g. --set inflow.total=5000 (repeatable)",
    )
    run.add_argument(
        "--overlay",
        action="append",
        default=[],
        metavar="FILE",
        help="an overlay on top of the city, e.g. policies/one_stop_shop or inflow_sudden "
        "(repeatable)",
    )
    run.add_argument("--out", default=None, help="output folder (default results/<scenario>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--vs-twin",
        action="store_true",
        help="also run the zero-arrival twin (same seed): writes twin_timeseries.csv and "
        "effect_vs_twin.csv (run minus twin)",
    )
    run.set_defaults(func=cmd_run)
    sub.add_parser("scenarios", help="list preset cities and overlays").set_defaults(
        func=cmd_scenarios
    )
    val = sub.add_parser("validate", help="check scenario or sweep files")
    val.add_argument("scenario", nargs="+")
    val.set_defaults(func=cmd_validate)
    sub.add_parser("parameters", help="list every parameter").set_defaults(func=cmd_parameters)
    oc = sub.add_parser("outcomes", help="list every outcome: unit, kind, definition")
    oc.add_argument("--markdown", action="store_true", help="as the table of docs/ODD.md")
    oc.set_defaults(func=cmd_outcomes)
    db_help = (
        "SQLAlchemy URL (default: $ARRIVAL_CITY_DB, else the project's results/arrival-city.db)"
    )

    sw = sub.add_parser("sweep", help="run or resume a sweep file")
    sw.add_argument("sweep")
    sw.add_argument(
        "--workers",
        type=_int_at_least(1, 4096, hint="; leave it out to use the sweep file's setting"),
        default=None,
        help="parallel workers (default: the sweep file's execution.workers)",
    )
    sw.add_argument("--engine", choices=["local", "dask"], default=None)
    sw.add_argument("--address", default=None, help="Dask scheduler, e.g. tcp://host:8786")
    sw.add_argument(
        "--db",
        default=None,
        help="SQLAlchemy URL (default: the sweep file's, else "
        "$ARRIVAL_CITY_DB, else the project's results/arrival-city.db)",
    )
    sw.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    sw.add_argument("--quiet", action="store_true")
    sw.set_defaults(func=cmd_sweep)
    st = sub.add_parser("status", help="done / pending / failed runs per experiment")
    st.add_argument("--db", default=None, help=db_help)
    st.add_argument("--failed", action="store_true", help="list failed runs with their error")
    st.set_defaults(func=cmd_status)
    ex = sub.add_parser("export", help="export results to CSV or Parquet")
    ex.add_argument("experiment", nargs="?", default=None)
    ex.add_argument("--db", default=None, help=db_help)
    ex.add_argument("--out", default="results/export")
    ex.add_argument("--format", choices=["csv", "parquet"], default="csv")
    ex.add_argument(
        "--long",
        action="store_true",
        help="summaries and timeseries as long tables (variable, value, unit)",
    )
    ex.set_defaults(func=cmd_export)
    cmd_compare.add_command(sub)
    cmd_sensitivity.add_command(sub)
    evidence_cli.add_command(sub)
    calibration.add_command(sub)
    dashboard.add_command(sub)
    figure_command.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``arrival-city`` command."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad argument (2, already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except BrokenPipeError:
        return _reader_gone()
    # imported once the arguments are read, so that --help and bad arguments answer at once
    from experiments.runner import RunnerError
    from experiments.store import StoreError

    try:
        if getattr(args, "outcome", "") is None:
            args.outcome = [
                "migrant_employment_rate_end",
                "unmet_need_rate_migrants_mean",
                "budget_gap_mean",
            ]
        return args.func(args)
    except (ScenarioError, StoreError, RunnerError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _reader_gone() -> int:
    """The reader went away (`arrival-city scenarios | head -2`): stop quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
