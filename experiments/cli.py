"""The ``arrival-city`` command.

Bad input (unknown key, out-of-range value, wrong type, missing or malformed file) prints one clear
message naming the file, the key and the allowed range, and exits with code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from model.scenario import ScenarioError

EXIT_BAD_INPUT = 2


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
    from tqdm import tqdm

    from experiments.figures import overview
    from model import Scenario, simulate
    from model.presets import preset_path

    files = [preset_path(name) for name in (args.scenario, *args.overlay)]
    scenario = Scenario.from_files(files).with_overrides(_overrides(args.set), "--set")
    months = args.months or scenario.run.months
    out = Path(args.out or Path("results") / Path(args.scenario).stem)
    out.mkdir(parents=True, exist_ok=True)
    with tqdm(
        total=months,
        desc="months",
        unit="mo",
        leave=False,
        disable=args.quiet or not sys.stderr.isatty(),
    ) as bar:
        result = simulate(
            scenario, months=months, seed=args.seed, progress=lambda m, n: bar.update(1)
        )
    result.timeseries.to_csv(out / "timeseries.csv", index=False)
    result.cohorts.to_csv(out / "cohorts.csv", index=False)
    summary = {"scenario": str(args.scenario), "seed": args.seed, **result.summary}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "scenario.toml").write_text(result.scenario.to_toml())
    overview(result, out / "overview.png")
    _print_summary(result, out)
    return 0


def _print_summary(result, out: Path) -> None:
    s = result.summary
    rows = [
        ("newcomers arrived", f"{s['arrivals_total']:,.0f}"),
        ("newcomers left", f"{s['departures_total']:,.0f}"),
        ("newcomers present at the end", f"{s['migrants_present_end']:,.0f}"),
        ("newcomers in work, end", f"{100 * s['migrant_employment_rate_end']:.1f} %"),
        ("  of whom formal", f"{100 * s['migrant_formal_employment_rate_end']:.1f} %"),
        ("host unemployment, end", f"{100 * s['host_unemployment_rate_end']:.1f} %"),
        (
            "overcrowded newcomers / hosts, mean",
            f"{100 * s['overcrowding_rate_migrants_mean']:.1f} % / "
            f"{100 * s['overcrowding_rate_hosts_mean']:.1f} %",
        ),
        ("longest mean wait for services", f"{s['mean_wait_months_peak']:.2f} months"),
        ("unmet need, newcomers, mean", f"{100 * s['unmet_need_rate_migrants_mean']:.1f} %"),
        ("evictions", f"{s['evictions_total']:,.0f}"),
        ("dissimilarity index, end", f"{s['dissimilarity_index_end']:.3f}"),
    ]
    for name in ("budget_gap", "tension_index"):
        if f"{name}_end" in s:
            rows.append((f"{name.replace('_', ' ')}, end", f"{s[f'{name}_end']:,.3f}"))
    width = max(len(r[0]) for r in rows)
    print(f"{result.scenario.city.name}: {int(s['months'])} months, seed {result.seed}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>18}")
    print(f"Wrote {out}/timeseries.csv, cohorts.csv, summary.json, scenario.toml, overview.png")


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List the preset scenario files with their first comment line."""
    from model.presets import list_presets, scenarios_dir

    root = scenarios_dir()
    for path in list_presets():
        first = next(
            (line[1:].strip() for line in path.read_text().splitlines() if line.startswith("#")), ""
        )
        print(f"{path.relative_to(root)!s:<40} {first}")
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


