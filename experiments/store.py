"""The results database (SQLAlchemy 2): experiments, runs, timeseries, cohorts and summaries.

SQLite by default, any SQLAlchemy URL otherwise (PostgreSQL is tested). The default database is
``$ARRIVAL_CITY_DB`` if set, else ``results/arrival-city.db`` in the project folder (the folder
holding ``experiments/``) — never a path that depends on the working directory. The coordinating
process of a sweep is the only writer; it commits each run as it completes, so an interrupted
sweep loses at most the runs in flight. Reading (``open_store(url, readonly=True)``) never creates
or changes anything: a missing database is an error, SQLite is opened read-only.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent


def default_url() -> str:
    """``$ARRIVAL_CITY_DB``, else the SQLite file ``results/arrival-city.db`` of the project."""
    return (
        os.environ.get("ARRIVAL_CITY_DB") or f"sqlite:///{PROJECT_DIR / 'results'}/arrival-city.db"
    )


DEFAULT_URL = default_url()
SCHEMA_VERSION = "2"  # raise when a table changes; older databases get a clear message

metadata = MetaData()

store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200)),
)

experiments = Table(
    "experiments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), unique=True, nullable=False),
    Column("sweep", JSON),
    Column("created", Float),
)

runs = Table(
    "runs",
    metadata,
    Column("run_key", String(64), primary_key=True),
    Column("params", JSON),
    Column("scenario", String(200)),
    Column("seed", BigInteger),
    Column("months", Integer),
    Column("status", String(16), index=True),  # done | failed
    Column("started", Float),
    Column("finished", Float),
    Column("duration", Float),
    Column("error", Text),
    Column("code_version", String(40)),
)

experiment_runs = Table(  # a design may ask for the same run at several levels (Morris)
    "experiment_runs",
    metadata,
    Column("experiment_id", Integer, ForeignKey("experiments.id"), primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("replicate", Integer, primary_key=True),
    Column("run_key", String(64), ForeignKey("runs.run_key"), index=True),
)

timeseries = Table(
    "timeseries",
    metadata,
    Column("run_key", String(64), ForeignKey("runs.run_key"), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("variable", String(80), primary_key=True),
    Column("value", Float),
)

cohorts = Table(
    "cohorts",
    metadata,
    Column("run_key", String(64), ForeignKey("runs.run_key"), primary_key=True),
    Column("months_since_arrival", Integer, primary_key=True),
    Column("status", String(20), primary_key=True),
    Column("person_months", Float),
    Column("employment_rate", Float),
    Column("formal_employment_rate", Float),
)

cohort_cells = Table(  # added after schema 2 without a version change: older stores still read
    "cohort_cells",
    metadata,
    Column("run_key", String(64), ForeignKey("runs.run_key"), primary_key=True),
    Column("months_since_arrival", Integer, primary_key=True),
    Column("legal_status", String(20), primary_key=True),
    Column("sex", String(20), primary_key=True),
    Column("skill", String(20), primary_key=True),
    Column("origin", String(20), primary_key=True),
    Column("person_months", Float),
    Column("employed_person_months", Float),
    Column("formal_person_months", Float),
)

summaries = Table(
    "summaries",
    metadata,
    Column("run_key", String(64), ForeignKey("runs.run_key"), primary_key=True),
    Column("name", String(80), primary_key=True),
    Column("value", Float),
)


posteriors = Table(  # calibrated posteriors (arrival-city calibrate), by name
    "posteriors",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("keys", JSON),  # the parameters, in the order of each set's values
    Column("provenance", JSON),  # calibration file, facts, seeds, waves, code version, timings
    Column("created", Float),
)

posterior_samples = Table(  # a posterior's weighted parameter sets
    "posterior_samples",
    metadata,
    Column("name", String(200), ForeignKey("posteriors.name"), primary_key=True),
    Column("sample", Integer, primary_key=True),
    Column("params", JSON),  # {dotted key: value}
    Column("weight", Float),
)


claims = Table(  # leases: which sweep is running which run, until when (see claim_run)
    "claims",
    metadata,
    Column("run_key", String(64), primary_key=True),
    Column("claimant", String(120), nullable=False),
    Column("expires", Float, nullable=False, index=True),
)


class StoreError(RuntimeError):
    """The results database cannot be reached or used; the message says which and why."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_readonly_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite:///") or url.startswith("sqlite:///:memory:"):
        return None
    text = url.removeprefix("sqlite:///")
    if text.startswith("file:"):
        text = text.removeprefix("file:").split("?", 1)[0]
    return Path(text)


