"""Process 4 — work: formal hiring, informal work, separations, and labour demand.

Formal hiring chances rise with skills, recognised credentials, language, documents and transit
access to the centre's jobs, and fall with employers' discrimination; informal work is the
fallback. Labour demand grows with the consuming population — newcomers are customers too.
Source: seed, Difficultés rencontrées par les migrants ("non-reconnaissance des diplômes",
"discrimination"), Défis ("l'accès aux emplois et services centralisés").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import Employment
from model.month import Month
from model.population import Table
from model.processes import status

SKILL_FACTOR = np.array([0.6, 1.0, 1.4])  # low, mid, high skills, once recognised
UNRECOGNISED = 0.6  # what skills are worth to employers without recognised credentials
WAGE_FACTOR = np.array([0.8, 1.0, 1.5])
LANGUAGE_EXPONENT = 2.0
FORMAL_VACANCY_RATE = 0.02  # formal jobs open at month 0, share of those filled
RESIDENTS_SMOOTHING_MONTHS = 12.0  # labour demand follows the population over about a year
# horizontal coherence: employment services and transport planned together bring the periphery
# closer to jobs; at full coherence, this share of the access gap to the centre is closed
COORDINATED_ACCESS = 0.6
WORKING_AGE_BANDS = 2  # age bands 0 (18-29) and 1 (30-59) look for work


@dataclass
class LabourMarket:
    """The labour market's memory: formal jobs and residents at month 0, residents smoothed.

    Attributes:
        formal_jobs_start: formal jobs at month 0 (filled plus the vacancy margin), agents.
        residents_start: residents at month 0, persons per agent.
        residents_smoothed: residents followed with a lag of about a year (customers).
    """

    formal_jobs_start: float
    residents_start: float
    residents_smoothed: float

    @classmethod
    def at_start(cls, hh: Table) -> LabourMarket:
        """The month-0 market of a city of host households."""
        formal = int((hh.employment == Employment.FORMAL).sum())
        residents = float(hh.size.sum())
        return cls(formal * (1 + FORMAL_VACANCY_RATE), residents, residents)


@dataclass
class WorkMonth:
    """What work decided this month that later processes read.

    Attributes:
        may_work: per newcomer, the right to formal work this month.
    """

    may_work: np.ndarray


def run(
    month: Month, market: LabourMarket, discrimination_factor: float, employer_openness: float
) -> WorkMonth:
    """Process 4 for one month: separations, formal hiring, informal work, earnings.

    Args:
        month: the month's context.
        market: the labour market's memory (updated in place).
        discrimination_factor: employers' discrimination relative to month 0 (from cohesion).
        employer_openness: share by which engaged employers cut discrimination (from partners).
    """
    p, rng, t = month.params, month.rng, month.t
    b = p.behaviour
    hh, mig = month.hh, month.mig
    residents = float(hh.size[hh.present].sum())
    market.residents_smoothed += (residents - market.residents_smoothed) / (
        RESIDENTS_SMOOTHING_MONTHS
    )
    lost = mig.present & separations(
        mig.employment,
        b.job_separation_formal * b.newcomer_separation_factor,
        b.job_separation_informal,
        rng,
    )
    mig.employment[lost] = Employment.NONE
    host_employment = hh.employment[month.hosts]  # a view: writes go to the table
    host_lost = (host_employment == Employment.FORMAL) & (
        rng.random(len(host_employment)) < b.job_separation_formal
    )
    host_employment[host_lost] = Employment.NONE
    # formal hiring: hosts and newcomers with the right to work compete for vacancies
    jobs = labour_demand(
        market.formal_jobs_start,
        market.residents_smoothed,
        market.residents_start,
        p.city.labour_demand_elasticity,
    )
    filled = (host_employment == Employment.FORMAL).sum() + (
        mig.employment[mig.present] == Employment.FORMAL
    ).sum()
    host_seekers = np.flatnonzero(
        hh.in_labour_force[month.hosts] & (host_employment == Employment.NONE)
    )
    may_work = status.may_work_formally(mig, t, p.national)
    working_age = mig.present & (mig.age_band < WORKING_AGE_BANDS)
    mig_seekers = np.flatnonzero(working_age & may_work & (mig.employment != Employment.FORMAL))
    block = hh.block[mig.household[mig_seekers]]
    access = month.space.access()[np.maximum(block, 0)]
    access = access + (1 - access) * COORDINATED_ACCESS * p.governance.horizontal_coherence
    scores = migrant_hiring_score(
        mig.employability[mig_seekers],
        mig.skill[mig_seekers],
        mig.recognised[mig_seekers],
        mig.language[mig_seekers],
        access,
        min(1.0, b.hiring_discrimination * discrimination_factor * (1 - employer_openness)),
        carer=mig.female[mig_seekers] & (hh.children[mig.household[mig_seekers]] > 0),
        childcare_barrier=b.childcare_barrier,
    )
    hired = hire(
        np.concatenate([np.ones(len(host_seekers)), scores]),
        jobs - filled,
        b.job_finding_formal,
        rng,
    )
    hh.employment[host_seekers[hired[: len(host_seekers)]]] = Employment.FORMAL
    mig.employment[mig_seekers[hired[len(host_seekers) :]]] = Employment.FORMAL
    # informal work absorbs some of the rest, up to the openings it has
    slots = p.city.informal_jobs_per_resident * residents
    informal_filled = (mig.employment[mig.present] == Employment.INFORMAL).sum()
    room = max(0.0, 1.0 - informal_filled / slots) if slots > 0 else 0.0
    idle = working_age & (mig.employment == Employment.NONE)
    finds = rng.random(mig.n) < b.job_finding_informal * room
    mig.employment[idle & finds] = Employment.INFORMAL
    mig.earnings[:] = earnings(
        mig.employment, mig.skill, mig.recognised, b.wage_formal, b.wage_informal
    )
    return WorkMonth(may_work)


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
        employment == Employment.FORMAL,
        formal_rate,
        np.where(employment == Employment.INFORMAL, informal_rate, 0.0),
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
        employment == Employment.FORMAL,
        wage_formal * WAGE_FACTOR[effective_skill],
        np.where(employment == Employment.INFORMAL, wage_informal, 0.0),
    ).astype(np.float32)
