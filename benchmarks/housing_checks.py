# ruff: noqa: E501
"""Housing checks of issue 8: stationary baseline, scale-free outcomes, accounts, sudden vs gradual.

Usage: python benchmarks/housing_checks.py [baseline|scale|accounts|sudden|all] [--seeds N]
Prints means and 95 % intervals (t-based over seeds) of each check.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

sys.path.insert(0, ".")
from model import ArrivalCity
from model.codes import Tenure
from model.processes import housing

PRESETS = ("northern_midsize_asylum", "southern_secondary_city", "megacity_mixed_flows")


def ci(values) -> str:
    v = np.asarray(values, dtype=float)
    m = v.mean()
    if len(v) < 2:
        return f"{m:.4g}"
    t = {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78, 6: 2.57, 7: 2.45, 8: 2.36}.get(len(v), 2.0)
    h = t * v.std(ddof=1) / np.sqrt(len(v))
    return f"{m:.4g} [{m - h:.4g}, {m + h:.4g}]"


def _run(args):
    preset, seed, overrides = args
    model = ArrivalCity(preset, seed=seed, overrides=overrides)
    hh = model.population.households
    rows = []
    arrears_n = arrears_d = 0
    while model.running:
        model.step()
        row = dict(model.latest)
        # newcomer renters whose rent exceeds the affordable share of their resources
        ren = np.flatnonzero(~hh.host & hh.present & (hh.tenure == Tenure.FORMAL_RENTER))
        if len(ren):
            if hasattr(hh, "arrears_months") and "arrears_months" in hh._spec:
                arr = hh.arrears_months[ren] > 0
            else:  # before: the arrears test of eviction_draws
                rent = housing.rent_paid(hh, model.space, ren)
                burden = model.params.behaviour.max_rent_burden
                arr = rent > burden * np.maximum(hh.income[ren], 1.0)
            arrears_n += int(arr.sum())
            arrears_d += len(ren)
        rows.append(row)
    import pandas as pd

    ts = pd.DataFrame(rows)
    return ts, (arrears_n / arrears_d if arrears_d else 0.0)


def runs(preset, seeds, overrides):
    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(_run, [(preset, s, overrides) for s in seeds]))


def baseline(seeds, presets=PRESETS):
    print("== baseline: inflow.total = 0, 120 months")
    for preset in presets:
        out = runs(preset, seeds, {"inflow.total": 0})
        rent = [100 * (ts.mean_rent.iloc[-1] / ts.mean_rent.iloc[0] - 1) for ts, _ in out]
        rent_max = [100 * np.max(np.abs(ts.mean_rent / ts.mean_rent.iloc[0] - 1)) for ts, _ in out]
        oc = [
            100 * (ts.overcrowding_rate_hosts.iloc[-1] - ts.overcrowding_rate_hosts.iloc[0])
            for ts, _ in out
        ]
        oc_max = [
            100 * np.max(np.abs(ts.overcrowding_rate_hosts - ts.overcrowding_rate_hosts.iloc[0]))
            for ts, _ in out
        ]
        ev = [ts.evictions.sum() for ts, _ in out]
        print(f"{preset}: rent change % m1->m120 {ci(rent)}; max |dev| {ci(rent_max)}")
        print(
            f"   host overcrowding pts m1->m120 {ci(oc)}; max |dev| {ci(oc_max)}; "
            f"level m1 {ci([ts.overcrowding_rate_hosts.iloc[0] for ts, _ in out])}; evictions {ci(ev)}"
        )


def scale(seeds, scales=(1, 5), preset="northern_midsize_asylum"):
    print(f"== scale: {preset}")
    for s in scales:
        out = runs(preset, seeds, {"run.scale": s})
        twin = runs(preset, seeds, {"run.scale": s, "inflow.total": 0})
        after = [ts[ts.month > 24] for ts, _ in out]
        oc = [a.overcrowding_rate_migrants.mean() for a in after]
        och = [a.overcrowding_rate_hosts.mean() for a in after]
        d36 = [ts.dissimilarity_index.iloc[35] for ts, _ in out]
        dm = [a.dissimilarity_index.mean() for a in after]
        if "dissimilarity_index_raw" in after[0]:
            raw = [a.dissimilarity_index_raw.mean() for a in after]
            print(f"   raw Duncan mean m>24 {ci(raw)}")
        rent = [100 * (ts.mean_rent.max() / ts.mean_rent.iloc[0] - 1) for ts, _ in out]
        rent_tw = [
            100 * ((ts.mean_rent / tw.mean_rent).max() - 1)
            for (ts, _), (tw, _) in zip(out, twin, strict=True)
        ]
        inf = [ts.informal_housing_share_migrants.max() for ts, _ in out]
        emp = [ts.migrant_employment_rate.iloc[59] for ts, _ in out]
        print(
            f" scale {s}: newcomer overcrowding (m>24) {ci(oc)}; hosts {ci(och)}; ratio {ci(np.array(oc) / np.array(och))}"
        )
        print(f"   dissimilarity m36 {ci(d36)}; mean m>24 {ci(dm)}")
        print(
            f"   peak rent rise % {ci(rent)}; vs twin {ci(rent_tw)}; informal peak {ci(inf)}; employment m60 {ci(emp)}"
        )


def accounts(seeds, preset="northern_midsize_asylum"):
    print(f"== accounts: {preset}")
    out = runs(preset, seeds, {})
    arr = [a for _, a in out]
    ev = [ts.evictions.sum() for ts, _ in out]
    arrivals = [ts.arrivals.sum() for ts, _ in out]
    print(f" newcomer renter-months in arrears (share) {ci(arr)}")
    print(
        f" evictions total {ci(ev)}; per 1,000 arrivals {ci(1000 * np.array(ev) / np.array(arrivals))}"
    )
    out0 = runs(preset, seeds, {"behaviour.eviction_rate_arrears": 0.0})
    ev0 = [ts.evictions.sum() for ts, _ in out0]
    print(f" evictions with eviction_rate_arrears = 0: {ci(ev0)}")


def sudden(seeds, presets=("northern_midsize_asylum", "southern_secondary_city")):
    print("== sudden vs gradual (same total)")
    for preset in presets:
        for pattern in ("sudden", "gradual"):
            out = runs(preset, seeds, {"inflow.pattern": pattern})
            inf = [ts.informal_housing_share_migrants.max() for ts, _ in out]
            oc = [ts.overcrowding_rate_migrants.max() for ts, _ in out]
            rent = [100 * (ts.mean_rent.max() / ts.mean_rent.iloc[0] - 1) for ts, _ in out]
            print(
                f" {preset} {pattern}: informal peak {ci(inf)}; overcrowding peak {ci(oc)}; peak rent rise % {ci(rent)}"
            )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", default="all")
    ap.add_argument("--seeds", type=int, default=4)
    a = ap.parse_args()
    seeds = range(a.seeds)
    for name in ("baseline", "scale", "accounts", "sudden"):
        if a.what in (name, "all"):
            globals()[name](seeds)
