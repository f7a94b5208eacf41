"""The researcher's toolkit: tidy exports with the outcome dictionary, stable level ids, cohort
cells, compare (paired vs Welch), sensitivity over schema groups, and SALib/EMA without glue."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import NORTHERN, small_scenario

from experiments import load_results, run_sweep
from experiments.analysis import compare
from experiments.cli import main
from experiments.store import (
    StoreError,
    export,
    link_runs,
    open_store,
    register_experiment,
    save_run,
)
from model import simulate

CITY = f"""
extends = "{NORTHERN}"
[city]
host_households = 2000
grid_size = 10
[inflow]
total = 400
duration_months = 6
"""


def sweep_file(
    folder: Path, name: str, parameters: str, design: str = "", months: int = 8, replicates: int = 2
) -> Path:
    (folder / "city.toml").write_text(CITY)
    path = folder / f"{name}.toml"
    path.write_text(f"""
[experiment]
name = "{name}"
scenarios = ["city.toml"]
months = {months}
[seeds]
base = 3
replicates = {replicates}
[parameters]
{parameters}
{design}
""")
    return path


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """A stored grid over governance.resources (0.5, 1.0), two seeds each."""
    folder = tmp_path_factory.mktemp("grid")
    url = f"sqlite:///{folder / 'results.db'}"
    path = sweep_file(folder, "grid", '"governance.resources" = [0.5, 1.0]')
    run_sweep(path, db=url, workers=2, progress=False)
    return folder, url, path


# ---------------------------------------------------------------- tidy exports
def test_parquet_export_has_parameter_columns_ids_and_the_outcome_dictionary(grid, tmp_path):
    _, url, _ = grid
    files = export(url, "grid", tmp_path, "parquet")
    assert [f.name for f in files] == [
        "runs.parquet",
        "summaries.parquet",
        "timeseries.parquet",
        "cohorts.parquet",
        "outcomes.json",
        "parameters.json",
    ]
    summaries = pd.read_parquet(tmp_path / "summaries.parquet")
    assert list(summaries.columns[:10]) == [
        "experiment",
        "level_id",
        "level_label",
        "scenario",
        "replicate",
        "seed",
        "run_key",
        "status",
        "governance.resources",
        "params",
    ]
    assert sorted(summaries["governance.resources"]) == [0.5, 0.5, 1.0, 1.0]
    assert summaries.groupby("level_id")["governance.resources"].nunique().eq(1).all()
    for name in files[:4]:
        columns = pq.read_schema(name).names
        assert not [c for c in columns if c.endswith(("_x", "_y"))], name
        assert "level" not in columns  # the plan position renumbers: only the stable id
    field = pq.read_schema(tmp_path / "summaries.parquet").field("budget_gap_mean")
    assert field.metadata[b"unit"] == b"currency/month"
    assert field.metadata[b"kind"] == b"money"
    assert b"mandate" in field.metadata[b"definition"]
    parameter = pq.read_schema(tmp_path / "runs.parquet").field("governance.resources")
    assert parameter.metadata[b"unit"] == b"share"
    outcomes = {row["name"]: row for row in json.loads((tmp_path / "outcomes.json").read_text())}
    assert outcomes["unmet_need_rate_migrants_mean"]["unit"] == "share"
    assert outcomes["arrivals_total"]["unit"] == "persons"
    assert outcomes["employment_rate"]["kind"] == "cohort"
    assert set(outcomes) >= {c for c in summaries.columns if c.endswith(("_end", "_mean"))}
    params = json.loads((tmp_path / "parameters.json").read_text())
    assert [p["name"] for p in params] == ["governance.resources"]


def test_cohorts_are_cells_of_duration_status_sex_skill_origin(grid, tmp_path):
    _, url, _ = grid
    export(url, "grid", tmp_path, "csv")
    cohorts = pd.read_csv(tmp_path / "cohorts.csv")
    assert set(cohorts.sex) == {"female", "male"}
    assert set(cohorts.skill) == {"low", "mid", "high"}
    assert set(cohorts.origin) <= {"international", "internal", "displaced", "returnee"}
    assert set(cohorts.legal_status) <= {"regular", "asylum_pending", "protected", "irregular"}
    assert not cohorts.duplicated(
        ["run_key", "months_since_arrival", "legal_status", "sex", "skill", "origin"]
    ).any()
    rate = cohorts.employed_person_months / cohorts.person_months
    np.testing.assert_allclose(cohorts.employment_rate, rate)


def test_cohort_cells_add_up_to_the_status_table():
    result = simulate(small_scenario(), months=12, seed=4)
    cells = result.cohort_cells.groupby(["months_since_arrival", "legal_status"])[
        ["person_months", "employed_person_months"]
    ].sum()
    table = result.cohorts[result.cohorts.person_months > 0]
    table = table[table.status != "all"].set_index(["months_since_arrival", "status"])
    cells = cells.loc[table.index]
    np.testing.assert_allclose(cells.person_months, table.person_months)
    np.testing.assert_allclose(
        cells.employed_person_months / cells.person_months, table.employment_rate
    )


def test_long_export_has_variable_value_unit(grid, tmp_path):
    _, url, _ = grid
    assert main(["export", "grid", "--db", url, "--out", str(tmp_path), "--long"]) == 0
    wide = load_results(url, "grid")
    summaries = pd.read_csv(tmp_path / "summaries.csv")
    n_summaries = len([c for c in wide.columns if c.endswith(("_end", "_mean", "_total"))]) + 2
    assert len(summaries) == 4 * n_summaries  # 4 runs; months and the wait peak included
    assert {"variable", "value", "unit", "governance.resources", "level_id"} <= set(summaries)
    gap = summaries[summaries.variable == "budget_gap_mean"]
    assert set(gap.unit) == {"currency/month"}
    np.testing.assert_allclose(
        gap.sort_values("run_key").value, wide.sort_values("run_key").budget_gap_mean
    )
    timeseries = pd.read_csv(tmp_path / "timeseries.csv")
    assert {"month", "variable", "value", "unit"} <= set(timeseries)


def test_adding_a_level_keeps_the_other_levels_ids(grid, tmp_path):
    folder, url, path = grid
    copy = tmp_path / "results.db"
    shutil.copy(folder / "results.db", copy)
    url = f"sqlite:///{copy}"
    before = load_results(url, "grid", "runs").set_index("run_key")
    path = sweep_file(folder, "grid", '"governance.resources" = [0.5, 0.75, 1.0]')
    run_sweep(path, db=url, workers=2, progress=False)
    after = load_results(url, "grid", "runs").set_index("run_key")
    moved = after.loc[before.index]
    assert (moved.level_id == before.level_id).all()
    assert (moved.level != before.level).any()  # the plan position of 1.0 went from 1 to 2
    assert after.level_id.nunique() == 3
    sweep_file(folder, "grid", '"governance.resources" = [0.5, 1.0]')  # as the fixture had it


def test_a_store_without_cohort_cells_still_reads(grid, tmp_path):
    folder, _, _ = grid
    copy = tmp_path / "older.db"
    shutil.copy(folder / "results.db", copy)
    with sqlite3.connect(copy) as conn:  # as a store written before cells were kept
        key = conn.execute("select run_key from runs limit 1").fetchone()[0]
        conn.execute("drop table cohort_cells")
        conn.execute("delete from cohorts")
        conn.execute("insert into cohorts values (?, 3, 'asylum_pending', 50.0, 0.2, 0.1)", (key,))
    cohorts = load_results(f"sqlite:///{copy}", "grid", "cohorts")
    assert len(cohorts) == 1
    row = cohorts.iloc[0]
    assert (row.legal_status, row.sex, row.skill) == ("asylum_pending", "all", "all")
    assert row.employed_person_months == pytest.approx(10.0)
    assert row.employment_rate == pytest.approx(0.2)
    assert main(["export", "grid", "--db", f"sqlite:///{copy}", "--out", str(tmp_path)]) == 0


# ---------------------------------------------------------------- compare
class _Spec:
    def __init__(self, key, level, replicate, seed, params):
        self.run_key, self.level, self.replicate, self.seed = key, level, replicate, seed
        self.overrides, self.scenario_label, self.months = params, "made", 1


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    """A store made by hand: baseline A; B = A + 1 (±0.1) on A's seeds; C = B on other seeds."""
    url = f"sqlite:///{tmp_path_factory.mktemp('known') / 'known.db'}"
    engine = open_store(url)
    exp = register_experiment(engine, "known", {})
    a = np.array([10.0, 20.0, 30.0, 40.0])
    noise = np.array([0.9, 1.1, 1.0, 1.0])
    levels = [
        ("A", [1, 2, 3, 4], a),
        ("B", [1, 2, 3, 4], a + noise),
        ("C", [5, 6, 7, 8], a + noise),
    ]
    specs = []
    for level, (name, seeds, values) in enumerate(levels):
        for rep, (seed, value) in enumerate(zip(seeds, values, strict=True)):
            key = f"{name}{seed}"
            specs.append(_Spec(key, level, rep, seed, {"x": level}))
            specs[-1].summary = {"budget_gap_mean": value}
    link_runs(engine, exp, specs)
    for spec in specs:
        save_run(
            engine,
            {
                "run_key": spec.run_key,
                "status": "done",
                "started": 0.0,
                "finished": 1.0,
                "code_version": "test",
                "timeseries": [],
                "summary": spec.summary,
            },
        )
    engine.dispose()
    return url


