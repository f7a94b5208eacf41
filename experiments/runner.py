"""Run a sweep: plan, skip what is done, execute the rest on an executor, store as they finish.

Resume is the default: every run has a ``run_key`` and a run already stored as done is never run
again, so a sweep interrupted at any point (Ctrl-C, SIGKILL, a crashed worker, a lost node) picks
up where it stopped. Runs execute on any ``concurrent.futures.Executor``: a local process pool by
default, or Dask (a ``LocalCluster``, or a running scheduler's address — e.g. one started by
dask-jobqueue on SLURM). The coordinating process is the only database writer.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import model
from experiments import store
from experiments.sweep import OutputsSection, RunSpec, Sweep, plan

LEASE_SECONDS = 300.0  # a claim on a run lasts this long unless renewed
HEARTBEAT_SECONDS = 10.0  # how often leases are renewed while runs are in flight


class RunnerError(RuntimeError):
    """The runs cannot be executed at all (a pool that cannot start, an unreachable scheduler)."""


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; what was stored stays stored.

    Attributes:
        stored: runs stored by this call before the interruption.
    """

    def __init__(self, stored: int):
        self.stored = stored
        super().__init__(f"interrupted: {stored} runs stored; rerun to resume")


@dataclass
class SweepReport:
    """What a call to :func:`run_sweep` did.

    Attributes:
        failed: runs of this call that failed.
        failed_before: runs stored as failed by an earlier call and not run again (see
            ``retry_failed``).
        errors: the last line of each failure's traceback, this call's and earlier ones.
        claimed_elsewhere: runs left to another sweep running on the same database (or done by
            it meanwhile).
    """

    experiment: str
    planned: int
    already_done: int
    executed: int
    failed: int
    seconds: float
    url: str
    failed_before: int = 0
    errors: list[str] = field(default_factory=list)
    claimed_elsewhere: int = 0


