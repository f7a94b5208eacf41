"""Shared fixtures: the repository's presets, a small, fast scenario, and a run cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from model import RunResult, Scenario, simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
NORTHERN = SCENARIOS / "northern_midsize_asylum.toml"


def small_scenario(**overrides) -> Scenario:
    """A city of 2,000 households receiving 600 newcomers: a run takes a fraction of a second."""
    base = Scenario.from_toml(NORTHERN).with_overrides(
        {
            "city.host_households": 2000,
            "city.grid_size": 10,
            "inflow.total": 600,
            "inflow.duration_months": 12,
            "run.months": 36,
        }
    )
    return base.with_overrides(overrides) if overrides else base


@pytest.fixture
def small() -> Scenario:
    return small_scenario()


# One worker's runs, keyed by what determines a run: the scenario's content once the overrides and
# the horizon are applied (so a file and its Scenario, or an override that restates a value, share a
# run), and the seed. Same scenario + seed = identical results, so a repeat of a run is the run.
# Results are shared between tests: read them, never modify them.
_RUNS: dict[tuple[str, int], RunResult] = {}


def _key(
    scenario: Scenario | str | Path, seed: int, overrides: dict[str, Any] | None, months: int | None
) -> tuple[str, int]:
    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_toml(scenario)
    merged = dict(overrides or {})
    if months is not None:
        merged["run.months"] = months
    return scenario.with_overrides(merged).model_dump_json(), seed


def cached_simulate(
    scenario: Scenario | str | Path,
    seed: int = 0,
    overrides: dict[str, Any] | None = None,
    months: int | None = None,
) -> RunResult:
    """``simulate(scenario, months, seed, overrides)``, run once per worker process.

    Args:
        scenario: a Scenario or a scenario file path.
        seed: seed of the model's generator.
        overrides: dotted-key overrides.
        months: horizon (default: the scenario's).

    Returns:
        The shared RunResult of that run: do not modify it.
    """
    key = _key(scenario, seed, overrides, months)
    if key not in _RUNS:
        _RUNS[key] = simulate(scenario, months=months, seed=seed, overrides=overrides)
    return _RUNS[key]


@pytest.fixture(scope="session")
def run_cache():
    """The session's run cache, as a fixture: ``run_cache(scenario, seed=..., overrides=...)``."""
    return cached_simulate


# The files that take longest, longest first (measured with --durations on two workers; files not
# listed come after, in collection order). Under
# `--dist loadfile` each worker takes the next file in this order when it is free, so the long files
# start first and the short ones fill the gaps at the end. xdist's own order (files with the most
# tests first) left the long files for last, so it is switched off below.
LONGEST_FIRST = (
    "test_patterns.py",
    "test_governance_coherence.py",
    "test_governance_partners.py",
    "test_strict.py",
    "test_experiments.py",
    "test_parameters.py",
    "test_soundness.py",
    "test_dashboard_browser.py",
    "test_governance_money.py",
    "test_cli.py",
    "test_dashboard.py",
    "test_properties.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """Keep the order below under xdist (as ``--no-loadscope-reorder`` would)."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the collected tests by file, longest files first (stable within a file)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def figure_db(tmp_path_factory) -> str:
    """A results database for the figure book's tests, one per test session (and worker)."""
    return f"sqlite:///{tmp_path_factory.mktemp('figures') / 'figures.db'}"
