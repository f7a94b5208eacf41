"""Run a sweep: plan, skip what is done, execute the rest on an executor, store as they finish.

Resume is the default: every run has a ``run_key`` and a run already stored as done is never run
again, so a sweep interrupted at any point (Ctrl-C, SIGKILL, a crashed worker, a lost node) picks
up where it stopped. Runs execute on any ``concurrent.futures.Executor``: a local process pool by
default, or Dask (a ``LocalCluster``, or a running scheduler's address — e.g. one started by
dask-jobqueue on SLURM). The coordinating process is the only database writer.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import model
from experiments import store
from experiments.sweep import OutputsSection, RunSpec, Sweep, plan


@dataclass
class SweepReport:
    """What a call to :func:`run_sweep` did."""

    experiment: str
    planned: int
    already_done: int
    executed: int
    failed: int
    seconds: float
    url: str


def execute_run(spec: RunSpec, outputs: dict[str, Any]) -> dict[str, Any]:
    """Run one spec and return its outcome as plain data (runs in a worker; never raises)."""
    from model import simulate

    started = time.time()
    base = {"run_key": spec.run_key, "started": started, "code_version": model.code_version()}
    try:
        result = simulate(
            spec.scenario_path, months=spec.months, seed=spec.seed, overrides=spec.overrides
        )
    except Exception:
        return {
            **base,
            "status": "failed",
            "error": traceback.format_exc(),
            "finished": time.time(),
        }
    keep = OutputsSection(**outputs)
    ts = result.timeseries
    columns = [c for c in ts.columns if c != "month"]
    if keep.timeseries != "all":
        columns = [c for c in columns if c in keep.timeseries]
    months = ts["month"].to_numpy()
    rows = (months % keep.every == 0) | (months == months.max())
    kept = ts.loc[rows, ["month", *columns]]
    long = [
        (int(month), name, float(value))
        for month, *values in kept.itertuples(index=False, name=None)
        for name, value in zip(columns, values, strict=True)
    ]
    cohort_rows = []
    if keep.cohorts:
        cohorts = result.cohorts[result.cohorts.person_months > 0]
        cohort_rows = cohorts.astype({"months_since_arrival": int}).to_dict("records")
    return {
        **base,
        "status": "done",
        "finished": time.time(),
        "timeseries": long,
        "cohorts": cohort_rows,
        "summary": {
            name: value
            for name, value in result.summary.items()
            if keep.summaries == "all" or name in keep.summaries
        },
    }


def _executor(engine: str, workers: int, address: str) -> contextlib.AbstractContextManager:
    if engine == "local":
        return ProcessPoolExecutor(max_workers=workers)
    return _dask_executor(workers, address)


@contextlib.contextmanager
def _dask_executor(workers: int, address: str) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ModuleNotFoundError:
        raise store.StoreError(
            "the Dask engine needs the 'dask' extra: pip install -e '.[dask]'"
        ) from None
    if address:
        client = Client(address, timeout="20s")
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(
    sweep: str | Path | Sweep,
    *,
    workers: int | None = None,
    engine: str | None = None,
    address: str | None = None,
    db: str | None = None,
    retry_failed: bool = False,
    progress: bool = True,
    executor: Executor | None = None,
) -> SweepReport:
    """Run every run of a sweep that is not already done, storing each as it completes.

    Args:
        sweep: a sweep file or a validated :class:`Sweep`.
        workers: parallel workers (default: the sweep's ``execution.workers``).
        engine: "local" (process pool) or "dask" (default: the sweep's).
        address: a Dask scheduler address; empty starts a LocalCluster.
        db: a SQLAlchemy URL (default: the sweep's ``storage.url``).
        retry_failed: run again the runs recorded as failed.
        progress: show a progress bar with ETA.
        executor: run on this executor instead (it is not shut down).

    Returns:
        A :class:`SweepReport`.
    """
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process

    sweep = sweep if isinstance(sweep, Sweep) else Sweep.from_toml(sweep)
    url = db or sweep.storage.url
    engine_ = store.open_store(url)
    specs = plan(sweep)
    exp_id = store.register_experiment(
        engine_, sweep.experiment.name, sweep.model_dump(mode="json", exclude={"path"})
    )
    store.link_runs(engine_, exp_id, specs)
    status = store.run_status(engine_, [s.run_key for s in specs])
    unique: dict[str, RunSpec] = {}
    for spec in specs:
        state = status.get(spec.run_key, "pending")
        if state == "done" or (state == "failed" and not retry_failed):
            continue
        unique.setdefault(spec.run_key, spec)
    todo = list(unique.values())
    already = sum(
        1 for s in {s.run_key: s for s in specs}.values() if status.get(s.run_key) == "done"
    )
    outputs = sweep.outputs.model_dump(mode="json")
    started = time.time()
    failed = executed = 0
    bar = tqdm(
        total=len(todo), desc=sweep.experiment.name, unit="run", disable=not progress or not todo
    )
    pending = list(todo)
    n_workers = workers or sweep.execution.workers
    engine_name = engine or sweep.execution.engine
    address_ = address if address is not None else sweep.execution.address

    def record(outcome: dict[str, Any]) -> None:
        nonlocal executed, failed
        store.save_run(engine_, outcome)
        executed += 1
        failed += outcome["status"] != "done"
        bar.update(1)

    while pending:
        context = (
            contextlib.nullcontext(executor)
            if executor is not None
            else _executor(engine_name, n_workers, address_)
        )
        suspects: list[RunSpec] = []
        with context as pool:
            try:
                for outcome in _windowed(pool, pending, outputs, n_workers + 1, suspects):
                    record(outcome)
                pending = []
            except BrokenProcessPool:
                pending = [s for s in pending if s not in suspects]
        # a worker died: run each run that was in flight alone, to find the one that kills it
        for spec in suspects:
            record(_alone(spec, outputs))
    bar.close()
    return SweepReport(
        sweep.experiment.name,
        len({s.run_key for s in specs}),
        already,
        executed,
        failed,
        time.time() - started,
        url,
    )


def _windowed(
    pool: Executor,
    specs: list[RunSpec],
    outputs: dict[str, Any],
    window: int,
    in_flight: list[RunSpec],
) -> Iterator[dict[str, Any]]:
    """Outcomes as they complete, keeping at most ``window`` runs submitted at a time.

    Completed specs are removed from ``specs``; ``in_flight`` is kept up to date, so after a
    worker crash it names the suspects and ``specs`` still holds everything not yet finished.
    """
    queue = list(specs)
    futures: dict[Future, RunSpec] = {}

    def fill() -> None:
        while queue and len(futures) < window:
            try:
                future = pool.submit(execute_run, queue[0], outputs)
            except BrokenProcessPool:
                return  # the next result raises it; unsubmitted runs stay in ``specs``
            spec = queue.pop(0)
            futures[future] = spec
            in_flight.append(spec)

    fill()
    while futures:
        done = next(as_completed(futures))
        spec = futures.pop(done)
        outcome = done.result()  # BrokenProcessPool if a worker died: spec stays a suspect
        in_flight.remove(spec)
        specs.remove(spec)
        fill()  # workers stay busy while the caller stores this outcome
        yield outcome
    if queue:
        raise BrokenProcessPool("the pool broke before every run was submitted")


def _alone(spec: RunSpec, outputs: dict[str, Any]) -> dict[str, Any]:
    """Run one spec in a pool of its own; a crash of that worker is this run's failure."""
    started = time.time()
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(execute_run, spec, outputs).result()
        except BrokenProcessPool as exc:
            return {
                "run_key": spec.run_key,
                "status": "failed",
                "started": started,
                "finished": time.time(),
                "code_version": model.code_version(),
                "error": f"the worker process running it died ({exc})",
            }
