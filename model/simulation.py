"""``simulate``: the one door between the model and everything that uses it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.city import ArrivalCity
from model.codes import ORIGINS, SEXES, SKILLS, STATUSES
from model.metrics import OUTCOMES
from model.scenario import Scenario


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        timeseries: one row a month (month 1..N), the outcome names of docs/ODD.md as columns.
        cohorts: employment of working-age newcomers by months since arrival and status.
        cohort_cells: the same by months since arrival × legal status × sex × skill × origin
            (non-empty cells only; see :func:`cohort_cells`).
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
    cohort_cells: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    twin: RunResult | None = field(repr=False, default=None)

    def outcomes(self) -> dict[str, np.ndarray | np.float64]:
        """Every outcome as numpy data, for tools that take arrays (EMA Workbench, SALib, xarray).

        Returns:
            Each timeseries column (``month`` included) as a 1-D float array, one value a month,
            and each summary (``<outcome>_end``, ``_mean``, ``_total``...) as a numpy float
            scalar (what EMA Workbench's ``ScalarOutcome`` takes).
        """
        arrays: dict[str, np.ndarray | np.float64] = {
            name: self.timeseries[name].to_numpy(dtype=float) for name in self.timeseries
        }
        arrays.update({name: np.float64(value) for name, value in self.summary.items()})
        return arrays

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
        cohort_cells=cohort_cells(model),
    )


def cohort_frame(model: ArrivalCity) -> pd.DataFrame:
    """Long table: months_since_arrival, status (or 'all'), person-months, employment rates."""
    tally = model.cohorts
    by_status = (2, 3, 4)  # sum over sex, skill and origin
    present_s = tally.present.sum(axis=by_status)
    employed_s = tally.employed.sum(axis=by_status)
    formal_s = tally.formal.sum(axis=by_status)
    frames = []
    durations = np.arange(tally.shape[0])
    columns = [(name, k) for k, name in enumerate(STATUSES)] + [("all", None)]
    for name, k in columns:
        present = present_s.sum(axis=1) if k is None else present_s[:, k]
        employed = employed_s.sum(axis=1) if k is None else employed_s[:, k]
        formal = formal_s.sum(axis=1) if k is None else formal_s[:, k]
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


def cohort_cells(model: ArrivalCity) -> pd.DataFrame:
    """Tidy table of the non-empty cohort cells, one row a cell.

    Columns: months_since_arrival, legal_status, sex, skill, origin (the cell), person_months,
    employed_person_months and formal_person_months (persons, scaled), employment_rate and
    formal_employment_rate. Sum the person-months over any cells before dividing to get the
    rate of a coarser group.
    """
    tally = model.cohorts
    cells = np.nonzero(tally.present > 0)
    since, status, sex, skill, origin = cells
    present = tally.present[cells]
    employed = tally.employed[cells]
    formal = tally.formal[cells]
    return pd.DataFrame(
        {
            "months_since_arrival": since.astype(np.int64),
            "legal_status": np.asarray(STATUSES)[status],
            "sex": np.asarray(SEXES)[sex],
            "skill": np.asarray(SKILLS)[skill],
            "origin": np.asarray(ORIGINS)[origin],
            "person_months": present * model.scale,
            "employed_person_months": employed * model.scale,
            "formal_person_months": formal * model.scale,
            "employment_rate": employed / present,
            "formal_employment_rate": formal / present,
        }
    )


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
