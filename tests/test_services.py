"""Services with staff and places, consistent accounts and governance that acts (issue 8).

Direction tests compare two scenarios over the same seeds (common random numbers) and assert
that the paired mean difference and its 95 % confidence interval lie on the expected side of 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from arms import NORTH, SOUTH, assert_increases, outcome

from model import simulate
from model.codes import SECTORS, Origin, Status
from model.processes import access
from model.processes.planning import DEVOLUTION_ORDER, city_run_sectors
from model.scenario import GovernanceParams, NationalParams

PULSE = {"inflow.pattern": "sudden", "inflow.sudden_months": 3, "run.months": 72}
# money follows: the city does not pay for housing newcomers itself (with it, the small northern
# city's money binds, see test_where_the_city_pays_for_housing_money_binds_and_shows)
MONEY_FOLLOWS = {"housing.municipal_accommodation_cost": 0.0}


def test_a_pulse_builds_a_queue_that_clears_as_capacity_catches_up():
    peaks, late, twins, grown = [], [], [], []
    for seed in range(6):
        ts = simulate(NORTH, seed=seed, overrides={**PULSE, **MONEY_FOLLOWS}).timeseries
        twin = simulate(
            NORTH, seed=seed, overrides={**PULSE, **MONEY_FOLLOWS, "inflow.total": 0}
        ).timeseries
        wait = ts.mean_wait_months_newcomers.to_numpy()
        peaks.append(wait[:36].max())
        late.append(wait[-12:].mean())
        twins.append(twin.mean_wait_months.max())
        grown.append(ts.service_capacity.iloc[23] / ts.service_capacity.iloc[0])
    assert_increases(np.array(twins), np.array(peaks))
    assert np.mean(peaks) > 1.0, f"newcomers' peak wait {np.mean(peaks):.2f} months"
    assert np.mean(late) < 0.5 * np.mean(peaks)  # the queue clears
    assert min(grown) > 1.0  # capacity followed demand


def test_with_no_arrivals_resources_below_one_cut_no_service():
    zero = {"inflow.total": 0, "governance.competences": 1.0}
    for column in ("service_capacity", "mean_wait_months"):
        funded = outcome(NORTH, {**zero, "governance.resources": 1.0}, column, from_month=1)
        short = outcome(NORTH, {**zero, "governance.resources": 0.5}, column, from_month=1)
        assert np.allclose(funded, short, rtol=0.01, atol=0.01), column
    mandate = outcome(NORTH, zero, "city_mandate", from_month=1)
    gap = outcome(NORTH, {**zero, "governance.resources": 0.5}, "budget_gap", from_month=1)
    # no unfunded baseline: what is left is own revenue following host employment
    assert (np.abs(gap) < 0.02 * mandate).all()


def test_new_mandates_without_money_show_as_unfunded_capacity():
    base = {"governance.competences": 1.0, "national.transfer_lag_months": 6}
    funded = outcome(NORTH, {**base, "governance.resources": 1.0}, "capacity_unfunded")
    unfunded = outcome(NORTH, {**base, "governance.resources": 0.0}, "capacity_unfunded")
    assert_increases(funded, unfunded)


def test_where_the_city_pays_for_housing_money_binds_and_shows():
    # communal accommodation is paid before the services: after a pulse the city cannot keep its
    # services, and the outputs say so (capacity it cannot fund, a budget gap)
    pays = {**PULSE, "housing.municipal_accommodation_cost": 856.0}
    free = {**PULSE, **MONEY_FOLLOWS}
    assert_increases(
        outcome(NORTH, free, "capacity_unfunded", from_month=24),
        outcome(NORTH, pays, "capacity_unfunded", from_month=24),
    )
    assert_increases(
        outcome(NORTH, free, "mean_wait_months_newcomers", from_month=48),
        outcome(NORTH, pays, "mean_wait_months_newcomers", from_month=48),
    )


def test_better_data_lowers_unmet_need_where_money_follows():
    low = {"governance.data_quality": 0.1, **MONEY_FOLLOWS}
    high = {"governance.data_quality": 0.9, **MONEY_FOLLOWS}
    column = "unmet_need_rate_migrants"
    assert_increases(outcome(NORTH, high, column), outcome(NORTH, low, column))


def test_where_money_binds_better_data_shows_as_unfunded_capacity():
    low, high = {"governance.data_quality": 0.1}, {"governance.data_quality": 0.9}
    column = "capacity_unfunded"
    assert_increases(outcome(SOUTH, low, column), outcome(SOUTH, high, column))


def test_the_nation_has_its_own_budget():
    rich, poor = {"planning.national_resources": 1.0}, {"planning.national_resources": 0.0}
    assert (outcome(SOUTH, rich, "national_capacity_unfunded") == 0).all()
    assert_increases(
        outcome(SOUTH, rich, "national_capacity_unfunded"),
        outcome(SOUTH, poor, "national_capacity_unfunded"),
    )
    assert_increases(
        outcome(SOUTH, rich, "unmet_need_rate_migrants"),
        outcome(SOUTH, poor, "unmet_need_rate_migrants"),
    )


# vertical coherence 0 -> 0.9 with only one named channel open at a time
CLOSED = {
    "planning.transfer_speed_up": 0.0,
    "planning.national_planning_speed_up": 0.0,
    "planning.national_data_consulted": 0.0,
    "planning.entitlement_alignment": 0.0,
}
CHANNELS = [
    ("planning.transfer_speed_up", 0.75, "city_funding", +1),
    ("planning.national_data_consulted", 0.6, "demand_perception_gap", -1),
]


def test_vertical_coherence_aligns_entitlements_with_city_needs():
    status = np.array([Status.ASYLUM_PENDING, Status.IRREGULAR, Status.REGULAR])
    origin = np.full(3, Origin.INTERNATIONAL)
    national = NationalParams()
    apart = access.entitlement(status, origin, national, aligned=0.0)
    aligned = access.entitlement(status, origin, national, aligned=0.5 * 0.9)
    assert (aligned >= apart).all() and (aligned[:2] > apart[:2]).any()
    assert np.allclose(aligned[2], 1.0)


@pytest.mark.parametrize(("channel", "value", "column", "sign"), CHANNELS)
def test_vertical_coherence_acts_through_named_channels(channel, value, column, sign):
    only = {**CLOSED, channel: value}
    incoherent = outcome(SOUTH, {**only, "governance.vertical_coherence": 0.0}, column)
    coherent = outcome(SOUTH, {**only, "governance.vertical_coherence": 0.9}, column)
    if sign > 0:
        assert_increases(incoherent, coherent)
    else:
        assert_increases(coherent, incoherent)
    closed = outcome(SOUTH, {**CLOSED, "governance.vertical_coherence": 0.9}, column)
    assert not np.allclose(closed, coherent)  # the channel, not coherence itself, does it


def test_giving_up_is_abandonment_not_a_wait():
    ts = simulate(SOUTH, seed=1, overrides={"behaviour.max_wait_months": 3}).timeseries
    waits = ts[[c for c in ts.columns if c.startswith("mean_wait_months")]]
    assert ts.abandoned_requests.sum() > 0
    assert (waits.to_numpy() <= 3 + 1e-9).all()
    assert (ts.oldest_request_months <= 3 + 1e-9).all()
    assert (ts.queue_age_months <= ts.oldest_request_months + 1e-9).all()


def test_perceived_favouritism_is_a_share():
    overrides = {"governance.competences": 1.0, "policies.delivery": "targeted"}
    ts = simulate(SOUTH, seed=0, overrides=overrides).timeseries
    assert ts.perceived_favouritism.between(0, 1).all()
    assert ts.perceived_favouritism.max() > 0


def test_the_nations_spending_on_the_sectors_it_runs_is_an_outcome():
    city, nation = {"governance.competences": 1.0}, {"governance.competences": 0.0}
    assert (outcome(SOUTH, city, "national_service_spending") == 0).all()
    spending = outcome(SOUTH, nation, "national_service_spending")
    assert (spending > 0).all()
    twin = outcome(SOUTH, {**nation, "inflow.total": 0}, "national_service_spending")
    assert_increases(twin, spending)  # arrivals raise what the nation pays


@pytest.mark.parametrize(
    ("competences", "sectors"),
    [(0.0, 0), (0.08, 0), (0.25, 2), (0.5, 3), (0.6, 4), (0.75, 5), (0.92, 6), (1.0, 6)],
)
def test_competences_devolve_whole_sectors_rounded_half_up(
    competences: float, sectors: int
) -> None:
    runs = city_run_sectors(GovernanceParams(competences=competences))
    assert int(runs.sum()) == sectors
    assert {s for s, run in zip(SECTORS, runs, strict=True) if run} == set(
        DEVOLUTION_ORDER[:sectors]
    )


def test_more_competences_never_devolve_fewer_sectors() -> None:
    counts = [
        int(city_run_sectors(GovernanceParams(competences=c)).sum()) for c in np.linspace(0, 1, 101)
    ]
    assert counts == sorted(counts)
    assert set(counts) == set(range(7))