def open_store(url: str | None = None, *, readonly: bool = False) -> Engine:
    """Connect to the results database; for writing, create it and its tables if needed.

    Args:
        url: a SQLAlchemy URL (default: :func:`default_url`).
        readonly: open for reading only: nothing is created or changed; SQLite is opened with
            ``mode=ro`` (and as immutable where even that is impossible, e.g. a read-only mount).

    Raises:
        StoreError: a malformed URL, a missing driver, an unreachable server, or (reading) no
            database at that place, with the URL.
    """
    url = url or default_url()
    _check_url(url)
    try:
        path = sqlite_path(url)
        if readonly:
            return _open_readonly(url, path)
        if path is not None:
            if path.is_dir():
                raise StoreError(f"{url}: {path} is a folder, not a database file")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{url}: cannot create the folder {path.parent} ({exc.strerror})"
                ) from None
        engine = create_engine(url, future=True, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        _check_schema(engine, url)
        metadata.create_all(engine)
        with engine.begin() as conn:
            if conn.execute(select(store_meta.c.value)).first() is None:
                conn.execute(store_meta.insert().values(key="schema", value=SCHEMA_VERSION))
    except ArgumentError as exc:
        raise StoreError(f"{url}: not a database URL ({exc})") from None
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"{url}: the database driver is not installed ({exc.name}); for PostgreSQL "
            "install the 'postgres' extra: pip install -e '.[postgres]'"
        ) from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"{_safe(url)}: cannot reach the database ({reason})") from None
    except SQLAlchemyError as exc:
        raise StoreError(f"{_safe(url)}: {exc}") from None
    return engine


def _open_readonly(url: str, path: Path | None) -> Engine:
    """An engine that cannot write; StoreError if there is no results database there."""
    if path is not None:
        if not path.is_file():
            raise StoreError(f"no database at {path} (run a sweep first, or give --db)")
        engine = None
        for flags in ("mode=ro", "immutable=1"):
            candidate = create_engine(
                f"sqlite:///file:{path.resolve()}?{flags}&uri=true", future=True
            )
            event.listen(candidate, "connect", _sqlite_readonly_pragmas)
            try:
                with candidate.connect() as conn:
                    conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
                engine = candidate
                break
            except OperationalError:
                candidate.dispose()
        if engine is None:
            raise StoreError(f"{path}: cannot open the database for reading")
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    from sqlalchemy import inspect

    tables = set(inspect(engine).get_table_names())
    if "experiments" not in tables:
        raise StoreError(f"no database at {_safe(url)} (no arrival-city results there)")
    _check_schema(engine, url)
    return engine


def _check_schema(engine: Engine, url: str) -> None:
    """Refuse a results database written by an older, incompatible arrival-city."""
    from sqlalchemy import inspect

    tables = set(inspect(engine).get_table_names())
    if not tables & {t.name for t in metadata.sorted_tables}:
        return  # empty: tables will be created
    found = None
    if "store_meta" in tables:
        with engine.connect() as conn:
            found = conn.execute(
                select(store_meta.c.value).where(store_meta.c.key == "schema")
            ).scalar()
    if found != SCHEMA_VERSION:
        raise StoreError(
            f"{_safe(url)}: this results database has schema {found or 'from before 2'}, this "
            f"arrival-city writes schema {SCHEMA_VERSION}; export what you need with an older "
            "version, then delete it or use another --db"
        )


def _check_url(url: str) -> None:
    """Refuse a URL SQLAlchemy cannot parse (e.g. an empty port, ``a://:``) with one line."""
    from sqlalchemy.engine import make_url

    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"{url}: not a database URL ({exc})") from None


