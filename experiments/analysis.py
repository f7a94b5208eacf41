"""Comparisons with confidence intervals, and sensitivity analysis (SALib)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from scipy import stats

from experiments import store


def _ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = (
        stats.t.ppf(0.5 + confidence / 2, len(values) - 1)
        * values.std(ddof=1)
        / np.sqrt(len(values))
    )
    return mean, mean - half, mean + half


def compare(
    url: str | None, experiment: str, outcomes: list[str], confidence: float = 0.95
) -> pd.DataFrame:
    """Per level: mean and confidence interval of each outcome (from the run summaries).

    When levels share seeds (common random numbers), also the paired difference from the first
    level, with its interval.

    Args:
        url: the results database.
        experiment: the experiment's name.
        outcomes: summary names, e.g. ``["budget_gap_mean", "unmet_need_rate_migrants_mean"]``.
        confidence: the interval's confidence level.
    """
    store.experiment_id(store.open_store(url, readonly=True), experiment)
    data = store.load_results(url, experiment, "summaries")
    data = data[data.status == "done"]
    if data.empty:
        raise store.StoreError(_nothing_done(url, experiment))
    missing = [o for o in outcomes if o not in data.columns]
    if missing:
        known = sorted(c for c in data.columns if c.endswith(("_mean", "_end", "_total")))
        raise store.StoreError(f"unknown outcome(s) {missing}; known: {', '.join(known)}")
    data = data.sort_values(["level", "replicate"])
    first = data.level.min()
    base = data[data.level == first].set_index("seed")
    rows = []
    for level, group in data.groupby("level", sort=True):
        row = {
            "level": int(level),
            "scenario": group.scenario.iloc[0],
            "parameters": _params_text(group.params.iloc[0]),
            "runs": len(group),
        }
        for outcome in outcomes:
            mean, lo, hi = _ci(group[outcome].to_numpy(float), confidence)
            row[outcome] = mean
            row[f"{outcome}_ci"] = (lo, hi)
            shared = group.set_index("seed").index.intersection(base.index)
            if level != first and len(shared) >= 2:
                diff = (
                    group.set_index("seed").loc[shared, outcome] - base.loc[shared, outcome]
                ).to_numpy(float)
                d_mean, d_lo, d_hi = _ci(diff, confidence)
                row[f"{outcome}_diff"] = d_mean
                row[f"{outcome}_diff_ci"] = (d_lo, d_hi)
        rows.append(row)
    return pd.DataFrame(rows)


def _params_text(params: str) -> str:
    value = json.loads(params) if isinstance(params, str) else params
    return ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "(base)"


def _nothing_done(url: str | None, experiment: str) -> str:
    runs = store.load_results(url, experiment, "runs")
    failed = int((runs.status == "failed").sum())
    if failed:
        return (
            f"no finished runs in experiment {experiment!r}: {failed} failed (see them with "
            "arrival-city status --failed; run them again with arrival-city sweep FILE "
            "--retry-failed)"
        )
    return f"no finished runs in experiment {experiment!r} (run its sweep first)"


def sensitivity(url: str | None, experiment: str, outcome: str) -> pd.DataFrame:
    """Morris (mu*, sigma) or Sobol (S1, ST) indices of an outcome, from a morris/sobol sweep."""
    from experiments.sensitivity import analyse

    return analyse(experiment, outcome, url)[1]
