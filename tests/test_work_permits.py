"""Work permits under protection, issued at the formal hire (``national.protection_needs_permit``).

Where protection carries no work right by itself (Turkey's temporary protection), the employer
applies for a permit when hiring, after ``protected_permit_wait_months`` under protection; the
state issues at most ``protected_permit_rate`` permits a month per protected person of working
age, and holders in formal work stay within ``protected_permit_quota`` of the hosts in formal
work. A hire without a permit does not go ahead; the permit lapses with the job.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small_scenario

from model.city import ArrivalCity
from model.codes import Employment, Origin, Status
from model.population import MIGRANT_COLUMNS, Table
from model.processes import status
from model.scenario import NationalParams

# every arrival an international newcomer under protection, so each one needs a permit
ALL_PROTECTED = {
    "inflow.profile.origin.international": 1.0,
    "inflow.profile.origin.internal": 0.0,
    "inflow.profile.origin.displaced": 0.0,
    "inflow.profile.origin.returnee": 0.0,
    "inflow.profile.status.regular": 0.0,
    "inflow.profile.status.asylum_pending": 0.0,
    "inflow.profile.status.protected": 1.0,
    "inflow.profile.status.irregular": 0.0,
    "run.months": 24,
}
TURKEY = NationalParams(
    protection_needs_permit=True,
    protected_permit_rate=0.01,
    protected_permit_wait_months=6,
    protected_permit_quota=0.1,
)


def _protected(n: int, arrival_month: int = 0, permit: bool = False) -> Table:
    mig = Table(MIGRANT_COLUMNS, n)
    mig.append(
        n,
        present=True,
        origin=Origin.INTERNATIONAL,
        status=Status.PROTECTED,
        age_band=1,
        arrival_month=arrival_month,
        work_permit=permit,
    )
    return mig


def test_the_protected_may_seek_formal_work_after_the_wait_or_with_a_permit():
    mig = Table(MIGRANT_COLUMNS, 5)
    mig.append(
        5,
        present=True,
        origin=np.array([Origin.INTERNATIONAL] * 4 + [Origin.INTERNAL]),
        status=np.array([Status.PROTECTED] * 3 + [Status.REGULAR] * 2),
        arrival_month=np.array([0, 8, 8, 8, 8]),
        work_permit=np.array([False, False, True, False, False]),
    )
    # at month 10: waited 10 months (an employer may apply), 2 months (not yet), a holder;
    # regular residents and citizens need no permit
    assert status.may_work_formally(mig, 10, TURKEY).tolist() == [True, False, True, True, True]
    eu = NationalParams(protection_needs_permit=False)
    assert status.may_work_formally(mig, 10, eu).all()


def test_permits_issued_follow_the_national_rate():
    mig = _protected(2000)
    offered = np.arange(100)
    seed = 7
    expected = np.random.default_rng(seed).binomial(2000, 0.01)  # the rate over 2,000 persons
    goes_ahead = status.issue_permits(mig, offered, 10_000, TURKEY, np.random.default_rng(seed))
    assert 5 <= expected <= 40  # a draw around 20 permits
    assert goes_ahead.sum() == expected
    assert mig.work_permit[: mig.n].sum() == expected  # holders are exactly the hires kept
    assert mig.work_permit[offered[goes_ahead]].all()


def test_the_quota_caps_permit_holders_at_a_tenth_of_hosts_in_formal_work():
    mig = _protected(2000)
    mig.work_permit[:8] = True
    mig.employment[:8] = Employment.FORMAL  # 8 holders in formal work already
    offered = np.arange(100, 200)
    rule = TURKEY.model_copy(update={"protected_permit_rate": 0.5})  # the rate never binds
    goes_ahead = status.issue_permits(mig, offered, 100, rule, np.random.default_rng(0))
    assert goes_ahead.sum() == 2  # 10 % of 100 hosts = 10 permits in force, 8 held already


def test_holders_and_full_work_rights_need_no_new_permit():
    holders = _protected(50, permit=True)
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert status.issue_permits(holders, np.arange(50), 0, TURKEY, rng).all()
    eu = NationalParams(protection_needs_permit=False)
    assert status.issue_permits(_protected(50), np.arange(50), 0, eu, rng).all()
    assert rng.bit_generator.state == state  # nothing drawn: EU runs keep their random stream


def test_a_permit_lapses_with_its_job():
    mig = _protected(3, permit=True)
    status.lapse_permits(mig, np.array([True, False, True]))
    assert mig.work_permit[: mig.n].tolist() == [False, True, False]


def _run(overrides: dict) -> ArrivalCity:
    model = ArrivalCity(small_scenario(**ALL_PROTECTED, **overrides), seed=4)
    while model.running:
        model.step()
    return model


@pytest.fixture(scope="module")
def runs() -> dict[str, ArrivalCity]:
    needs = {"national.protection_needs_permit": True}
    return {
        "none issued": _run({**needs, "national.protected_permit_rate": 0.0}),
        "some issued": _run({**needs, "national.protected_permit_rate": 0.002}),
        "full rights": _run({"national.protection_needs_permit": False}),
    }


def _formal(model: ArrivalCity) -> np.ndarray:
    mig = model.population.migrants
    return mig.present[: mig.n] & (mig.employment[: mig.n] == Employment.FORMAL)


def test_without_permits_issued_the_protected_work_only_informally(runs):
    mig = runs["none issued"].population.migrants
    assert not mig.work_permit[: mig.n].any()
    assert _formal(runs["none issued"]).sum() == 0
    assert (mig.employment[: mig.n] == Employment.INFORMAL).sum() > 0


def test_every_protected_formal_worker_holds_a_permit_and_every_holder_works_formally(runs):
    mig = runs["some issued"].population.migrants
    formal = _formal(runs["some issued"])
    held = mig.work_permit[: mig.n] & mig.present[: mig.n]
    assert formal.sum() > 0
    assert (held == formal).all()  # no permit wasted on someone without a formal job
    assert _formal(runs["full rights"]).sum() > formal.sum()