def _safe(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url


def _once_more_if_raced(write):
    """Run a check-then-insert write again if a concurrent sweep inserted the same row first.

    Two sweeps started together on one database both find no row and both insert it; the loser
    gets an IntegrityError, and on the second try finds the winner's row.
    """

    def again(*args, **kwargs):
        try:
            return write(*args, **kwargs)
        except IntegrityError:
            return write(*args, **kwargs)

    again.__doc__, again.__name__ = write.__doc__, write.__name__
    return again


@_once_more_if_raced
def register_experiment(engine: Engine, name: str, sweep: dict[str, Any]) -> int:
    """The experiment's id, creating it (or updating its sweep description)."""
    with engine.begin() as conn:
        found = conn.execute(select(experiments.c.id).where(experiments.c.name == name)).scalar()
        if found is not None:
            conn.execute(experiments.update().where(experiments.c.id == found).values(sweep=sweep))
            return int(found)
        result = conn.execute(
            experiments.insert().values(name=name, sweep=sweep, created=time.time())
        )
        return int(result.inserted_primary_key[0])


@_once_more_if_raced
def link_runs(engine: Engine, experiment_id: int, specs: Iterable[Any]) -> None:
    """Record which run stands at each level and replicate of the experiment.

    Runs are shared by content: a run already stored (for this or another experiment) is linked,
    not created again. A level whose run changed (an edited scenario file) is relinked.
    """
    specs = list(specs)
    with engine.begin() as conn:
        linked = {
            (level, replicate): key
            for level, replicate, key in conn.execute(
                select(
                    experiment_runs.c.level, experiment_runs.c.replicate, experiment_runs.c.run_key
                ).where(experiment_runs.c.experiment_id == experiment_id)
            )
        }
        keys = list({s.run_key for s in specs})
        stored: set[str] = set()
        for i in range(0, len(keys), 500):
            stored.update(
                conn.execute(
                    select(runs.c.run_key).where(runs.c.run_key.in_(keys[i : i + 500]))
                ).scalars()
            )
        for spec in specs:
            if spec.run_key not in stored:
                conn.execute(
                    runs.insert().values(
                        run_key=spec.run_key,
                        params=spec.overrides,
                        scenario=spec.scenario_label,
                        seed=spec.seed,
                        months=spec.months,
                        status="pending",
                    )
                )
                stored.add(spec.run_key)
            where = (spec.level, spec.replicate)
            if where not in linked:
                conn.execute(
                    experiment_runs.insert().values(
                        experiment_id=experiment_id,
                        level=spec.level,
                        replicate=spec.replicate,
                        run_key=spec.run_key,
                    )
                )
            elif linked[where] != spec.run_key:
                conn.execute(
                    experiment_runs.update()
                    .where(
                        (experiment_runs.c.experiment_id == experiment_id)
                        & (experiment_runs.c.level == spec.level)
                        & (experiment_runs.c.replicate == spec.replicate)
                    )
                    .values(run_key=spec.run_key)
                )


def run_status(engine: Engine, keys: Iterable[str]) -> dict[str, str]:
    """Status of each of the given runs (pending, done, failed)."""
    keys = list(keys)
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            result = conn.execute(
                select(runs.c.run_key, runs.c.status).where(runs.c.run_key.in_(chunk))
            )
            out.update((key, state) for key, state in result)
    return out


def new_claimant() -> str:
    """A name for this process's claims: host, process id and a random part."""
    import socket
    import uuid

    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_run(engine: Engine, key: str, claimant: str, lease: float) -> bool:
    """Take the lease on a run for ``lease`` seconds; False if it is done or another holds it.

    Concurrent sweeps on one database (one machine or many, SQLite or PostgreSQL) share the work
    this way: each runs only what it could claim. A claimant that dies stops renewing, its lease
    expires and the run goes to whoever claims it next.
    """
    now = time.time()
    try:
        with engine.begin() as conn:
            state = conn.execute(select(runs.c.status).where(runs.c.run_key == key)).scalar()
            if state == "done":
                return False
            conn.execute(
                claims.insert().values(run_key=key, claimant=claimant, expires=now + lease)
            )
        return True
    except IntegrityError:
        pass
    with engine.begin() as conn:
        holder = conn.execute(select(claims.c.claimant).where(claims.c.run_key == key)).scalar()
        free = (claims.c.expires < now) | (claims.c.claimant == claimant)
        if holder is not None and _claimant_dead(holder):
            free = free | (claims.c.claimant == holder)  # a sweep killed on this machine
        taken = conn.execute(
            claims.update()
            .where((claims.c.run_key == key) & free)
            .values(claimant=claimant, expires=now + lease)
        ).rowcount
        if taken != 1:
            return False
        state = conn.execute(select(runs.c.status).where(runs.c.run_key == key)).scalar()
        return state != "done"


def _claimant_dead(claimant: str) -> bool:
    """Whether a claimant is a process of this machine that no longer runs."""
    import socket

    host, _, rest = claimant.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's: its lease expires on its own
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def renew_claims(engine: Engine, claimant: str, lease: float) -> None:
    """Extend every lease this claimant holds."""
    with engine.begin() as conn:
        conn.execute(
            claims.update().where(claims.c.claimant == claimant).values(expires=time.time() + lease)
        )


def release_claims(engine: Engine, claimant: str) -> None:
    """Give up every lease this claimant holds on runs not done (end of a sweep, or Ctrl-C).

    Claims on done runs stay: ``claim_run`` reads a run's status before it inserts a claim, and
    SQLite runs that read outside the insert's transaction, so another sweep that read "pending"
    just before this one saved the run could otherwise insert a claim and run it a second time.
    With the row kept, its insert fails and it finds the run done.
    """
    done = select(runs.c.run_key).where(runs.c.status == "done")
    with engine.begin() as conn:
        conn.execute(
            delete(claims).where((claims.c.claimant == claimant) & claims.c.run_key.not_in(done))
        )


def save_run(engine: Engine, outcome: dict[str, Any]) -> None:
    """Commit one run's outcome (done with its tables, or failed with its traceback)."""
    key = outcome["run_key"]
    with engine.begin() as conn:
        # a done run keeps its claim row, so that no sweep can insert a fresh claim on it (see
        # release_claims); a failed run's claim goes, so that a later sweep may retry it
        if outcome["status"] != "done":
            conn.execute(delete(claims).where(claims.c.run_key == key))
        for table in (timeseries, cohorts, cohort_cells, summaries):
            conn.execute(delete(table).where(table.c.run_key == key))
        conn.execute(
            runs.update()
            .where(runs.c.run_key == key)
            .values(
                status=outcome["status"],
                started=outcome["started"],
                finished=outcome["finished"],
                duration=outcome["finished"] - outcome["started"],
                error=outcome.get("error"),
                code_version=outcome["code_version"],
            )
        )
        if outcome["status"] != "done":
            return
        if outcome["timeseries"]:
            conn.execute(
                timeseries.insert(),
                [
                    {"run_key": key, "month": m, "variable": v, "value": x}
                    for m, v, x in outcome["timeseries"]
                ],
            )
        if outcome.get("cohorts"):
            conn.execute(cohorts.insert(), [{"run_key": key, **row} for row in outcome["cohorts"]])
        if outcome.get("cohort_cells"):
            conn.execute(
                cohort_cells.insert(), [{"run_key": key, **row} for row in outcome["cohort_cells"]]
            )
        conn.execute(
            summaries.insert(),
            [
                {"run_key": key, "name": name, "value": value}
                for name, value in outcome["summary"].items()
            ],
        )


def experiment_id(engine: Engine, name: str) -> int:
    """The id of a named experiment; StoreError if there is none."""
    with engine.connect() as conn:
        found = conn.execute(select(experiments.c.id).where(experiments.c.name == name)).scalar()
        if found is None:
            names = list(conn.execute(select(experiments.c.name)).scalars())
            raise StoreError(f"no experiment named {name!r} (known: {', '.join(names) or 'none'})")
    return int(found)


def status_table(engine: Engine) -> pd.DataFrame:
    """Runs done, pending and failed per experiment."""
    query = select(experiments.c.name, runs.c.status, runs.c.run_key).select_from(
        experiments.join(experiment_runs).join(runs)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["experiment", "status", "key"])
    if frame.empty:
        return pd.DataFrame(columns=["experiment", "done", "pending", "failed", "total"])
    table = frame.pivot_table(
        index="experiment", columns="status", values="key", aggfunc="count", fill_value=0
    )
    for name in ("done", "pending", "failed"):
        if name not in table:
            table[name] = 0
    table["total"] = table[["done", "pending", "failed"]].sum(axis=1)
    return table[["done", "pending", "failed", "total"]].reset_index()


def level_id(scenario: str, params: str | dict[str, Any]) -> str:
    """A level's id from its content (scenario and parameter values), never from its position.

    Adding a level to a sweep file (a value, a scenario) leaves the other levels' ids as they
    were; the same level in two experiments has the same id.
    """
    import hashlib

    text = params if isinstance(params, str) else json.dumps(params, sort_keys=True)
    return hashlib.sha256(f"{scenario}\n{text}".encode()).hexdigest()[:10]


def level_label(scenario: str, params: str | dict[str, Any]) -> str:
    """A level as a person reads it: ``city+overlay: key=value, ...``."""
    value = json.loads(params) if isinstance(params, str) else params
    settings = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return f"{scenario}: {settings}" if settings else scenario


def load_results(
    url: str | None = None, experiment: str | None = None, what: str = "summaries"
) -> pd.DataFrame:
    """Results as a pandas DataFrame, one row per run (summaries) or per run-month (timeseries).

    Every table starts with the run's identity: run_key, scenario, seed, params (JSON), status,
    level (its position in the sweep's plan, which changes when levels are added), level_id
    (from the level's content: stable), replicate, experiment.

    Args:
        url: the results database.
        experiment: only this experiment's runs (default: all).
        what: "summaries" (wide: one column per summary), "timeseries" (wide: one column per
            variable), "cohorts" (one row per run and cohort cell: months since arrival, legal
            status, sex, skill, origin; runs stored before cells were kept have one row per
            legal status with sex, skill and origin "all") or "runs".
    """
    engine = open_store(url, readonly=True)
    runs_cols = [
        runs.c.run_key,
        runs.c.scenario,
        runs.c.seed,
        runs.c.params,
        runs.c.status,
        experiment_runs.c.level,
        experiment_runs.c.replicate,
        experiments.c.name,
    ]
    base = select(*runs_cols).select_from(experiments.join(experiment_runs).join(runs))
    if experiment is not None:
        base = base.where(experiments.c.name == experiment)
    with engine.connect() as conn:
        meta = pd.DataFrame(
            conn.execute(base).all(),
            columns=[
                "run_key",
                "scenario",
                "seed",
                "params",
                "status",
                "level",
                "replicate",
                "experiment",
            ],
        )
        meta["params"] = meta["params"].map(
            lambda p: json.dumps(p, sort_keys=True) if not isinstance(p, str) else p
        )
        meta.insert(
            meta.columns.get_loc("level") + 1,
            "level_id",
            [level_id(s, p) for s, p in zip(meta.scenario, meta.params, strict=True)],
        )
        if what == "runs":
            return meta
        keys = list(meta.run_key)
        if what == "cohorts":
            data = _cohorts(conn, keys)
        else:
            table = {"summaries": summaries, "timeseries": timeseries}[what]
            data = pd.DataFrame(_rows_of(conn, table, keys))
    if data.empty:
        return meta.iloc[0:0]
    if what == "summaries":
        data = data.pivot(index="run_key", columns="name", values="value").reset_index()
    elif what == "timeseries":
        data = data.pivot_table(
            index=["run_key", "month"], columns="variable", values="value"
        ).reset_index()
    return meta.merge(data, on="run_key")


def _rows_of(conn: Any, table: Table, keys: list[str]) -> list[Any]:
    rows: list[Any] = []
    for i in range(0, len(keys), 500):
        rows.extend(
            conn.execute(select(table).where(table.c.run_key.in_(keys[i : i + 500])))
            .mappings()
            .all()
        )
    return rows


def _cohorts(conn: Any, keys: list[str]) -> pd.DataFrame:
    """Cohort cells of the runs; runs stored before cells were kept give their status rows."""
    from sqlalchemy import inspect

    columns = [c.name for c in cohort_cells.columns]
    cells = pd.DataFrame(
        _rows_of(conn, cohort_cells, keys) if inspect(conn).has_table("cohort_cells") else [],
        columns=columns,
    )
    older = pd.DataFrame(
        _rows_of(conn, cohorts, sorted(set(keys) - set(cells.run_key))),
        columns=[c.name for c in cohorts.columns],
    )
    older = older[older.status != "all"]
    if not older.empty:
        older = older.rename(columns={"status": "legal_status"}).assign(
            sex="all",
            skill="all",
            origin="all",
            employed_person_months=older.employment_rate * older.person_months,
            formal_person_months=older.formal_employment_rate * older.person_months,
        )[columns]
    parts = [f for f in (cells, older) if not f.empty]
    if not parts:
        return cells
    frame = pd.concat(parts, ignore_index=True)
    present = frame.person_months.where(frame.person_months > 0)
    return frame.assign(
        employment_rate=frame.employed_person_months / present,
        formal_employment_rate=frame.formal_person_months / present,
    )


def export(
    url: str | None, experiment: str | None, out: Path, fmt: str = "csv", long: bool = False
) -> list[Path]:
    """Write the tidy tables and the outcome dictionary to ``out`` (see :mod:`experiments.tidy`)."""
    from experiments.tidy import export as tidy_export

    return tidy_export(url, experiment, out, fmt, long)


def run_errors(engine: Engine, keys: Iterable[str]) -> list[str]:
    """The last line of each failed run's stored traceback, in the order of ``keys``."""
    keys = list(dict.fromkeys(keys))
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(keys), 500):
            result = conn.execute(
                select(runs.c.run_key, runs.c.error).where(runs.c.run_key.in_(keys[i : i + 500]))
            )
            found.update((key, error or "") for key, error in result)
    out = []
    for key in keys:
        lines = [line for line in found.get(key, "").strip().splitlines() if line.strip()]
        out.append(f"{key[:12]}: {lines[-1].strip() if lines else 'no error recorded'}")
    return out


