"""Processes 2-6 and 10 on small hand-made arrays, with the numbers they must give."""

from __future__ import annotations

import numpy as np
import pytest

from model.codes import Employment, Intention, Sector, Status, Tenure
from model.population import HOUSEHOLD_COLUMNS, MIGRANT_COLUMNS, Table
from model.processes import access, housing, mobility, services, status, work
from model.scenario import BehaviourParams, HousingParams, NationalParams, Scenario
from model.space import LAYERS


def households(**cols) -> Table:
    n = len(next(iter(cols.values())))
    table = Table(HOUSEHOLD_COLUMNS, 4)
    table.append(n, **{"present": True, "kin": -1, "migrant": -1, **cols})
    return table


def migrants(**cols) -> Table:
    n = len(next(iter(cols.values())))
    table = Table(MIGRANT_COLUMNS, 4)
    table.append(n, **{"present": True, "waiting_since": -1, **cols})
    return table


class FakeSpace:
    """The part of CitySpace the housing functions use, on plain arrays."""

    def __init__(self, n_blocks: int):
        self.n_blocks = n_blocks
        self.ring = np.array([0] + [3] * (n_blocks - 1), dtype=np.int8)
        self.layers = {name: np.zeros(n_blocks) for name in LAYERS}
        self.layers["travel_minutes"][:] = 10.0

    def layer(self, name):
        return self.layers[name]

    def access(self):
        return np.ones(self.n_blocks)


# ---------------------------------------------------------------- housing
def test_table_grows_and_columns_update_in_place():
    t = migrants(language=np.array([0.1, 0.2]))
    t.language += 0.5
    assert t.language.tolist() == pytest.approx([0.6, 0.7])
    t.append(3000, language=0.0)
    assert t.n == 3002 and t.language[:2].tolist() == pytest.approx([0.6, 0.7])


def test_recount_occupancy_counts_tenures_and_sharers():
    hh = households(
        block=np.array([0, 0, 1, 2, 0]),
        size=np.array([2, 3, 1, 4, 2]),
        tenure=np.array(
            [
                Tenure.OWNER,
                Tenure.FORMAL_RENTER,
                Tenure.INFORMAL,
                Tenure.INFORMAL,
                Tenure.DOUBLED_UP,
            ]
        ),
        kin=np.array([-1, -1, -1, -1, 3]),
        rooms=np.array([2, 2, 1, 1, 0]),
    )
    space = FakeSpace(3)
    housing.recount_occupancy(hh, space)
    assert space.layer("formal_occupied").tolist() == [2, 0, 0]
    assert space.layer("informal_occupied").tolist() == [0, 1, 1]
    assert hh.sharers.tolist() == [0, 0, 0, 2, 0]
    assert hh.block[4] == 2  # a doubled-up household lives where its kin lives
    assert housing.overcrowded(hh).tolist() == [False, True, False, True, True]


def test_make_homeless_takes_the_guests_along():
    hh = households(
        block=np.array([0, 0, 1]),
        size=np.array([2, 1, 3]),
        tenure=np.array([Tenure.INFORMAL, Tenure.DOUBLED_UP, Tenure.OWNER]),
        kin=np.array([-1, 0, -1]),
    )
    housing.make_homeless(hh, np.array([0]))
    assert hh.tenure.tolist() == [Tenure.UNHOUSED, Tenure.UNHOUSED, Tenure.OWNER]
    assert hh.kin.tolist() == [-1, -1, -1]


def test_fill_admits_no_more_than_the_vacancies():
    rng = np.random.default_rng(0)
    choice = np.array([0, 0, 0, 1, 1, -1, 2])
    admitted = housing._fill(choice, np.array([2.0, 5.0, 0.0]), rng)
    assert admitted[:3].sum() == 2 and admitted[3:5].all() and not admitted[5:].any()


