"""The Mesa model as Mesa users meet it: agents, views, DataCollector, batch_run, all presets."""

from __future__ import annotations

import mesa
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


def test_datacollector_has_every_outcome():
    result = simulate(small_scenario(), months=5, seed=0)
    assert list(result.timeseries.columns) == list(OUTCOME_NAMES)
    assert len(result.timeseries) == 5


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