def test_compare_pairs_common_seeds_and_uses_welch_otherwise(known):
    table = compare(known, "known", ["budget_gap_mean"]).set_index("level_label")
    paired = table.loc["made: x=1"]
    welch = table.loc["made: x=2"]
    assert paired.method == "paired" and paired.n == 4
    # differences 0.9, 1.1, 1.0, 1.0: mean 1, sd 0.0816, t(0.975, 3) = 3.182 -> ±0.1299
    assert paired["diff"] == pytest.approx(1.0)
    assert (paired.diff_low, paired.diff_high) == pytest.approx((0.870077, 1.129923), abs=1e-6)
    # without common seeds the spread between seeds (sd 12.9) swamps the difference:
    # Welch: se = sqrt(s_a^2/4 + s_c^2/4) = 9.1379 on 6.0 degrees of freedom, t = 2.4469
    assert welch.method == "welch" and welch.n == 8
    assert welch["diff"] == pytest.approx(1.0)
    assert (welch.diff_low, welch.diff_high) == pytest.approx((-21.3597, 23.3597), abs=1e-4)
    assert table.loc["made: x=0", "baseline"]


def test_compare_against_any_baseline_prints_units_and_method(known, capsys):
    table = compare(known, "known", ["budget_gap_mean"])
    b_id = table.level_id[table.level_label == "made: x=1"].iloc[0]
    assert main(["compare", "known", "--db", known, "--outcome", "budget_gap_mean",
                 "--baseline", b_id[:6]]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert f"baseline {b_id}" in out
    assert "budget_gap_mean [currency/month]" in out
    assert "paired by seed" in out and "Welch" in out
    a_line = next(line for line in out.splitlines() if "made: x=0" in line)
    assert "-1 [-1, -1] paired" in a_line  # A - B on common seeds: -1 (whole currency units)
    bad = ["compare", "known", "--db", known, "--outcome", "budget_gap_mean", "--baseline", "zz"]
    assert main(bad) == 2
    assert "--baseline zz: is not a level" in capsys.readouterr().err


# ---------------------------------------------------------------- sensitivity
def test_morris_over_a_schema_group_from_a_sweep_file(tmp_path, capsys):
    from experiments.parameters import space
    from experiments.sweep import Sweep

    path = sweep_file(
        tmp_path,
        "screen",
        'group = "governance"',
        '[design]\nkind = "morris"\nsize = 2\nlevels = 4\n[outputs]\ntimeseries = []\n',
        months=6,
        replicates=1,
    )
    dims, left_out = space("governance", categorical=False)
    sweep = Sweep.from_toml(path)
    assert list(sweep.parameters) == [d.key for d in dims]
    assert "governance.city_sectors" in left_out
    url = f"sqlite:///{tmp_path / 'results.db'}"
    run_sweep(path, db=url, workers=2, progress=False)
    code = main(["sensitivity", "screen", "--outcome", "budget_gap_mean", "--db", url])
    assert code == 0
    out = capsys.readouterr().out
    assert "outcome: budget_gap_mean [currency/month]" in out
    assert "mu_star      Morris mu*" in out and "sigma        Morris sigma" in out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("scenario"))
    assert header.split() == [
        "scenario", "parameter", "unit", "low", "high", "mu_star", "mu_star_conf", "sigma",
    ]  # fmt: skip
    assert sum(key in out for key in sweep.parameters) == len(sweep.parameters)


