"""State reception housing, the asylum lump sum and the statistics that read them (issue 10).

Reception: asylum seekers live in state accommodation for ``housing.reception_housing_months``
after arrival (AsylG §47), off the rental market, unless decided earlier. Money: the city pays a
share ``national.asylum_benefits_local`` of asylum seekers' benefits and receives
``national.asylum_lump_sum`` per asylum seeker and month (the German 670 EUR Pauschale); from the
month they leave reception, the city pays ``housing.municipal_accommodation_cost`` a person for
the forced migrants it houses (no dwelling of their own), instead of their housing benefit.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import NORTHERN

from model import Scenario, simulate
from model.city import ArrivalCity
from model.codes import Status, Tenure
from model.month import Month
from model.processes import housing, planning

SMALL = {
    "city.host_households": 3000,
    "city.grid_size": 10,
    "inflow.total": 300,
    "inflow.duration_months": 3,
    "run.months": 12,
}


def _city(months: int, **overrides) -> ArrivalCity:
    city = ArrivalCity(Scenario.from_toml(NORTHERN), seed=3, overrides={**SMALL, **overrides})
    for _ in range(months):
        city.step()
    return city


@pytest.fixture(scope="module")
def received():
    return _city(5, **{"housing.reception_housing_months": 6})


def test_asylum_seekers_in_reception_are_off_the_rental_market(received):
    hh, mig = received.population.households, received.population.migrants
    newcomers = ~hh.host & hh.present
    person = hh.migrant[newcomers]
    tenure = hh.tenure[newcomers]
    pending = mig.status[person] == Status.ASYLUM_PENDING
    in_reception = tenure == Tenure.RECEPTION
    # most arrivals are asylum seekers, five months in none has reached the 6-month term
    assert in_reception.sum() > 0.5 * newcomers.sum()
    assert in_reception[pending].all()
    # only those decided (or never pending) rent formally
    assert not (tenure[pending] == Tenure.FORMAL_RENTER).any()
    # reception accommodation is a peripheral block, never "no block"
    assert (hh.block[np.flatnonzero(newcomers)[in_reception]] >= 0).all()


def test_without_reception_no_one_is_received():
    city = _city(3, **{"housing.reception_housing_months": 0})
    assert not (city.population.households.tenure == Tenure.RECEPTION).any()


def test_households_leave_reception_when_the_term_ends():
    city = _city(
        10,
        **{
            "housing.reception_housing_months": 2,
            "housing.communal_until_decision": False,
            "inflow.duration_months": 1,
        },
    )
    hh, mig = city.population.households, city.population.migrants
    newcomers = np.flatnonzero(~hh.host & hh.present)
    months_here = city.warmup + city.steps - mig.arrival_month[hh.migrant[newcomers]]
    assert (months_here > 2).all()
    assert not (hh.tenure[newcomers] == Tenure.RECEPTION).any()


def test_undecided_claimants_stay_in_the_citys_communal_accommodation():
    # AsylG §53: past the state's term, the undecided stay in communal accommodation the city
    # runs and pays for, until their decision; the decided leave and look for a home
    city = _city(
        10,
        **{
            "housing.reception_housing_months": 2,
            "housing.communal_until_decision": True,
            "inflow.duration_months": 1,
        },
    )
    hh, mig = city.population.households, city.population.migrants
    newcomers = np.flatnonzero(~hh.host & hh.present)
    pending = mig.status[hh.migrant[newcomers]] == Status.ASYLUM_PENDING
    in_reception = hh.tenure[newcomers] == Tenure.RECEPTION
    assert pending.sum() > 0 and in_reception[pending].all()
    # the others in reception were decided this month: they leave at the next month's start
    t = city.warmup + city.steps
    decided_now = mig.decision_month[hh.migrant[newcomers[in_reception & ~pending]]]
    assert (decided_now >= t - 1).all()
    month = _month(city)
    mask = housing.municipally_accommodated(month)
    assert mask[newcomers[pending]].all()  # all past the state's 2 months: the city houses them


def _money(lump: float, local: float, seed: int = 0):
    overrides = {**SMALL, "national.asylum_lump_sum": lump, "national.asylum_benefits_local": local}
    scenario = Scenario.from_toml(NORTHERN).with_overrides(overrides)
    ts = simulate(scenario, seed=seed, months=4).timeseries
    return ts.set_index("month")


def test_the_lump_sum_funds_the_city_from_the_first_month_and_benefits_are_its_mandate():
    none = _money(0.0, 0.0)
    lump = _money(670.0, 0.0)
    local = _money(0.0, 1.0)
    # month 1: arrivals are registered asylum seekers; services have not moved yet
    assert lump.loc[1, "city_mandate"] == pytest.approx(none.loc[1, "city_mandate"])
    assert lump.loc[1, "city_funding"] > none.loc[1, "city_funding"]
    # 670 a person a month: at least 670 per arriving agent (households of one or more)
    arrived = none.loc[1, "arrivals"]
    assert lump.loc[1, "city_funding"] - none.loc[1, "city_funding"] >= 670.0 * arrived * 0.9
    # the benefits (allowance 400 + housing benefit 600) of each asylum seeker join the mandate
    added = local.loc[1, "city_mandate"] - none.loc[1, "city_mandate"]
    assert added == pytest.approx(1000.0 * arrived, rel=0.15)


def test_statistics_restrict_to_forced_migrants_and_weight_waits_by_starts():
    import pandas as pd

    from experiments.evidence import statistics as s
    from experiments.evidence.run import StoredRun

    ts = pd.DataFrame(
        {
            "month": [1, 2, 3],
            "migrant_employment_rate": [0.5, 0.5, 0.5],
            "migrant_formal_employment_rate": [0.4, 0.4, 0.4],
            "migrant_employment_rate_forced": [0.4, 0.4, 0.4],
            "migrant_formal_employment_rate_forced": [0.1, 0.1, 0.1],
            "course_wait_months": [0.0, 2.0, 5.0],
            "course_starts": [0.0, 30.0, 10.0],
        }
    )
    run = StoredRun(ts, pd.DataFrame())
    assert s.informal_work_share(run) == pytest.approx(0.2)
    assert s.informal_work_share(run, among="forced") == pytest.approx(0.75)
    assert s.weighted_mean_over(run, "course_wait_months", "course_starts") == pytest.approx(
        (2 * 30 + 5 * 10) / 40
    )
    with pytest.raises(ValueError, match="among"):
        s.informal_work_share(run, among="women")


# ---------------------------------------------------------------- municipal accommodation


@pytest.fixture(scope="module")
def settled():
    """A city ten months on, asylum seekers out of a two-month reception, and five asylum-seeker
    households (rows) put out of their rented homes."""
    city = _city(
        10,
        **{
            "housing.reception_housing_months": 2,
            "housing.communal_until_decision": False,
            "inflow.duration_months": 2,
        },
    )
    return city, _house_some(city, 5)


def _month(city: ArrivalCity, **overrides) -> Month:
    return Month(
        city.warmup + city.steps,
        city.params.with_overrides(overrides),
        city.population,
        city.space,
        np.random.default_rng(0),
        city.scale,
        city.n_hosts,
        city.warmup,
    )


def _house_some(city: ArrivalCity, k: int) -> np.ndarray:
    """Puts ``k`` pending asylum-seeker households out of a home (rows), leaves the rest."""
    hh, mig = city.population.households, city.population.migrants
    rows = city.n_hosts + np.flatnonzero(hh.present[city.n_hosts :])
    pending = mig.status[hh.migrant[rows]] == Status.ASYLUM_PENDING
    chosen = rows[pending & (hh.tenure[rows] == Tenure.FORMAL_RENTER)][:k]
    assert len(chosen) == k
    hh.tenure[chosen] = Tenure.UNHOUSED
    return chosen


def test_the_city_houses_only_forced_migrants_out_of_reception_without_a_home(settled):
    settled, _ = settled
    hh, mig = settled.population.households, settled.population.migrants
    mask = housing.municipally_accommodated(_month(settled))
    assert not mask[: settled.n_hosts].any()  # hosts are never in it
    tenure, status = hh.tenure[mask], mig.status[hh.migrant[mask]]
    assert not np.isin(tenure, [Tenure.RECEPTION, Tenure.FORMAL_RENTER, Tenure.INFORMAL]).any()
    assert (hh.kin[mask & (hh.tenure == Tenure.DOUBLED_UP)] < 0).all()  # with kin: kin house them
    assert not (status == Status.REGULAR).any()
    never_decided = mig.decision_month[hh.migrant[mask]] < 0
    assert not ((status == Status.IRREGULAR) & never_decided).any()


def test_a_city_with_k_accommodated_persons_pays_k_times_the_cost(settled):
    settled, chosen = settled
    hh = settled.population.households
    mask = housing.municipally_accommodated(_month(settled))
    assert mask[chosen].all()
    k = float(hh.size[mask].sum()) * settled.scale
    assert k >= float(hh.size[chosen].sum())
    no_benefits = {"national.asylum_benefits_local": 0.0, "national.asylum_lump_sum": 0.0}
    month = _month(settled, **no_benefits, **{"housing.municipal_accommodation_cost": 500.0})
    assert planning.accommodation_cost(month, mask) == pytest.approx(500.0 * k)
    money = planning.asylum_finance(month)
    assert money.accommodated == pytest.approx(k)
    assert money.costs == money.accommodation == pytest.approx(500.0 * k)
    free = _month(settled, **no_benefits, **{"housing.municipal_accommodation_cost": 0.0})
    assert planning.asylum_finance(free).costs == 0.0


def test_the_housing_benefit_is_not_paid_for_those_the_city_houses(settled):
    settled, _ = settled
    hh, mig = settled.population.households, settled.population.migrants
    mask = housing.municipally_accommodated(_month(settled))
    pending = mig.present & (mig.status == Status.ASYLUM_PENDING)
    housed = float((pending & mask[mig.household]).sum())
    assert housed > 0
    month = _month(settled, **{"housing.municipal_accommodation_cost": 0.0})
    nat = month.params.national
    money = planning.asylum_finance(month)
    costs, lump = money.costs, money.lump_sum
    claimants = float(pending.sum())
    expected = nat.asylum_allowance * claimants + nat.housing_benefit * (claimants - housed)
    assert costs == pytest.approx(expected * settled.scale)
    # the lump sum is the same whoever houses them: it is income, counted once
    persons = float(hh.size[mig.household[pending]].sum()) * settled.scale
    assert lump == pytest.approx(670.0 * persons)


def test_accommodation_joins_the_mandate_and_the_gap_not_the_funding():
    def run(cost: float):
        overrides = {
            **SMALL,
            "housing.reception_housing_months": 2,
            "housing.municipal_accommodation_cost": cost,
        }
        scenario = Scenario.from_toml(NORTHERN).with_overrides(overrides)
        return simulate(scenario, seed=1, months=8).timeseries.set_index("month")

    free, paid = run(0.0), run(2000.0)
    for ts in (free, paid):  # the budget identity holds every month
        assert np.allclose(ts.budget_gap, ts.city_mandate - ts.city_funding)
    # months 1-2: everyone is in state reception, so nothing changes
    assert paid.loc[1, "city_mandate"] == pytest.approx(free.loc[1, "city_mandate"])
    assert (paid.city_mandate >= free.city_mandate - 1e-6).all()
    assert paid.loc[8, "budget_gap"] > free.loc[8, "budget_gap"]
    # the outcome reads what was charged: the accommodated persons x the cost
    assert paid.loc[8, "city_accommodated"] > 0
    assert np.allclose(paid.city_accommodation_cost, 2000.0 * paid.city_accommodated)
    assert (free.city_accommodation_cost == 0).all()
