"""Process 1: inflow schedules and profiles."""

from __future__ import annotations

import numpy as np
import pytest

from model.processes.inflow import draw_profile, monthly_agents, schedule_weights
from model.scenario import InflowParams, Profile


@pytest.mark.parametrize("pattern", ["gradual", "sudden", "waves"])
def test_every_pattern_delivers_the_same_total(pattern):
    inflow = InflowParams(pattern=pattern, total=3001, duration_months=24, sudden_months=3)
    counts = monthly_agents(inflow, 121, scale=1.0)
    assert counts.sum() == 3001
    assert counts.min() >= 0


def test_scale_divides_the_total():
    counts = monthly_agents(InflowParams(total=10_000), 121, scale=50.0)
    assert counts.sum() == 200


def test_sudden_is_a_pulse_and_gradual_a_ramp():
    sudden = schedule_weights(InflowParams(pattern="sudden", start_month=5, sudden_months=3), 60)
    assert np.flatnonzero(sudden).tolist() == [5, 6, 7]
    assert sudden[5:8] == pytest.approx([1 / 3] * 3)
    gradual = schedule_weights(
        InflowParams(pattern="gradual", start_month=1, duration_months=24), 60
    )
    assert np.flatnonzero(gradual).tolist() == list(range(1, 25))
    assert gradual[1] < gradual[6] < gradual[12] == pytest.approx(gradual[24])


def test_series_pattern_follows_the_weights():
    inflow = InflowParams(pattern="series", total=100, start_month=0, series=[1, 0, 3])
    assert monthly_agents(inflow, 10, 1.0)[:4].tolist() == [25, 0, 75, 0]


def test_profile_draws_match_shares():
    rng = np.random.default_rng(1)
    profile = Profile(female_share=0.3, dependents_mean=2.0)
    draw = draw_profile(profile, 20_000, rng)
    assert draw["female"].mean() == pytest.approx(0.3, abs=0.02)
    assert (draw["size"] - 1).mean() == pytest.approx(2.0, abs=0.05)
    assert draw["status"][draw["origin"] != 0].max(initial=0) == 0  # citizens are regular
    assert set(np.unique(draw["group"])) <= set(range(1, profile.origin_groups + 1))