def test_formal_search_respects_documents_money_and_vacancies():
    rng = np.random.default_rng(3)
    n = 6
    hh = households(
        block=np.full(n, -1),
        size=np.full(n, 2),
        tenure=np.full(n, Tenure.UNHOUSED),
        group=np.ones(n, dtype=np.int16),
        income=np.array([2000, 2000, 2000, 2000, 10, 2000.0]),
    )
    space = FakeSpace(2)
    space.layer("formal_units")[:] = [3, 0]
    space.layer("rent")[:] = [500, 500]
    seekers = np.arange(n)
    status_ = np.array(
        [
            Status.PROTECTED,
            Status.PROTECTED,
            Status.PROTECTED,
            Status.PROTECTED,
            Status.PROTECTED,
            Status.IRREGULAR,
        ]
    )
    month = housing.HousingMonth()
    network = np.zeros((2, 2))
    rows, turned_away = housing.search_formal(
        hh,
        seekers,
        0.45 * hh.income.astype(float),  # the rent each can carry
        np.ones(n, bool),
        status_,
        np.zeros(n, bool),
        space,
        network,
        BehaviourParams(housing_discrimination=0.0),
        HousingParams(),
        rng,
        month,
    )
    assert len(rows) == 3  # three vacancies for four eligible seekers
    assert 4 not in rows and 5 not in rows  # too poor; no documents
    assert (hh.tenure[rows] == Tenure.FORMAL_RENTER).all() and (hh.block[rows] == 0).all()
    assert turned_away.tolist() == [1, 0]
    assert hh.rooms[rows].tolist() == [2, 2, 2]  # 900 of means buys 4.5 rooms; they need 2


def test_rents_and_supply_answer_pressure():
    space = FakeSpace(2)
    space.layer("formal_units")[:] = space.layer("base_units")[:] = [100, 100]
    space.layer("formal_occupied")[:] = [100, 90]
    space.layer("rent")[:] = [1000, 1000]
    space.layer("cost_rent")[:] = [1000, 1000]
    behaviour = BehaviourParams(rent_elasticity=0.3, construction_lag_months=24)
    hp = HousingParams(supply_elasticity=0.4, starts_adjustment_months=4)
    housing.update_market(space, np.array([10.0, 0.0]), 0.97, behaviour, hp)
    assert space.layer("rent")[0] == pytest.approx(1020)  # capped at +2 % a month
    assert space.layer("rent")[1] < 1000
    # builders start a quarter of the gap to the stock the rent calls for (100 * 1.008) ...
    pipeline = space.layer("units_under_construction")
    assert pipeline[0] == pytest.approx(100 * 0.4 * 0.02 / 4)
    assert space.layer("formal_units")[0] == 100  # ... which is not completed yet
    # where the rent is below cost, vacant units are withdrawn
    assert 90 <= space.layer("formal_units")[1] < 100 and pipeline[1] == 0
    housing.update_market(space, np.array([10.0, 0.0]), 0.97, behaviour, hp)
    assert space.layer("formal_units")[0] == pytest.approx(100 + 0.2 / 24)


def _market_path(occupied_by_month):
    """Rents of one block whose occupancy follows the given path, from its month-0 state."""
    space = FakeSpace(1)
    space.layer("formal_units")[:] = space.layer("base_units")[:] = 100.0
    space.layer("rent")[:] = space.layer("cost_rent")[:] = 1000.0
    rents, units = [], []
    for occupied in occupied_by_month:
        space.layer("formal_occupied")[:] = occupied
        housing.update_market(space, np.zeros(1), 0.97, BehaviourParams(), HousingParams())
        rents.append(space.layer("rent")[0] / 1000 - 1)
        units.append(space.layer("formal_units")[0])
    return np.array(rents), np.array(units)


def test_the_market_rests_at_its_month_0_state():
    rents, units = _market_path([97.0] * 60)
    assert (rents == 0).all() and (units == 100).all()


def test_after_a_demand_shock_rents_come_back_without_an_undershoot():
    # every vacancy taken for three years, then demand back to its month-0 level
    rents, units = _market_path([100.0] * 36 + [97.0] * 204)
    assert rents.max() > 0.03  # rents rise while the shock lasts
    assert units.max() > 100  # supply follows, with its lag
    # builders count the pipeline: demand falling back leaves some excess stock, no cycle
    assert rents.min() > -0.02
    assert abs(rents[-1]) < 0.01  # and the market is back near its cost level
    # a lasting shock leaves rents above cost: supply is not perfectly elastic
    lasting, _ = _market_path([100.0] * 240)
    assert 0.01 < lasting[-1] < lasting.max()


