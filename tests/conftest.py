"""Shared fixtures: the repository's presets and a small, fast scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from model import Scenario

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
