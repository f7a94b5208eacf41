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

import numpy as np

from model.population import (
    ASYLUM_PENDING,
    DOUBLED_UP,
    FORMAL_WORK,
    INFORMAL,
    INTERNATIONAL,
    IRREGULAR,
    NO_WORK,
    UNHOUSED,
    Table,
)
from model.scenario import SECTORS, NationalParams

HEALTH, EDUCATION, HOUSING, EMPLOYMENT, RECEPTION, LEGAL = range(len(SECTORS))


def monthly_needs(
    mig: Table,
    t: int,
    tenure: np.ndarray,
    may_work: np.ndarray,
    children: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """New needs this month, (migrants, sectors) booleans; none where already queued."""
    n = mig.n
    chance = np.zeros((n, len(SECTORS)))
    chance[:, HEALTH] = 0.05 + 0.4 * mig.health_need
    schooling = (children > 0) & ~mig.enrolled
    chance[:, EDUCATION] = np.where(schooling, 0.9, np.where(mig.language < 0.6, 0.3, 0.0))
    badly_housed = (tenure == INFORMAL) | (tenure == DOUBLED_UP) | (tenure == UNHOUSED)
    chance[:, HOUSING] = np.where(badly_housed, 0.3, 0.0)
    chance[:, EMPLOYMENT] = np.where(may_work & (mig.employment != FORMAL_WORK), 0.3, 0.0)
    new = (t - mig.arrival_month) < 3
    chance[:, RECEPTION] = np.where(new, 0.8, np.where(mig.information < 0.3, 0.2, 0.0))
    insecure = (mig.status == ASYLUM_PENDING) | (mig.status == IRREGULAR)
    chance[:, LEGAL] = np.where(insecure, 0.2, 0.0)
    need = rng.random((n, len(SECTORS))) < chance
    need &= (mig.waiting_since < 0) & mig.present[:, None]
    return need


def entitlement(status: np.ndarray, origin: np.ndarray, national: NationalParams) -> np.ndarray:
    """Share of full entitlement by person and sector, (migrants, sectors)."""
    table = np.ones((4, len(SECTORS)))
    table[ASYLUM_PENDING] = [getattr(national.entitlements.asylum_pending, s) for s in SECTORS]
    table[IRREGULAR] = [getattr(national.entitlements.irregular, s) for s in SECTORS]
    out = table[status]
    out[origin != INTERNATIONAL] = 1.0
    return np.clip(out, 0.0, 1.0)


def request_probability(
    mig: Table,
    children: np.ndarray,
    fear_of_id_checks: float,
    id_required: np.ndarray,
    language_support: float = 0.0,
) -> np.ndarray:
    """Chance that a need becomes a request, (migrants, sectors).

    Args:
        mig: the newcomers table.
        children: school-age children in each newcomer's household.
        fear_of_id_checks: share of requests the irregular forgo where ID is asked.
        id_required: per sector, whether the service asks for identity documents.
        language_support: 0-1, interpreting and translated information (raises the floor).
    """
    information = 0.25 + 0.75 * mig.information[:, None]
    trust = 0.5 + 0.5 * mig.trust[:, None]
    fear = np.where(
        mig.status == IRREGULAR,
        fear_of_id_checks,
        np.where(mig.status == ASYLUM_PENDING, 0.3 * fear_of_id_checks, 0.0),
    )
    fear = fear[:, None] * id_required[None, :]
    conflict = np.where(mig.employment != NO_WORK, 0.25, 0.0) + np.where(children > 0, 0.15, 0.0)
    floor = 0.4 + 0.5 * language_support
    language = floor + (1 - floor) * np.clip(mig.language, 0, 1)
    return information * trust * (1 - fear) * (1 - conflict[:, None]) * language[:, None]
