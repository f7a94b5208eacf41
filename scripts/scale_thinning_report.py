"""Report of ``scale_thinning.py``: D estimators at scale 1, thinned scale 1, and scale 5.

For each estimator: the level with hosts' out-moves off and on, and the effect (on - off, paired
seeds), mean ± one standard error over seeds of the months 25-48 mean, at (a) scale 1, (b) scale 1
thinned to one in ``LUMP`` agents (the mean over the ``LUMP`` disjoint thinnings), (c) scale 5.

Usage: ``python scripts/scale_thinning_report.py DIR [--only D,D*,...]``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from model.metrics import beta_dissimilarity, dissimilarity_index, systematic_dissimilarity

LUMP = 5
Estimator = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int], float]


def _units(size: np.ndarray) -> float:
    size = size.astype(float)
    return float(size.sum()) ** 2 / float((size**2).sum())


def raw(nb, ns, hb, hs, n_blocks) -> float:
    return dissimilarity_index(
        np.bincount(nb, ns, n_blocks), np.bincount(hb, hs.astype(float), n_blocks)
    )


def ct(nb, ns, hb, hs, n_blocks) -> float:
    return systematic_dissimilarity(
        np.bincount(nb, ns, n_blocks), np.bincount(hb, hs.astype(float), n_blocks), _units(ns)
    )


def _resampled(block, size, n_blocks, rng, reps) -> np.ndarray:
    """Persons per block in ``reps`` bootstrap resamples of the agents, shape (reps, n_blocks)."""
    pick = rng.integers(0, len(block), (reps, len(block)))
    flat = (block[pick] + n_blocks * np.arange(reps)[:, None]).ravel()
    return np.bincount(flat, size[pick].ravel().astype(float), reps * n_blocks).reshape(reps, -1)


def boot(nb, ns, hb, hs, n_blocks, reps=50) -> float:
    """Allen et al. (2015) bootstrap bias-corrected D: 2 D - mean of D over resamples."""
    rng = np.random.default_rng(len(nb))
    n = _resampled(nb, ns, n_blocks, rng, reps)
    h = _resampled(hb, hs, n_blocks, rng, reps)
    d = 0.5 * np.abs(n / n.sum(1, keepdims=True) - h / h.sum(1, keepdims=True)).sum(1)
    return 2 * raw(nb, ns, hb, hs, n_blocks) - float(d.mean())


def beta(nb, ns, hb, hs, n_blocks) -> float:
    """Rathelot's D in its Beta moment form, on agent counts (model.metrics)."""
    k = np.bincount(nb, minlength=n_blocks)
    return beta_dissimilarity(k, k + np.bincount(hb, minlength=n_blocks))


ESTIMATORS: dict[str, Estimator] = {
    "D": raw,
    "D*": ct,
    "D_bc": boot,
    "D_beta": beta,
    "D_beta_dw": beta,  # households doubled up with kin left out (their kin chose the block)
}
DOUBLED_UP = 3  # model.codes.Tenure.DOUBLED_UP


def thinned(f: Estimator, agents: tuple, n_blocks: int, g: int | None) -> float:
    """The estimator on the agents of thinning group ``g`` (all agents when ``g`` is None).

    ``agents``: newcomers' blocks, persons, groups, then the same for hosts.
    """
    nb, ns, ng, hb, hs, hg = agents
    if g is None:
        return f(nb, ns, hb, hs, n_blocks)
    return f(nb[ng == g], ns[ng == g], hb[hg == g], hs[hg == g], n_blocks)


def window(path: Path, estimators: dict[str, Estimator], thin: bool) -> dict[str, np.ndarray]:
    """Per estimator: [full, thinned] means over the window months (thinned 0 unless ``thin``)."""
    d = np.load(path)
    n_blocks = int(d["n_blocks"])
    out = {k: np.zeros(2) for k in estimators}
    months = np.unique(d["month"])
    for m in months:
        a, b = d["month"] == m, d["host_month"] == m
        nb, ns, ng = d["block"][a], d["size"][a].astype(float), d["group"][a]
        hb, hs, hg = d["host_block"][b].astype(int), d["host_size"][b], d["host_group"][b]
        nt, ht = d["tenure"][a], d["host_tenure"][b]
        for k, f in estimators.items():
            if k.endswith("_dw"):
                keep, hkeep = nt != DOUBLED_UP, ht != DOUBLED_UP
                args = nb[keep], ns[keep], ng[keep], hb[hkeep], hs[hkeep], hg[hkeep]
            else:
                args = nb, ns, ng, hb, hs, hg
            out[k][0] += thinned(f, args, n_blocks, None)
            if not thin:
                continue
            out[k][1] += np.mean([thinned(f, args, n_blocks, g) for g in range(LUMP)])
    return {k: v / len(months) for k, v in out.items()}


def report(folder: Path, estimators: dict[str, Estimator]) -> None:
    seeds = sorted(
        {int(p.stem.split("_")[1][4:]) for p in folder.glob("scale5_seed*_off.npz")}
        & {int(p.stem.split("_")[1][4:]) for p in folder.glob("scale1_seed*_off.npz")}
    )
    rows = {}
    for scale in (1, 5):
        for arm in ("off", "on"):
            per = [
                window(folder / f"scale{scale}_seed{s}_{arm}.npz", estimators, scale == 1)
                for s in seeds
            ]
            rows[scale, arm] = {k: np.array([p[k] for p in per]) for k in estimators}
    print(f"{len(seeds)} seeds; mean ± se over seeds")
    for k in estimators:
        print(f"\n{k}")
        cases = {
            "(a) scale 1": (rows[1, "off"][k][:, 0], rows[1, "on"][k][:, 0]),
            "(b) scale 1 thinned": (rows[1, "off"][k][:, 1], rows[1, "on"][k][:, 1]),
            "(c) scale 5": (rows[5, "off"][k][:, 0], rows[5, "on"][k][:, 0]),
        }
        for name, (off, on) in cases.items():
            eff = on - off
            se = eff.std(ddof=1) / np.sqrt(len(eff))
            print(
                f"  {name:22s} off {off.mean():.4f} ± {off.std(ddof=1) / np.sqrt(len(off)):.4f}"
                f"  on {on.mean():.4f}  effect {eff.mean():+.4f} ± {se:.4f}"
            )


if __name__ == "__main__":
    names = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    report(Path(sys.argv[1]), {k: ESTIMATORS[k] for k in names} if names else ESTIMATORS)
