"""Process 3 — legal status, work rights and the erosion of idle months.

Pending asylum claims are decided after the national processing delay; rejection leads to
departure or irregular stay. While a claim is pending, formal work depends on the national rule.
Idle months erode employability. Source: seed, Défis auxquels sont confrontées les autorités
municipales ("la législation nationale en matière de statut et d'accès au marché du travail");
Principales controverses (the national level holds the keys to status).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import AgeBand, Employment, Origin, Status
from model.month import Month
from model.population import Table
from model.scenario import BehaviourParams, LabourParams, NationalParams

FAST_TRACK_RATE = 0.05  # 1/month: recognition chance of credential holders at full fast-track
# shape of the Gamma distribution of asylum processing delays (dimensionless): 2 gives a
# right-skewed delay with a mode at half the mean, as in the spread of BAMF durations (assumption)
DELAY_SHAPE = 2.0
TRUST_AFTER_REJECTION = 0.5  # ratio: trust in authorities kept after a rejected claim (assumption)


@dataclass
class StatusMonth:
    """Claims decided this month (agents)."""

    granted: int
    rejected: int


def run(month: Month) -> StatusMonth:
    """Process 3 for one month: claims decided, idle months, recognition, what time teaches."""
    p, mig, rng = month.params, month.mig, month.rng
    granted, rejected = decide_claims(mig, month.t, p.national, rng)
    erode_employability(mig, p.behaviour, p.labour)
    fast_track_recognition(mig, p.policies.credential_fast_track, rng)
    learn_with_time(mig, p.behaviour)
    return StatusMonth(granted, rejected)


def fast_track_recognition(mig: Table, fast_track: float, rng: np.random.Generator) -> None:
    """A recognition office: credential holders get diplomas recognised without queueing."""
    if fast_track <= 0:
        return
    waiting = mig.present & mig.credentials & ~mig.recognised
    mig.recognised[waiting & (rng.random(mig.n) < FAST_TRACK_RATE * fast_track)] = True


def learn_with_time(mig: Table, behaviour: BehaviourParams) -> None:
    """Each month closes part of the gap in language and in information (networks, daily life).

    Arrivals aged 18-29 (age band 0) learn the language ``behaviour.youth_language_factor`` times
    as fast as older adults.
    """
    here = mig.present
    pace = np.where(mig.age_band == AgeBand.YOUTH, behaviour.youth_language_factor, 1.0)[here]
    mig.language[here] += behaviour.language_learning * pace * (1 - mig.language[here])
    mig.information[here] += behaviour.information_gain * (1 - mig.information[here])


def decision_months(
    arrival_month: np.ndarray, national: NationalParams, rng: np.random.Generator
) -> np.ndarray:
    """Month each pending claim is decided: arrival + a gamma-distributed processing delay."""
    mean = national.processing_delay_months
    delay = rng.gamma(DELAY_SHAPE, mean / DELAY_SHAPE, len(arrival_month)) if mean > 0 else 0
    return (arrival_month + np.ceil(delay)).astype(np.int32)


def decide_claims(
    mig: Table, t: int, national: NationalParams, rng: np.random.Generator
) -> tuple[int, int]:
    """Decide the claims due this month.

    Returns:
        (granted, rejected) counts of agents.
    """
    due = np.flatnonzero(
        mig.present & (mig.status == Status.ASYLUM_PENDING) & (mig.decision_month <= t)
    )
    if len(due) == 0:
        return 0, 0
    granted = rng.random(len(due)) < national.recognition_rate
    mig.status[due[granted]] = Status.PROTECTED
    rejected = due[~granted]
    mig.status[rejected] = Status.IRREGULAR
    mig.leaving[rejected] = rng.random(len(rejected)) < national.departure_after_rejection
    mig.trust[rejected] *= TRUST_AFTER_REJECTION
    return int(granted.sum()), len(rejected)


def regularise(
    mig: Table, extra_chance: np.ndarray, national: NationalParams, rng: np.random.Generator
) -> int:
    """Irregular residents regularised this month (base rate plus any legal-aid effect)."""
    irregular = mig.present & (mig.status == Status.IRREGULAR) & ~mig.leaving
    chance = national.regularisation_rate + extra_chance
    hit = irregular & (rng.random(mig.n) < chance)
    mig.status[hit] = Status.REGULAR
    return int(hit.sum())


def may_work_formally(mig: Table, t: int, national: NationalParams) -> np.ndarray:
    """Who has the right to formal work (or to seek it) this month.

    Citizens and regular residents always; protected persons always where protection carries
    work rights, and where it needs a permit (``national.protection_needs_permit``) those who
    hold one or whose employer may apply for one (``protected_permit_wait_months`` after
    arrival): the permit itself is issued at the hire (:func:`issue_permits`); pending
    claimants as the national rule says.
    """
    protected = mig.status == Status.PROTECTED
    if national.protection_needs_permit:
        protected &= mig.work_permit | permit_applicable(mig, t, national)
    secure = (mig.origin != Origin.INTERNATIONAL) | (mig.status == Status.REGULAR) | protected
    waited = (t - mig.arrival_month) >= national.work_wait_months
    pending_ok = (mig.status == Status.ASYLUM_PENDING) & national.work_while_pending & waited
    return secure | pending_ok


def permit_applicable(mig: Table, t: int, national: NationalParams) -> np.ndarray:
    """Protected persons under protection long enough for an employer to apply for a permit."""
    waited = (t - mig.arrival_month) >= national.protected_permit_wait_months
    return (mig.status == Status.PROTECTED) & waited


@dataclass(frozen=True)
class Permits:
    """The month's formal hires that need a work permit, and what came of them.

    Attributes:
        goes_ahead: boolean mask over the month's formal offers: the hires that go ahead.
        needed: offers to protected persons without a permit (each needs one).
        issued: permits issued this month (those hires go ahead).
    """

    goes_ahead: np.ndarray
    needed: int
    issued: int


def issue_permits(
    mig: Table,
    offered: np.ndarray,
    host_formal_workers: int,
    national: NationalParams,
    rng: np.random.Generator,
) -> Permits:
    """Which formal hires go ahead where protection needs a work permit.

    As the Regulation on Work Permits of Foreigners under Temporary Protection (2016) has it,
    there is no national cap: the employer of a protected person without a permit applies for
    one with chance ``protected_permit_application`` (the fee, the paperwork and the social
    contributions that formal hiring brings decide it), and the permit is issued if permit
    holders in formal work stay within ``protected_permit_quota`` of the hosts in formal work
    (Art. 8); a hire whose employer does not apply, or that the quota refuses, does not go
    ahead. Who may be offered such a hire (``protected_permit_wait_months`` under protection,
    Art. 5) is :func:`may_work_formally`'s rule. Holders keep the permit while the job lasts
    (:func:`lapse_permits`).

    Args:
        mig: the newcomers' table (``work_permit`` set for the permits issued).
        offered: indices of the newcomers matched to a formal job this month.
        host_formal_workers: hosts in formal work (agents).
        national: the national rules.
        rng: the model's generator.

    Returns:
        The hires that go ahead and the month's permit counts.
    """
    goes_ahead = np.ones(len(offered), dtype=bool)
    if not national.protection_needs_permit:
        return Permits(goes_ahead, 0, 0)
    protected = mig.present & (mig.status == Status.PROTECTED)
    needs = np.flatnonzero(protected[offered] & ~mig.work_permit[offered])
    if len(needs) == 0:
        return Permits(goes_ahead, 0, 0)
    applied = needs[rng.random(len(needs)) < national.protected_permit_application]
    holders = int((protected & mig.work_permit & (mig.employment == Employment.FORMAL)).sum())
    room = max(int(national.protected_permit_quota * host_formal_workers) - holders, 0)
    granted = rng.permutation(applied)[:room]
    goes_ahead[needs] = False
    goes_ahead[granted] = True
    mig.work_permit[offered[granted]] = True
    return Permits(goes_ahead, len(needs), len(granted))


def lapse_permits(mig: Table, lost: np.ndarray) -> None:
    """Permits end with the job they were issued for: a new employer applies anew."""
    mig.work_permit[lost] = False


def erode_employability(
    mig: Table, behaviour: BehaviourParams, labour: LabourParams | None = None
) -> None:
    """Idle months cost employability (discouragement, skills depreciation); work rebuilds it.

    Each idle month takes ``employability_erosion``; each working month gives back
    ``labour.employability_rebuild`` times that; employability stays within
    [``labour.employability_floor``, 1].
    """
    lab = labour or LabourParams()
    idle = mig.present & (mig.employment == Employment.NONE)
    mig.idle_months[idle] += 1
    mig.employability[idle] -= behaviour.employability_erosion
    working = mig.present & ~idle
    mig.employability[working] += lab.employability_rebuild * behaviour.employability_erosion
    np.clip(mig.employability, lab.employability_floor, 1.0, out=mig.employability)
