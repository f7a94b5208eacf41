"""Process 4 — work: formal hiring, informal work, separations, and labour demand.

Formal hiring chances rise with skills, recognised credentials, language, documents and transit
access to the centre's jobs, and fall with employers' discrimination; informal work is the
fallback. Labour demand grows with the consuming population — newcomers are customers too.
Source: seed, Difficultés rencontrées par les migrants ("non-reconnaissance des diplômes",
"discrimination"), Défis ("l'accès aux emplois et services centralisés").
"""

from __future__ import annotations

import numpy as np

from model.population import FORMAL_WORK, INFORMAL_WORK

SKILL_FACTOR = np.array([0.6, 1.0, 1.4])  # low, mid, high skills, once recognised
UNRECOGNISED = 0.6  # what skills are worth to employers without recognised credentials
WAGE_FACTOR = np.array([0.8, 1.0, 1.5])
LANGUAGE_EXPONENT = 2.0


def migrant_hiring_score(
    employability: np.ndarray,
    skill: np.ndarray,
    recognised: np.ndarray,
    language: np.ndarray,
    access: np.ndarray,
    discrimination: float,
    carer: np.ndarray | None = None,
    childcare_barrier: float = 0.0,
) -> np.ndarray:
    """Relative formal-hiring chance of newcomer seekers (a host seeker scores 1).

    ``carer`` marks mothers of young children without childcare, whose search is cut by
    ``childcare_barrier``.
    """
    skill_factor = SKILL_FACTOR[skill] * np.where((skill > 0) & ~recognised, UNRECOGNISED, 1.0)
    language_factor = np.clip(language, 0.0, 1.0) ** LANGUAGE_EXPONENT
    access_factor = 0.25 + 0.75 * access
    return (
        employability
        * skill_factor
        * language_factor
        * access_factor
        * (1.0 - discrimination)
        * (1.0 - childcare_barrier * (carer if carer is not None else 0.0))
    )


def hire(
    scores: np.ndarray, vacancies: float, finding_rate: float, rng: np.random.Generator
) -> np.ndarray:
    """Bernoulli hiring of seekers, rationed so expected hires never exceed the vacancies.

    Args:
        scores: relative hiring chance of each seeker (host = 1).
        vacancies: open formal jobs this month (in agents).
        finding_rate: monthly hiring chance of a seeker scoring 1 in a slack market.
        rng: the model's generator.

    Returns:
        Boolean mask of hired seekers.
    """
    raw = np.clip(finding_rate * scores, 0.0, 1.0)
    demand = raw.sum()
    if demand <= 0 or vacancies <= 0:
        return np.zeros(len(scores), dtype=bool)
    p = raw * min(1.0, vacancies / demand)
    return rng.random(len(scores)) < p


def separations(
    employment: np.ndarray, formal_rate: float, informal_rate: float, rng: np.random.Generator
) -> np.ndarray:
    """Jobs lost this month: returns the mask of workers who lose their job."""
    rate = np.where(
        employment == FORMAL_WORK,
        formal_rate,
        np.where(employment == INFORMAL_WORK, informal_rate, 0.0),
    )
    return rng.random(len(employment)) < rate


def labour_demand(
    jobs_start: float, residents: float, residents_start: float, elasticity: float = 0.9
) -> float:
    """Formal jobs the local economy supports, growing with its consumers."""
    return jobs_start * (max(residents, 1.0) / max(residents_start, 1.0)) ** elasticity


def earnings(
    employment: np.ndarray,
    skill: np.ndarray,
    recognised: np.ndarray,
    wage_formal: float,
    wage_informal: float,
) -> np.ndarray:
    """Monthly earnings by job type and (recognised) skill."""
    effective_skill = np.where((skill == 2) & ~recognised, 1, skill)
    return np.where(
        employment == FORMAL_WORK,
        wage_formal * WAGE_FACTOR[effective_skill],
        np.where(employment == INFORMAL_WORK, wage_informal, 0.0),
    ).astype(np.float32)