def test_one_set_of_accounts_for_leasing_and_arrears():
    params = Scenario().with_overrides(
        {"national.housing_benefit": 600.0, "behaviour.max_rent_burden": 0.45}
    )
    hh = households(
        block=np.zeros(3, dtype=np.int32),
        size=np.full(3, 2),
        tenure=np.full(3, Tenure.FORMAL_RENTER),
        rooms=np.full(3, 2),
        migrant=np.arange(3),
        income=np.array([450.0, 450.0, 2200.0]),
    )
    mig = migrants(
        household=np.arange(3),
        status=np.array([Status.PROTECTED, Status.IRREGULAR, Status.PROTECTED]),
        employment=np.array([Employment.NONE, Employment.INFORMAL, Employment.FORMAL]),
        savings=np.array([0.0, 100.0, 0.0]),
    )
    space = FakeSpace(1)
    space.layer("rent")[:] = 850.0  # 2 of 2.5 rooms: 680 a month
    capacity = housing.rent_capacity(hh, mig, np.arange(3), params)
    # welfare 450 at a 45 % burden plus 600 housing benefit; no benefit for the irregular
    assert capacity.tolist() == pytest.approx([0.45 * 450 + 600, 0.45 * 450, 0.45 * 2200])
    with_savings = housing.rent_capacity(hh, mig, np.arange(3), params, with_savings=True)
    assert with_savings[1] == pytest.approx(0.45 * 450 + 100 / 12)
    housing.settle_accounts(hh, mig, space, params)
    # the benefit recipient pays (benefit counted), the irregular renter's savings go first
    assert hh.arrears_months.tolist() == [0, 1, 0]
    assert mig.savings[1] == 0.0
    housing.settle_accounts(hh, mig, space, params)
    assert hh.arrears_months.tolist() == [0, 2, 0]


def test_fractional_stocks_round_to_whole_places_unbiased_and_fixed():
    rng = np.random.default_rng(1)
    space = FakeSpace(4000)
    space.layer("formal_units")[:] = 11.3
    space.layer("formal_occupied")[:] = 11
    space.layer("unit_rounding")[:] = rng.random(4000)
    places = housing.formal_places(space)
    assert set(np.unique(places)) == {0.0, 1.0}  # whole units, never past the next one
    assert places.mean() == pytest.approx(0.3, abs=0.03)  # unbiased over blocks
    # a block's rounding is fixed: the same places in every round and month, so letting them
    # leaves nothing to let however often the block is tried
    space.layer("formal_occupied")[:] += places
    assert (housing.formal_places(space) == 0).all()


def test_hazard_destroys_only_exposed_informal_dwellings():
    rng = np.random.default_rng(0)
    hh = households(
        block=np.array([1, 1, 2, 1]),
        size=np.ones(4, dtype=np.int16),
        tenure=np.array([Tenure.INFORMAL, Tenure.INFORMAL, Tenure.INFORMAL, Tenure.OWNER]),
    )
    space = FakeSpace(3)
    space.layer("hazard_probability")[:] = [0, 1, 0]
    space.layer("informal_capacity")[:] = [0, 10, 10]
    from model.scenario import CityParams

    lost = housing.hazard_events(hh, space, CityParams(hazard_destruction_share=1.0), rng)
    assert lost.tolist() == [0, 1]
    assert space.layer("informal_capacity").tolist() == [0, 0, 10]


