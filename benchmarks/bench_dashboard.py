"""The trainers' page's speed: a month's step of each preset, and a 120-month side by side.

Targets (issue 12): a month's step of each city preset at its default scale under 100 ms
(median over the months run); a 120-month side by side of the northern preset (baseline and a
one-stop shop, one seed, the page's worker processes, already started) under 5 s.
Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_dashboard.py [--months 36]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEP_TARGET_MS = 100.0
SIDE_BY_SIDE_TARGET_S = 5.0


def month_steps(preset: str, months: int) -> tuple[list[float], list[float]]:
    """Each month's step time of a preset at its default scale: wall and CPU seconds.

    The CPU time is what the step costs whatever else the machine runs (on a shared machine the
    wall time also counts the waits for a core).
    """
    from model import ArrivalCity

    model = ArrivalCity(preset, seed=0, overrides={"run.months": months})
    wall, cpu = [], []
    while model.running:
        start, start_cpu = time.perf_counter(), time.process_time()
        model.step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def side_by_side(workers: int) -> tuple[float, float]:
    """Seconds of the northern preset's 120-month side by side (warm workers; and cold)."""
    from experiments.dashboard.compare import Runner
    from experiments.dashboard.state import Setup, set_lever

    chosen = set_lever(Setup(months=120), "policies.one_stop_shop", True)
    base, variant = chosen.base_scenario(), chosen.variant_scenario()
    started = time.perf_counter()
    runner = Runner(workers)
    try:
        warm = runner.compare(base.with_overrides({"run.months": 1}), base, [0])  # workers ready
        assert warm is not None
        start = time.perf_counter()
        done = runner.compare(base, variant, [0])
        end = time.perf_counter()
    finally:
        runner.close()
    assert done is not None and len(done.months) == 120
    return end - start, end - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=36, help="months stepped per preset")
    parser.add_argument("--workers", type=int, default=2, help="the page's worker processes")
    args = parser.parse_args()
    from experiments.dashboard.state import presets

    print(f"\ntrainers' page speed (Python {sys.version.split()[0]})\n")
    import os

    print(f"load average over the last minute: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    head = f"{'case':<48} {'median':>9} {'max':>9} {'CPU med.':>9} {'target':>9} {'':>7}"
    print(head)
    print("-" * len(head))
    for preset in presets():
        wall, cpu = month_steps(preset, args.months)
        median, most = statistics.median(wall) * 1000, max(wall) * 1000
        cpu_median = statistics.median(cpu) * 1000
        flag = "   met" if median < STEP_TARGET_MS else "  MISSED"
        print(
            f"{'month step: ' + preset:<48} {median:>7.0f}ms {most:>7.0f}ms {cpu_median:>7.0f}ms "
            f"{'<' + format(STEP_TARGET_MS, 'g') + 'ms':>9} {flag}"
        )
    seconds, cold = side_by_side(args.workers)
    flag = "   met" if seconds < SIDE_BY_SIDE_TARGET_S else "  MISSED"
    print(
        f"{'side by side: northern, 120 mo, 2 arms':<48} {seconds:>8.2f}s {'':>9} {'':>9} "
        f"{'<' + format(SIDE_BY_SIDE_TARGET_S, 'g') + 's':>9} {flag}"
    )
    print(f"\n(with the workers' start, as on the page's first run: {cold:.2f} s)")


if __name__ == "__main__":
    main()
