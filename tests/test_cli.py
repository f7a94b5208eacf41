"""The arrival-city command: outputs, summary, and clear errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
from conftest import NORTHERN

from experiments.cli import main
from model import OUTCOME_NAMES


def test_run_writes_the_four_outputs(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(
        [
            "run",
            str(NORTHERN),
            "--months",
            "14",
            "--seed",
            "3",
            "--out",
            str(out),
            "--set",
            "inflow.total=800",
            "--quiet",
        ]
    )
    assert code == 0
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.month) == list(range(1, 15))
    assert set(OUTCOME_NAMES) <= set(ts.columns)
    cohorts = pd.read_csv(out / "cohorts.csv")
    assert {"months_since_arrival", "status", "employment_rate"} <= set(cohorts.columns)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["months"] == 14
    assert (out / "overview.png").stat().st_size > 20_000
    printed = capsys.readouterr().out
    assert "newcomers in work, end" in printed and "Wrote" in printed


def test_bad_input_gives_one_line_and_exit_code_2(tmp_path, capsys):
    # once as a user runs it, in its own process: exit code 2 and no traceback
    bad = tmp_path / "bad.toml"
    bad.write_text("[city]\nhost_households = -3\n")
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "validate", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}: city.host_households" in proc.stderr and "allowed range 50 to" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    # the other bad inputs through the same entry point, in this process (an import is ~2 s)
    assert main(["run", "no_such_preset"]) == 2
    err = capsys.readouterr().err
    assert "no such scenario file or preset" in err and len(err.strip().splitlines()) == 1
    assert main(["run", str(NORTHERN), "--set", "inflow.totl=5"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'inflow.total'" in err and len(err.strip().splitlines()) == 1


def test_scenarios_lists_the_presets(capsys):
    assert main(["scenarios"]) == 0
    listed = capsys.readouterr().out
    for name in (
        "northern_midsize_asylum",
        "southern_secondary_city",
        "megacity_mixed_flows",
        "inflow_sudden",
    ):
        assert name in listed


def test_policy_overlays_run_on_top_of_a_preset(tmp_path, monkeypatch):
    """Every overlay in scenarios/policies/ runs through the CLI on top of the northern city.

    The overview is drawn for the first overlay only (drawing is most of a run's cost here and the
    figure does not depend on which overlay ran); the others go through a stand-in that records
    what it was given, so every run still reaches the figure step with the overlaid scenario.
    """
    import experiments.figures
    from model import Scenario
    from model.presets import scenarios_dir

    draw = experiments.figures.overview
    drawn = []

    def overview_once(result, path, **options):
        drawn.append(result.scenario)
        if len(drawn) == 1:
            draw(result, path, **options)

    monkeypatch.setattr(experiments.figures, "overview", overview_once)
    overlays = sorted((scenarios_dir() / "policies").glob("*.toml"))
    assert len(overlays) >= 15
    for overlay in overlays:
        out = tmp_path / overlay.stem
        code = main(
            [
                "run",
                "northern_midsize_asylum",
                "--overlay",
                str(overlay),
                "--months",
                "3",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        assert code == 0, overlay
        used = Scenario.from_toml(out / "scenario.toml")
        expected = Scenario.from_files([NORTHERN, overlay]).with_overrides({"run.months": 3})
        assert used == expected == drawn[-1], overlay  # the base city, with the overlay on top
        assert used != Scenario.from_toml(NORTHERN).with_overrides({"run.months": 3}), overlay
        assert len(pd.read_csv(out / "timeseries.csv")) == 3
    assert len(drawn) == len(overlays)
    assert (tmp_path / overlays[0].stem / "overview.png").stat().st_size > 20_000


def test_validate_knows_sweep_files(capsys):
    from model.presets import scenarios_dir

    sweeps = sorted((scenarios_dir().parent / "experiments" / "sweeps").glob("*.toml"))
    assert sweeps
    assert main(["validate", *map(str, sweeps)]) == 0
    out = capsys.readouterr().out
    assert "inflow_shape.toml: OK (a sweep of 20 runs)" in out


def test_help_and_bad_arguments_do_not_import_the_model_or_the_store():
    # the command answers --help at once: Mesa, pandas and SQLAlchemy load only for a real command
    code = (
        "import sys; from experiments.cli import main; main(['--help']); "
        "heavy = ('mesa', 'pandas', 'sqlalchemy', 'model.city'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"