# ---------------------------------------------------------------- status
def test_claims_are_decided_when_due():
    rng = np.random.default_rng(0)
    mig = migrants(
        status=np.full(4, Status.ASYLUM_PENDING),
        decision_month=np.array([3, 3, 9, 3]),
        trust=np.full(4, 0.6),
    )
    granted, rejected = status.decide_claims(mig, 3, NationalParams(recognition_rate=1.0), rng)
    assert (granted, rejected) == (3, 0)
    assert mig.status.tolist() == [
        Status.PROTECTED,
        Status.PROTECTED,
        Status.ASYLUM_PENDING,
        Status.PROTECTED,
    ]
    mig = migrants(
        status=np.full(3, Status.ASYLUM_PENDING),
        decision_month=np.zeros(3, dtype=int),
        trust=np.full(3, 0.6),
    )
    nat = NationalParams(recognition_rate=0.0, departure_after_rejection=1.0)
    assert status.decide_claims(mig, 1, nat, rng) == (0, 3)
    assert (mig.status == Status.IRREGULAR).all() and mig.leaving.all()
    assert mig.trust.tolist() == pytest.approx([0.3] * 3)


def test_work_rights_follow_the_national_rule():
    mig = migrants(
        status=np.array(
            [Status.ASYLUM_PENDING, Status.ASYLUM_PENDING, Status.IRREGULAR, Status.PROTECTED]
        ),
        arrival_month=np.array([0, 8, 0, 0]),
        origin=np.zeros(4, dtype=np.int8),
        work_permit=np.ones(4, dtype=bool),
    )
    rule = NationalParams(work_while_pending=True, work_wait_months=3)
    assert status.may_work_formally(mig, 10, rule).tolist() == [True, False, False, True]
    banned = NationalParams(work_while_pending=False)
    assert status.may_work_formally(mig, 10, banned).tolist() == [False, False, False, True]


def test_idle_months_erode_employability_and_work_rebuilds_it():
    mig = migrants(
        employment=np.array([Employment.NONE, Employment.FORMAL]), employability=np.full(2, 0.8)
    )
    status.erode_employability(mig, BehaviourParams(employability_erosion=0.01))
    assert mig.employability.tolist() == pytest.approx([0.79, 0.82])
    assert mig.idle_months.tolist() == [1, 0]


def test_decision_delay_has_the_national_mean():
    rng = np.random.default_rng(0)
    months = status.decision_months(
        np.zeros(50_000), NationalParams(processing_delay_months=8), rng
    )
    assert months.mean() == pytest.approx(8.5, abs=0.1)  # gamma mean 8, rounded up


# ---------------------------------------------------------------- work
def test_hiring_is_rationed_by_vacancies():
    rng = np.random.default_rng(0)
    segment = np.zeros(10_000, dtype=np.int64)
    efficiency = np.array([0.2])
    hired = work.match(segment, np.ones(10_000), np.array([500.0]), efficiency, 0.5, rng)
    assert hired.sum() == pytest.approx(500, abs=70)
    slack = work.match(segment, np.ones(10_000), np.array([1e4]), efficiency, 0.5, rng)
    assert slack.sum() == pytest.approx(2000, abs=150)  # tightness 1: the efficiency itself
    assert not work.match(segment[:5], np.ones(5), np.array([0.0]), efficiency, 0.5, rng).any()


def test_hiring_score_rises_with_language_recognition_access_and_falls_with_discrimination():
    one = np.ones(1)
    base = dict(
        employability=one,
        skill=np.array([2]),
        recognised=np.array([False]),
        language=np.array([0.5]),
        access=np.array([0.5]),
        discrimination=0.2,
    )
    score = work.migrant_hiring_score(**base)[0]
    assert work.migrant_hiring_score(**{**base, "language": np.array([0.9])})[0] > score
    assert work.migrant_hiring_score(**{**base, "recognised": np.array([True])})[0] > score
    assert work.migrant_hiring_score(**{**base, "access": np.array([1.0])})[0] > score
    assert work.migrant_hiring_score(**{**base, "discrimination": 0.5})[0] < score
    assert score == pytest.approx(1.4 * 0.6 * 0.25 * (0.25 + 0.75 * 0.5) * 0.8)


# ---------------------------------------------------------------- access
def test_fear_of_id_checks_cuts_requests_of_the_irregular():
    mig = migrants(
        status=np.array([Status.IRREGULAR, Status.PROTECTED]),
        information=np.ones(2),
        trust=np.ones(2),
        language=np.ones(2),
    )
    children = np.zeros(2)
    asked = access.request_probability(mig, children, 0.7, np.ones(6))
    blind = access.request_probability(mig, children, 0.7, np.zeros(6))
    assert asked[0, 0] == pytest.approx(0.3) and asked[1, 0] == pytest.approx(1.0)
    assert blind[0, 0] == pytest.approx(1.0)