def failed_runs(engine: Engine, experiment: str | None = None) -> pd.DataFrame:
    """Failed runs (experiment, run key, scenario, parameters, seed, last error line)."""
    query = (
        select(
            experiments.c.name,
            runs.c.run_key,
            runs.c.scenario,
            runs.c.params,
            runs.c.seed,
            runs.c.error,
        )
        .select_from(experiments.join(experiment_runs).join(runs))
        .where(runs.c.status == "failed")
    )
    if experiment is not None:
        query = query.where(experiments.c.name == experiment)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(
        rows, columns=["experiment", "run_key", "scenario", "params", "seed", "error"]
    ).drop_duplicates(["experiment", "run_key"])
    frame["error"] = frame["error"].map(
        lambda e: ([ln for ln in (e or "").strip().splitlines() if ln.strip()] or ["?"])[-1].strip()
    )
    return frame


def save_posterior(
    engine: Engine,
    name: str,
    sets: list[dict[str, float]],
    weights: Iterable[float],
    provenance: dict[str, Any],
) -> None:
    """Store a posterior (replacing one of the same name) in one transaction."""
    weights = [float(w) for w in weights]
    keys = list(sets[0]) if sets else []
    with engine.begin() as conn:
        conn.execute(delete(posterior_samples).where(posterior_samples.c.name == name))
        conn.execute(delete(posteriors).where(posteriors.c.name == name))
        conn.execute(
            posteriors.insert().values(
                name=name, keys=keys, provenance=provenance, created=time.time()
            )
        )
        conn.execute(
            posterior_samples.insert(),
            [
                {"name": name, "sample": row, "params": params, "weight": weight}
                for row, (params, weight) in enumerate(zip(sets, weights, strict=True))
            ],
        )


