"""The evidence registry as the calibration's simulator: facts in, seed means and variances out.

Each design point (a set of parameter overrides) runs every calibration fact's protocol through
``experiments.evidence.run.evaluate`` — the runner and the results store, so runs are cached by
run key and a killed calibration resumes from what it stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.calibration.history import Evaluation, Target


def facts_for(role: str, preset: str, names: list[str] | None = None) -> list[Any]:
    """The registry's facts of a role that apply to a preset (by file stem), or those named.

    Raises:
        ValueError: a named fact that is not in the registry, or not of that role.
    """
    from experiments.evidence.registry import load_facts

    facts = load_facts(role=role)
    if names:
        known = {f.id: f for f in facts}
        missing = [n for n in names if n not in known]
        if missing:
            raise ValueError(
                f"no {role} fact named {missing[0]!r} (known: {', '.join(sorted(known))})"
            )
        return [known[n] for n in names]
    return [f for f in facts if preset_of(f) == preset]


def preset_of(fact: Any) -> str:
    """The preset a fact applies to, as a file stem."""
    from pathlib import Path

    return Path(fact.protocol.preset).stem


def targets_for(facts: list[Any], discrepancy: float) -> list[Target]:
    """The facts as history-matching targets (published value, band, model discrepancy)."""
    return [
        Target.from_band(f.id, f.published.value, f.published.low, f.published.high, discrepancy)
        for f in facts
    ]


def run_variance(table: pd.DataFrame, replicates: int) -> np.ndarray:
    """The variance of one run, from the 95 % interval of the seed mean (t with n-1 df)."""
    if replicates < 2:
        return np.zeros(len(table))
    half = (table["model_ci_high"] - table["model_ci_low"]).to_numpy(float) / 2.0
    se = half / stats.t.ppf(0.975, replicates - 1)
    return np.nan_to_num(se**2 * replicates)


def evaluate_at(
    facts: list[Any], seeds: list[int], overrides: dict[str, Any], db: str | None
) -> pd.DataFrame:
    """Every fact's model mean and interval at one parameter set, in the order of ``facts``."""
    from experiments.evidence.run import evaluate

    table = evaluate(facts, seeds, overrides=overrides, db=db)
    return table.set_index("fact").loc[[f.id for f in facts]].reset_index()


def fact_simulator(
    facts: list[Any],
    seeds: list[int],
    db: str | None,
    log: Callable[[str], None] = lambda _: None,
) -> Callable[[list[dict[str, float]], int], Evaluation]:
    """A :data:`~experiments.calibration.history.Simulator` running the facts' protocols."""

    def simulate(sets: list[dict[str, float]], wave: int) -> Evaluation:
        means, variances = [], []
        for index, overrides in enumerate(sets, start=1):
            table = evaluate_at(facts, seeds, overrides, db)
            means.append(table["model_mean"].to_numpy(float))
            variances.append(run_variance(table, len(seeds)))
            log(f"wave {wave}: design point {index}/{len(sets)} done")
        mean = np.array(means)
        if not np.isfinite(mean).all():
            finite = np.isfinite(mean).all(axis=0)
            bad = [f.id for f, ok in zip(facts, finite, strict=True) if not ok]
            raise ValueError(f"facts without a model value at some design point: {bad}")
        return Evaluation(mean, np.array(variances), len(seeds))

    return simulate


def predictive(tables: list[pd.DataFrame], replicates: int, seed: int) -> pd.DataFrame:
    """The posterior predictive of each fact's seed mean from runs at several posterior draws.

    A mixture over draws of normals (the draw's seed mean, its standard error): the mean of the
    draws' means and the 2.5-97.5 % quantiles of 4,000 samples of the mixture.
    """
    rng = np.random.default_rng(seed)
    first = tables[0]
    means = np.column_stack([t["model_mean"].to_numpy(float) for t in tables])
    ses = np.column_stack(
        [np.sqrt(run_variance(t, replicates) / max(replicates, 1)) for t in tables]
    )
    pick = rng.integers(0, means.shape[1], size=4000)
    samples = means[:, pick] + ses[:, pick] * rng.standard_normal((means.shape[0], 4000))
    out = first[["fact"]].copy()
    for column in ("role", "source", "statistic", "published", "low", "high"):
        if column in first:
            out[column] = first[column]
    out["model_mean"] = means.mean(axis=1)
    out["model_ci_low"] = np.quantile(samples, 0.025, axis=1)
    out["model_ci_high"] = np.quantile(samples, 0.975, axis=1)
    out["within_band"] = (out["model_mean"] >= out["low"]) & (out["model_mean"] <= out["high"])
    out["draws"] = len(tables)
    return out


def seeds_of(base: int, replicates: int) -> list[int]:
    """The calibration's seeds, from ``numpy.random.SeedSequence``."""
    state = np.random.SeedSequence([base]).generate_state(replicates, dtype=np.uint32)
    return [int(s) for s in state]


__all__ = [
    "evaluate_at",
    "fact_simulator",
    "facts_for",
    "predictive",
    "preset_of",
    "run_variance",
    "seeds_of",
    "targets_for",
]
