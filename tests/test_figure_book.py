"""The figure book's command and machinery (fast: no figure is regenerated here; see
test_figures_quick_a/b for that)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS
from scipy import stats

from experiments.cli import main
from experiments.figures import RECIPES, book, recipe
from experiments.figures.book import (
    SWEEPS,
    Quick,
    arm_label,
    mean_ci,
    paired,
    quick_sweep,
    write_csv,
)
from experiments.sweep import Sweep, plan
from model import Scenario, ScenarioError


def test_list_names_eight_figures_with_their_questions(capsys):
    assert main(["figure", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(RECIPES)
    assert len(lines) >= 8
    assert all(line.rstrip().endswith("?") for line in lines)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["figure"], "give one figure name or --all"),
        (["figure", "inflow-shape", "--all"], "give one figure name or --all"),
        (["figure", "no-such-figure"], "no figure named 'no-such-figure'"),
    ],
)
def test_bad_figure_arguments_get_one_line_and_exit_2(argv, says, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert says in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("name", list(RECIPES))
def test_every_recipe_names_its_sweep_and_question(name):
    module = recipe(name)
    assert name == module.NAME
    assert module.QUESTION.endswith("?")
    if name != "evidence":
        sweep = Sweep.from_toml(SWEEPS / module.SWEEP)
        assert sweep.experiment.name == f"figure-{name}"
        quick = quick_sweep(sweep, module.QUICK)
        assert len(plan(quick)) < len(plan(sweep))


def test_quick_sweep_coarsens_cities_renames_and_shrinks():
    sweep = Sweep.from_toml(SWEEPS / "figure_decentralisation.toml")
    quick = quick_sweep(sweep, Quick(replicates=1, parameters={"governance.resources": [1.0]}))
    assert quick.experiment.name == "figure-decentralisation-quick"
    assert quick.seeds.replicates == 1
    layers = quick.scenario_layers()
    assert all(layer[-1].parent.name == "quick" for layer in layers)
    specs = plan(quick)
    assert {s.overrides["governance.resources"] for s in specs} == {1.0}
    assert arm_label(specs[0]) == "northern_midsize_asylum"
    assert Scenario.from_files(list(layers[0])).run.scale == 20.0


def test_mean_ci_is_the_t_interval_and_paired_differences_use_common_seeds():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    mean, low, high = mean_ci(x)
    expected = stats.t.interval(0.95, 3, loc=3.5, scale=stats.sem(x))
    assert (mean, low, high) == pytest.approx((3.5, *expected))
    assert np.isnan(mean_ci([2.0])[1])
    runs = pd.DataFrame(
        {"seed": [1, 2, 1, 2], "base": [True, True, False, False], "y": [1.0, 5.0, 3.0, 9.0]}
    )
    diff = paired(runs, runs.base, ["y"])
    assert diff.y.tolist() == [2.0, 4.0]


def test_csv_is_byte_stable(tmp_path):
    table = pd.DataFrame({"b": [0.1 + 0.2, 1 / 3], "a": ["x", "y"]})
    write_csv(table, tmp_path / "one.csv")
    write_csv(table.copy(), tmp_path / "two.csv")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert (tmp_path / "one.csv").read_text() == "b,a\n0.3,x\n0.333333,y\n"


def test_an_override_may_name_an_item_of_a_list():
    base = Scenario.from_files(
        [
            SCENARIOS / "southern_secondary_city.toml",
            SCENARIOS / "policies/partners_donor_exit.toml",
        ]
    )
    changed = base.with_overrides(
        {"partners.0.engagement_level": "empower", "partners.0.funding_end_month": 48}
    )
    assert changed.partners[0].engagement_level == "empower"
    assert changed.partners[0].funding_end_month == 48
    with pytest.raises(ScenarioError, match="unknown key"):
        base.with_overrides({"partners.3.capacity": 1.0})
    with pytest.raises(ScenarioError, match="Input should be"):
        base.with_overrides({"partners.0.engagement_level": "bribe"})


EVIDENCE = "\n".join(
    [
        "fact,role,source,statistic,published,low,high,model_mean,model_ci_low,model_ci_high,"
        "within_band",
        "employment_24m,calibration,IAB 2020,employment at 24 months,0.3,0.25,0.35,0.31,0.28,"
        "0.34,True",
        "overcrowding_gap,validation,Eurostat 2023,overcrowding gap,0.2,0.15,0.25,0.4,0.35,0.45,"
        "False",
    ]
)


def test_evidence_figure_draws_an_evidence_table(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "experiments.evidence.run", None)  # the table, not the runs
    monkeypatch.setitem(sys.modules, "experiments.evidence.figure", None)  # this module's drawing
    (tmp_path / "evidence.csv").write_text(EVIDENCE)
    monkeypatch.setenv("ARRIVAL_CITY_EVIDENCE", str(tmp_path / "evidence.csv"))
    out = tmp_path / "out"
    assert main(["figure", "evidence", "--out", str(out)]) == 0
    assert "1 of 1 calibration facts; 0 of 1 validation facts" in capsys.readouterr().out
    table = pd.read_csv(out / "evidence.csv")
    assert table.fact.tolist() == ["employment_24m", "overcrowding_gap"]
    assert (out / "evidence.png").stat().st_size > 10_000


def test_evidence_figure_without_a_table_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "experiments.evidence.run", None)
    monkeypatch.setenv("ARRIVAL_CITY_EVIDENCE", str(tmp_path / "none.csv"))
    assert main(["figure", "evidence", "--out", str(tmp_path)]) == 2
    assert "no evidence table at" in capsys.readouterr().err


def test_overview_still_draws_from_the_package():
    from experiments import figures
    from experiments.figures.overview import overview

    assert figures.overview is overview
    assert (ROOT / "experiments" / "figures" / "overview.py").is_file()


def test_gallery_has_every_figure_with_its_question_answer_and_command(tmp_path):
    from experiments.figures.gallery import gallery

    meta = {
        "answer": "sudden is worse.",
        "settings": "full",
        "made_at": "2026-11-26T12:00:00Z",
        "seconds": 12.0,
        "code": {"git": "abc123"},
    }
    (tmp_path / "inflow-shape.json").write_text(json.dumps(meta))
    text = gallery(tmp_path, "figures")
    for name in RECIPES:
        assert f"## {name}\n\n**{recipe(name).QUESTION}**" in text
        assert f"arrival-city figure {name}\n" in text
    assert "![inflow-shape](figures/inflow-shape.png)" in text
    assert "*The model says:* sudden is worse." in text
    assert text.count("(not made yet") == len(RECIPES) - 1


def test_evidence_figure_uses_the_registry_drawing_when_installed(tmp_path, monkeypatch):
    pytest.importorskip("experiments.evidence.figure")
    monkeypatch.setitem(sys.modules, "experiments.evidence.run", None)
    (tmp_path / "evidence.csv").write_text(EVIDENCE)
    monkeypatch.setenv("ARRIVAL_CITY_EVIDENCE", str(tmp_path / "evidence.csv"))
    assert main(["figure", "evidence", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "evidence.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "out" / "evidence.png").stat().st_size > 10_000


def test_provenance_is_dirty_for_code_edits_not_for_the_book_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "docs").mkdir()
    (tmp_path / "model.py").write_text("x = 1\n")
    (tmp_path / "docs" / "figure.csv").write_text("a\n")
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "0")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "1")
    monkeypatch.setattr(book, "ROOT", tmp_path)
    assert book.code_version()["dirty"] is False
    (tmp_path / "docs" / "figure.csv").write_text("b\n")  # the book writing its figures
    assert book.code_version()["dirty"] is False
    (tmp_path / "model.py").write_text("x = 2\n")  # an edit to the code
    version = book.code_version()
    assert version["dirty"] is True
    assert version["git"].endswith("-dirty")
