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

from model.codes import Employment, Origin, Status
from model.month import Month
from model.population import Table
from model.scenario import BehaviourParams, LabourParams, NationalParams

YOUTH_BAND = 0  # age band of arrivals aged 18-29
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
    pace = np.where(mig.age_band == YOUTH_BAND, behaviour.youth_language_factor, 1.0)[here]
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
    """Who has the right to formal work this month.

    Citizens and regular residents always; protected persons if they hold a work permit
    (``mig.work_permit``, drawn on arrival with ``national.protected_work_permit_share``: all of
    them where protection carries work rights, a few where, as under Turkey's temporary
    protection, an employer must apply for each permit); pending claimants as the national rule
    says.
    """
    permitted = (mig.status == Status.PROTECTED) & mig.work_permit
    secure = (mig.origin != Origin.INTERNATIONAL) | (mig.status == Status.REGULAR) | permitted
    waited = (t - mig.arrival_month) >= national.work_wait_months
    pending_ok = (mig.status == Status.ASYLUM_PENDING) & national.work_while_pending & waited
    return secure | pending_ok


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
