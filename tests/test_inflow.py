"""Process 1: inflow schedules and profiles."""

from __future__ import annotations

import numpy as np
import pytest

from model.codes import Origin
from model.processes.inflow import carers, draw_profile, monthly_agents, schedule_weights
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


@pytest.mark.parametrize("pattern", ["gradual", "sudden", "waves"])
def test_a_shorter_run_is_the_first_months_of_a_longer_one(pattern):
    # issue 9 item 2: --months 60 used to squeeze a 96-month inflow into 60 months
    inflow = InflowParams(pattern=pattern, total=600_000, duration_months=96, waves=4)
    long = monthly_agents(inflow, 121, scale=50.0)
    short = monthly_agents(inflow, 61, scale=50.0)
    assert short.tolist() == long[:61].tolist()
    assert long.sum() == 12_000
    if pattern != "sudden":  # a 96-month inflow is cut at 60 months, not squeezed into them
        assert schedule_weights(inflow, 61).sum() < 1.0


def test_megacity_at_60_months_keeps_its_monthly_peak():
    from model import Scenario
    from model.presets import preset_path

    scenario = Scenario.from_toml(preset_path("megacity_mixed_flows"))
    whole = monthly_agents(scenario.inflow, 121, scenario.run.scale)
    cut = monthly_agents(scenario.inflow, 61, scenario.run.scale)
    assert cut.max() == whole[:61].max()
    assert cut.max() * scenario.run.scale < 14_000  # not 21,000 a month


def test_start_month_after_the_horizon_is_refused():
    from model import Scenario, ScenarioError

    with pytest.raises(ScenarioError, match=r"inflow\.start_month: .*after the last month"):
        Scenario().with_overrides({"inflow.start_month": 130, "run.months": 120})


def test_work_experience_is_drawn_by_sex_from_the_profile():
    profile = Profile(
        female_share=0.4, work_experience_share_men=0.8, work_experience_share_women=0.5
    )
    draw = draw_profile(profile, 40_000, np.random.default_rng(2))
    female, inexperienced = draw["female"], draw["inexperienced"]
    assert inexperienced[~female].mean() == pytest.approx(0.2, abs=0.01)
    assert inexperienced[female].mean() == pytest.approx(0.5, abs=0.015)


def test_a_profile_without_the_input_keeps_its_random_stream():
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    without = draw_profile(Profile(), 500, a)
    with_input = draw_profile(Profile(work_experience_share_women=0.5), 500, b)
    assert not without["inexperienced"].any()
    for key in without.keys() - {"inexperienced"}:  # the draw comes last: the rest is unchanged
        assert np.array_equal(without[key], with_input[key]), key
    a.random(500)  # the input's only cost is one uniform per person, taken after the rest
    assert a.random() == b.random()


def test_young_children_are_drawn_among_parents_at_the_profile_share():
    draw = draw_profile(Profile(young_child_share=0.67), 40_000, np.random.default_rng(4))
    parent, young = draw["children"] > 0, draw["young_child"]
    assert not young[~parent].any()  # only parents have a youngest child
    assert young[parent].mean() == pytest.approx(0.67, abs=0.01)


def test_carers_are_mothers_of_a_young_child_without_a_childcare_place():
    rng = np.random.default_rng(5)
    n = 40_000
    female, young_child = rng.random(n) < 0.5, rng.random(n) < 0.6
    carer = carers(female, young_child, 0.48, np.random.default_rng(6))
    assert not carer[~female].any()  # fathers are never carers
    assert not carer[~young_child].any()  # nor mothers whose children are all of school age
    assert carer[female & young_child].mean() == pytest.approx(0.52, abs=0.01)


def test_no_childcare_places_make_every_mother_of_a_young_child_a_carer_drawing_nothing():
    rng = np.random.default_rng(7)
    female = np.array([True, True, False, True])
    young_child = np.array([True, False, True, True])
    assert carers(female, young_child, 0.0, rng).tolist() == [True, False, False, True]
    assert rng.random() == np.random.default_rng(7).random()  # its stream is untouched


def test_a_profile_without_the_young_child_share_keeps_its_random_stream():
    a, b = np.random.default_rng(8), np.random.default_rng(8)
    without = draw_profile(Profile(), 500, a)
    with_input = draw_profile(Profile(young_child_share=0.5), 500, b)
    assert np.array_equal(without["young_child"], without["children"] > 0)
    for key in without.keys() - {"young_child"}:  # the draw comes last: the rest is unchanged
        assert np.array_equal(without[key], with_input[key]), key


def test_labour_force_participation_is_drawn_by_sex_among_arrivals_from_abroad():
    profile = Profile(
        female_share=0.5,
        labour_force_share_men=0.66,
        labour_force_share_women=0.15,
        origin={"international": 0.5, "internal": 0.5, "displaced": 0.0, "returnee": 0.0},
    )
    draw = draw_profile(profile, 40_000, np.random.default_rng(9))
    female, force = draw["female"], draw["labour_force"]
    abroad = draw["origin"] == Origin.INTERNATIONAL
    assert force[~abroad].all()  # citizens moving within the country all take part
    # binomial standard error of 10,000 draws at 0.15 is 0.0036; at 0.66, 0.0047
    assert force[abroad & female].mean() == pytest.approx(0.15, abs=0.015)
    assert force[abroad & ~female].mean() == pytest.approx(0.66, abs=0.02)


def test_a_profile_without_labour_force_shares_keeps_its_random_stream():
    a, b = np.random.default_rng(10), np.random.default_rng(10)
    without = draw_profile(Profile(), 500, a)
    with_input = draw_profile(Profile(labour_force_share_women=0.5), 500, b)
    assert without["labour_force"].all()
    for key in without.keys() - {"labour_force"}:  # the draw comes last: the rest is unchanged
        assert np.array_equal(without[key], with_input[key]), key
    a.random(500)  # the input's only cost is one uniform per person, taken after the rest
    assert a.random() == b.random()
