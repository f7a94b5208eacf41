"""Sound mechanics (issue 8): a stationary city without arrivals, twins, scale-free outcomes."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import NORTHERN, small_scenario
from scipy import stats

from model import Scenario, simulate

PRESETS = ("northern_midsize_asylum", "southern_secondary_city", "megacity_mixed_flows")
SEEDS = (1, 2, 3)
# what "stationary" means over 120 months without arrivals (issue 8): relative for rent, points
# for the shares
TOLERANCE = {
    "mean_rent": ("relative", 0.03),
    "tension_index": ("absolute", 0.02),
    "host_unemployment_rate": ("absolute", 0.01),
    "overcrowding_rate_hosts": ("absolute", 0.01),
}


def drift(preset: str) -> dict[str, float]:
    """Mean over seeds of (last 3 months - first 3 months) of each watched outcome."""
    starts, ends = [], []
    for seed in SEEDS:
        ts = simulate(preset, seed=seed, overrides={"inflow.total": 0}).timeseries
        starts.append(ts.head(3)[list(TOLERANCE)].mean())
        ends.append(ts.tail(3)[list(TOLERANCE)].mean())
    start, end = pd.concat(starts, axis=1).mean(axis=1), pd.concat(ends, axis=1).mean(axis=1)
    return {
        name: float(end[name] / start[name] - 1 if kind == "relative" else end[name] - start[name])
        for name, (kind, _) in TOLERANCE.items()
    }


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_a_city_without_arrivals_is_stationary(preset):
    moved = drift(preset)
    too_far = {k: v for k, v in moved.items() if abs(v) > TOLERANCE[k][1]}
    assert not too_far, f"{preset} drifts with no arrivals: {too_far}"


def test_the_twin_is_the_same_city_without_arrivals():
    result = simulate(small_scenario(), seed=4, twin=True)
    twin = result.twin
    assert twin is not None and twin.seed == 4
    assert twin.timeseries["arrivals"].sum() == 0
    assert twin.scenario.city == result.scenario.city
    effect = result.vs_twin()
    assert list(effect.columns) == list(result.timeseries.columns)
    assert (effect["migrants_present"] == result.timeseries["migrants_present"]).all()
    # the same seed: before the first arrival the two cities are identical
    first = int(result.timeseries.loc[result.timeseries.arrivals > 0, "month"].min())
    before = effect[effect.month < first].drop(columns="month")
    assert (before.abs().to_numpy() < 1e-12).all()


def test_vs_twin_without_a_twin_says_how_to_get_one():
    with pytest.raises(ValueError, match="twin=True"):
        simulate(small_scenario(), months=2, seed=0).vs_twin()


def test_warm_up_months_are_not_reported_and_the_inflow_starts_after_them():
    base = small_scenario(**{"run.months": 6, "inflow.start_month": 1})
    warm = simulate(base, seed=1, overrides={"run.warmup_months": 5})
    cold = simulate(base, seed=1)
    assert list(warm.timeseries.month) == list(range(1, 7))
    assert warm.timeseries.arrivals.sum() == cold.timeseries.arrivals.sum() > 0
    assert warm.timeseries.arrivals.iloc[0] == cold.timeseries.arrivals.iloc[0]


HEADLINES = (
    "migrant_employment_rate",
    "overcrowding_rate_migrants",
    "informal_housing_share_migrants",
    "mean_rent",
    "mean_wait_months",
    "dissimilarity_index_beta",
    "tension_index",
    "budget_gap",
)
# Clustering is measured by the Beta index, which thinning a city to fewer agents leaves
# unchanged; D* is not fit to compare scales (thinning a scale-1 city to one agent in five
# lowers it by 0.07). Through the Beta index the level differs (about 0.38 at scale 1 against
# 0.44 at 5, with or without hosts' out-moves): newcomers settle by the realised places of
# compatriot agents (kin doubling, the co-origin pull), and lumps of five households copy five
# times the placement noise into later choices. A known defect, docs/ODD.md section 7.2.
SCALE_DEPENDENT = {"dissimilarity_index_beta"}


@cache
def headline(scale: float, seed: int) -> pd.Series:
    scenario = Scenario.from_toml(NORTHERN).with_overrides({"run.scale": scale, "run.months": 48})
    ts = simulate(scenario, seed=seed).timeseries
    out = ts.loc[ts.month > 24, list(HEADLINES)].mean()
    out["mean_rent"] = out["mean_rent"] / ts["mean_rent"].iloc[0] - 1  # rent change
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, reason="clustering depends on run.scale")
            if name in SCALE_DEPENDENT
            else (),
        )
        for name in HEADLINES
    ],
)
def test_scale_one_and_five_agree_within_seed_noise(name):
    # 16 seeds: at scale 5 seed-to-seed spread is up to three times scale 1's (employment sd
    # 0.016 against 0.006 over 96 seeds), which 6 seeds underestimate
    seeds = range(16)
    one = np.array([headline(1.0, s)[name] for s in seeds])
    five = np.array([headline(5.0, s)[name] for s in seeds])
    # Welch's interval on the difference of means, with a floor for outcomes with no noise
    diff = five.mean() - one.mean()
    se = np.sqrt(one.var(ddof=1) / len(one) + five.var(ddof=1) / len(five))
    half = stats.t.ppf(0.975, 2 * len(seeds) - 2) * se
    floor = 0.02 * max(abs(one.mean()), 1e-9) + 1e-3
    assert abs(diff) <= max(half, floor), (
        f"{name}: {one.mean():.4g} at scale 1, {five.mean():.4g} at 5"
    )


PROCESSES = Path(__file__).resolve().parent.parent / "model" / "processes"
TOLERATED = {0.0, 1.0, -1.0}


def bare_floats(path: Path) -> list[str]:
    """Float literals inside function bodies (named constants live at module level)."""
    found = []
    for func in ast.walk(ast.parse(path.read_text())):
        if not isinstance(func, ast.FunctionDef):
            continue
        for node in ast.walk(func):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, float)
                and node.value not in TOLERATED
            ):
                found.append(f"{path.name}:{node.lineno} {node.value}")
    return found


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.py")), ids=lambda p: p.stem)
def test_no_bare_coefficient_in_a_process(path):
    assert bare_floats(path) == []


def test_run_vs_twin_writes_the_effect_of_the_inflow(tmp_path):
    from experiments.cli import main

    out = tmp_path / "twin"
    small = tmp_path / "small.toml"
    small.write_text(small_scenario(**{"run.months": 8}).to_toml())
    assert main(["run", str(small), "--vs-twin", "--quiet", "--out", str(out)]) == 0
    run = pd.read_csv(out / "timeseries.csv")
    twin = pd.read_csv(out / "twin_timeseries.csv")
    effect = pd.read_csv(out / "effect_vs_twin.csv")
    assert twin.arrivals.sum() == 0 < run.arrivals.sum()
    assert np.allclose(effect.mean_rent, run.mean_rent - twin.mean_rent)
