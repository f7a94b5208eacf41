"""``simulate``: the one door between the model and everything that uses it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.city import ArrivalCity
from model.codes import STATUSES
from model.metrics import OUTCOMES
from model.scenario import Scenario


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        timeseries: one row a month (month 1..N), the outcome names of docs/ODD.md as columns.
        cohorts: employment of working-age newcomers by months since arrival and status.
        summary: headline numbers of the run (end values, means, peaks).
        scenario: the scenario actually run (overrides applied).
        seed: the seed of the model's Generator.
        ledger: per month and sector, the queue's requests, served, dropped, start and end.
        twin: the zero-arrival twin (same scenario and seed, ``inflow.total = 0``), if asked for.
    """

    timeseries: pd.DataFrame
    cohorts: pd.DataFrame
    summary: dict[str, float]
    scenario: Scenario
    seed: int
    ledger: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    twin: RunResult | None = field(repr=False, default=None)

    def vs_twin(self) -> pd.DataFrame:
        """The effect of the inflow: each outcome minus the zero-arrival twin's, month by month.

        Raises:
            ValueError: the run was made without its twin (``simulate(..., twin=True)``).
        """
        if self.twin is None:
            raise ValueError("this run has no twin: run it with simulate(..., twin=True)")
        effect = self.timeseries.drop(columns="month") - self.twin.timeseries.drop(columns="month")
        effect.insert(0, "month", self.timeseries["month"])
        return effect


def simulate(
    scenario: Scenario | str | Path,
    months: int | None = None,
    seed: int = 0,
    overrides: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    twin: bool = False,
    **params: Any,
) -> RunResult:
    """Run the model and return its :class:`RunResult`.

    Args:
        scenario: a Scenario, a scenario file path, or a preset name.
        months: horizon (default: the scenario's ``run.months``).
        seed: seed of the model's numpy Generator; same scenario + seed = identical results.
        overrides: dotted-key overrides, e.g. ``{"governance.horizontal_coherence": 0.8}``.
        progress: optional callback ``(month, months)`` called after each month.
        twin: also run the zero-arrival twin (same scenario and seed, ``inflow.total = 0``) and
            attach it as ``result.twin``; ``result.vs_twin()`` is then the inflow's effect.
        **params: further overrides with ``__`` for dots (``inflow__total=5000``).

    Returns:
        The run's timeseries, cohorts, summary, scenario and seed.
    """
    merged = dict(overrides or {})
    if months is not None:
        merged["run.months"] = months
    model = ArrivalCity(scenario, seed=seed, overrides=merged, **params)
    while model.running:
        model.step()
        if progress is not None:
            progress(model.steps, model.months)
    result = collect(model, seed)
    if twin:
        result.twin = simulate(scenario, months, seed, {**merged, "inflow.total": 0}, **params)
    return result


def collect(model: ArrivalCity, seed: int) -> RunResult:
    """Build the :class:`RunResult` of a model that has run."""
    ts = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    ts["month"] = ts["month"].astype(int)
    return RunResult(
        timeseries=ts,
        cohorts=cohort_frame(model),
        summary=summarise(ts),
        scenario=model.params,
        seed=seed,
        ledger=pd.DataFrame(model.ledger),
    )


def cohort_frame(model: ArrivalCity) -> pd.DataFrame:
    """Long table: months_since_arrival, status (or 'all'), person-months, employment rates."""
    tally = model.cohorts
    frames = []
    durations = np.arange(tally.shape[0])
    columns = [(name, k) for k, name in enumerate(STATUSES)] + [("all", None)]
    for name, k in columns:
        present = tally.present.sum(axis=1) if k is None else tally.present[:, k]
        employed = tally.employed.sum(axis=1) if k is None else tally.employed[:, k]
        formal = tally.formal.sum(axis=1) if k is None else tally.formal[:, k]
        with np.errstate(invalid="ignore", divide="ignore"):
            frames.append(
                pd.DataFrame(
                    {
                        "months_since_arrival": durations,
                        "status": name,
                        "person_months": present * model.scale,
                        "employment_rate": np.where(present > 0, employed / present, np.nan),
                        "formal_employment_rate": np.where(present > 0, formal / present, np.nan),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def summarise(ts: pd.DataFrame) -> dict[str, float]:
    """Headline numbers from the outcome registry: flows summed, levels at the end and on average.

    Flows (arrivals, evictions, ...) give ``<name>_total``; every outcome but the month gives
    ``<name>_end`` and ``<name>_mean``; waits also give ``mean_wait_months_peak``.
    """
    if ts.empty:
        return {}
    last = ts.iloc[-1]
    out: dict[str, float] = {"months": int(last["month"])}
    for outcome in OUTCOMES:
        name = outcome.name
        if name == "month" or name not in ts:
            continue
        if outcome.kind == "flow":
            out[f"{name}_total"] = float(ts[name].sum())
        out[f"{name}_end"] = float(last[name])
        out[f"{name}_mean"] = float(ts[name].mean())
    out["mean_wait_months_peak"] = float(ts["mean_wait_months"].max())
    return out
