"""Labour checks for issue 8, on paired seeds with 95 % intervals.

Host unemployment drift with no arrivals, the inflow's effect on host unemployment against the
zero-arrival twin, refugee employment by months since arrival.
Run: ``.venv/bin/python scripts/labour_effects.py [--seeds 6] [--presets northern,southern]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PRESETS = {
    "northern": ROOT / "scenarios" / "northern_midsize_asylum.toml",
    "southern": ROOT / "scenarios" / "southern_secondary_city.toml",
    "megacity": ROOT / "scenarios" / "megacity_mixed_flows.toml",
}


def _one(args):
    from model import simulate

    name, seed, twin, overrides = args
    over = dict(overrides)
    if twin:
        over["inflow.total"] = 0
    r = simulate(PRESETS[name], seed=seed, overrides=over)
    ts = r.timeseries
    out = {"u": ts.host_unemployment_rate.to_numpy()}
    if not twin:
        c = r.cohorts[r.cohorts.status == "all"].set_index("months_since_arrival")
        for m in (24, 36, 60):
            w = c.loc[m - 1 : m + 1]
            out[m] = float((w.employment_rate * w.person_months).sum() / w.person_months.sum())
        sc = r.scenario
        hosts_lf = sc.city.host_households * sc.labour.host_labour_force_share
        out["lf_added"] = 100 * ts.migrants_present.to_numpy() / hosts_lf
    return name, seed, twin, out


def ci(x):
    """Mean and 95 % interval of paired differences, as text."""
    x = np.asarray(x, float)
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else float("nan")
    return f"{x.mean():+.2f} [{x.mean() - half:+.2f}, {x.mean() + half:+.2f}]"


def main():
    """Run the presets and their twins, print the checks."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--presets", default="northern,southern")
    ap.add_argument("--set", nargs="*", default=[], help="key=value overrides")
    a = ap.parse_args()
    over = {}
    for kv in a.set:
        k, v = kv.split("=")
        over[k] = float(v)
    jobs = [
        (n, s, tw, over)
        for n in a.presets.split(",")
        for s in range(a.seeds)
        for tw in (True, False)
    ]
    with mp.Pool(2) as pool:
        res = pool.map(_one, jobs)
    for name in a.presets.split(","):
        twins = {s: o for n, s, tw, o in res if n == name and tw}
        runs = {s: o for n, s, tw, o in res if n == name and not tw}
        drift = [100 * (o["u"][-12:].mean() - o["u"][:3].mean()) for o in twins.values()]
        start = np.mean([100 * o["u"][:3].mean() for o in twins.values()])
        print(
            f"{name}: twin host unemployment start {start:.2f} %, drift to last year {ci(drift)} pt"
        )
        eff = [100 * (runs[s]["u"][12:] - twins[s]["u"][12:]).mean() for s in runs]
        end = [100 * (runs[s]["u"][-12:] - twins[s]["u"][-12:]).mean() for s in runs]
        print(
            f"  inflow effect on host unemployment, months 13-end {ci(eff)} pt;"
            f" last year {ci(end)} pt"
        )
        added = [runs[s]["lf_added"][12:].mean() for s in runs]
        per = [e / a for e, a in zip(eff, added, strict=True)]
        print(
            f"  newcomers present = {np.mean(added):.1f} % of the host labour force"
            " (months 13-end);"
            f" effect per 1 % added {ci(per)} pt"
        )
        for m in (24, 36, 60):
            v = [100 * runs[s][m] for s in runs]
            print(f"  newcomer employment at {m} months {ci(v)} %")


if __name__ == "__main__":
    main()
