"""Side by side: a baseline and a policy variant on the same seeds, and what separates them.

Both arms run with the same seeds (common random numbers: the same people arrive with the same
draws), so the month-by-month difference is the variant's effect, not noise. With several seeds
the curves are means with a 95 % band (Student's t over seeds) and the difference is the paired
difference's mean with its 95 % interval. Plain Python: the page and the tests use it alike.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from model import OUTCOMES, ArrivalCity, Scenario
from model.policies import POLICIES

# the outcome each theme of the page plots (names from the registry, model/metrics.py)
THEMES: dict[str, str] = {
    "work": "migrant_employment_rate",
    "housing": "overcrowding_rate_migrants",
    "waits": "mean_wait_months",
    "unmet_need": "unmet_need_rate_migrants",
    "cohesion": "host_attitude_mean",
    "money": "budget_gap",
    "coordination": "referrals_lost",
}
OUTCOME = {o.name: o for o in OUTCOMES}
ARMS = ("baseline", "variant")
CONFIDENCE = 0.95


def run_months(
    scenario: Scenario, seed: int, tick: Callable[[], bool] | None = None
) -> pd.DataFrame:
    """One run's timeseries; ``tick()`` is called after each month and stops the run if False."""
    model = ArrivalCity(scenario, seed=seed)
    while model.running:
        model.step()
        if tick is not None and not tick():
            break
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


@dataclass
class Comparison:
    """Two arms' timeseries on the same seeds.

    Attributes:
        baseline: the baseline scenario.
        variant: the variant scenario.
        seeds: the seeds both arms ran with.
        runs: arm name -> one timeseries per seed (months as rows, outcomes as columns).
    """

    baseline: Scenario
    variant: Scenario
    seeds: list[int]
    runs: dict[str, list[pd.DataFrame]] = field(default_factory=dict)

    @property
    def months(self) -> np.ndarray:
        """The months reported (1..N)."""
        return self.runs["baseline"][0]["month"].to_numpy(dtype=int)

    def values(self, arm: str, outcome: str) -> np.ndarray:
        """An outcome over months, one row per seed."""
        return np.vstack([ts[outcome].to_numpy(dtype=float) for ts in self.runs[arm]])

    def band(self, arm: str, outcome: str) -> pd.DataFrame:
        """One arm's mean over seeds with its 95 % band (the band is the mean for one seed)."""
        return _mean_band(self.months, self.values(arm, outcome))

    def difference(self, outcome: str) -> pd.DataFrame:
        """Variant minus baseline, paired seed by seed: mean and 95 % interval by month."""
        paired = self.values("variant", outcome) - self.values("baseline", outcome)
        return _mean_band(self.months, paired)

    def effect(self, outcome: str) -> tuple[float, float, float]:
        """The difference averaged over the months: (mean, low, high) of the 95 % interval."""
        paired = self.values("variant", outcome) - self.values("baseline", outcome)
        per_seed = paired.mean(axis=1)
        return _interval(per_seed)

    def table(self, outcomes: list[str] | None = None) -> pd.DataFrame:
        """The comparison as one long table: arm, seed, month, outcome, value (and differences)."""
        names = outcomes or list(THEMES.values())
        frames = []
        for arm in ARMS:
            for seed, ts in zip(self.seeds, self.runs[arm], strict=True):
                long = ts[["month", *names]].melt("month", var_name="outcome")
                frames.append(long.assign(arm=arm, seed=seed))
        for i, seed in enumerate(self.seeds):
            base, var = self.runs["baseline"][i], self.runs["variant"][i]
            diff = (var[names] - base[names]).assign(month=base["month"])
            frames.append(
                diff.melt("month", var_name="outcome").assign(arm="difference", seed=seed)
            )
        out = pd.concat(frames, ignore_index=True)
        return out[["arm", "seed", "month", "outcome", "value"]]

    def to_csv(self, outcomes: list[str] | None = None) -> bytes:
        """:meth:`table` as CSV bytes (for the page's download button)."""
        buffer = io.StringIO()
        self.table(outcomes).to_csv(buffer, index=False)
        return buffer.getvalue().encode("utf-8")


def _interval(sample: np.ndarray) -> tuple[float, float, float]:
    mean = float(np.mean(sample))
    if len(sample) < 2:
        return mean, mean, mean
    half = float(stats.sem(sample) * stats.t.ppf((1 + CONFIDENCE) / 2, len(sample) - 1))
    return mean, mean - half, mean + half


