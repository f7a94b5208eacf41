"""Run the facts' protocols through the sweep runner and store, and compare with the literature.

Each fact becomes an in-memory sweep (its preset, its arms as the levels of a ``list`` design,
common random numbers across arms), so runs are parallel, stored as they finish, resumed after an
interruption and never run twice (the run key). :func:`evaluate` then reads the stored runs back,
computes the fact's statistic per seed (per pair of arms for a lever) and returns the model's
mean and 95 % interval over seeds next to the published value and band.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments import store
from experiments.evidence import statistics
from experiments.evidence.registry import Fact
from experiments.sweep import Sweep, plan
from model.scenario import Scenario

COLUMNS = [
    "fact",
    "role",
    "source",
    "statistic",
    "published",
    "low",
    "high",
    "model_mean",
    "model_ci_low",
    "model_ci_high",
    "within_band",
]


class EvidenceRunError(RuntimeError):
    """Some runs of a fact's protocol failed; the message names the fact and the first error."""


@dataclass
class StoredRun:
    """A run read back from the store: what the statistics need of a ``RunResult``."""

    timeseries: pd.DataFrame
    cohorts: pd.DataFrame


def _lookup(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        data = data[part]
    return data


def arm_levels(fact: Fact, overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The full overrides of each arm (baseline first), with the caller's overrides in between.

    Order of precedence: the protocol's overrides, then ``overrides`` (e.g. calibrated values),
    then the arm's own lever values. Every arm carries every key, so the arms are the levels of a
    ``list`` design.
    """
    common = {**fact.protocol.overrides, **(overrides or {})}
    names = ("baseline", "variant") if fact.protocol.arms else ()
    arms = [{**common, **fact.protocol.arms[name]} for name in names] or [common]
    keys = sorted({k for arm in arms for k in arm})
    base = Scenario.from_files([fact.protocol.preset_path()]).with_overrides(common).to_dict()
    return [{k: arm.get(k, _lookup(base, k)) for k in keys} for arm in arms]


def fact_sweep(fact: Fact, replicates: int, overrides: dict[str, Any] | None = None) -> Sweep:
    """The in-memory sweep that runs a fact's protocol; its name hashes what decides its runs."""
    levels = arm_levels(fact, overrides)
    keys = list(levels[0])
    digest = hashlib.sha256(
        json.dumps([levels, replicates], sort_keys=True, default=str).encode()
    ).hexdigest()[:10]
    return Sweep.model_validate(
        {
            "experiment": {
                "name": f"evidence:{fact.id}:{digest}",
                "scenarios": [str(fact.protocol.preset_path())],
                "months": fact.protocol.months,
                "description": fact.title,
            },
            "seeds": {
                "base": fact.protocol.seed_base,
                "replicates": replicates,
                "common_random_numbers": True,
            },
            "parameters": {k: [level[k] for level in levels] for k in keys},
            "design": {"kind": "list"},
        }
    )


def _replicates(fact: Fact, seeds: int | str) -> int:
    if seeds in ("full", "quick"):
        return fact.seeds(quick=seeds == "quick")
    if not isinstance(seeds, int) or seeds < 2:
        raise ValueError(f"seeds: got {seeds!r}; give 'full', 'quick' or a whole number >= 2")
    return seeds


@contextmanager
def _pool(workers: int) -> Iterator[Any]:
    from experiments.runner import local_pool

    pool = local_pool(workers)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _load_runs(url: str, sweep: Sweep) -> dict[tuple[int, int], StoredRun]:
    """The stored runs of a sweep by (level, replicate)."""
    from sqlalchemy import select

    specs = plan(sweep)
    keys = [spec.run_key for spec in specs]
    engine = store.open_store(url, readonly=True)
    try:
        with engine.connect() as conn:
            ts, cohorts = (
                pd.DataFrame(conn.execute(select(t).where(t.c.run_key.in_(keys))).mappings().all())
                for t in (store.timeseries, store.cohorts)
            )
    finally:
        engine.dispose()
    ts = ts.pivot_table(index=["run_key", "month"], columns="variable", values="value")
    ts = ts.reset_index()
    out = {}
    for spec in specs:
        out[(spec.level, spec.replicate)] = StoredRun(
            ts[ts.run_key == spec.run_key].sort_values("month").reset_index(drop=True),
            cohorts[cohorts.run_key == spec.run_key].reset_index(drop=True),
        )
    return out


def statistic_label(fact: Fact) -> str:
    """The statistic as text: its name and arguments (and the arms' levers for a paired one)."""
    stat = fact.protocol.statistic
    args = ", ".join(f"{k}={v}" for k, v in stat.args.items())
    label = f"{stat.name}({args})"
    if fact.protocol.arms:
        variant = ", ".join(f"{k}={v}" for k, v in fact.protocol.arms["variant"].items())
        baseline = ", ".join(f"{k}={v}" for k, v in fact.protocol.arms["baseline"].items())
        label += f" [{variant or 'preset'} vs {baseline or 'preset'}]"
    return label


def fact_values(fact: Fact, runs: dict[tuple[int, int], StoredRun], replicates: int) -> list[float]:
    """The fact's statistic for each seed (a paired difference per seed for a lever)."""
    stat = fact.protocol.statistic
    n_levels = 2 if fact.protocol.arms else 1
    return [
        statistics.compute(
            stat.name, stat.args, tuple(runs[(level, r)] for level in range(n_levels))
        )
        for r in range(replicates)
    ]


def evaluate(
    facts: list[Fact],
    seeds: int | str = "full",
    overrides: dict[str, Any] | None = None,
    db: str | None = None,
    workers: int = 2,
    progress: bool = False,
) -> pd.DataFrame:
    """Run every fact's protocol (what is not already stored) and compare with the literature.

    Args:
        facts: the facts (see :func:`experiments.evidence.registry.load_facts`).
        seeds: "full" or "quick" (each fact's own replicates), or a number for every fact.
        overrides: dotted-key scenario values applied to every fact's every arm (before the
            arms' lever values), e.g. a calibration's parameter set.
        db: the results database URL (default: the default database).
        workers: parallel worker processes.
        progress: print a progress line per fact on stderr.

    Returns:
        One row per fact: the columns of :data:`COLUMNS`, then ``preset``, ``seeds`` and
        ``values`` (the statistic per seed).

    Raises:
        EvidenceRunError: runs of a fact failed.
    """
    from experiments.runner import run_sweep

    url = db or store.default_url()
    rows = []
    with _pool(workers) as pool:
        for fact in facts:
            replicates = _replicates(fact, seeds)
            sweep = fact_sweep(fact, replicates, overrides)
            report = run_sweep(sweep, db=url, workers=workers, executor=pool, progress=progress)
            if report.failed or report.failed_before:
                first = report.errors[0] if report.errors else "unknown error"
                raise EvidenceRunError(
                    f"evidence {fact.id}: {report.failed + report.failed_before} runs failed "
                    f"({first}); see: arrival-city status --failed --db {url}"
                )
            values = fact_values(fact, _load_runs(url, sweep), replicates)
            mean, ci_low, ci_high = statistics.mean_and_interval(values)
            pub = fact.published
            rows.append(
                {
                    "fact": fact.id,
                    "role": fact.role,
                    "source": fact.source.short(),
                    "statistic": statistic_label(fact),
                    "published": pub.value,
                    "low": pub.low,
                    "high": pub.high,
                    "model_mean": mean,
                    "model_ci_low": ci_low,
                    "model_ci_high": ci_high,
                    "within_band": bool(pub.low <= mean <= pub.high),
                    "preset": fact.protocol.preset,
                    "seeds": replicates,
                    "values": values,
                }
            )
    return pd.DataFrame(rows, columns=[*COLUMNS, "preset", "seeds", "values"])


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per role: facts, share inside their bands, mean absolute relative difference.

    The relative difference of a fact is ``|model - published| / |published|``, or over half the
    band's width where the published value is 0.
    """
    scale = table.published.abs().where(table.published != 0, (table.high - table.low) / 2)
    rel = (table.model_mean - table.published).abs() / scale
    frame = table.assign(relative_difference=rel)
    return (
        frame.groupby("role")
        .agg(
            facts=("fact", "size"),
            within_band=("within_band", "mean"),
            mean_abs_relative_difference=("relative_difference", "mean"),
        )
        .reset_index()
    )
