"""Paired-seed diagnosis of the formal-rent effect of an inflow (fact co_displacement_rents).

Runs the fact's protocol (southern preset, 22,500 host households, 10,000 arrivals, 72 months)
and its zero-arrival twin on common random numbers, and reports, as mean [95 % interval] over
seeds: the effect on ``mean_rent`` over months 24-72; the same with each block's rent weighted
by its month-0 units (no composition: a rise here is rents per block rising), also per ring
(centre: the dearest blocks; periphery and edge: the cheapest); the formal
vacancy rate; and where the newcomers live at month 48. Extra overrides show what limits what.

Usage: ``python scripts/rent_diagnosis.py [SEEDS] ['{"key": value}' ...]``, e.g.
``python scripts/rent_diagnosis.py 0,1,2 '{"city.informal_expansion_rate": 0.5}'``.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from scipy import stats

from model.city import ArrivalCity
from model.codes import Tenure
from model.space import N_RINGS

PROTOCOL = {"city.host_households": 22500, "city.grid_size": 14, "run.months": 72}
ARRIVALS = 10000
WINDOW = slice(23, 72)  # months 24-72
SNAPSHOT = 47  # month 48


def run(seed: int, total: int, overrides: dict) -> dict[str, np.ndarray]:
    """One run: monthly mean rent, fixed-weight rent, vacancy; tenure of newcomers at month 48."""
    model = ArrivalCity(
        "southern_secondary_city",
        seed=seed,
        overrides={**PROTOCOL, **overrides, "inflow.total": total},
    )
    rent, fixed, vacancy, rings = [], [], [], []
    ring = model.space.ring.astype(np.int64)
    tenure = np.zeros(6)
    while model.running:
        model.step()
        space, hh = model.space, model.population.households
        units, base = space.layer("formal_units"), space.layer("base_units")
        rent.append((space.layer("rent") * units).sum() / units.sum())
        fixed.append((space.layer("rent") * base).sum() / base.sum())
        by_ring = np.bincount(ring, space.layer("rent") * base, N_RINGS)
        rings.append(by_ring / np.bincount(ring, base, N_RINGS))
        vacancy.append(1 - space.layer("formal_occupied").sum() / units.sum())
        if model.steps == SNAPSHOT + 1:
            newcomers = hh.present & ~hh.host
            tenure = np.bincount(hh.tenure[newcomers], minlength=6) / max(newcomers.sum(), 1)
    return {
        "rent": np.array(rent),
        "fixed": np.array(fixed),
        "vacancy": np.array(vacancy),
        "rings": np.array(rings),
        "tenure": tenure,
    }


def interval(values: list[float], sign: str = "+") -> str:
    """Mean and 95 % t-interval over seeds, in per cent (``sign=""`` for a level)."""
    v = 100 * np.asarray(values)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
    low, mean, high = v.mean() - half, v.mean(), v.mean() + half
    return f"{mean:{sign}.1f} [{low:{sign}.1f}, {high:{sign}.1f}] %"


def main(seeds: list[int], overrides: dict) -> None:
    """Print the paired effects for one set of overrides."""
    rent, fixed, vac, tenure, rings = [], [], [], [], []
    for seed in seeds:
        arm, twin = run(seed, ARRIVALS, overrides), run(seed, 0, overrides)
        rent.append(arm["rent"][WINDOW].mean() / twin["rent"][WINDOW].mean() - 1)
        fixed.append(arm["fixed"][WINDOW].mean() / twin["fixed"][WINDOW].mean() - 1)
        vac.append(arm["vacancy"][SNAPSHOT])
        rings.append(arm["rings"][WINDOW].mean(axis=0) / twin["rings"][WINDOW].mean(axis=0) - 1)
        tenure.append(arm["tenure"])
    shares = np.mean(tenure, axis=0)
    print(f"overrides {overrides or '{}'}, seeds {seeds}")
    print(f"  mean_rent effect, months 24-72: {interval(rent)}")
    print(f"  fixed-weight rent effect:       {interval(fixed)}")
    for k, name in enumerate(("centre", "inner", "periphery", "edge")):
        print(f"  {name} rent effect:{' ' * (21 - len(name))}{interval([r[k] for r in rings])}")
    print(f"  formal vacancy at month 48:     {interval(vac, sign='')} (twin: month-0 rate)")
    print(
        "  newcomers at month 48: "
        + ", ".join(f"{t.name.lower()} {100 * shares[t]:.0f} %" for t in Tenure if shares[t] > 0)
    )


if __name__ == "__main__":
    seeds = [int(s) for s in sys.argv[1].split(",")] if len(sys.argv) > 1 else [0, 1, 2]
    for extra in sys.argv[2:] or ["{}"]:
        main(seeds, json.loads(extra))
