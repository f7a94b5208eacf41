"""Sweeps, the runner and the store: resume after SIGKILL, new levels, identical results across
workers and engines, crashes recorded, clear errors, PostgreSQL, export and comparison."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import NORTHERN, ROOT

from experiments import load_results, run_sweep
from experiments.analysis import compare
from experiments.cli import main
from experiments.store import StoreError, export, open_store
from experiments.sweep import Sweep, plan, seeds_for
from model import ScenarioError

SMALL_CITY = f"""
extends = "{NORTHERN}"
[city]
host_households = 3000
grid_size = 10
[inflow]
total = 500
duration_months = 12
[national]
# money for new mandates follows at once, so that governance.resources acts within 24 months
transfer_lag_months = 0
"""


def write_sweep(
    tmp_path: Path, levels=(0.5, 1.0), replicates=3, months=24, name="small", extra="", base=11
) -> Path:
    (tmp_path / "city.toml").write_text(SMALL_CITY)
    path = tmp_path / f"{name}.toml"
    path.write_text(f"""
[experiment]
name = "{name}"
scenarios = ["city.toml"]
months = {months}
[seeds]
base = {base}
replicates = {replicates}
[parameters]
"governance.resources" = {list(levels)}
[outputs]
timeseries = ["migrants_present", "unmet_need_rate_migrants", "budget_gap"]
every = 2
{extra}
""")
    return path


def db(tmp_path: Path, name: str = "results") -> str:
    return f"sqlite:///{tmp_path / name}.db"


def stored(url: str) -> pd.DataFrame:
    ts = load_results(url, what="timeseries")
    return ts.drop(columns=["experiment"]).sort_values(["run_key", "month"]).reset_index(drop=True)


# ---------------------------------------------------------------- sweep files
def test_plan_grid_with_common_random_numbers(tmp_path):
    sweep = Sweep.from_toml(write_sweep(tmp_path, levels=(0.5, 0.8, 1.0), replicates=4))
    specs = plan(sweep)
    assert len(specs) == 12 and len({s.run_key for s in specs}) == 12
    seeds = {lvl: [s.seed for s in specs if s.level == lvl] for lvl in range(3)}
    assert seeds[0] == seeds[1] == seeds[2] == seeds_for(sweep, 0)
    assert [s.run_key for s in plan(sweep)] == [s.run_key for s in specs]  # stable


def test_independent_seeds_without_common_random_numbers(tmp_path):
    path = write_sweep(tmp_path)
    path.write_text(
        path.read_text().replace("replicates = 3", "replicates = 3\ncommon_random_numbers = false")
    )
    specs = plan(Sweep.from_toml(path))
    assert {s.seed for s in specs if s.level == 0}.isdisjoint(
        {s.seed for s in specs if s.level == 1}
    )


@pytest.mark.parametrize(
    ("kind", "size", "expected"), [("lhs", 7, 7), ("sobol", 4, 4 * 4), ("morris", 3, 3 * 3)]
)
def test_sampled_designs(tmp_path, kind, size, expected):
    path = write_sweep(tmp_path, replicates=1)
    text = path.read_text().replace(
        '"governance.resources" = [0.5, 1.0]',
        '"governance.resources" = { min = 0.5, max = 1.0 }\n'
        '"governance.data_quality" = { min = 0.0, max = 1.0 }',
    )
    path.write_text(text + f'\n[design]\nkind = "{kind}"\nsize = {size}\n')
    specs = plan(Sweep.from_toml(path))
    assert len(specs) == expected  # sobol: N (d + 2) with d = 2; morris: r (d + 1)
    values = [s.overrides["governance.resources"] for s in specs]
    assert min(values) >= 0.5 and max(values) <= 1.0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("[seeds]", "[seedz]"), "unknown key; did you mean 'seeds'"),
        (('"governance.resources"', '"governance.resourses"'), "parameters.governance.resourses"),
        (("[0.5, 1.0]", "[0.5, 7.0]"), "allowed range 0 to 2"),
        (("replicates = 3", "replicates = 0"), "seeds.replicates"),
        (('scenarios = ["city.toml"]', 'scenarios = ["nowhere.toml"]'), "no such scenario file"),
        (("[experiment]", "[experiment"), "malformed TOML"),
    ],
)
def test_bad_sweep_files_give_clear_errors(tmp_path, edit, message):
    path = write_sweep(tmp_path)
    path.write_text(path.read_text().replace(*edit))
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("(", r"\(")):
        Sweep.from_toml(path)
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "sweep", str(path), "--db", db(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_an_older_results_database_gets_a_clear_message(tmp_path):
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.execute("create table runs (run_key text primary key, status text)")
    with pytest.raises(StoreError, match=r"schema from before 2.*delete it or use another --db"):
        open_store(f"sqlite:///{old}")


def test_unreachable_or_malformed_database_url(tmp_path):
    with pytest.raises(StoreError, match="cannot reach the database"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("results.db")
    for empty_port in ("a://:", "postgresql://u:p@host:/db"):  # SQLAlchemy raises ValueError
        with pytest.raises(StoreError, match="not a database URL"):
            open_store(empty_port)
        with pytest.raises(StoreError, match="not a database URL"):
            open_store(empty_port, readonly=True)
    code = main(
        [
            "sweep",
            str(write_sweep(tmp_path)),
            "--db",
            "postgresql+psycopg://nobody@127.0.0.1:9/none",
            "--quiet",
        ]
    )
    assert code == 2


# ---------------------------------------------------------------- runner
def test_resume_after_sigkill_runs_exactly_the_rest(tmp_path):
    path = write_sweep(tmp_path, levels=(0.4, 0.7, 1.0), replicates=5, months=48)
    url = db(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "experiments.cli",
            "sweep",
            str(path),
            "--db",
            url,
            "--workers",
            "2",
            "--quiet",
        ],
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    database = tmp_path / "results.db"
    deadline = time.time() + 120
    done_seen = 0
    while time.time() < deadline and proc.poll() is None:
        if database.exists():
            try:
                with sqlite3.connect(database) as conn:
                    done_seen = conn.execute(
                        "select count(*) from runs where status = 'done'"
                    ).fetchone()[0]
            except sqlite3.OperationalError:
                done_seen = 0
        if done_seen >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(database) as conn:
        done_before = conn.execute("select count(*) from runs where status = 'done'").fetchone()[0]
    assert 3 <= done_before < 15
    report = run_sweep(path, db=url, workers=2, progress=False)
    assert report.already_done == done_before
    assert report.executed == 15 - done_before and report.failed == 0
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from runs where status = 'done'").fetchone()[0] == 15
        per_run = conn.execute("select count(*) from timeseries group by run_key").fetchall()
    assert len(per_run) == 15 and {n for (n,) in per_run} == {3 * 24}  # 48 months, every 2nd
    again = run_sweep(path, db=url, workers=2, progress=False)
    assert again.executed == 0


def test_adding_a_level_runs_only_the_new_runs(tmp_path):
    url = db(tmp_path)
    first = run_sweep(write_sweep(tmp_path, levels=(0.5, 1.0)), db=url, workers=2, progress=False)
    assert first.executed == 6
    second = run_sweep(
        write_sweep(tmp_path, levels=(0.5, 1.0, 1.5)), db=url, workers=2, progress=False
    )
    assert (second.already_done, second.executed) == (6, 3)


def test_same_results_with_one_or_two_workers_and_with_dask(tmp_path):
    path = write_sweep(tmp_path)
    run_sweep(path, db=db(tmp_path, "one"), workers=1, progress=False)
    run_sweep(path, db=db(tmp_path, "two"), workers=2, progress=False)
    run_sweep(path, db=db(tmp_path, "dask"), workers=2, engine="dask", progress=False)
    one, two, dask = (stored(db(tmp_path, n)) for n in ("one", "two", "dask"))
    assert len(one) == 6 * 12
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, dask)


def test_a_crashing_run_is_recorded_and_the_others_complete(tmp_path, monkeypatch):
    import model

    real = model.simulate

    def flaky(scenario, months=None, seed=0, overrides=None, **kw):
        if overrides and overrides.get("governance.resources") == 1.0 and seed % 2 == 0:
            raise RuntimeError("boom: a run that fails")
        return real(scenario, months=months, seed=seed, overrides=overrides, **kw)

    monkeypatch.setattr(model, "simulate", flaky)  # inherited by the forked workers
    url = db(tmp_path)
    report = run_sweep(write_sweep(tmp_path), db=url, workers=2, progress=False)
    runs = load_results(url, what="runs")
    failed = runs[runs.status == "failed"]
    assert report.failed == len(failed) >= 1 and (runs.status == "done").sum() == 6 - len(failed)
    open_store(url)
    with sqlite3.connect(tmp_path / "results.db") as conn:
        errors = [e for (e,) in conn.execute("select error from runs where status = 'failed'")]
    assert all("boom: a run that fails" in e and "Traceback" in e for e in errors)
    monkeypatch.setattr(model, "simulate", real)
    retry = run_sweep(write_sweep(tmp_path), db=url, workers=2, progress=False, retry_failed=True)
    assert retry.executed == len(failed) and retry.failed == 0


def test_a_worker_that_dies_does_not_stop_the_sweep(tmp_path, monkeypatch):
    import model

    real = model.simulate

    def dies(scenario, months=None, seed=0, overrides=None, **kw):
        if overrides and overrides.get("governance.resources") == 0.5 and seed % 3 == 0:
            os._exit(9)  # the worker process disappears
        return real(scenario, months=months, seed=seed, overrides=overrides, **kw)

    monkeypatch.setattr(model, "simulate", dies)
    path = write_sweep(tmp_path)
    doomed = {
        s.run_key
        for s in plan(Sweep.from_toml(path))
        if s.overrides["governance.resources"] == 0.5 and s.seed % 3 == 0
    }
    report = run_sweep(path, db=db(tmp_path), workers=2, progress=False)
    runs = load_results(db(tmp_path), what="runs").set_index("run_key")
    assert set(runs.index[runs.status == "failed"]) == doomed
    assert (runs.status == "done").sum() == 6 - len(doomed)
    assert report.failed == len(doomed)


# ---------------------------------------------------------------- store and analysis
def test_export_load_and_compare(tmp_path, capsys):
    url = db(tmp_path)
    run_sweep(write_sweep(tmp_path, replicates=4), db=url, workers=2, progress=False)
    summaries = load_results(url, "small")
    assert len(summaries) == 8 and "unmet_need_rate_migrants_mean" in summaries
    files = export(url, "small", tmp_path / "out", "parquet")
    assert pd.read_parquet(files[1]).shape[0] == 8
    export(url, "small", tmp_path / "csv", "csv")
    assert (tmp_path / "csv" / "timeseries.csv").stat().st_size > 0
    table = compare(url, "small", ["budget_gap_mean"])
    more = table[~table.baseline].iloc[0]
    assert more.method == "paired" and more.n == 4
    assert more.diff_high < 0  # more money (resources 1.0 vs 0.5): a smaller gap, paired by seed
    assert main(["status", "--db", url]) == 0
    assert "small" in capsys.readouterr().out
    assert main(["compare", "small", "--db", url, "--outcome", "budget_gap_mean"]) == 0
    assert main(["compare", "small", "--db", url, "--outcome", "no_such_outcome"]) == 2


@pytest.fixture(scope="module")
def postgres_url():
    """A database of our own on a throwaway server; dropped after, and the server stopped if
    this fixture started it (issue 9 item 12)."""
    import socket

    script = ROOT / "scripts" / "postgres.sh"
    with socket.socket() as probe:  # a server of this session's own: a free port, its own folder
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "ARRIVAL_CITY_PGPORT": str(port),
        "ARRIVAL_CITY_PGDATA": f"/tmp/arrival-city-pg-test-{os.getpid()}-{port}",
    }
    try:
        proc = subprocess.run(
            ["sh", str(script)], capture_output=True, text=True, timeout=600, env=env
        )
    except subprocess.TimeoutExpired:
        pytest.skip("PostgreSQL did not start within 10 minutes (scripts/postgres.sh)")
    if proc.returncode != 0:
        pytest.skip(f"PostgreSQL could not start: {proc.stderr.strip()[-300:]}")
    lines = proc.stdout.strip().splitlines()
    server, started = lines[-1], "started" in lines[:-1]
    import sqlalchemy

    name = f"arrival_city_test_{os.getpid()}_{int(time.time())}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if started:
            subprocess.run(["sh", str(script), "stop"], capture_output=True, timeout=120, env=env)


def test_postgresql_round_trip(tmp_path, postgres_url):
    import sqlalchemy

    name = "pg_round_trip"
    path = write_sweep(tmp_path, name=name)
    report = run_sweep(path, db=postgres_url, workers=2, progress=False)
    assert report.executed == 6
    run_sweep(path, db=db(tmp_path), workers=2, progress=False)
    pg = load_results(postgres_url, name, "timeseries")
    lite = load_results(db(tmp_path), name, "timeseries")
    key = ["run_key", "month"]
    pd.testing.assert_frame_equal(
        pg.drop(columns="experiment").sort_values(key).reset_index(drop=True),
        lite.drop(columns="experiment").sort_values(key).reset_index(drop=True),
    )
    engine = sqlalchemy.create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(sqlalchemy.text("select version()")).scalar().startswith("PostgreSQL")


def test_morris_sensitivity_ranks_a_strong_lever_above_a_weak_one(tmp_path):
    from experiments.analysis import sensitivity

    path = write_sweep(tmp_path, replicates=1, name="screen")
    # without the federal lump sum per asylum seeker, the asylum benefits and the municipal
    # accommodation on the city's books (all since the reception phase), new costs are the
    # mandates whose money governance.resources scales, as in the test's design
    city = tmp_path / "city.toml"
    no_lump_sum = "[national]\nasylum_lump_sum = 0\nasylum_benefits_local = 0\n"
    no_housing = "[housing]\nmunicipal_accommodation_cost = 0\n"
    city.write_text(city.read_text().replace("[national]\n", no_lump_sum) + no_housing)
    path.write_text(
        path.read_text().replace(
            '"governance.resources" = [0.5, 1.0]',
            '"governance.resources" = { min = 0.4, max = 1.2 }\n'
            '"city.media_hostility" = { min = 0.0, max = 1.0 }',
        )
        + '\n[design]\nkind = "morris"\nsize = 8\nlevels = 4\n'
    )
    url = db(tmp_path)
    run_sweep(path, db=url, workers=2, progress=False)
    table = sensitivity(url, "screen", "budget_gap_mean").set_index("parameter")
    # resources moves the gap by thousands a month; media hostility reaches it only through
    # attitudes and work, and its mu* is mostly seed noise (a quarter of resources' or less)
    assert (
        table.loc["governance.resources", "mu_star"]
        > 2 * table.loc["city.media_hostility", "mu_star"]
    )
    with pytest.raises(StoreError, match="needs a morris or sobol sweep"):
        run_sweep(write_sweep(tmp_path, name="grid"), db=url, workers=2, progress=False)
        sensitivity(url, "grid", "budget_gap_mean")


def test_the_postgres_script_stops_the_server_it_started():
    import glob
    import socket

    if not glob.glob("/usr/lib/postgresql/*/bin"):
        pytest.skip("no PostgreSQL server binaries")
    script = ROOT / "scripts" / "postgres.sh"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = Path(f"/tmp/arrival-city-pg-stop-{os.getpid()}-{port}")
    env = {**os.environ, "ARRIVAL_CITY_PGPORT": str(port), "ARRIVAL_CITY_PGDATA": str(folder)}
    up = subprocess.run(["sh", str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert up.returncode == 0, up.stderr
    assert up.stdout.splitlines()[0] == "started"
    down = subprocess.run(["sh", str(script), "stop"], capture_output=True, env=env, timeout=120)
    assert down.returncode == 0 and not folder.exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more


def test_a_posterior_round_trips_on_postgresql(postgres_url):
    from experiments.store import load_posterior, save_posterior

    engine = open_store(postgres_url)
    sets = [{"labour.spending_weight": 0.25, "national.work_wait_months": 3}] * 2
    save_posterior(engine, "pg", sets, [0.4, 0.6], {"facts": ["a"]})
    back = load_posterior(engine, "pg")
    engine.dispose()
    assert back["sets"] == sets and back["weights"] == [0.4, 0.6]
    assert back["provenance"] == {"facts": ["a"]} and back["keys"] == list(sets[0])