def _mean_band(months: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    mean = rows.mean(axis=0)
    if rows.shape[0] < 2:
        return pd.DataFrame({"month": months, "mean": mean, "low": mean, "high": mean})
    half = stats.sem(rows, axis=0) * stats.t.ppf((1 + CONFIDENCE) / 2, rows.shape[0] - 1)
    return pd.DataFrame({"month": months, "mean": mean, "low": mean - half, "high": mean + half})


def run_comparison(
    baseline: Scenario,
    variant: Scenario,
    seeds: list[int],
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Comparison | None:
    """Run both arms on each seed in this process (the same seeds: common random numbers).

    Args:
        baseline: the baseline scenario.
        variant: the variant scenario (the same horizon as the baseline).
        seeds: the seeds; each arm runs once per seed.
        progress: called with the share done (0-1) after each month of each run.
        cancelled: polled after each month; when it returns True the comparison stops.

    Returns:
        The comparison, or None if it was cancelled.
    """
    total = len(seeds) * (baseline.run.months + variant.run.months)
    done = 0

    def tick() -> bool:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done / total)
        return not (cancelled is not None and cancelled())

    runs: dict[str, list[pd.DataFrame]] = {arm: [] for arm in ARMS}
    for seed in seeds:
        for arm, scenario in zip(ARMS, (baseline, variant), strict=True):
            runs[arm].append(run_months(scenario, seed, tick))
            if cancelled is not None and cancelled():
                return None
    return Comparison(baseline, variant, list(seeds), runs)


# ---------------------------------------------------------------- worker processes
_ticks: Any = None  # in a worker: the queue months done are reported on
_stop: Any = None  # in a worker: set when the comparison is cancelled


def _start_worker(ticks: Any, stop: Any) -> None:
    global _ticks, _stop
    _ticks, _stop = ticks, stop
    import model.city  # noqa: F401 - import the model now, not on the first run


def _run_job(token: int, scenario: Scenario, seed: int) -> pd.DataFrame:
    def tick() -> bool:
        _ticks.put(token)
        return not _stop.is_set()

    return run_months(scenario, seed, tick)


class Runner:
    """Runs a comparison's runs in worker processes, one per core, and reports progress.

    The workers start (and import the model) when the runner is made, so the first comparison
    does not wait for them. One comparison runs at a time.

    Args:
        workers: worker processes (the machine's cores by default, at most 4).
    """

    def __init__(self, workers: int | None = None):
        import multiprocessing as mp
        import os
        import threading
        from concurrent.futures import ProcessPoolExecutor

        context = mp.get_context("spawn")  # fork is unsafe in a threaded server
        self._ticks, self._stop = context.SimpleQueue(), context.Event()
        self._lock = threading.Lock()
        self._token = 0
        count = workers or min(os.cpu_count() or 1, 4)
        self._pool = ProcessPoolExecutor(
            count, mp_context=context, initializer=_start_worker, initargs=(self._ticks, self._stop)
        )
        for _ in range(count):
            self._pool.submit(int, 0)  # start each worker now

    def compare(
        self,
        baseline: Scenario,
        variant: Scenario,
        seeds: list[int],
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Comparison | None:
        """As :func:`run_comparison`, with the runs spread over the workers."""
        with self._lock:
            self._token += 1
            token = self._token
            self._stop.clear()
            jobs = {
                (arm, seed): self._pool.submit(_run_job, token, scenario, seed)
                for seed in seeds
                for arm, scenario in zip(ARMS, (baseline, variant), strict=True)
            }
            total = len(seeds) * (baseline.run.months + variant.run.months)
            done = 0
            while not all(job.done() for job in jobs.values()) or not self._ticks.empty():
                if cancelled is not None and cancelled():
                    self._stop.set()
                while not self._ticks.empty():
                    done += self._ticks.get() == token
                if progress is not None:
                    progress(min(done / total, 1.0))
                time.sleep(0.05)
            if self._stop.is_set():
                return None
            runs = {arm: [jobs[arm, seed].result() for seed in seeds] for arm in ARMS}
            return Comparison(baseline, variant, list(seeds), runs)

    def close(self) -> None:
        """Stop the workers."""
        self._stop.set()
        self._pool.shutdown(cancel_futures=True)


@dataclass(frozen=True)
class BudgetLine:
    """One line of the budget panel (currency a month)."""

    item: str
    baseline: float
    variant: float
    per_1000: float | None = None  # a policy's price per 1,000 residents at full level


def budget(comparison: Comparison) -> list[BudgetLine]:
    """Each policy's monthly cost, then the city's mandates, money and gap, for both arms.

    Policy costs are ``model/policies.py``'s cost per 1,000 residents times the level in force
    times the residents (mean over the run); mandates, money and gap are the run's means of the
    money outcomes (``city_mandate``, ``city_funding``, ``budget_gap``), averaged over seeds.
    """
    lines = []
    arms = {"baseline": comparison.baseline, "variant": comparison.variant}
    residents = {arm: comparison.values(arm, "residents").mean() for arm in ARMS}
    for policy in POLICIES:
        cost = {
            arm: policy.cost_per_1000 * policy.level(arms[arm].policies) * residents[arm] / 1000
            for arm in ARMS
        }
        if cost["baseline"] or cost["variant"]:
            lines.append(
                BudgetLine(policy.key, cost["baseline"], cost["variant"], policy.cost_per_1000)
            )
    for outcome in ("city_mandate", "city_funding", "budget_gap"):
        mean = {arm: float(comparison.values(arm, outcome).mean()) for arm in ARMS}
        lines.append(BudgetLine(outcome, mean["baseline"], mean["variant"]))
    return lines