def test_sobol_averages_replicates_per_sample(tmp_path):
    from experiments import sensitivity

    path = sweep_file(
        tmp_path,
        "sob",
        '"governance.competences" = { min = 0.2, max = 1.0 }\n'
        '"housing.listings_viewed" = { min = 5, max = 30 }',
        '[design]\nkind = "sobol"\nsize = 2\n[outputs]\ntimeseries = []\n',
        months=6,
    )
    url = f"sqlite:///{tmp_path / 'results.db'}"
    run_sweep(path, db=url, workers=2, progress=False)
    table = sensitivity.sobol(str(path), "budget_gap_mean", db=url)
    assert list(table.columns) == [
        "scenario", "parameter", "unit", "low", "high", "S1", "S1_conf", "ST", "ST_conf",
    ]  # fmt: skip
    assert set(table.parameter) == {"governance.competences", "housing.listings_viewed"}
    data = load_results(url, "sob")
    assert len(data) == 2 * 2 * (2 + 2)  # replicates x N x (k + 2)
    runs = load_results(url, "sob", "runs")
    assert runs.params.map(
        lambda p: isinstance(json.loads(p)["housing.listings_viewed"], int)
    ).all()
    y = sensitivity._per_sample(sensitivity._sweep_of(str(path), url)[0], url, "budget_gap_mean")
    np.testing.assert_allclose(
        y["city"], data.groupby("level").budget_gap_mean.mean().sort_index().to_numpy()
    )
    with pytest.raises(StoreError, match="morris indices need a morris sweep"):
        sensitivity.morris("sob", "budget_gap_mean", db=url)


