"""Runner benchmark: a 40-run sweep of the northern preset, measured in one run against
calling ``simulate`` in a loop, a plain ``ProcessPoolExecutor`` mapping ``simulate``, and
``mesa.batch_run`` on the same runs.

Targets (issue 4): the runner's overhead < 5 % of a run's time; with 2 workers, its throughput
>= 0.9 x the plain process pool's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRESET = ROOT / "scenarios" / "northern_midsize_asylum.toml"


def _one(args: tuple[str, int, int]) -> float:
    from model import simulate

    path, seed, months = args
    return simulate(path, months=months, seed=seed).summary["migrants_present_end"]


def main() -> None:
    import mesa

    from experiments import run_sweep
    from experiments.sweep import Sweep, plan
    from model import ArrivalCity

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--months", type=int, default=120)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="arrival-city-bench-"))
    sweep_file = work / "bench.toml"
    sweep_file.write_text(f"""
[experiment]
name = "bench"
scenarios = ["{PRESET}"]
months = {args.months}
[seeds]
base = 1
replicates = {args.runs}
""")
    specs = plan(Sweep.from_toml(sweep_file))
    jobs = [(str(PRESET), s.seed, args.months) for s in specs]
    rows = []

    start = time.perf_counter()
    for job in jobs:
        _one(job)
    loop = time.perf_counter() - start
    rows.append(("simulate in a loop (1 process)", 1, loop))

    for workers in (1, 2):
        url = f"sqlite:///{work}/runner{workers}.db"
        start = time.perf_counter()
        report = run_sweep(sweep_file, workers=workers, db=url, progress=False)
        elapsed = time.perf_counter() - start
        assert report.executed == args.runs and report.failed == 0
        rows.append((f"arrival-city sweep, {workers} worker(s)", workers, elapsed))

    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_one, jobs))
    pool_time = time.perf_counter() - start
    rows.append(("plain ProcessPoolExecutor(2).map(simulate)", 2, pool_time))

    start = time.perf_counter()
    mesa.batch_run(
        ArrivalCity,
        parameters={"params": [str(PRESET)]},
        rng=[s.seed for s in specs],
        max_steps=args.months,
        number_processes=2,
        data_collection_period=-1,
        display_progress=False,
    )
    rows.append(("mesa.batch_run, 2 processes", 2, time.perf_counter() - start))

    per_run = loop / args.runs
    print(
        f"\nrunner benchmark: {args.runs} runs of the northern preset, {args.months} months "
        f"(same run)\n"
    )
    head = f"{'how':<46} {'workers':>7} {'seconds':>8} {'runs/min':>9} {'efficiency':>10}"
    print(head)
    print("-" * len(head))
    for name, workers, seconds in rows:
        rate = 60 * args.runs / seconds
        efficiency = loop / (workers * seconds)
        print(f"{name:<46} {workers:>7} {seconds:>8.1f} {rate:>9.1f} {efficiency:>10.2f}")
    runner1 = rows[1][2]
    runner2 = rows[2][2]
    overhead = (runner1 - loop) / args.runs
    print(
        f"\nrunner overhead per run (1 worker vs loop): {overhead * 1000:.0f} ms = "
        f"{100 * overhead / per_run:.1f} % of a run's {per_run:.2f} s (target < 5 %)"
    )
    print(
        f"runner with 2 workers vs plain process pool: {pool_time / runner2:.2f} x its "
        f"throughput (target >= 0.9)"
    )


if __name__ == "__main__":
    main()
