"""Paired comparisons of two arms of a scenario over common seeds, for the governance tests.

Each governance test compares two scenarios over the same seeds (common random numbers, so
differences are paired) and asserts that the mean difference and its 95 % confidence interval lie
on the expected side of zero. Runs go through the session's run cache: an arm that several tests
compare against runs once per worker.
"""

from __future__ import annotations

import numpy as np
from conftest import NORTHERN, SCENARIOS, cached_simulate
from scipy import stats

from model import Scenario

SEEDS = range(6)

SOUTH = Scenario.from_toml(SCENARIOS / "southern_secondary_city.toml").with_overrides(
    {
        "city.host_households": 8000,
        "city.grid_size": 12,
        "inflow.total": 4000,
        "inflow.duration_months": 24,
        "run.months": 48,
    }
)
NORTH = Scenario.from_toml(NORTHERN).with_overrides(
    {
        "city.host_households": 8000,
        "city.grid_size": 12,
        "inflow.total": 1500,
        "inflow.duration_months": 12,
        "run.months": 48,
    }
)


def outcome(
    base: Scenario, overrides: dict, column: str, from_month: int = 13, seeds=SEEDS
) -> np.ndarray:
    """Mean of a timeseries column from a month on, one value per seed (runs are cached)."""
    values = []
    for seed in seeds:
        ts = cached_simulate(base, seed=seed, overrides=overrides).timeseries
        values.append(ts.loc[ts.month >= from_month, column].mean())
    return np.array(values)


def paired_increase(low: np.ndarray, high: np.ndarray) -> tuple[float, float, float]:
    """Mean of high - low and its 95 % confidence interval (t distribution)."""
    diff = high - low
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return float(diff.mean()), float(diff.mean() - half), float(diff.mean() + half)


def assert_increases(low: np.ndarray, high: np.ndarray) -> None:
    """The paired increase from ``low`` to ``high`` has a 95 % CI above zero."""
    mean, lo, hi = paired_increase(low, high)
    assert lo > 0, f"expected an increase: mean {mean:.4g}, 95 % CI [{lo:.4g}, {hi:.4g}]"


def assert_lever_moves(
    base: Scenario, key: str, off, on, column: str, sign: int, seeds=SEEDS
) -> None:
    """Turning ``key`` from ``off`` to ``on`` moves ``column`` up (sign +1) or down (-1)."""
    without = outcome(base, {key: off}, column, seeds=seeds)
    with_ = outcome(base, {key: on}, column, seeds=seeds)
    if sign > 0:
        assert_increases(without, with_)
    else:
        assert_increases(with_, without)
