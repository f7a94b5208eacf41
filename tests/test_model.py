"""The Mesa model as Mesa users meet it: agents, views, DataCollector, batch_run, all presets."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, small_scenario

from model import OUTCOME_NAMES, ArrivalCity, simulate
from model.agents import Household, Migrant, MunicipalService
from model.governance import CityGovernment, NationalGovernment


def test_agents_are_registered_and_views_match_rows():
    model = ArrivalCity(small_scenario(), seed=2)
    for _ in range(6):
        model.step()
    kinds = {type(a) for a in model.agents}
    assert {Migrant, Household, MunicipalService, CityGovernment, NationalGovernment} <= kinds
    migrants = model.agents_by_type[Migrant]
    mig = model.population.migrants
    assert len(migrants) == int(mig.present.sum())
    agent = next(iter(migrants))
    assert agent.status in ("regular", "asylum_pending", "protected", "irregular")
    assert agent.language == pytest.approx(float(mig.language[agent.row]))
    assert agent.household.size == model.population.households.size[mig.household[agent.row]]
    assert len(model.agents_by_type[MunicipalService]) == 6


def test_departed_migrants_leave_the_model():
    model = ArrivalCity(small_scenario(**{"behaviour.departure_base": 0.3}), seed=1)
    for _ in range(12):
        model.step()
    mig = model.population.migrants
    assert (~mig.present).sum() > 0
    assert len(model.agents_by_type[Migrant]) == int(mig.present.sum())


# DESIGN.md §1 "Outcomes (required names)", written out here rather than taken from the model's
# registry, with the range each must lie in: shares and rates in [0, 1], attitudes in [-1, 1],
# counts, waits and rents >= 0, money of either sign.
SHARE, ATTITUDE, NON_NEGATIVE, ANY = (0.0, 1.0), (-1.0, 1.0), (0.0, np.inf), (-np.inf, np.inf)
REQUIRED_OUTCOMES = {
    "residents": NON_NEGATIVE,
    "migrants_present": NON_NEGATIVE,
    "arrivals": NON_NEGATIVE,
    "departures": NON_NEGATIVE,
    "migrant_employment_rate": SHARE,
    "migrant_formal_employment_rate": SHARE,
    "host_unemployment_rate": SHARE,
    "mean_wait_months": NON_NEGATIVE,
    "mean_wait_months_health": NON_NEGATIVE,
    "mean_wait_months_education": NON_NEGATIVE,
    "mean_wait_months_housing_assistance": NON_NEGATIVE,
    "mean_wait_months_employment_skills": NON_NEGATIVE,
    "mean_wait_months_reception": NON_NEGATIVE,
    "mean_wait_months_legal_aid": NON_NEGATIVE,
    "unmet_need_rate_migrants": SHARE,
    "unmet_need_rate_irregular": SHARE,
    "service_uptake_irregular": SHARE,
    "informal_housing_share_migrants": SHARE,
    "overcrowding_rate_migrants": SHARE,
    "overcrowding_rate_hosts": SHARE,
    "evictions": NON_NEGATIVE,
    "mean_rent": NON_NEGATIVE,
    "dissimilarity_index": (-1.0, 1.0),  # D*: below 0 when more even than random placement
    "host_attitude_mean": ATTITUDE,
    "tension_index": SHARE,
    "trust_mean": SHARE,
    "budget_gap": ANY,
    "integration_index": SHARE,
}


def test_datacollector_records_the_required_outcomes_within_their_ranges():
    # irregular newcomers, informal housing and hazards, so that every required outcome has people
    scenario = small_scenario(
        **{
            "inflow.profile.status.regular": 0.1,
            "inflow.profile.status.asylum_pending": 0.5,
            "inflow.profile.status.protected": 0.1,
            "inflow.profile.status.irregular": 0.3,
            "city.informal_share": 0.3,
            "city.hazard_exposed_share": 0.5,
            "city.hazard_probability": 0.1,
            "run.months": 18,
        }
    )
    model = ArrivalCity(scenario, seed=0)
    while model.running:
        model.step()
    collected = model.datacollector.get_model_vars_dataframe()
    assert len(collected) == 18
    missing = set(REQUIRED_OUTCOMES) - set(collected.columns)
    assert not missing, f"required outcomes not collected: {sorted(missing)}"
    # every outcome the model declares is collected, and nothing undeclared
    declared = set(OUTCOME_NAMES) - {"month"}
    assert declared == set(collected.columns) - {"month"}
    values = collected.drop(columns="month").to_numpy(dtype=float)
    assert np.isfinite(values).all()
    for name, (low, high) in REQUIRED_OUTCOMES.items():
        column = collected[name]
        assert low <= column.min() and column.max() <= high, (name, column.min(), column.max())
    assert collected.arrivals.sum() == 600  # the whole inflow arrives within its 12 months
    assert (collected.migrants_present > 0).all() and (collected.mean_rent > 0).all()

    result = simulate(scenario, seed=0)  # the same run, through the one door
    pd.testing.assert_frame_equal(
        result.timeseries[list(REQUIRED_OUTCOMES)],
        collected.reset_index(drop=True)[list(REQUIRED_OUTCOMES)],
    )
    cohorts = result.cohorts
    assert set(cohorts.status) == {"regular", "asylum_pending", "protected", "irregular", "all"}
    assert {"months_since_arrival", "employment_rate", "formal_employment_rate"} <= set(
        cohorts.columns
    )
    assert cohorts.months_since_arrival.between(0, 18).all()
    # a rate where someone was counted, NaN (not 0) where nobody was
    seen = cohorts[cohorts.person_months > 0]
    assert cohorts.employment_rate[cohorts.person_months == 0].isna().all()
    assert len(seen) > 0 and seen.employment_rate.between(0, 1).all()
    assert seen.formal_employment_rate.between(0, 1).all()
    assert (seen.formal_employment_rate <= seen.employment_rate + 1e-12).all()
    assert (seen.employment_rate[seen.status == "all"] > 0).any()


def test_mesa_batch_run_works_on_the_model_class():
    results = mesa.batch_run(
        ArrivalCity,
        parameters={"params": [small_scenario()], "inflow__total": [100, 400]},
        rng=[1],
        max_steps=4,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 2  # two levels, the last step of each
    last = {r["inflow__total"]: r for r in results}
    assert {r["Step"] for r in results} == {4}
    assert last[400]["migrants_present"] > last[100]["migrants_present"]


@pytest.mark.parametrize("name", ["southern_secondary_city", "megacity_mixed_flows"])
def test_other_presets_run(name):
    result = simulate(SCENARIOS / f"{name}.toml", months=18, seed=0)
    ts = result.timeseries
    assert ts.migrants_present.iloc[-1] > 0
    assert (ts.informal_housing_share_migrants > 0).any()


def test_batch_run_without_seeds_gives_different_replicates():
    results = mesa.batch_run(
        ArrivalCity,
        parameters={"params": [small_scenario()]},
        rng=[None, None],
        max_steps=6,
        number_processes=1,
        display_progress=False,
    )
    assert results[0]["migrants_present"] != results[1]["migrants_present"] or (
        results[0]["unmet_need_rate_migrants"] != results[1]["unmet_need_rate_migrants"]
    )
