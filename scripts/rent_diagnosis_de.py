"""Paired-seed diagnosis of the rent effect of an inflow in the German fact's protocol.

Runs the protocol of ``evidence/de_rents_refugee_inflow.toml`` (northern preset, 18 months) and
its zero-arrival twin on common random numbers and reports, per month and as mean [95 %
interval] over seeds: the rent effect (``mean_rent``, variant over twin minus one), newcomer
households by tenure, the formal units newcomers occupy, the applicants turned away (the unmet
demand in rent pressure, its total and newcomers' share), and the effect per ring. With
``--no-turned-away`` the market ignores applicants turned away (occupancy alone).

Usage: ``python scripts/rent_diagnosis_de.py [SEEDS] ['{"key": value}' ...] [--no-turned-away]``.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from scipy import stats

from model.city import ArrivalCity
from model.codes import Tenure
from model.processes import housing
from model.space import N_RINGS

PRESET = "northern_midsize_asylum"
MONTHS = 18
WINDOW = slice(5, 18)  # months 6-18


def run(seed: int, overrides: dict, no_turned_away: bool) -> dict[str, np.ndarray]:
    """One run: monthly rent (all, by ring), newcomer tenure, turned-away applicants."""
    turned: list[float] = []
    original = housing.update_market

    def market(space, turned_away, *args, **kwargs):
        turned.append(float(turned_away.sum()))
        return original(space, 0 * turned_away if no_turned_away else turned_away, *args, **kwargs)

    housing.update_market = market
    try:
        model = ArrivalCity(PRESET, seed=seed, overrides={**overrides, "run.months": MONTHS})
        ring = model.space.ring.astype(np.int64)
        rent, rings, tenure, residents = [], [], [], []
        newcomer_persons: list[float] = []
        hosts_gone: list[float] = []
        while model.running:
            model.step()
            space, hh = model.space, model.population.households
            units, base = space.layer("formal_units"), space.layer("base_units")
            rent.append((space.layer("rent") * units).sum() / units.sum())
            by_ring = np.bincount(ring, space.layer("rent") * base, N_RINGS)
            rings.append(by_ring / np.bincount(ring, base, N_RINGS))
            newcomers = hh.present & ~hh.host
            tenure.append(np.bincount(hh.tenure[newcomers], minlength=6))
            residents.append(hh.size[hh.present].sum())
            newcomer_persons.append(hh.size[hh.present & ~hh.host].sum())
            hosts_gone.append(hh.size[hh.host & ~hh.present].sum())
    finally:
        housing.update_market = original
    return {
        "rent": np.array(rent),
        "rings": np.array(rings),
        "tenure": np.array(tenure),
        "turned": np.array(turned[-MONTHS:]),
        "residents": np.array(residents, dtype=float),
        "newcomers": np.array(newcomer_persons, dtype=float),
        "hosts_gone": np.array(hosts_gone, dtype=float),
    }


def interval(values: list[float]) -> str:
    """Mean and 95 % t-interval over seeds."""
    v = np.asarray(values)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
    return f"{v.mean():+.3f} [{v.mean() - half:+.3f}, {v.mean() + half:+.3f}]"


def main(seeds: list[int], overrides: dict, no_turned_away: bool) -> None:
    """Print the paired diagnosis for one set of overrides."""
    elast, gross, monthly, rings, tenure, turned, turned_twin = [], [], [], [], [], [], []
    gone = []
    for seed in seeds:
        arm = run(seed, overrides, no_turned_away)
        twin = run(seed, {**overrides, "inflow.total": 0}, no_turned_away)
        rel = arm["rent"][WINDOW].mean() / twin["rent"][WINDOW].mean() - 1
        added = 1 - twin["residents"][WINDOW].mean() / arm["residents"][WINDOW].mean()
        elast.append(rel / added)
        gross.append(rel / (arm["newcomers"][WINDOW] / arm["residents"][WINDOW]).mean())
        gone.append(arm["hosts_gone"][WINDOW] / twin["residents"][WINDOW])
        monthly.append(100 * (arm["rent"] / twin["rent"] - 1))
        rings.append(100 * (arm["rings"][WINDOW].mean(0) / twin["rings"][WINDOW].mean(0) - 1))
        tenure.append(arm["tenure"])
        turned.append(arm["turned"])
        turned_twin.append(twin["turned"])
    print(f"overrides {overrides or '{}'}, seeds {seeds}, no_turned_away={no_turned_away}")
    print(f"  elasticity months 6-18 (per net added share, the fact's): {interval(elast)}")
    print(f"  per newcomers' share of residents (gross inflow):          {interval(gross)}")
    g = 100 * np.mean(gone, 0)
    print(
        "  host persons gone, % of twin residents, months 6, 12, 18: "
        f"{g[0]:.2f} {g[6]:.2f} {g[12]:.2f}"
    )
    for k, name in enumerate(("centre", "inner", "periphery", "edge")):
        print(f"  {name:10s} rent effect % (6-18): {interval([r[k] for r in rings])}")
    t, m = np.mean(tenure, 0), np.mean(monthly, 0)
    tw, tt = np.mean(turned, 0), np.mean(turned_twin, 0)
    names = [x.name.lower()[:8] for x in Tenure]
    print("  month rent% " + " ".join(f"{n:>8s}" for n in names) + "  turned(arm/twin)")
    for i in range(MONTHS):
        row = " ".join(f"{v:8.0f}" for v in t[i])
        print(f"  {i + 1:5d} {m[i]:+5.2f} {row}  {tw[i]:7.0f}/{tt[i]:.0f}")


if __name__ == "__main__":
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seeds = [int(s) for s in args[0].split(",")] if args else [0, 1, 2]
    for extra in args[1:] or ["{}"]:
        main(seeds, json.loads(extra), "--no-turned-away" in flags)
