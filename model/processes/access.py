"""Process 5 — needs and access: which needs become requests for a service.

Each month people have needs (health, schooling and language, housing help, work and skills,
orientation, legal help). Whether a need becomes a request depends on information, trust, fear of
status checks, time conflicts and childcare, language, and entitlement by status. Source: seed,
Défis auxquels sont confrontées les autorités municipales: migrants "peuvent parfois être
particulièrement difficiles à atteindre en raison d'un manque de confiance dans les autorités, d'un
manque d'information sur la disponibilité des services ou de l'impossibilité à en bénéficier du
fait de conflits d'horaire ou de l'absence de solutions de garde pour leurs enfants".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import WORKING_AGE_BANDS, Employment, Origin, Sector, Status, Tenure
from model.month import Month
from model.population import Table, any_column
from model.scenario import SECTORS, NationalParams, ServicesParams

REFUSAL_TRUST_LOSS = 0.05  # trust lost by someone turned away for lack of entitlement


@dataclass
class AccessMonth:
    """Needs and requests of the month, (newcomers, sectors) booleans.

    Attributes:
        needs: new needs this month (none where a request is already queued).
        asks: needs that became a request.
        entitled: whether the person is entitled to the sector (drawn from the entitlement share).
        accepted: requests of the entitled: they join the queue this month.
        carried: requests still queued from earlier months.
    """

    needs: np.ndarray
    asks: np.ndarray
    entitled: np.ndarray
    accepted: np.ndarray
    carried: np.ndarray


def run(month: Month, may_work: np.ndarray, city_runs: np.ndarray) -> AccessMonth:
    """Process 5 for one month: needs, the requests they become, and who is entitled.

    Args:
        month: the month's context.
        may_work: per newcomer, the right to formal work (from work).
        city_runs: per sector, whether the city runs it (status-blind access applies there only).
    """
    p, t, rng = month.params, month.t, month.rng
    hh, mig = month.hh, month.mig
    tenure = hh.tenure[mig.household]
    children = hh.children[mig.household]
    needs = monthly_needs(mig, t, tenure, may_work, children, rng, p.services)
    id_required = (~(city_runs & p.policies.status_blind_access)).astype(float)
    chance = request_probability(
        mig,
        children,
        p.behaviour.fear_of_id_checks,
        id_required,
        p.policies.language_support,
        p.services,
    )
    asks = needs & (rng.random(needs.shape) < chance)
    aligned = p.planning.entitlement_alignment * p.governance.vertical_coherence
    entitled = rng.random(needs.shape) < entitlement(mig.status, mig.origin, p.national, aligned)
    accepted = asks & entitled
    refused = asks & ~entitled
    mig.trust[any_column(refused)] -= REFUSAL_TRUST_LOSS
    carried = mig.waiting_since >= 0
    mig.waiting_since[accepted] = t
    return AccessMonth(needs, asks, entitled, accepted, carried)


def monthly_needs(
    mig: Table,
    t: int,
    tenure: np.ndarray,
    may_work: np.ndarray,
    children: np.ndarray,
    rng: np.random.Generator,
    sp: ServicesParams | None = None,
) -> np.ndarray:
    """New needs this month, (migrants, sectors) booleans; none where already queued."""
    sp = sp or ServicesParams()
    n = mig.n
    chance = np.zeros((n, len(SECTORS)))
    chance[:, Sector.HEALTH] = sp.health_need_base + sp.health_need_slope * mig.health_need
    schooling = (children > 0) & ~mig.enrolled
    # adults' language courses are the integration-course line (processes/courses.py)
    chance[:, Sector.EDUCATION] = np.where(schooling, sp.schooling_need, 0.0)
    badly_housed = (
        (tenure == Tenure.INFORMAL) | (tenure == Tenure.DOUBLED_UP) | (tenure == Tenure.UNHOUSED)
    )
    chance[:, Sector.HOUSING_ASSISTANCE] = np.where(badly_housed, sp.housing_need, 0.0)
    # irregular residents may not work formally, yet ask for skills and job counselling: whether
    # they are let in is their entitlement (national.entitlements.irregular.employment_skills)
    irregular_adult = (mig.status == Status.IRREGULAR) & (mig.age_band < WORKING_AGE_BANDS)
    chance[:, Sector.EMPLOYMENT_SKILLS] = np.where(
        may_work & (mig.employment != Employment.FORMAL),
        sp.work_need,
        np.where(irregular_adult, sp.irregular_skills_need, 0.0),
    )
    new = (t - mig.arrival_month) < sp.reception_months
    uninformed = np.where(mig.information < sp.uninformed_below, sp.reception_need_uninformed, 0.0)
    chance[:, Sector.RECEPTION] = np.where(new, sp.reception_need_new, uninformed)
    insecure = (mig.status == Status.ASYLUM_PENDING) | (mig.status == Status.IRREGULAR)
    chance[:, Sector.LEGAL_AID] = np.where(insecure, sp.legal_need, 0.0)
    need = rng.random((n, len(SECTORS))) < chance
    need &= (mig.waiting_since < 0) & mig.present[:, None]
    return need


def entitlement(
    status: np.ndarray, origin: np.ndarray, national: NationalParams, aligned: float = 0.0
) -> np.ndarray:
    """Share of full entitlement by person and sector, (migrants, sectors).

    Args:
        status: per newcomer, legal status.
        origin: per newcomer, origin (citizens are fully entitled).
        national: the national rules (entitlements by status).
        aligned: 0-1, share of the gap to full entitlement that national rules close because they
            are aligned with the city's needs (vertical coherence x ``entitlement_alignment``).
    """
    table = np.ones((4, len(SECTORS)))
    table[Status.ASYLUM_PENDING] = [
        getattr(national.entitlements.asylum_pending, s) for s in SECTORS
    ]
    table[Status.IRREGULAR] = [getattr(national.entitlements.irregular, s) for s in SECTORS]
    table += aligned * (1.0 - table)
    out = table[status]
    out[origin != Origin.INTERNATIONAL] = 1.0
    return np.clip(out, 0.0, 1.0)


def request_probability(
    mig: Table,
    children: np.ndarray,
    fear_of_id_checks: float,
    id_required: np.ndarray,
    language_support: float = 0.0,
    sp: ServicesParams | None = None,
) -> np.ndarray:
    """Chance that a need becomes a request, (migrants, sectors).

    Args:
        mig: the newcomers table.
        children: school-age children in each newcomer's household.
        fear_of_id_checks: share of requests the irregular forgo where ID is asked.
        id_required: per sector, whether the service asks for identity documents.
        language_support: 0-1, interpreting and translated information (raises the floor).
        sp: the ``[services]`` coefficients (floors, conflicts, fear of pending claimants).
    """
    sp = sp or ServicesParams()
    information = sp.information_floor + (1 - sp.information_floor) * mig.information[:, None]
    trust = sp.trust_floor + (1 - sp.trust_floor) * mig.trust[:, None]
    fear = np.where(
        mig.status == Status.IRREGULAR,
        fear_of_id_checks,
        np.where(
            mig.status == Status.ASYLUM_PENDING, sp.pending_fear_share * fear_of_id_checks, 0.0
        ),
    )
    fear = fear[:, None] * id_required[None, :]
    conflict = np.where(mig.employment != Employment.NONE, sp.work_conflict, 0.0) + np.where(
        children > 0, sp.childcare_conflict, 0.0
    )
    floor = min(1.0, sp.language_floor + sp.language_support_floor_gain * language_support)
    language = floor + (1 - floor) * np.clip(mig.language, 0, 1)
    chance = information * trust * (1 - fear) * (1 - np.clip(conflict, 0, 1)[:, None])
    return chance * language[:, None]
