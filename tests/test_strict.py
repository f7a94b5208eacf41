"""Issue 9: every command strict and honest — one line and exit 2 for bad input, never a
traceback; no silent change of meaning; reading has no side effects."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import NORTHERN, ROOT

from experiments import load_results, run_sweep
from experiments.cli import main
from experiments.runner import RunnerError
from experiments.store import StoreError, open_store
from experiments.sweep import Sweep, levels

SMALL_CITY = f"""
extends = "{NORTHERN}"
[city]
host_households = 2000
grid_size = 8
[inflow]
total = 300
duration_months = 6
"""


def sweep_file(tmp_path: Path, body: str, name: str = "tiny") -> Path:
    (tmp_path / "city.toml").write_text(SMALL_CITY)
    path = tmp_path / f"{name}.toml"
    path.write_text(
        textwrap.dedent(f"""
        [experiment]
        name = "{name}"
        scenarios = ["city.toml"]
        months = 6
        [seeds]
        base = 3
        replicates = 1
        [outputs]
        timeseries = ["migrants_present"]
        cohorts = false
        """)
        + textwrap.dedent(body)
    )
    return path


def db(tmp_path: Path, name: str = "results") -> str:
    return f"sqlite:///{tmp_path / name}.db"


def cli(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        **kw,
    )


def one_line_error(stderr: str, *needles: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr, stderr
    for needle in needles:
        assert needle in lines[0], (needle, stderr)


# ---------------------------------------------------------------- 1. integer parameters
@pytest.mark.parametrize(("kind", "size"), [("lhs", 6), ("sobol", 2)])
def test_integer_parameters_are_sampled_as_integers(tmp_path, kind, size):
    path = sweep_file(
        tmp_path,
        f"""
        [parameters]
        "national.work_wait_months" = {{min = 0, max = 24}}
        "governance.resources" = {{min = 0.5, max = 1.5}}
        [design]
        kind = "{kind}"
        size = {size}
        """,
    )
    combos = levels(Sweep.from_toml(path))
    waits = [c["national.work_wait_months"] for c in combos]
    assert all(type(w) is int and 0 <= w <= 24 for w in waits)
    assert all(isinstance(c["governance.resources"], float) for c in combos)
    report = run_sweep(path, db=db(tmp_path), workers=2, progress=False)
    assert report.failed == 0 and report.executed == len({tuple(c.items()) for c in combos})


def test_a_sweep_with_failed_runs_exits_1_and_says_how_to_see_and_retry(
    tmp_path, monkeypatch, capsys
):
    import model

    def fails(*args, **kwargs):
        raise RuntimeError("boom: every run fails")

    monkeypatch.setattr(model, "simulate", fails)  # inherited by the forked workers
    path = sweep_file(tmp_path, '[parameters]\n"governance.resources" = [0.5, 1.0]\n')
    url = db(tmp_path)
    assert main(["sweep", str(path), "--db", url, "--workers", "2", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "2 runs failed now" in err and "boom: every run fails" in err
    assert "status --failed" in err and "--retry-failed" in err
    # a rerun does not pretend all is well: the stored failures are named
    assert main(["sweep", str(path), "--db", url, "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "0 run now" in captured.out
    assert "2 runs failed earlier and were not rerun" in captured.err
    assert main(["status", "--failed", "--db", url]) == 0
    assert captured.err.count("boom") == 1
    assert capsys.readouterr().out.count("RuntimeError: boom: every run fails") == 2
    assert main(["compare", "tiny", "--db", url]) == 2
    assert "2 failed" in capsys.readouterr().err


# ---------------------------------------------------------------- 3. no tracebacks
@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "northern_midsize_asylum", "--seed", "-1"], ["--seed", "got -1"]),
        (["run", "northern_midsize_asylum", "--months", "0"], ["--months", "got 0"]),
        (["run", "northern_midsize_asylum", "--months", "x"], ["--months", "not a whole"]),
        (["sweep", "experiments/sweeps/inflow_shape.toml", "--workers", "-3"], ["--workers"]),
        (
            ["sweep", "experiments/sweeps/inflow_shape.toml", "--workers", "0"],
            ["--workers", "leave it out to use the sweep file's setting"],
        ),
        (["run", "northern_midsize_asylum", "--out", "/proc/no-such/x"], ["--out /proc/"]),
        (["status", "--frobnicate"], ["unrecognized arguments"]),
    ],
)
def test_bad_arguments_get_one_line_and_exit_2(capsys, args, needles):
    code = main(args)
    assert code == 2
    one_line_error(capsys.readouterr().err, *needles)


def test_out_that_is_a_file_or_unwritable_is_refused_before_running(tmp_path, capsys, monkeypatch):
    import model

    monkeypatch.setattr(model, "simulate", lambda *a, **k: pytest.fail("ran before checking"))
    afile = tmp_path / "a-file"
    afile.write_text("x")
    assert main(["run", "northern_midsize_asylum", "--out", str(afile)]) == 2
    one_line_error(capsys.readouterr().err, f"--out {afile}", "not a folder")
    assert main(["run", "northern_midsize_asylum", "--out", "/proc/self/arrival"]) == 2
    one_line_error(capsys.readouterr().err, "--out /proc/self/arrival", "cannot write there")


def test_an_unreachable_dask_scheduler_is_one_line(tmp_path, capsys):
    path = sweep_file(tmp_path, "")
    code = main(
        [
            *("sweep", str(path), "--db", db(tmp_path), "--engine", "dask"),
            *("--address", "tcp://127.0.0.1:1", "--quiet"),
        ]
    )
    assert code == 2
    one_line_error(capsys.readouterr().err, "--address tcp://127.0.0.1:1", "cannot reach")


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.run(
        f"{sys.executable} -m experiments.cli scenarios | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.stdout.startswith("Cities") and proc.stderr == ""


AS_FROM_A_SHELL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT]); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def test_ctrl_c_during_a_sweep_keeps_what_was_stored_and_exits_130(tmp_path):
    path = sweep_file(
        tmp_path,
        '[parameters]\n"governance.resources" = '
        "[0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]\n",
    )  # many runs: Ctrl-C must land well before the sweep's end, even on a loaded machine
    text = path.read_text().replace("months = 6", "months = 24")
    path.write_text(text.replace("replicates = 1", "replicates = 3"))  # 42 runs
    database = tmp_path / "results.db"
    command = [
        *(sys.executable, "-m", "experiments.cli", "sweep", str(path)),
        *("--db", db(tmp_path), "--workers", "1", "--quiet"),
    ]
    proc = subprocess.Popen(
        # as a shell starts a foreground job: Ctrl-C neither ignored nor blocked. A child inherits
        # both, and a test suite started in the background (`make test &`, nohup, some CI
        # runners) has SIGINT ignored: the sweep then never saw Ctrl-C and exited 0
        [sys.executable, "-c", AS_FROM_A_SHELL, *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(database) as conn:
                done = conn.execute("select count(*) from runs where status='done'").fetchone()[0]
        except sqlite3.OperationalError:
            done = 0
        if done >= 1:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    stored = int(lines[0].split()[1])
    assert lines[0] == f"interrupted: {stored} runs stored; rerun to resume"
    with sqlite3.connect(database) as conn:
        done = conn.execute("select count(*) from runs where status='done'").fetchone()[0]
    assert done == stored >= 1
    report = run_sweep(path, db=db(tmp_path), progress=False)
    assert report.already_done == stored and report.executed == 42 - stored


# ---------------------------------------------------------------- 4. nonsense accepted
def test_unknown_output_names_fail_validation(tmp_path, capsys):
    path = sweep_file(tmp_path, "")
    path.write_text(path.read_text().replace('["migrants_present"]', '["migrants_presnt"]'))
    assert main(["validate", str(path)]) == 2
    one_line_error(
        capsys.readouterr().err,
        f"{path}: outputs.timeseries",
        "unknown name 'migrants_presnt'",
        "did you mean 'migrants_present'",
    )


def test_months_is_the_first_months_of_the_longer_run(tmp_path):
    from conftest import small_scenario

    from model import simulate

    scenario = small_scenario(**{"inflow.duration_months": 30, "run.months": 40})
    short = simulate(scenario, months=10, seed=1).timeseries
    long = simulate(scenario, months=40, seed=1).timeseries
    assert short.arrivals.tolist() == long.arrivals.iloc[:10].tolist()


# ---------------------------------------------------------------- 5. reading is read-only
def test_reading_commands_create_nothing(tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "folder" / "x.db"
    for args in (
        ["status"],
        ["compare", "any"],
        ["export", "any", "--out", str(tmp_path / "out")],
        ["sensitivity", "any"],
    ):
        assert main([*args, "--db", f"sqlite:///{missing}"]) == 2
        one_line_error(capsys.readouterr().err, f"no database at {missing}")
    assert not (tmp_path / "no").exists() and not (tmp_path / "out").exists()


def test_the_default_database_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("ARRIVAL_CITY_DB", raising=False)
    proc = cli("status", cwd=tmp_path)
    assert not (tmp_path / "results").exists()
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr
    target = tmp_path / "mine.db"
    monkeypatch.setenv("ARRIVAL_CITY_DB", f"sqlite:///{target}")
    proc = cli("status", cwd=tmp_path)
    assert proc.returncode == 2 and f"no database at {target}" in proc.stderr


def test_a_database_is_read_without_being_written(tmp_path, capsys):
    path = sweep_file(tmp_path, "")
    url = db(tmp_path)
    run_sweep(path, db=url, progress=False)
    database = tmp_path / "results.db"
    with sqlite3.connect(database) as conn:  # fold the WAL in, as after a clean close
        conn.execute("PRAGMA journal_mode=DELETE")
    before = database.read_bytes()
    os.chmod(database, 0o444)
    assert main(["status", "--db", url]) == 0
    assert "tiny" in capsys.readouterr().out
    assert len(load_results(url, "tiny")) == 1
    assert database.read_bytes() == before
    engine = open_store(url, readonly=True)
    with (
        pytest.raises(Exception, match=r"readonly|read-only|attempt to write"),
        engine.begin() as c,
    ):
        c.exec_driver_sql("create table x (a int)")


# ---------------------------------------------------------------- 8. the pool's own context
def test_a_sweep_after_mesa_batch_run_set_spawn_still_runs(tmp_path):
    path = sweep_file(tmp_path, '[parameters]\n"governance.resources" = [0.5, 1.0]\n')
    script = tmp_path / "script.py"  # no __main__ guard, as a user's script often is
    script.write_text(
        textwrap.dedent(f"""
        import multiprocessing
        multiprocessing.set_start_method("spawn", force=True)
        from experiments import run_sweep
        report = run_sweep({str(path)!r}, db={db(tmp_path)!r}, workers=2, progress=False)
        print(report.executed, report.failed)
        """)
    )
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["2", "0"]


def test_a_pool_that_cannot_start_is_a_pool_error(tmp_path, monkeypatch):
    from experiments import runner

    def broken(workers):
        raise RunnerError("the process pool could not start its workers (test)")

    monkeypatch.setattr(runner, "local_pool", broken)
    path = sweep_file(tmp_path, "")
    with pytest.raises(RunnerError):
        run_sweep(path, db=db(tmp_path), progress=False)
    assert (load_results(db(tmp_path), what="runs").status == "pending").all()


# ---------------------------------------------------------------- 9. labels
def test_run_summary_labels_and_what_was_layered(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    code = main(
        [
            *("run", "southern_secondary_city", "--overlay", "inflow_sudden", "--months", "4"),
            *("--set", "inflow.total=3000", "--quiet", "--out", str(out), "--seed", "2"),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Southern secondary city")  # 13: the city stays the city
    assert "(inflow_sudden; inflow.total=3000)" in printed.splitlines()[0]
    assert "of those in work, formal" in printed
    assert " a month" in printed and "budget gap (mandates - money)" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overlays"] == ["inflow_sudden"]
    assert summary["overrides"] == {"inflow.total": 3000}
    employed, formal = (
        summary["migrant_employment_rate_end"],
        summary["migrant_formal_employment_rate_end"],
    )
    line = next(x for x in printed.splitlines() if "of those in work" in x)
    assert line.split()[-2] == f"{100 * formal / employed:.1f}"


def test_parameters_show_defaults_choices_and_units(capsys):
    assert main(["parameters"]) == 0
    out = capsys.readouterr().out
    pattern = next(x for x in out.splitlines() if x.startswith("inflow.pattern "))
    assert '"gradual"' in pattern and "gradual | sudden | waves | series" in pattern
    stop = next(x for x in out.splitlines() if x.startswith("policies.one_stop_shop "))
    assert "false" in stop and "true | false" in stop
    cap = next(x for x in out.splitlines() if x.startswith("city.service_capacity.health "))
    assert "cases/month per 1,000 residents" in cap


def test_scenarios_separates_cities_from_overlays_and_keeps_whole_descriptions(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    cities, overlays = out.split("Overlays")
    assert "northern_midsize_asylum" in cities and "inflows/inflow_sudden" not in cities
    assert "inflows/inflow_sudden" in overlays and "policies/one_stop_shop" in overlays
    assert "welfare and housing benefits, little informal housing or work." in " ".join(
        cities.split()
    )


# ---------------------------------------------------------------- 10. messages
@pytest.mark.parametrize(
    ("body", "needles"),
    [
        (
            '[parameters]\n"governance.resources" = {min = 1.0, max = 0.5}\n'
            '[design]\nkind = "lhs"\n',
            ["parameters.governance.resources", "max (0.5) must be greater than min (1)"],
        ),
        (
            '[parameters]\n"governance.resources" = {min = 0.5, max = 1.5}\n'
            '[design]\nkind = "sobol"\nsize = 10\n',
            ["design.size", "power of 2 (8 or 16)"],
        ),
    ],
)
def test_sweep_messages_are_clear(tmp_path, capsys, body, needles):
    path = sweep_file(tmp_path, body)
    assert main(["validate", str(path)]) == 2
    one_line_error(capsys.readouterr().err, str(path), *needles)


def test_missing_name_empty_file_and_scenario_file_as_sweep(tmp_path, capsys):
    noname = tmp_path / "noname.toml"
    noname.write_text('[experiment]\nscenarios = ["x.toml"]\n')
    assert main(["sweep", str(noname)]) == 2
    one_line_error(capsys.readouterr().err, "experiment.name: missing: this key is required")
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert main(["sweep", str(empty)]) == 2
    err = capsys.readouterr().err
    one_line_error(err, f"{empty}: experiment: missing")
    assert "PosixPath" not in err
    assert main(["sweep", str(NORTHERN)]) == 2
    err = capsys.readouterr().err
    one_line_error(err, "a scenario file, not a sweep file")
    assert "'path'" not in err


# ---------------------------------------------------------------- 11. progress in a log
def test_progress_lines_without_a_terminal(tmp_path, capsys):
    path = sweep_file(tmp_path, '[parameters]\n"governance.resources" = [0.5, 0.8, 1.0]\n')
    run_sweep(path, db=db(tmp_path), workers=1, progress=True, progress_interval=0.0)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("tiny: 3/3 runs (0 failed)")
    assert len(lines) == 3


# ---------------------------------------------------------------- 13. overlays layer
@pytest.mark.parametrize("overlay", ["inflow_sudden", "inflow_gradual", "inflow_waves"])
@pytest.mark.parametrize(
    "city", ["northern_midsize_asylum", "southern_secondary_city", "megacity_mixed_flows"]
)
def test_inflow_overlays_layer_on_every_city(city, overlay):
    from model import Scenario
    from model.presets import preset_path

    base = Scenario.from_toml(preset_path(city))
    layered = Scenario.from_files([preset_path(city), preset_path(overlay)])
    assert layered.city == base.city and layered.inflow.total == base.inflow.total
    assert layered.inflow.pattern == overlay.removeprefix("inflow_")


def test_store_error_for_a_missing_postgres_database_is_one_line():
    with pytest.raises(StoreError, match="cannot reach"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:9/none", readonly=True)


# ---------------------------------------------------------------- 6. claims
def test_a_run_claimed_by_a_live_sweep_is_left_to_it_and_an_expired_claim_is_taken(tmp_path):
    from experiments import store

    path = sweep_file(tmp_path, '[parameters]\n"governance.resources" = [0.5, 1.0]\n')
    url = db(tmp_path)
    keys = [s.run_key for s in plan_of(path)]
    engine = open_store(url)
    store.link_runs(engine, store.register_experiment(engine, "tiny", {}), plan_of(path))
    assert store.claim_run(engine, keys[0], "someone-else", lease=600)
    assert store.claim_run(engine, keys[1], "a-dead-sweep", lease=-1)  # already expired
    assert not store.claim_run(engine, keys[0], "me", lease=600)
    report = run_sweep(path, db=url, progress=False)
    assert report.executed == 1 and report.claimed_elsewhere == 1
    assert set(load_results(url, what="runs").set_index("run_key").status.items()) == {
        (keys[0], "pending"),
        (keys[1], "done"),
    }
    store.release_claims(engine, "someone-else")
    assert run_sweep(path, db=url, progress=False).executed == 1


def plan_of(path: Path):
    from experiments.sweep import plan

    return plan(Sweep.from_toml(path))


def test_two_sweeps_on_one_database_share_the_work(tmp_path):
    levels_ = "[0.3, 0.45, 0.6, 0.75, 0.9, 1.05, 1.2, 1.35]"
    path = sweep_file(tmp_path, f'[parameters]\n"governance.resources" = {levels_}\n')
    path.write_text(path.read_text().replace("months = 6", "months = 18"))
    url = db(tmp_path)
    open_store(url)  # both start on an existing database
    args = [sys.executable, "-m", "experiments.cli", "sweep", str(path), "--db", url]
    procs = [
        subprocess.Popen(
            [*args, "--workers", "1", "--quiet"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    ran = [int(out.split(" run now")[0].rsplit(" ", 1)[1]) for out, _ in outs]
    assert sum(ran) == 8, outs  # each run once, not twice
    runs = load_results(url, what="runs")
    assert (runs.status == "done").sum() == 8
    alone = db(tmp_path, "alone")
    run_sweep(path, db=alone, progress=False)
    key = ["run_key", "month"]
    shared = load_results(url, "tiny", "timeseries").sort_values(key).reset_index(drop=True)
    single = load_results(alone, "tiny", "timeseries").sort_values(key).reset_index(drop=True)
    import pandas as pd

    pd.testing.assert_frame_equal(shared, single)


# ---------------------------------------------------------------- 7. workers die with the parent
def test_killing_only_the_coordinator_ends_its_workers(tmp_path):
    psutil = pytest.importorskip("psutil")
    levels_ = "[0.3, 0.45, 0.6, 0.75, 0.9, 1.05]"
    path = sweep_file(tmp_path, f'[parameters]\n"governance.resources" = {levels_}\n')
    path.write_text(path.read_text().replace("months = 6", "months = 120"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "experiments.cli",
            "sweep",
            str(path),
            "--db",
            db(tmp_path),
            "--workers",
            "2",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    coordinator = psutil.Process(proc.pid)
    deadline = time.time() + 60
    workers = []
    while time.time() < deadline and len(workers) < 2:
        workers = [p for p in coordinator.children(recursive=True) if p.is_running()]
        time.sleep(0.1)
    assert len(workers) >= 2, "the pool did not start"
    time.sleep(1.0)  # the workers are busy with runs
    proc.kill()  # SIGKILL to the coordinator alone, not its process group
    proc.wait()
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    for p in alive:  # do not leave them behind if the test fails
        p.kill()
    assert not alive, f"{len(alive)} workers outlived their coordinator"


def test_a_bound_on_one_side_only_is_one_clear_line(tmp_path, capsys):
    # found by the fuzz test: seeds.base has a lower bound and no upper bound
    path = sweep_file(tmp_path, "")
    path.write_text(path.read_text().replace("base = 3", "base = -1"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "seeds.base" in err[0] and "at least 0" in err[0], err