def cmd_parameters(args: argparse.Namespace) -> int:
    """Print every scenario parameter with unit, range, default and meaning."""
    from model.scenario import Scenario

    for row in Scenario.describe():
        lo = "" if row["min"] is None else f"{row['min']:g}"
        hi = "" if row["max"] is None else f"{row['max']:g}"
        rng = f"[{lo}, {hi}]" if lo or hi else ""
        print(f"{row['key']:<48} {rng:<16} {row['unit']:<16} {row['meaning']}")
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
    """Run (or resume) a sweep."""
    from experiments.runner import run_sweep

    report = run_sweep(
        args.sweep,
        workers=args.workers,
        engine=args.engine,
        address=args.address,
        db=args.db,
        retry_failed=args.retry_failed,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    print(
        f"{report.experiment}: {report.planned} runs planned, {report.already_done} already "
        f"done, {report.executed} run now ({report.failed} failed) in {report.seconds:.1f} s; "
        f"results in {report.url}"
    )
    return 1 if report.failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    """Done, pending and failed runs per experiment."""
    from experiments import store

    table = store.status_table(store.open_store(args.db))
    if table.empty:
        print(f"no experiments in {args.db}")
    else:
        print(table.to_string(index=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export an experiment's results to CSV or Parquet."""
    from experiments import store

    for path in store.export(args.db, args.experiment, Path(args.out), args.format):
        print(f"wrote {path}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Mean and confidence interval per level; paired differences with common seeds."""
    from experiments.analysis import compare

    table = compare(args.db, args.experiment, args.outcome)
    for _, row in table.iterrows():
        print(f"level {row.level} [{row.scenario}] {row.parameters} ({row.runs} runs)")
        for outcome in args.outcome:
            lo, hi = row[f"{outcome}_ci"]
            line = f"    {outcome:<40} {row[outcome]:>12.4g}  95% CI [{lo:.4g}, {hi:.4g}]"
            if f"{outcome}_diff" in row and isinstance(row[f"{outcome}_diff_ci"], tuple):
                d_lo, d_hi = row[f"{outcome}_diff_ci"]
                line += f"   vs level {table.level.iloc[0]}: {row[f'{outcome}_diff']:+.4g} "
                line += f"[{d_lo:+.4g}, {d_hi:+.4g}]"
            print(line)
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Morris or Sobol indices of an outcome."""
    from experiments.analysis import sensitivity

    print(sensitivity(args.db, args.experiment, args.outcome).to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``arrival-city``."""
    parser = argparse.ArgumentParser(
        prog="arrival-city", description="Agent-based simulation of arrival cities."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one scenario and write its outputs")
    run.add_argument("scenario", help="scenario file or preset name")
    run.add_argument("--months", type=int, default=None, help="horizon (default: the scenario's)")
    run.add_argument("--seed", type=int, default=0, help="seed of the model's generator")
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
        help="an overlay scenario on top, e.g. policies/one_stop_shop (repeatable)",
    )
    run.add_argument("--out", default=None, help="output folder (default results/<scenario>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)
    sub.add_parser("scenarios", help="list preset scenarios").set_defaults(func=cmd_scenarios)
    val = sub.add_parser("validate", help="check scenario or sweep files")
    val.add_argument("scenario", nargs="+")
    val.set_defaults(func=cmd_validate)
    sub.add_parser("parameters", help="list every parameter").set_defaults(func=cmd_parameters)
    oc = sub.add_parser("outcomes", help="list every outcome: unit, kind, definition")
    oc.add_argument("--markdown", action="store_true", help="as the table of docs/ODD.md")
    oc.set_defaults(func=cmd_outcomes)
    from experiments.store import DEFAULT_URL

    sw = sub.add_parser("sweep", help="run or resume a sweep file")
    sw.add_argument("sweep")
    sw.add_argument("--workers", type=int, default=None)
    sw.add_argument("--engine", choices=["local", "dask"], default=None)
    sw.add_argument("--address", default=None, help="Dask scheduler, e.g. tcp://host:8786")
    sw.add_argument("--db", default=None, help="SQLAlchemy URL (default: the sweep's)")
    sw.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    sw.add_argument("--quiet", action="store_true")
    sw.set_defaults(func=cmd_sweep)
    st = sub.add_parser("status", help="done / pending / failed runs per experiment")
    st.add_argument("--db", default=DEFAULT_URL)
    st.set_defaults(func=cmd_status)
    ex = sub.add_parser("export", help="export results to CSV or Parquet")
    ex.add_argument("experiment", nargs="?", default=None)
    ex.add_argument("--db", default=DEFAULT_URL)
    ex.add_argument("--out", default="results/export")
    ex.add_argument("--format", choices=["csv", "parquet"], default="csv")
    ex.set_defaults(func=cmd_export)
    cp = sub.add_parser("compare", help="compare levels with confidence intervals")
    cp.add_argument("experiment")
    cp.add_argument(
        "--outcome",
        action="append",
        default=None,
        help="summary name (repeatable), e.g. unmet_need_rate_migrants_mean",
    )
    cp.add_argument("--db", default=DEFAULT_URL)
    cp.set_defaults(func=cmd_compare)
    se = sub.add_parser("sensitivity", help="Morris or Sobol indices of an outcome")
    se.add_argument("experiment")
    se.add_argument("--outcome", default="migrant_employment_rate_end")
    se.add_argument("--db", default=DEFAULT_URL)
    se.set_defaults(func=cmd_sensitivity)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``arrival-city`` command."""
    from experiments.store import StoreError

    args = build_parser().parse_args(argv)
    if getattr(args, "outcome", "") is None:
        args.outcome = [
            "migrant_employment_rate_end",
            "unmet_need_rate_migrants_mean",
            "budget_gap_mean",
        ]
    try:
        return args.func(args)
    except (ScenarioError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
