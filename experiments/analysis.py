"""Comparisons with confidence intervals, and sensitivity analysis (SALib)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from experiments import store

PAIRED = "paired"
WELCH = "welch"


@dataclass(frozen=True)
class Interval:
    """A mean (or a difference of means) with its confidence interval.

    Attributes:
        estimate: the mean, or the difference level minus baseline.
        low: lower end of the interval (nan with fewer than two values).
        high: upper end.
        n: values (or pairs) it rests on.
        method: "mean", "paired" (t interval of the per-seed differences, scipy.stats.ttest_rel)
            or "welch" (Welch's t interval, unequal variances, scipy.stats.ttest_ind).
    """

    estimate: float
    low: float
    high: float
    n: int
    method: str


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> Interval:
    """The mean and its t interval (scipy.stats.ttest_1samp); nan values are left out."""
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return Interval(np.nan, np.nan, np.nan, 0, "mean")
    mean = float(values.mean())
    if len(values) < 2:
        return Interval(mean, np.nan, np.nan, 1, "mean")
    if np.ptp(values) == 0:
        return Interval(mean, mean, mean, len(values), "mean")
    ci = stats.ttest_1samp(values, 0.0).confidence_interval(confidence)
    return Interval(mean, float(ci.low), float(ci.high), len(values), "mean")


def difference(
    level: pd.Series, baseline: pd.Series, confidence: float = 0.95, paired: bool | None = None
) -> Interval:
    """Level minus baseline, with its interval: paired by seed when they share seeds, else Welch.

    Args:
        level: the level's outcome, indexed by seed.
        baseline: the baseline's outcome, indexed by seed.
        confidence: the interval's confidence level.
        paired: force (True) or forbid (False) pairing; default: paired when every seed of the
            level is a seed of the baseline and there are at least two (common random numbers).
    """
    level, baseline = level.dropna(), baseline.dropna()
    shared = level.index.intersection(baseline.index)
    if paired is None:
        paired = len(shared) >= 2 and len(shared) == len(level) == len(baseline)
    if paired:
        diff = (level.loc[shared] - baseline.loc[shared]).to_numpy(float)
        found = mean_interval(diff, confidence)
        return Interval(found.estimate, found.low, found.high, found.n, PAIRED)
    a, b = level.to_numpy(float), baseline.to_numpy(float)
    estimate = float(a.mean() - b.mean()) if len(a) and len(b) else np.nan
    n = len(a) + len(b)
    if len(a) < 2 or len(b) < 2:
        return Interval(estimate, np.nan, np.nan, n, WELCH)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return Interval(estimate, estimate, estimate, n, WELCH)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(confidence)
    return Interval(estimate, float(ci.low), float(ci.high), n, WELCH)


def _baseline_id(table: pd.DataFrame, baseline: str | None) -> str:
    """The level id a ``--baseline`` names: a level id (or its unique start) or a row number."""
    ids = list(dict.fromkeys(table.level_id))
    if baseline is None:
        return ids[0]
    text = baseline.strip()
    if text.isdigit() and int(text) < len(ids) and text not in ids:
        return ids[int(text)]
    found = [i for i in ids if i.startswith(text)]
    if len(found) != 1:
        reason = "matches several levels" if found else "is not a level of this experiment"
        raise store.StoreError(
            f"--baseline {baseline}: {reason}; give a level id ({', '.join(ids)}) or a "
            f"row number 0 to {len(ids) - 1}"
        )
    return found[0]


def compare(
    url: str | None,
    experiment: str,
    outcomes: list[str],
    confidence: float = 0.95,
    baseline: str | None = None,
) -> pd.DataFrame:
    """Per level and outcome: the mean with its interval, and the difference from a baseline.

    The difference is paired by seed (common random numbers: the same seeds in both levels) and
    is then the mean of the per-seed differences with a t interval; levels without common seeds
    get Welch's interval. The ``method`` column says which.

    Args:
        url: the results database.
        experiment: the experiment's name.
        outcomes: summary names, e.g. ``["budget_gap_mean", "unmet_need_rate_migrants_mean"]``.
        confidence: the intervals' confidence level.
        baseline: the level every other is compared with: a level id (or its unique start) or a
            row number (default: the first level).

    Returns:
        One row per level and outcome: level_id, level_label, runs, outcome, unit, mean, low,
        high, diff, diff_low, diff_high, n (values or pairs of the difference), method,
        baseline (True for the baseline's rows).
    """
    from experiments.outcomes import unit_text

    store.experiment_id(store.open_store(url, readonly=True), experiment)
    data = store.load_results(url, experiment, "summaries")
    data = data[data.status == "done"] if not data.empty else data
    if data.empty:
        raise store.StoreError(_nothing_done(url, experiment))
    missing = [o for o in outcomes if o not in data.columns]
    if missing:
        known = sorted(c for c in data.columns if c.endswith(("_mean", "_end", "_total")))
        raise store.StoreError(f"unknown outcome(s) {missing}; known: {', '.join(known)}")
    data = data.sort_values(["level", "replicate"])
    base_id = _baseline_id(data, baseline)
    base = data[data.level_id == base_id].set_index("seed")
    rows = []
    for level_id, group in data.groupby("level_id", sort=False):
        by_seed = group.set_index("seed")
        for outcome in outcomes:
            mean = mean_interval(group[outcome].to_numpy(float), confidence)
            diff = difference(by_seed[outcome], base[outcome], confidence)
            rows.append(
                {
                    "level_id": level_id,
                    "level_label": store.level_label(group.scenario.iloc[0], group.params.iloc[0]),
                    "runs": len(group),
                    "outcome": outcome,
                    "unit": unit_text(outcome),
                    "mean": mean.estimate,
                    "low": mean.low,
                    "high": mean.high,
                    "diff": diff.estimate,
                    "diff_low": diff.low,
                    "diff_high": diff.high,
                    "n": diff.n,
                    "method": diff.method,
                    "baseline": level_id == base_id,
                }
            )
    return pd.DataFrame(rows)


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
