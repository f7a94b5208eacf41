"""Why refugee women work almost as much as men in the northern preset (issue 10, h19).

The women/men employment ratio of months 66-78 (the statistic of the held-out fact
``de_employment_women_men``) on paired seeds, for the preset and for diagnostic arms that each
change one input; differences from the preset with 95 % t intervals. The arms are diagnostics,
not proposals: no value here was chosen to bring the fact into its band.
Run: ``.venv/bin/python scripts/women_men_ratio.py [--seeds 8]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import stats

PRESET = "northern_midsize_asylum"
START, END = 66, 78  # the fact's window, months
ARMS = {
    "preset": {},
    "carers: every mother of any child (the rule before h19)": {
        "inflow.profile.young_child_share": 1.0,
        "services.childcare_place_share": 0.0,
    },
    "no childcare barrier": {"behaviour.childcare_barrier": 0.0},
    "childcare barrier 1 (carers never work)": {"behaviour.childcare_barrier": 1.0},
    "work_experience_factor 0.6 (schema default)": {"labour.work_experience_factor": 0.6},
    "women as experienced as men (0.81)": {"inflow.profile.work_experience_share_women": 0.81},
}


def ratio(overrides: dict[str, float], seed: int) -> tuple[float, float, float]:
    """Women's and men's mean employment rates over the window, and their ratio."""
    from model import simulate

    ts = simulate(PRESET, months=END, seed=seed, overrides=overrides).timeseries
    window = ts[(ts.month >= START) & (ts.month <= END)]
    women = float(window.migrant_employment_rate_women.mean())
    men = float(window.migrant_employment_rate_men.mean())
    return women / men, women, men


def main() -> None:
    """Print one line per arm: ratio, women's and men's rates, paired difference from the preset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    seeds = range(parser.parse_args().seeds)
    base = np.array([ratio(ARMS["preset"], s) for s in seeds])
    print(f"{'arm':58s} ratio  women  men    difference [95 % CI]")
    for name, overrides in ARMS.items():
        runs = base if name == "preset" else np.array([ratio(overrides, s) for s in seeds])
        ratio_, women, men = runs.mean(axis=0)
        line = f"{name:58s} {ratio_:.3f}  {women:.3f}  {men:.3f}"
        if name != "preset":
            diff = runs[:, 0] - base[:, 0]
            low, high = stats.t.interval(0.95, len(diff) - 1, diff.mean(), stats.sem(diff))
            line += f"  {diff.mean():+.3f} [{low:+.3f}, {high:+.3f}]"
        print(line, flush=True)


if __name__ == "__main__":
    main()
