"""Housing (issue 8): a stationary market without arrivals, outcomes that do not depend on
``run.scale``, one set of household accounts, and informal building that follows demand."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import NORTHERN

from model import ArrivalCity, Scenario, ScenarioError, simulate
from model.codes import Tenure
from model.metrics import random_dissimilarity, systematic_dissimilarity
from model.presets import resolve_scenario

PRESETS = ("northern_midsize_asylum", "southern_secondary_city", "megacity_mixed_flows")


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_without_arrivals_rents_and_host_overcrowding_stay_put(preset):
    for seed in range(2):
        ts = simulate(preset, seed=seed, overrides={"inflow.total": 0}).timeseries
        rent = ts.mean_rent / ts.mean_rent.iloc[0] - 1
        crowding = ts.overcrowding_rate_hosts - ts.overcrowding_rate_hosts.iloc[0]
        assert np.abs(rent).max() <= 0.03, rent.abs().max()
        assert np.abs(crowding).max() <= 0.01, crowding.abs().max()


def _small(scale: float, seed: int):
    return simulate(
        NORTHERN,
        seed=seed,
        overrides={
            "city.host_households": 8000,
            "city.grid_size": 12,
            "inflow.total": 1500,
            "inflow.duration_months": 12,
            "run.months": 48,
            "run.scale": scale,
        },
    ).timeseries


def _interval(values):
    v = np.asarray(values)
    half = 2.0 * v.std(ddof=1) / np.sqrt(len(v))
    return v.mean() - half, v.mean() + half


def test_housing_outcomes_agree_at_scale_1_and_5():
    seeds = range(4)
    runs = {s: [_small(s, seed) for seed in seeds] for s in (1.0, 5.0)}

    def crowding(ts):
        return ts[ts.month > 24].overcrowding_rate_migrants.mean()

    def rent_rise(ts):
        return ts.mean_rent.max() / ts.mean_rent.iloc[0] - 1

    for stat, slack in ((crowding, 0.03), (rent_rise, 0.01)):
        lo1, hi1 = _interval([stat(ts) for ts in runs[1.0]])
        lo5, hi5 = _interval([stat(ts) for ts in runs[5.0]])
        # the intervals overlap, or the means differ by less than the stated tolerance
        assert lo1 - slack <= hi5 and lo5 - slack <= hi1, (stat.__name__, lo1, hi1, lo5, hi5)


def test_schema_refuses_a_scale_leaving_too_few_agents():
    s = Scenario.from_toml(NORTHERN)
    s.with_overrides({"run.scale": 5})
    with pytest.raises(ScenarioError, match=r"run\.scale.*host agents per block"):
        s.with_overrides({"run.scale": 20})
    with pytest.raises(ScenarioError, match=r"run\.scale.*newcomer agents"):
        s.with_overrides({"inflow.total": 300, "run.scale": 5})
    s.with_overrides({"inflow.total": 30, "run.scale": 1})  # one agent per household: any size


def test_systematic_dissimilarity_is_zero_for_random_placement_at_any_size():
    rng = np.random.default_rng(0)
    hosts = rng.random(144) * 100
    for n in (30, 300, 3000):
        values = []
        for _ in range(200):
            placed = np.bincount(rng.choice(144, n, p=hosts / hosts.sum()), minlength=144)
            values.append(systematic_dissimilarity(placed.astype(float), hosts, n))
        # D* is centred on 0 (its normalisation is asymmetric, so the median is the check)
        assert abs(np.median(values)) < 0.03, (n, np.median(values))
    assert random_dissimilarity(30, hosts / hosts.sum()) > random_dissimilarity(
        3000, hosts / hosts.sum()
    )


def test_arrears_are_rare_when_benefits_cover_the_rent():
    ts = simulate(
        NORTHERN,
        seed=0,
        overrides={"city.host_households": 8000, "city.grid_size": 12, "inflow.total": 1500},
    ).timeseries
    arrivals = ts.arrivals.sum()
    # Germany: ~30,000 evictions a year for ~22 million renter households (0.13 %/year);
    # newcomers are poorer, but evictions stay a few per cent of arrivals over ten years
    assert ts.evictions.sum() / arrivals < 0.08
    assert ts.arrears_rate_migrants.max() < 0.25


def test_informal_building_follows_demand_not_a_clock():
    overrides = {
        "city.host_households": 8000,
        "city.grid_size": 12,
        "run.months": 24,
        "inflow.pattern": "sudden",
    }
    stocks = {}
    for total in (0, 1500):
        model = ArrivalCity(NORTHERN, seed=1, overrides={**overrides, "inflow.total": total})
        start = model.space.layer("informal_capacity").sum()
        while model.running:
            model.step()
        stocks[total] = model.space.layer("informal_capacity").sum() - start
    assert stocks[0] == 0  # nobody left without a dwelling: nothing is built
    assert stocks[1500] > 0


# ---------------------------------------------------------------- hosts moving home


def _host_city(months: int = 3) -> ArrivalCity:
    small = {
        "city.host_households": 3000,
        "city.grid_size": 10,
        "inflow.total": 600,
        "inflow.duration_months": 3,
        "run.months": 12,
        "housing.host_out_migration": 0.0,  # every host still in the city
    }
    city = ArrivalCity(Scenario.from_toml(NORTHERN), seed=5, overrides=small)
    for _ in range(months):
        city.step()
    return city


def test_hosts_move_at_their_rate_and_draw_nothing_when_they_do_not():
    from model.processes import housing

    city = _host_city()
    hh, hp = city.population.households, city.params.housing
    out = np.zeros(hh.n, dtype=bool)
    rng = np.random.default_rng(1)
    still = rng.bit_generator.state
    assert (
        len(housing.host_movers(hh, out, hp.model_copy(update={"host_move_rate": 0.0}), rng)) == 0
    )
    assert rng.bit_generator.state == still  # no draw at rate 0: other streams unchanged
    renters = hh.present & hh.host & (hh.tenure == Tenure.FORMAL_RENTER)
    movers = housing.host_movers(hh, out, hp.model_copy(update={"host_move_rate": 0.3}), rng)
    assert renters[movers].all()
    share = len(movers) / renters.sum()
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / renters.sum())


def test_a_host_who_finds_no_unit_keeps_its_home_and_a_mover_who_does_keeps_its_rooms():
    from model.processes import housing

    city = _host_city()
    hh, space, p = city.population.households, city.space, city.params
    movers = np.flatnonzero(hh.present & hh.host & (hh.tenure == Tenure.FORMAL_RENTER))[:200]
    before = (hh.block[movers].copy(), hh.rooms[movers].copy())
    status = np.full(len(movers), -1)
    args = (hh, movers, np.full(len(movers), 1e6), np.zeros(len(movers), dtype=bool), status)
    rest = (np.zeros(len(movers), dtype=bool), space, housing.network_pull(hh, space, 20))
    month = housing.HousingMonth()
    rng = np.random.default_rng(2)
    won, turned_away = housing.search_formal(
        *args, *rest, p.behaviour, p.housing, rng, month, moving=np.ones(len(movers), dtype=bool)
    )
    assert 0 < len(won) < len(movers)  # the vacancies are fewer than the movers
    assert (hh.tenure[movers] == Tenure.FORMAL_RENTER).all()  # no one lost a home
    lost = ~np.isin(movers, won)
    assert (hh.block[movers[lost]] == before[0][lost]).all()
    assert (hh.rooms[movers] == before[1]).all()
    assert turned_away.sum() == 0  # voluntary moves are not unmet demand


def test_host_moves_free_units_where_newcomers_cluster():
    # the vacancy chain: without host moves newcomers fill vacancies spread like the stock
    def dissimilarity(rate: float) -> float:
        values = []
        for seed in (0, 1):
            ts = simulate(
                NORTHERN,
                seed=seed,
                months=36,
                overrides={
                    "housing.host_move_rate": rate,
                    "city.host_households": 8000,
                    # out-moves free units at random, which spreads newcomers: keep them apart
                    "housing.host_out_migration": 0.0,
                },
            ).timeseries
            values.append(ts[ts.month > 24].dissimilarity_index.mean())
        return float(np.mean(values))

    # measured (seed 0): 0.171 with moves against 0.077 without
    assert dissimilarity(0.008) > dissimilarity(0.0) + 0.05


# ---------------------------------------------------------------- the southern (Colombian) market

SOUTHERN_SMALL = {
    "city.host_households": 4000,
    "city.grid_size": 10,
    "inflow.total": 2000,
    "run.months": 30,
}


def _southern_market(**extra: float) -> dict[str, float]:
    """Informal stock, formal units completed and units in the pipeline after 30 months."""
    model = ArrivalCity("southern_secondary_city", seed=2, overrides={**SOUTHERN_SMALL, **extra})
    start = model.space.layer("formal_units").sum()
    while model.running:
        model.step()
    return {
        "informal": float(model.space.layer("informal_capacity").sum()),
        "completed": float(model.space.layer("formal_units").sum() - start),
        "pipeline": float(model.space.layer("units_under_construction").sum()),
    }


@pytest.fixture(scope="module")
def southern_markets() -> dict[str, dict[str, float]]:
    return {
        "preset": _southern_market(),
        "wide_edge": _southern_market(**{"city.informal_expansion_rate": 0.5}),
        "german_lag": _southern_market(**{"behaviour.construction_lag_months": 24.0}),
    }


def test_the_southern_preset_builds_at_the_colombian_lag():
    # 9.1 months of pre-sales (Camacol) + 24 months of building (Portafolio); Germany keeps 24
    lags = {p: resolve_scenario(p).behaviour.construction_lag_months for p in PRESETS}
    assert lags == {
        "northern_midsize_asylum": 24.0,
        "southern_secondary_city": 33.0,
        "megacity_mixed_flows": 24.0,
    }


def test_a_longer_lag_completes_fewer_units_and_keeps_more_in_the_pipeline(southern_markets):
    preset, german = southern_markets["preset"], southern_markets["german_lag"]
    assert 0 < preset["completed"] < 0.9 * german["completed"]
    assert preset["pipeline"] > german["pipeline"]


def test_southern_informal_building_is_limited_by_demand_not_by_the_expansion_cap(
    southern_markets,
):
    # docs/ODD.md, "Grounding": the cap city.informal_expansion_rate (0.03) does not bind,
    # so widening it to 0.5 builds exactly the same dwellings on the same seed
    assert southern_markets["preset"]["informal"] == southern_markets["wide_edge"]["informal"]
    assert southern_markets["preset"]["informal"] > 4000 * 0.4  # the edge grew with demand


# ---------------------------------------------------------------- hosts moving out of the city


def test_hosts_move_out_at_the_pace_the_newcomer_share_calls_for():
    from model.processes import housing

    city = _host_city(months=6)
    hh, hp, n_hosts = city.population.households, city.params.housing, city.n_hosts
    rng = np.random.default_rng(3)
    still = rng.bit_generator.state
    off = hp.model_copy(update={"host_out_migration": 0.0})
    assert len(housing.host_out_migration(hh, n_hosts, off, rng)) == 0
    assert rng.bit_generator.state == still  # off: no draw, other streams unchanged
    size = hh.size.astype(float)
    newcomers = size[n_hosts:][hh.present[n_hosts:]].sum()
    hosts = size[:n_hosts].sum()
    assert hh.present[:n_hosts].all() and newcomers > 0
    on = hp.model_copy(update={"host_out_migration": 0.9, "host_out_migration_months": 2.0})
    # the gap is 0.9 x the newcomers' share x the hosts; half of it leaves this month
    expected = 0.9 * newcomers / (newcomers + hosts) * hosts / 2.0
    formal = hh.present[:n_hosts] & (hh.tenure[:n_hosts] <= Tenure.FORMAL_RENTER)
    left = housing.host_out_migration(hh, n_hosts, on, rng)
    assert formal[left].all() and hh.host[left].all()
    assert not hh.present[left].any()
    assert (hh.tenure[left] == Tenure.UNHOUSED).all() and (hh.employment[left] == 0).all()
    persons = size[left].sum()
    spread = 4 * np.sqrt(expected * size[:n_hosts].mean())  # binomial draws of households
    assert abs(persons - expected) < spread, (persons, expected)
    # once as many hosts are gone as the share calls for, no one else leaves
    big = hp.model_copy(update={"host_out_migration": 0.9, "host_out_migration_months": 1.0})
    housing.host_out_migration(hh, n_hosts, big, rng)
    assert len(housing.host_out_migration(hh, n_hosts, big, rng)) < 0.01 * n_hosts


NATIVE_OUT = {
    "city.host_households": 6000,
    "city.grid_size": 10,
    "inflow.total": 600,
    "inflow.duration_months": 6,
    "housing.reception_housing_months": 24,  # newcomers stay off the rental market
}


def _out_migration_run(coefficient: float, total: int, seed: int) -> dict[str, float]:
    """Rent, vacancy and persons after 18 months of a small northern city."""
    overrides = {
        **NATIVE_OUT,
        "housing.host_out_migration": coefficient,
        "inflow.total": total,
        "run.months": 18,
    }
    city = ArrivalCity(Scenario.from_toml(NORTHERN), seed=seed, overrides=overrides)
    left = 0.0
    while city.running:
        city.step()
        left += city.latest["hosts_out_migrated"]
    hh, n, space = city.population.households, city.n_hosts, city.space
    size = hh.size.astype(float)
    units = space.layer("formal_units")
    return {
        "left": left,
        "hosts_gone": size[:n][~hh.present[:n]].sum(),
        "hosts": size[:n].sum(),
        "newcomers": size[n:][hh.present[n:]].sum(),
        "rent": float((space.layer("rent") * units).sum() / units.sum()),
        "vacancy": 1 - space.layer("formal_occupied").sum() / units.sum(),
    }


@pytest.fixture(scope="module")
def out_migration_runs():
    return {
        (c, total, s): _out_migration_run(c, total, s)
        for c in (0.0, 0.9)
        for total in (0, 600)
        for s in range(2)
    }


def test_host_out_moves_free_units_and_lower_rents(out_migration_runs):
    # newcomers held in reception take no unit: only the hosts who leave move the market
    for seed in range(2):
        on, off = out_migration_runs[0.9, 600, seed], out_migration_runs[0.0, 600, seed]
        assert off["left"] == off["hosts_gone"] == 0
        assert on["left"] > 0
        # at a 12-month pace, after 18 months (arrivals over the first 6) most of the
        # 0.9 x newcomers' share of the hosts have left, and not more
        share = on["newcomers"] / (on["newcomers"] + on["hosts"] - on["hosts_gone"])
        wanted = 0.9 * share * on["hosts"]
        assert 0.5 * wanted < on["hosts_gone"] < wanted
        # the units they free stay vacant, but for those withdrawn as rents fall below cost
        # (measured, seed 0: vacancy 1.8 % against 0.3 %, 4.5 % of host persons gone)
        assert on["vacancy"] > off["vacancy"] + 0.25 * on["hosts_gone"] / on["hosts"]
        assert on["rent"] < off["rent"]


def test_without_newcomers_no_host_moves_out(out_migration_runs):
    for seed in range(2):
        assert out_migration_runs[0.9, 0, seed] == out_migration_runs[0.0, 0, seed]
        assert out_migration_runs[0.9, 0, seed]["left"] == 0