def posterior_names(engine: Engine) -> list[str]:
    """The names of the stored posteriors (none in a database from before them)."""
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(select(posteriors.c.name)).scalars())
    except (OperationalError, ProgrammingError):
        return []  # a read-only database older than the posterior tables


def load_posterior(engine: Engine, name: str) -> dict[str, Any]:
    """A stored posterior: ``keys``, ``sets`` (list of dicts), ``weights`` and ``provenance``.

    Raises:
        StoreError: no posterior of that name (the message lists the known ones).
    """
    if name not in posterior_names(engine):
        known = ", ".join(posterior_names(engine)) or "none; make one with arrival-city calibrate"
        raise StoreError(f"no posterior named {name!r} in the results database (known: {known})")
    with engine.connect() as conn:
        head = conn.execute(select(posteriors).where(posteriors.c.name == name)).mappings().one()
        rows = conn.execute(
            select(posterior_samples.c.params, posterior_samples.c.weight)
            .where(posterior_samples.c.name == name)
            .order_by(posterior_samples.c.sample)
        ).all()
    return {
        "name": name,
        "keys": list(head["keys"]),
        "sets": [dict(params) for params, _ in rows],
        "weights": [float(weight) for _, weight in rows],
        "provenance": dict(head["provenance"] or {}),
        "created": head["created"],
    }