def test_entitlements_by_status():
    nat = NationalParams()
    table = access.entitlement(
        np.array([Status.IRREGULAR, Status.PROTECTED, Status.IRREGULAR]), np.array([0, 0, 1]), nat
    )
    assert table[0, Sector.HOUSING_ASSISTANCE] == 0.0 and table[0, Sector.LEGAL_AID] == 1.0
    assert (table[1] == 1).all() and (table[2] == 1).all()  # citizens are always entitled


# ---------------------------------------------------------------- services
def test_fifo_serves_the_oldest_first_up_to_capacity():
    rng = np.random.default_rng(0)
    host_queue = np.array([2.0, 0.0, 3.0, 0.0, 0.0])
    request_month = np.array([1, 1, -1, 3, 4])
    d = services.serve_fifo(request_month, host_queue, capacity=4, t=4, scale=1.0, rng=rng)
    assert d.served_migrants.tolist() == [True, True, False, False, False]
    assert d.served_hosts == 2.0  # month 0's two hosts, then month 1's two newcomers
    assert host_queue.tolist() == [0, 0, 3, 0, 0]
    assert d.mean_wait == pytest.approx((2 * 4 + 2 * 3) / 4)
    assert d.queue_end == 3 + 2


def test_fifo_conserves_requests():
    rng = np.random.default_rng(1)
    host_queue = rng.integers(0, 50, 30).astype(float)
    request_month = rng.integers(-1, 30, 400)
    before = host_queue.sum() + (request_month >= 0).sum()
    d = services.serve_fifo(request_month, host_queue, capacity=333, t=29, scale=1.0, rng=rng)
    served = d.served_hosts + d.served_migrants.sum()
    assert served + d.queue_end == pytest.approx(before)
    assert served <= 333 + 1


# ---------------------------------------------------------------- mobility
def test_departure_chance_by_intention_and_orders():
    mig = migrants(
        intention=np.array([Intention.TRANSIT, Intention.SETTLE, Intention.SETTLE]),
        employment=np.array([Employment.FORMAL, Employment.FORMAL, Employment.FORMAL]),
        leaving=np.array([False, False, True]),
    )
    b = BehaviourParams(departure_transit=0.2, departure_base=0.01)
    assert mobility.departure_chance(mig, b).tolist() == pytest.approx([0.2, 0.01, 1.0])


def test_irregular_adults_ask_for_skills_help_that_their_entitlement_gates():
    from model.scenario import ServicesParams

    n = 20_000
    mig = Table(MIGRANT_COLUMNS)
    mig.append(n, status=Status.IRREGULAR, present=True, waiting_since=-1, language=1.0)
    mig.age_band[n // 2 :] = 2  # the elderly half does not look for work
    sp = ServicesParams(irregular_skills_need=0.2)
    needs = access.monthly_needs(
        mig,
        0,
        np.full(n, Tenure.FORMAL_RENTER),
        np.zeros(n, dtype=bool),  # no right to formal work
        np.zeros(n),
        np.random.default_rng(0),
        sp,
    )[:, Sector.EMPLOYMENT_SKILLS]
    assert needs[: n // 2].mean() == pytest.approx(0.2, abs=0.015)
    assert not needs[n // 2 :].any()
    national = NationalParams()
    national.entitlements.irregular.employment_skills = 0.0
    share = access.entitlement(mig.status, mig.origin, national)[:, Sector.EMPLOYMENT_SKILLS]
    assert (share == 0).all()  # not let in: the need stays unmet


def test_any_column_is_numpy_any_along_rows():
    from model.population import any_column

    rng = np.random.default_rng(0)
    for columns in (1, 2, 6):
        mask = rng.random((500, columns)) < 0.1
        rows = any_column(mask)
        np.testing.assert_array_equal(rows, mask.any(axis=1))
        rows[:] = True  # a new array: the mask is left as it was
        assert not mask[:, 0].all()