def test_salib_samples_run_directly_through_typed_overrides():
    from SALib.sample import morris as morris_sample

    from experiments.parameters import typed_overrides

    problem = {
        "num_vars": 2,
        "names": ["housing.listings_viewed", "governance.data_quality"],
        "bounds": [[5, 30], [0.1, 0.9]],
    }
    rows = morris_sample.sample(problem, 1, num_levels=4, seed=1)
    overrides = typed_overrides(problem["names"], rows[0])
    assert isinstance(overrides["housing.listings_viewed"], int)
    assert type(overrides["governance.data_quality"]) is float
    result = simulate(small_scenario(), months=3, seed=1, overrides=overrides)
    assert result.scenario.housing.listings_viewed == round(rows[0][0])


def test_unknown_group_is_one_clear_line(tmp_path, capsys):
    path = sweep_file(tmp_path, "bad", 'group = "behavior"', '[design]\nkind = "morris"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown group or key 'behavior'" in err and "behaviour" in err
    assert len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- outside tools
def test_run_result_outcomes_are_arrays_a_tool_takes():
    result = simulate(small_scenario(), months=5, seed=2)
    arrays = result.outcomes()
    assert arrays["migrants_present"].shape == (5,)
    assert arrays["month"].tolist() == [1, 2, 3, 4, 5]
    assert isinstance(arrays["budget_gap_mean"], np.float64)
    assert arrays["budget_gap_mean"] == pytest.approx(result.summary["budget_gap_mean"])
    assert set(arrays) == set(result.timeseries) | set(result.summary)


def test_ema_workbench_runs_the_model_with_schema_parameters():
    ema = pytest.importorskip("ema_workbench")
    from experiments.ema import model

    m = model(
        "northern_midsize_asylum",
        uncertainties=["governance.data_quality", "housing.listings_viewed"],
        levers=["policies.one_stop_shop"],
        timeseries=["migrants_present"],
        months=4,
        overrides={"city.host_households": 2000, "city.grid_size": 10, "inflow.total": 300},
    )
    kinds = {p.name: type(p).__name__ for p in [*m.uncertainties, *m.levers]}
    assert kinds == {
        "governance__data_quality": "RealParameter",
        "housing__listings_viewed": "IntegerParameter",
        "policies__one_stop_shop": "CategoricalParameter",
    }
    quality = next(p for p in m.uncertainties if p.name == "governance__data_quality")
    assert (quality.lower_bound, quality.upper_bound) == pytest.approx((0.2, 0.6))  # 0.4 ± 50 %
    experiments, outcomes = ema.perform_experiments(m, scenarios=2, policies=2)
    assert len(experiments) == 4
    assert outcomes["budget_gap_mean"].shape == (4,)
    assert outcomes["migrants_present"].shape == (4, 4)
    assert np.isfinite(outcomes["tension_index_mean"]).all()
