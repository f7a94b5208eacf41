"""Is the scale gap of D* in the measure or in the model? Thin scale-1 cities to scale-5 lumps.

Runs the scale test's protocol (northern preset, 48 months, months 25-48) with hosts' out-moves
on and off on common seeds, and saves, for each reported month after 24, what any segregation
estimator needs: every newcomer and host agent's block, persons and tenure, and a fixed
partition of all household agents into ``LUMP`` groups (each agent's group drawn once from a
generator seeded by the run's seed). Keeping one group is thinning the city to ``1 / LUMP`` of its
agents, as if each kept agent stood for ``LUMP``: a scale-1 city seen at scale-5 granularity.

Usage: ``python scripts/scale_thinning.py SCALE SEED [SEED ...] --out DIR ['{"key": value}']``;
writes ``DIR/scale{SCALE}_seed{SEED}_{on,off}.npz``; the optional JSON overrides apply to both
arms (ablations).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from model.city import ArrivalCity

PRESET = "northern_midsize_asylum"
MONTHS = 48
FIRST = 25  # first reported month of the window
LUMP = 5
ARMS = {"on": {}, "off": {"housing.host_out_migration": 0.0}}


def run(scale: float, seed: int, overrides: dict) -> dict[str, np.ndarray]:
    """One run; per window month every agent's block, persons and group."""
    model = ArrivalCity(
        PRESET, seed=seed, overrides={"run.scale": scale, "run.months": MONTHS, **overrides}
    )
    group = np.random.default_rng([seed, 5]).integers(0, LUMP, 2_000_000)
    n_blocks = model.space.n_blocks
    month, nb, ns, ng, nt, hmonth, hb, hs, hg, ht, dstar = ([] for _ in range(11))
    while model.running:
        model.step()
        if model.steps < FIRST:
            continue
        hh = model.population.households
        live = hh.present & (hh.block >= 0)
        rows = np.flatnonzero(live & ~hh.host)
        host = np.flatnonzero(live & hh.host)
        month.append(np.full(len(rows), model.steps))
        nb.append(hh.block[rows])
        ns.append(hh.size[rows])
        ng.append(group[rows])
        nt.append(hh.tenure[rows])
        hmonth.append(np.full(len(host), model.steps))
        hb.append(hh.block[host])
        hs.append(hh.size[host])
        hg.append(group[host])
        ht.append(hh.tenure[host])
        dstar.append(model.latest["dissimilarity_index"])
    return {
        "month": np.concatenate(month),
        "block": np.concatenate(nb),
        "size": np.concatenate(ns),
        "group": np.concatenate(ng),
        "tenure": np.concatenate(nt),
        "host_month": np.concatenate(hmonth),
        "host_block": np.concatenate(hb).astype(np.int16),
        "host_size": np.concatenate(hs).astype(np.int8),
        "host_group": np.concatenate(hg).astype(np.int8),
        "host_tenure": np.concatenate(ht).astype(np.int8),
        "n_blocks": np.array(n_blocks),
        "dstar": np.array(dstar),
    }


def main(argv: list[str]) -> None:
    at = argv.index("--out")
    out, args = Path(argv[at + 1]), argv[:at]
    common = json.loads(argv[at + 2]) if len(argv) > at + 2 else {}
    out.mkdir(parents=True, exist_ok=True)
    scale = float(args[0])
    for seed in map(int, args[1:]):
        for arm, overrides in ARMS.items():
            path = out / f"scale{scale:g}_seed{seed}_{arm}.npz"
            if not path.exists():
                np.savez_compressed(path, **run(scale, seed, {**common, **overrides}))
                print(path, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
