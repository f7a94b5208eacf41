"""Work permits under protection: ``national.protected_work_permit_share`` restricts formal work.

Where protection carries no work right by itself (Turkey's temporary protection: an employer must
apply for each permit), only the permit holders among the protected may be hired formally; the
others work informally or not at all. A share of 1 is the EU rule: every protected person may work.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small_scenario

from model.city import ArrivalCity
from model.codes import Employment, Origin, Status
from model.population import MIGRANT_COLUMNS, Table
from model.processes import inflow, status
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


def test_only_permit_holders_among_the_protected_may_work_formally():
    n = 4
    mig = Table(MIGRANT_COLUMNS, n)
    mig.append(
        n,
        present=True,
        origin=np.array([Origin.INTERNATIONAL] * 3 + [Origin.INTERNAL]),
        status=np.array([Status.PROTECTED, Status.PROTECTED, Status.REGULAR, Status.REGULAR]),
        work_permit=np.array([True, False, False, False]),
    )
    rule = NationalParams(protected_work_permit_share=0.063)
    # the protected holder, not the protected without a permit; regular residents and citizens
    # need none
    assert status.may_work_formally(mig, 10, rule).tolist() == [True, False, True, True]


def test_permits_are_drawn_once_with_the_share_and_all_given_at_one():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert inflow.work_permits(1000, 1.0, rng).all()
    assert rng.bit_generator.state == state  # nothing drawn: full-rights runs keep their stream
    assert not inflow.work_permits(1000, 0.0, rng).any()
    held = inflow.work_permits(200_000, 0.063, rng).mean()
    assert held == pytest.approx(0.063, abs=0.002)  # 4 binomial standard errors


def _run(share: float) -> ArrivalCity:
    model = ArrivalCity(
        small_scenario(**ALL_PROTECTED, **{"national.protected_work_permit_share": share}), seed=4
    )
    while model.running:
        model.step()
    return model


@pytest.fixture(scope="module")
def runs() -> dict[float, ArrivalCity]:
    return {share: _run(share) for share in (0.0, 0.3, 1.0)}


def test_without_permits_the_protected_work_only_informally(runs):
    mig = runs[0.0].population.migrants
    assert not mig.work_permit[: mig.n].any()
    employment = mig.employment[: mig.n]
    assert (employment == Employment.FORMAL).sum() == 0
    assert (employment == Employment.INFORMAL).sum() > 0


def test_only_permit_holders_are_hired_formally(runs):
    mig = runs[0.3].population.migrants
    held = mig.work_permit[: mig.n]
    formal = mig.employment[: mig.n] == Employment.FORMAL
    assert held.mean() == pytest.approx(0.3, abs=0.06)
    assert formal.sum() > 0
    assert held[formal].all()  # no one without a permit in formal work
    everyone = runs[1.0].population.migrants
    assert (everyone.employment[: everyone.n] == Employment.FORMAL).sum() > formal.sum()
