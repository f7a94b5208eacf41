"""The evidence registry as the calibration's simulator: facts in, seed means and variances out.

Each design point (a set of parameter overrides) runs every calibration fact's protocol through
the evidence registry's ``evaluate`` — the runner and the results store, so runs are cached by
run key and a killed calibration resumes from what it stored. A wave's runs are first run
together (:func:`prefetch`: one sweep per fact whose levels are every point's arms), so both
workers stay busy; ``evaluate`` then finds them stored and only reads them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from experiments.calibration.history import Evaluation, Target


def facts_for(role: str, preset: str, names: list[str] | None = None) -> list[Any]:
    """The registry's facts of a role that apply to a preset, or those named.

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
                f"calibration.facts: no {role} fact named {missing[0]!r} "
                f"(known: {', '.join(sorted(known))})"
            )
        return [known[n] for n in names]
    return [f for f in facts if f.protocol.preset == preset]


def targets_for(facts: list[Any], discrepancy: float) -> list[Target]:
    """The facts as history-matching targets (published value, band, model discrepancy)."""
    return [
        Target.from_band(f.id, f.published.value, f.published.low, f.published.high, discrepancy)
        for f in facts
    ]


def wave_sweep(fact: Any, sets: list[dict[str, Any]], replicates: int, label: str) -> Any:
    """One sweep running a fact's protocol at every parameter set: each set's arms are levels.

    Its runs are the very runs ``evaluate`` plans for each set (same scenario, overrides, seeds
    and months: the same run keys), so ``evaluate`` finds them done.
    """
    from experiments.evidence.run import fact_sweep
    from experiments.sweep import Sweep

    sweeps = [fact_sweep(fact, replicates, overrides) for overrides in sets]
    data = sweeps[0].model_dump(mode="json")
    keys = list(data["parameters"])
    data["parameters"] = {k: [v for s in sweeps for v in s.parameters[k]] for k in keys}
    digest = hashlib.sha256(
        json.dumps(data["parameters"], sort_keys=True, default=str).encode()
    ).hexdigest()[:10]
    data["experiment"]["name"] = f"calibration:{label}:{fact.id}:{digest}"
    return Sweep.model_validate(data)


def prefetch(
    facts: list[Any],
    sets: list[dict[str, Any]],
    replicates: int,
    db: str | None,
    workers: int,
    label: str,
) -> None:
    """Run (or find stored) every fact's runs at every parameter set, one sweep per fact."""
    from experiments.runner import run_sweep

    for fact in facts:
        sweep = wave_sweep(fact, sets, replicates, label)
        run_sweep(sweep, db=db, workers=workers, progress=False)


def evaluate_at(
    facts: list[Any], replicates: int, overrides: dict[str, Any], db: str | None, workers: int
) -> pd.DataFrame:
    """Every fact's model mean, interval and per-seed values at one parameter set."""
    from experiments.evidence.run import evaluate

    return evaluate(facts, replicates, overrides=overrides, db=db, workers=workers)


def fact_simulator(
    facts: list[Any],
    replicates: int,
    db: str | None,
    workers: int,
    label: str,
    log: Callable[[str], None] = lambda _: None,
) -> Callable[[list[dict[str, Any]], int], Evaluation]:
    """A :data:`~experiments.calibration.history.Simulator` running the facts' protocols."""

    def simulate(sets: list[dict[str, Any]], wave: int) -> Evaluation:
        prefetch(facts, sets, replicates, db, workers, f"{label}:wave{wave}")
        log(f"wave {wave}: {len(sets)} design points x {replicates} seeds run")
        means, variances = [], []
        for overrides in sets:
            table = evaluate_at(facts, replicates, overrides, db, workers)
            values = np.array([np.asarray(v, dtype=float) for v in table["values"]])
            means.append(values.mean(axis=1))
            variances.append(values.var(axis=1, ddof=1))
        mean = np.array(means)
        finite = np.isfinite(mean).all(axis=0)
        if not finite.all():
            bad = [f.id for f, ok in zip(facts, finite, strict=True) if not ok]
            log(f"wave {wave}: no model value at some design points for {bad}; points left out")
        return Evaluation(mean, np.array(variances), replicates)

    return simulate


def predictive(tables: list[pd.DataFrame], seed: int) -> pd.DataFrame:
    """The posterior predictive of each fact's seed mean from runs at several posterior draws.

    A mixture over draws of normals (the draw's seed mean, its standard error): the mean of the
    draws' means and the 2.5-97.5 % quantiles of 4,000 samples of the mixture.
    """
    rng = np.random.default_rng(seed)
    first = tables[0]
    values = [[np.asarray(v, dtype=float) for v in t["values"]] for t in tables]
    means = np.array([[v.mean() for v in draw] for draw in values]).T  # facts x draws
    ses = np.array([[v.std(ddof=1) / np.sqrt(len(v)) for v in draw] for draw in values]).T
    pick = rng.integers(0, means.shape[1], size=4000)
    noise = rng.standard_normal((means.shape[0], 4000))
    samples = means[:, pick] + ses[:, pick] * noise
    out = first[["fact", "role", "source", "statistic", "published", "low", "high"]].copy()
    out["model_mean"] = means.mean(axis=1)
    out["model_ci_low"] = np.quantile(samples, 0.025, axis=1)
    out["model_ci_high"] = np.quantile(samples, 0.975, axis=1)
    out["within_band"] = (out["model_mean"] >= out["low"]) & (out["model_mean"] <= out["high"])
    out["draws"] = len(tables)
    out["seeds"] = first["seeds"]
    return out
