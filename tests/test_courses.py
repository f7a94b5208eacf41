"""The integration-course line (docs/ODD.md §7.6b): a queue that builds under a pulse and clears.

The northern city at a seventh of its size receives the same share of newcomers as the preset's
3,000 in 126,000 (2.4 %), all in three months or over 18: the German record for 2016-2018 is a
4-8 month wait for a course (Bundesrechnungshof 2021; BMI 2019).
"""

from __future__ import annotations

import numpy as np
import pytest
from arms import assert_increases
from conftest import NORTHERN, cached_simulate

from model import Scenario
from model.population import Table

SEEDS = range(6)
CITY = Scenario.from_toml(NORTHERN).with_overrides(
    {"city.host_households": 8000, "city.grid_size": 12, "inflow.total": 400, "run.months": 48}
)
SUDDEN = {"inflow.pattern": "sudden", "inflow.sudden_months": 3}
GRADUAL = {"inflow.pattern": "gradual", "inflow.duration_months": 18}


def _runs(overrides: dict) -> list:
    return [cached_simulate(CITY, seed=seed, overrides=overrides) for seed in SEEDS]


def test_a_pulse_builds_a_course_queue_of_four_to_eight_months_that_clears():
    runs = _runs(SUDDEN)
    peaks = np.array([r.timeseries.course_wait_months.max() for r in runs])
    assert 4.0 <= peaks.mean() <= 8.0, peaks
    for r in runs:
        ts = r.timeseries
        assert ts.course_seats.iloc[17] > 2 * ts.course_seats.iloc[0]  # seats followed demand
        assert ts.course_waiting_list.iloc[-6:].max() < 0.2 * ts.course_waiting_list.max()
        assert ts.course_wait_months.iloc[-6:].mean() < 0.5 * ts.course_wait_months.max()
        cost = CITY.services.course_cost_per_participant_month
        assert np.allclose(ts.national_course_spending, ts.course_participants * cost)
        assert ts.national_course_spending.max() > 0


def test_with_no_arrivals_the_course_line_is_at_rest():
    ts = cached_simulate(CITY, seed=0, overrides={"inflow.total": 0}).timeseries
    assert (ts.course_waiting_list == 0).all() and (ts.course_participants == 0).all()
    assert ts.course_seats.nunique() == 1 and ts.course_seats.iloc[0] > 0
    class_size = CITY.services.course_class_size
    assert np.allclose(ts.course_teachers * class_size, ts.course_seats)  # all teachers teach
    assert (ts.national_course_spending == 0).all()


def test_sudden_and_gradual_inflows_with_the_same_total_differ_in_course_waits():
    sudden = np.array([r.timeseries.course_wait_months.iloc[:24].max() for r in _runs(SUDDEN)])
    gradual = np.array([r.timeseries.course_wait_months.iloc[:24].max() for r in _runs(GRADUAL)])
    assert_increases(gradual, sudden)


def test_the_ledger_counts_the_course_waiting_list():
    ledger = _runs(SUDDEN)[0].ledger
    course = ledger[ledger.sector == "integration_course"]
    assert len(course) == 48 and course.requests.sum() > 0
    assert np.allclose(
        course.queue_start + course.requests, course.served + course.dropped + course.queue_end
    )
    assert np.allclose(course.queue_start.to_numpy()[1:], course.queue_end.to_numpy()[:-1])


def test_start_classes_serves_the_oldest_registrations_on_the_cadence():
    from model.processes.courses import start_classes
    from model.scenario import ServicesParams

    sp = ServicesParams(course_start_interval_months=2)
    registered = np.array([5, 3, -1, 4, 3])
    course_end = np.array([-1, -1, 9, -1, -1])
    # 3 seats, one taken: two start, the two oldest (month 3), in row order
    assert start_classes(registered, 3.0, course_end, 6, sp, 1.0).tolist() == [1, 4]
    assert len(start_classes(registered, 3.0, course_end, 7, sp, 1.0)) == 0  # off the cadence


@pytest.mark.parametrize("pending_access", [0.0, 1.0])
def test_courses_admit_refugees_and_pending_claimants_with_good_prospects(pending_access):
    from model.codes import Origin, Status
    from model.population import MIGRANT_COLUMNS
    from model.processes.courses import admitted

    mig = Table(MIGRANT_COLUMNS)
    status = [Status.REGULAR, Status.PROTECTED, Status.ASYLUM_PENDING, Status.IRREGULAR]
    mig.append(4, status=status, origin=Origin.INTERNATIONAL)
    got = admitted(mig, pending_access, np.random.default_rng(0)).tolist()
    assert got == [True, True, bool(pending_access), False]


WITHIN = 6  # months after arrival


def _registered_within(barrier: float) -> tuple[float, float]:
    """Share registered for a course within ``WITHIN`` months of arrival: (carers, the others).

    Only people who arrived at least ``WITHIN`` months before the end count, so late arrivals
    (who had no time to register) do not bias the shares.
    """
    from model.city import ArrivalCity

    model = ArrivalCity(
        CITY,
        seed=2,
        overrides={
            "behaviour.childcare_barrier": barrier,
            "inflow.profile.young_child_share": 1.0,
            "services.childcare_place_share": 0.0,
            "run.months": 24,
        },
    )
    first: dict[int, int] = {}
    while model.running:
        model.step()
        mig = model.population.migrants
        started = np.flatnonzero((mig.course_registered >= 0) | (mig.course_end >= 0))
        for row in started.tolist():
            first.setdefault(row, model.steps - int(mig.arrival_month[row]))
    mig = model.population.migrants
    rows = np.flatnonzero(model.steps - mig.arrival_month[: mig.n] >= WITHIN)
    early = np.array([first.get(r, WITHIN + 1) <= WITHIN for r in rows.tolist()])
    carer = mig.carer[rows]
    assert carer.sum() >= 20 and (~carer).sum() >= 20  # enough people on both sides
    return float(early[carer].mean()), float(early[~carer].mean())


def test_the_childcare_barrier_delays_carers_course_registration():
    carers_free, others_free = _registered_within(0.0)
    carers_cut, others_cut = _registered_within(0.8)
    assert carers_free == pytest.approx(others_free, abs=0.1)  # no barrier: the same pace
    # a monthly chance cut by 0.8: far fewer carers register within six months; the others are
    # not slowed (they may register a little sooner, with fewer carers ahead of them)
    assert carers_cut < 0.6 * carers_free
    assert others_cut > others_free - 0.05


def test_newcomers_outside_the_labour_force_still_take_integration_courses():
    """Course attendance is an obligation, not part of a job search (docs/ODD.md §7.4)."""
    from model.city import ArrivalCity

    model = ArrivalCity(
        CITY,
        seed=3,
        overrides={
            "inflow.profile.labour_force_share_women": 0.3,
            "inflow.profile.labour_force_share_men": 0.3,
            "run.months": 24,
        },
    )
    attended: set[int] = set()
    while model.running:
        model.step()
        mig = model.population.migrants
        attended.update(np.flatnonzero(mig.course_end >= 0).tolist())
    mig = model.population.migrants
    rows = np.flatnonzero(mig.arrival_month[: mig.n] <= 12)
    went = np.isin(rows, list(attended))
    outside = ~mig.labour_force[rows]
    assert outside.sum() >= 50 and (~outside).sum() >= 20
    assert went[outside].mean() > 0.3  # they attend ...
    assert went[outside].mean() == pytest.approx(went[~outside].mean(), abs=0.12)  # ... as others