def execute_run(spec: RunSpec, outputs: dict[str, Any]) -> dict[str, Any]:
    """Run one spec and return its outcome as plain data (runs in a worker; never raises)."""
    from model import simulate

    started = time.time()
    base = {"run_key": spec.run_key, "started": started, "code_version": model.code_version()}
    try:
        result = simulate(
            spec.scenario(), months=spec.months, seed=spec.seed, overrides=spec.overrides
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
    cohort_rows, cells = [], []
    if keep.cohorts:  # by status (and "all"), read by the evidence runs; and the finer cells
        cohorts = result.cohorts[result.cohorts.person_months > 0]
        cohort_rows = cohorts.astype({"months_since_arrival": int}).to_dict("records")
        cells = result.cohort_cells.drop(
            columns=["employment_rate", "formal_employment_rate"]
        ).to_dict("records")
    return {
        **base,
        "status": "done",
        "finished": time.time(),
        "timeseries": long,
        "cohorts": cohort_rows,
        "cohort_cells": cells,
        "summary": {
            name: value
            for name, value in result.summary.items()
            if keep.summaries == "all" or name in keep.summaries
        },
    }


def pool_context() -> multiprocessing.context.BaseContext:
    """The pool's own start method, whatever the global one is (``mesa.batch_run`` sets "spawn").

    "fork" where the platform has it (fast, and needs no ``if __name__ == "__main__"`` guard in
    the caller's script), else "spawn".
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _worker_init(parent: int) -> None:
    """Set up a pool worker: Ctrl-C is the coordinator's business, and die with the coordinator."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)  # the coordinator died before we got here

    def watch() -> None:  # portable fallback: poll the parent
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _ping() -> int:
    return os.getpid()


def local_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool with its own context whose workers die with this process.

    Raises:
        RunnerError: the pool cannot start a worker (a pool error, not the runs' failure).
    """
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=pool_context(),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    try:
        pool.submit(_ping).result(timeout=120)
    except Exception as exc:  # BrokenProcessPool, TimeoutError, pickling errors
        pool.shutdown(wait=False, cancel_futures=True)
        raise RunnerError(
            f"the process pool could not start its workers ({type(exc).__name__}: {exc})"
        ) from None
    return pool


def _executor(engine: str, workers: int, address: str) -> contextlib.AbstractContextManager:
    if engine == "local":
        return local_pool(workers)
    return _dask_executor(workers, address)


@contextlib.contextmanager
def _dask_executor(workers: int, address: str) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ModuleNotFoundError:
        raise RunnerError(
            "the Dask engine needs the 'dask' extra: pip install -e '.[dask]'"
        ) from None
    try:
        if address:
            client = Client(address, timeout="10s")
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        where = f"the Dask scheduler at {address}" if address else "a Dask LocalCluster"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RunnerError(
            f"--address {address}: cannot reach {where} ({reason})"
            if address
            else f"cannot start {where} ({reason})"
        ) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def interactive() -> bool:
    """A person is watching: a terminal, or a Jupyter kernel (``tqdm.auto`` draws a widget)."""
    return sys.stderr.isatty() or "ipykernel" in sys.modules


class _Progress:
    """A tqdm bar on a terminal or in a notebook; elsewhere a line every ``interval`` seconds."""

    def __init__(self, name: str, total: int, mode: str, interval: float):
        self.name, self.total, self.mode, self.interval = name, total, mode, interval
        self.done = self.failed = 0
        self.started = self.last = time.monotonic()
        self.bar = None
        if mode == "bar" and total:
            from tqdm.auto import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process
            self.bar = tqdm(total=total, desc=name, unit="run")

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        if self.bar is not None:
            self.bar.update(1)
        elif self.mode == "lines":
            now = time.monotonic()
            if now - self.last >= self.interval or self.done == self.total:
                self.last = now
                self.line()

    def line(self) -> None:
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
        eta = f", about {left:.0f} s left" if self.done < self.total and self.done else ""
        print(
            f"{self.name}: {self.done}/{self.total} runs ({self.failed} failed), "
            f"{elapsed:.0f} s{eta}",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_sweep(  # noqa: PLR0913 - the sweep options a caller can set
    sweep: str | Path | Sweep,
    *,
    workers: int | None = None,
    engine: str | None = None,
    address: str | None = None,
    db: str | None = None,
    retry_failed: bool = False,
    progress: bool = True,
    progress_interval: float = 30.0,
    executor: Executor | None = None,
) -> SweepReport:
    """Run every run of a sweep that is not already done, storing each as it completes.

    Args:
        sweep: a sweep file or a validated :class:`Sweep`.
        workers: parallel workers (default: the sweep's ``execution.workers``).
        engine: "local" (process pool) or "dask" (default: the sweep's).
        address: a Dask scheduler address; empty starts a LocalCluster.
        db: a SQLAlchemy URL (default: the sweep's ``storage.url``, else the default database).
        retry_failed: run again the runs recorded as failed.
        progress: show progress: a bar with ETA on a terminal, else a line on stderr every
            ``progress_interval`` seconds.
        progress_interval: seconds between progress lines when stderr is not a terminal.
        executor: run on this executor instead (it is not shut down).

    Returns:
        A :class:`SweepReport`.

    Raises:
        RunnerError: the executor cannot start (no runs are recorded as failed for it).
        SweepInterrupted: Ctrl-C; the runs stored so far stay stored.
    """
    sweep = sweep if isinstance(sweep, Sweep) else Sweep.from_toml(sweep)
    if workers is not None and workers < 1:
        raise RunnerError(f"workers must be at least 1 (got {workers})")
    url = db or sweep.storage_url()
    engine_ = store.open_store(url)
    try:
        return _run(
            sweep,
            engine_,
            url,
            workers,
            engine,
            address,
            retry_failed,
            progress,
            progress_interval,
            executor,
        )
    finally:
        engine_.dispose()  # no connection outlives the call


def _run(  # noqa: C901, PLR0913, PLR0917, PLR0915 - the pool loop: submit, collect, store, retry
    sweep: Sweep,
    engine_: Any,
    url: str,
    workers: int | None,
    engine: str | None,
    address: str | None,
    retry_failed: bool,
    progress: bool,
    progress_interval: float,
    executor: Executor | None,
) -> SweepReport:
    specs = plan(sweep, url)
    exp_id = store.register_experiment(
        engine_, sweep.experiment.name, sweep.model_dump(mode="json")
    )
    store.link_runs(engine_, exp_id, specs)
    status = store.run_status(engine_, [s.run_key for s in specs])
    unique: dict[str, RunSpec] = {}
    failed_before: list[str] = []
    for spec in specs:
        state = status.get(spec.run_key, "pending")
        if state == "done":
            continue
        if state == "failed" and not retry_failed:
            if spec.run_key not in failed_before:
                failed_before.append(spec.run_key)
            continue
        unique.setdefault(spec.run_key, spec)
    todo = list(unique.values())
    already = sum(
        1 for s in {s.run_key: s for s in specs}.values() if status.get(s.run_key) == "done"
    )
    outputs = sweep.outputs.model_dump(mode="json")
    started = time.time()
    failed_now: list[str] = []
    executed = 0
    mode = "off" if not progress else ("bar" if interactive() else "lines")
    bar = _Progress(sweep.experiment.name, len(todo), mode, progress_interval)
    pending = list(todo)
    n_workers = workers or sweep.execution.workers
    engine_name = engine or sweep.execution.engine
    address_ = address if address is not None else sweep.execution.address

    def record(outcome: dict[str, Any]) -> None:
        nonlocal executed
        store.save_run(engine_, outcome)
        executed += 1
        if outcome["status"] != "done":
            failed_now.append(outcome["run_key"])
        bar.update(outcome["status"] != "done")

    claimant = store.new_claimant()
    renewed = time.monotonic()
    skipped: list[RunSpec] = []

    def claim(spec: RunSpec) -> bool:
        return store.claim_run(engine_, spec.run_key, claimant, LEASE_SECONDS)

    def heartbeat() -> None:
        nonlocal renewed
        if time.monotonic() - renewed >= HEARTBEAT_SECONDS:
            store.renew_claims(engine_, claimant, LEASE_SECONDS)
            renewed = time.monotonic()

    try:
        while pending:
            context = (
                contextlib.nullcontext(executor)
                if executor is not None
                else _executor(engine_name, n_workers, address_)
            )
            suspects: list[RunSpec] = []
            with context as pool:
                try:
                    for outcome in _windowed(
                        pool,
                        pending,
                        outputs,
                        n_workers + 1,
                        suspects,
                        claim=claim,
                        heartbeat=heartbeat,
                        skipped=skipped,
                    ):
                        record(outcome)
                    pending = []
                except BrokenProcessPool:
                    pending = [s for s in pending if s not in suspects]
                except BaseException:
                    _stop(pool, own=executor is None)
                    raise
            # a worker died: run each run that was in flight alone, to find the one that kills it
            for spec in suspects:
                record(_alone(spec, outputs))
    except KeyboardInterrupt:
        bar.close()
        raise SweepInterrupted(executed) from None
    finally:
        store.release_claims(engine_, claimant)
    bar.close()
    errors = store.run_errors(engine_, [*failed_now, *failed_before])
    return SweepReport(
        sweep.experiment.name,
        len({s.run_key for s in specs}),
        already,
        executed,
        len(failed_now),
        time.time() - started,
        url,
        failed_before=len(failed_before),
        errors=errors,
        claimed_elsewhere=len(skipped),
    )


def _stop(pool: Executor, own: bool) -> None:
    """Stop a pool now (Ctrl-C): cancel what waits, end the workers of a pool we own."""
    if not own:
        return
    if isinstance(pool, ProcessPoolExecutor):
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.terminate()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)


def _windowed(
    pool: Executor,
    specs: list[RunSpec],
    outputs: dict[str, Any],
    window: int,
    in_flight: list[RunSpec],
    claim: Callable[[RunSpec], bool] | None = None,
    heartbeat: Callable[[], None] | None = None,
    skipped: list[RunSpec] | None = None,
) -> Iterator[dict[str, Any]]:
    """Outcomes as they complete, keeping at most ``window`` runs submitted at a time.

    Completed specs are removed from ``specs``; ``in_flight`` is kept up to date, so after a
    worker crash it names the suspects and ``specs`` still holds everything not yet finished.
    A spec that ``claim`` refuses (another sweep holds it, or it is done) is moved to
    ``skipped``; ``heartbeat`` is called at least every few seconds while runs are in flight.
    """
    queue = list(specs)
    futures: dict[Future, RunSpec] = {}

    def fill() -> None:
        while queue and len(futures) < window:
            if claim is not None and not claim(queue[0]):
                spec = queue.pop(0)
                specs.remove(spec)
                if skipped is not None:
                    skipped.append(spec)
                continue
            try:
                future = pool.submit(execute_run, queue[0], outputs)
            except BrokenProcessPool:
                return  # the next result raises it; unsubmitted runs stay in ``specs``
            spec = queue.pop(0)
            futures[future] = spec
            in_flight.append(spec)

    fill()
    while futures:
        while True:
            finished, _ = wait(futures, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
            if heartbeat is not None:
                heartbeat()
            if finished:
                break
        done = next(iter(finished))
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
    with local_pool(1) as pool:
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
