"""Work permits under protection, issued at the formal hire (``national.protection_needs_permit``).

Where protection carries no work right by itself (Turkey's temporary protection), the employer
of a protected person may apply for a permit after ``protected_permit_wait_months`` under
protection, and does so with chance ``protected_permit_application``; there is no national cap,
but holders in formal work stay within ``protected_permit_quota`` of the hosts in formal work.
A hire without a permit does not go ahead; the permit lapses with the job.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest
from conftest import SCENARIOS, small_scenario

from model.city import ArrivalCity
from model.codes import Employment, Origin, Status
from model.population import MIGRANT_COLUMNS, Table
from model.processes import status
from model.scenario import NationalParams, Scenario

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
    protected_permit_application=0.25,
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


def test_employers_apply_with_the_stated_chance_and_every_application_within_quota_is_granted():
    mig = _protected(2000)
    offered = np.arange(400)
    permits = status.issue_permits(mig, offered, 100_000, TURKEY, np.random.default_rng(7))
    applied = (np.random.default_rng(7).random(400) < 0.25).sum()  # the employers' draws
    assert 70 <= applied <= 130  # a quarter of 400, give or take
    assert permits.needed == 400
    assert permits.issued == applied == permits.goes_ahead.sum()
    assert mig.work_permit[: mig.n].sum() == applied  # holders are exactly the hires kept
    assert mig.work_permit[offered[permits.goes_ahead]].all()


@pytest.mark.parametrize("chance", [0.0, 1.0])
def test_no_application_no_formal_hire_and_every_application_goes_ahead(chance):
    mig = _protected(500)
    rule = TURKEY.model_copy(update={"protected_permit_application": chance})
    permits = status.issue_permits(mig, np.arange(500), 100_000, rule, np.random.default_rng(1))
    assert permits.issued == permits.goes_ahead.sum() == (500 if chance else 0)
    assert mig.work_permit[: mig.n].sum() == permits.issued


def test_by_default_only_the_rules_wait_and_quota_bind_and_the_megacity_sets_its_chance():
    rule = NationalParams(protection_needs_permit=True)  # the schema's neutral default
    mig = _protected(300)
    permits = status.issue_permits(mig, np.arange(300), 100_000, rule, np.random.default_rng(2))
    assert permits.issued == permits.goes_ahead.sum() == 300  # every employer applies
    capped = status.issue_permits(
        _protected(300), np.arange(300), 100, rule, np.random.default_rng(2)
    )
    assert capped.issued == 10  # the quota: a tenth of 100 hosts in formal work
    megacity = Scenario.from_toml(SCENARIOS / "megacity_mixed_flows.toml").national
    assert megacity.protection_needs_permit
    assert megacity.protected_permit_application == pytest.approx(0.144)  # calibrated there


def test_there_is_no_national_cap_however_few_the_protected():
    mig = _protected(20)  # a rate per protected person would allow none here
    rule = TURKEY.model_copy(update={"protected_permit_application": 1.0})
    permits = status.issue_permits(mig, np.arange(20), 100_000, rule, np.random.default_rng(0))
    assert permits.issued == 20


def test_the_quota_caps_permit_holders_at_a_tenth_of_hosts_in_formal_work():
    mig = _protected(2000)
    mig.work_permit[:8] = True
    mig.employment[:8] = Employment.FORMAL  # 8 holders in formal work already
    offered = np.arange(100, 200)
    rule = TURKEY.model_copy(update={"protected_permit_application": 1.0})  # every one applies
    permits = status.issue_permits(mig, offered, 100, rule, np.random.default_rng(0))
    assert permits.needed == 100
    assert permits.issued == permits.goes_ahead.sum() == 2  # 10 % of 100 hosts = 10, 8 held


def test_holders_and_full_work_rights_need_no_new_permit():
    holders = _protected(50, permit=True)
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    kept = status.issue_permits(holders, np.arange(50), 0, TURKEY, rng)
    assert kept.goes_ahead.all() and kept.needed == kept.issued == 0
    eu = NationalParams(protection_needs_permit=False)
    assert status.issue_permits(_protected(50), np.arange(50), 0, eu, rng).goes_ahead.all()
    assert rng.bit_generator.state == state  # nothing drawn: EU runs keep their random stream


def test_a_permit_lapses_with_its_job():
    mig = _protected(3, permit=True)
    status.lapse_permits(mig, np.array([True, False, True]))
    assert mig.work_permit[: mig.n].tolist() == [False, True, False]


class Run(NamedTuple):
    """A finished small city and its monthly permit counts (persons)."""

    model: ArrivalCity
    issued: np.ndarray
    offers: np.ndarray


def _run(overrides: dict) -> Run:
    model = ArrivalCity(small_scenario(**ALL_PROTECTED, **overrides), seed=4)
    issued, offers = [], []
    while model.running:
        model.step()
        if model.latest:
            issued.append(model.latest["work_permits_issued"])
            offers.append(model.latest["work_permit_offers"])
    return Run(model, np.array(issued), np.array(offers))


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    needs = {"national.protection_needs_permit": True}
    return {
        "none issued": _run({**needs, "national.protected_permit_application": 0.0}),
        "some issued": _run({**needs, "national.protected_permit_application": 0.3}),
        "all apply": _run({**needs, "national.protected_permit_application": 1.0}),
        "all apply, no wait": _run(
            {
                **needs,
                "national.protected_permit_application": 1.0,
                "national.protected_permit_wait_months": 0,
            }
        ),
        "full rights": _run({"national.protection_needs_permit": False}),
    }


def _formal(model: ArrivalCity) -> np.ndarray:
    mig = model.population.migrants
    return mig.present[: mig.n] & (mig.employment[: mig.n] == Employment.FORMAL)


def test_without_permits_issued_the_protected_work_only_informally(runs):
    mig = runs["none issued"].model.population.migrants
    assert not mig.work_permit[: mig.n].any()
    assert _formal(runs["none issued"].model).sum() == 0
    assert (mig.employment[: mig.n] == Employment.INFORMAL).sum() > 0


def test_every_protected_formal_worker_holds_a_permit_and_every_holder_works_formally(runs):
    mig = runs["some issued"].model.population.migrants
    formal = _formal(runs["some issued"].model)
    held = mig.work_permit[: mig.n] & mig.present[: mig.n]
    assert formal.sum() > 0
    assert (held == formal).all()  # no permit wasted on someone without a formal job
    assert _formal(runs["full rights"].model).sum() > formal.sum()


def test_every_application_goes_ahead_so_more_protected_work_formally(runs):
    assert _formal(runs["all apply"].model).sum() > _formal(runs["some issued"].model).sum()
    assert runs["all apply"].issued.sum() > runs["some issued"].issued.sum() > 0
    # a permit is issued at an offer that needs one: never more than the offers
    for name in ("some issued", "all apply"):
        assert (runs[name].issued <= runs[name].offers + 1e-9).all()
    assert runs["none issued"].issued.sum() == 0 < runs["none issued"].offers.sum()


def test_no_permit_before_six_months_under_protection(runs):
    # arrivals start in month 1: no employer may apply before month 7
    waited, at_once = runs["all apply"], runs["all apply, no wait"]
    first = int(np.flatnonzero(waited.issued)[0])
    assert first >= 6 and waited.offers[:first].sum() == 0
    assert np.flatnonzero(at_once.issued)[0] < first
    assert at_once.issued[:12].sum() > waited.issued[:12].sum()


def test_full_work_rights_count_no_permits(runs):
    assert runs["full rights"].issued.sum() == runs["full rights"].offers.sum() == 0
