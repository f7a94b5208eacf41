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


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files; print OK or the first problem of each."""
    from model.city import resolve_scenario

    worst = 0
    for name in args.scenario:
        try:
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
    val = sub.add_parser("validate", help="check scenario files")
    val.add_argument("scenario", nargs="+")
    val.set_defaults(func=cmd_validate)
    sub.add_parser("parameters", help="list every parameter").set_defaults(func=cmd_parameters)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``arrival-city`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
