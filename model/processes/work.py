"""Process 4 — work: a segmented labour market that hosts and newcomers share.

Four segments: formal jobs for low, mid and high skills, and an informal sector. In each, seekers
(hosts score 1, newcomers by their hiring score) are matched to vacancies by a matching function
(hires = efficiency x seekers^a x vacancies^(1-a), Petrongolo & Pissarides 2001), so newcomers
congest the hosts' search and vacancies ease it. Jobs follow consumer demand (residents and their
spending; long-run elasticity 1, Peri 2016) with a partial adjustment; wages follow each segment's
unemployment along a wage curve (Blanchflower & Oswald 1994). Hosts' informal workers lose and
find informal work in the same pool as newcomers (Del Carpio & Wagner 2015). The efficiencies are
set at month 0 so that the city's start is its steady state: with no arrivals nothing drifts.
Source: seed, Difficultés rencontrées par les migrants ("non-reconnaissance des diplômes",
"discrimination"), Défis ("l'accès aux emplois et services centralisés").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import WORKING_AGE_BANDS, Employment
from model.month import Month
from model.population import Table
from model.processes import status
from model.processes.inflow import carer_effort
from model.scenario import LabourParams, Scenario

LOW, MID, HIGH, INFORMAL = 0, 1, 2, 3  # the segments: formal low / mid / high skills, informal
N_SEGMENTS = 4
FORMAL_SEGMENTS = 3
MIN_UNEMPLOYMENT = 0.005  # share: floor of a segment's unemployment rate (wage curve, start)
TINY = 1e-12  # agents: a divisor's floor where a count may be zero


@dataclass
class LabourMarket:
    """The labour market's memory, one entry per segment (low, mid, high, informal).

    Attributes:
        jobs: jobs the local economy supports now (filled plus vacant), agents.
        jobs_start: jobs at month 0, agents.
        efficiency: matching efficiency (hires per month at tightness 1 per unit of score).
        wage_index: wages relative to month 0.
        unemployment_start: the segment's host unemployment rate at month 0 (share).
        residents_start: residents at month 0 (persons per agent).
        spending_start: residents' monthly incomes at month 0 (currency per agent).
        informal_supply_start: the informal labour supply at month 0 (agents, see
            :func:`informal_supply`).
        own_account: informal jobs that own-account work adds now (agents).
        host_segment: each host household's segment (``N_SEGMENTS``: not in the labour force).
    """

    jobs: np.ndarray
    jobs_start: np.ndarray
    efficiency: np.ndarray
    wage_index: np.ndarray
    unemployment_start: np.ndarray
    residents_start: float
    spending_start: float
    host_segment: np.ndarray
    informal_supply_start: float = 0.0
    own_account: float = 0.0

    @classmethod
    def at_start(cls, hh: Table, params: Scenario) -> LabourMarket:
        """The month-0 market of a city of host households, calibrated to be at rest.

        In each segment the matching efficiency is set so that month-0 hires equal month-0
        separations (flow balance s E = f U, with the month's separations open at matching):
        with no arrivals the unemployment rate stays put.
        """
        lab, b, city = params.labour, params.behaviour, params.city
        seg = host_segments(hh)
        employed = np.bincount(
            seg, weights=hh.employment != Employment.NONE, minlength=N_SEGMENTS + 1
        )[:N_SEGMENTS]
        seekers = np.bincount(
            seg, weights=hh.employment == Employment.NONE, minlength=N_SEGMENTS + 1
        )[:N_SEGMENTS]
        residents = float(hh.size.sum())
        v = lab.formal_vacancy_rate
        vacant = np.empty(N_SEGMENTS)
        vacant[:FORMAL_SEGMENTS] = employed[:FORMAL_SEGMENTS] * v / (1 - v)
        vacant[INFORMAL] = city.informal_jobs_per_resident * residents
        separation = np.array(
            [b.job_separation_formal] * FORMAL_SEGMENTS + [b.job_separation_informal]
        )
        # where a segment has no unemployed host at month 0, its expected steady state stands in
        u0 = max(city.host_unemployment_rate, MIN_UNEMPLOYMENT)
        expected_seekers = (employed + seekers) * u0
        seekers_for_fit = np.where(seekers > 0, seekers, expected_seekers)
        a = lab.matching_elasticity
        # separations open their jobs before the month's matching: vacancies then are V + s E
        open_at_matching = np.maximum(vacant + separation * employed, TINY)
        with np.errstate(divide="ignore", invalid="ignore"):
            efficiency = (separation * employed) / (
                seekers_for_fit**a * open_at_matching ** (1 - a)
            )
        # an informal sector where no host works (northern city): the finding rate at tightness 1
        efficiency = np.where(employed > 0, efficiency, b.job_finding_informal)
        labour_force = employed + seekers
        unemployment = np.where(labour_force > 0, seekers / np.maximum(labour_force, 1), u0)
        jobs = employed + vacant
        return cls(
            jobs=jobs.copy(),
            jobs_start=jobs,
            efficiency=np.nan_to_num(efficiency),
            wage_index=np.ones(N_SEGMENTS),
            unemployment_start=np.maximum(unemployment, MIN_UNEMPLOYMENT),
            residents_start=residents,
            spending_start=float(hh.income.sum()),
            host_segment=seg,
            informal_supply_start=float((seg == INFORMAL).sum()),
        )


@dataclass
class WorkMonth:
    """What work decided this month that later processes read.

    Attributes:
        may_work: per newcomer, the right to formal work this month.
        vacancies: open jobs per segment after hiring (agents).
        wage_index: wages per segment relative to month 0.
        permits_needed: formal offers to protected persons without a work permit (agents).
        permits_issued: work permits issued at those offers (agents).
    """

    may_work: np.ndarray
    vacancies: np.ndarray
    wage_index: np.ndarray
    permits_needed: int = 0
    permits_issued: int = 0


def host_segments(hh: Table) -> np.ndarray:
    """Each household row's segment: its worker's skill or informal (4: not in the labour force)."""
    seg = np.where(hh.informal_worker, INFORMAL, hh.skill).astype(np.int64)
    return np.where(hh.in_labour_force & hh.host, seg, N_SEGMENTS)


def newcomer_segments(skill: np.ndarray, recognised: np.ndarray) -> np.ndarray:
    """The formal segment a newcomer competes in: high skills without recognition count as mid."""
    return np.where((skill == HIGH) & ~recognised, MID, skill).astype(np.int64)


def run(
    month: Month, market: LabourMarket, discrimination_factor: float, employer_openness: float
) -> WorkMonth:
    """Process 4 for one month: demand, separations, formal and informal matching, wages.

    Args:
        month: the month's context.
        market: the labour market's memory (updated in place).
        discrimination_factor: employers' discrimination relative to month 0 (from cohesion).
        employer_openness: share by which engaged employers cut discrimination (from partners).
    """
    p, rng, t = month.params, month.rng, month.t
    b, lab = p.behaviour, p.labour
    hh, mig = month.hh, month.mig
    host_employment = hh.employment[month.hosts]  # a view: writes go to the table
    # hosts who left the city (housing.host_out_migration) are out of its labour force
    host_seg = np.where(month.hosts_here, market.host_segment, N_SEGMENTS)
    in_force = host_seg < N_SEGMENTS
    may_work = status.may_work_formally(mig, t, p.national)
    # who searches: working-age newcomers in the labour force (drawn on arrival, inflow)
    searching = mig.present & (mig.age_band < WORKING_AGE_BANDS) & mig.labour_force
    supply = informal_supply(host_seg, searching, mig.employment)
    adjust_demand(market, hh, lab, supply)
    # who searches this month is settled before separations: the newly separated search next month
    host_formal_seekers = np.flatnonzero(
        in_force & (host_seg < INFORMAL) & (host_employment == Employment.NONE)
    )
    host_informal_seekers = np.flatnonzero(
        in_force & (host_seg == INFORMAL) & (host_employment == Employment.NONE)
    )
    mig_seekers = np.flatnonzero(searching & may_work & (mig.employment != Employment.FORMAL))
    separate(month, host_employment, in_force)
    # formal matching, segment by segment
    mig_seg = newcomer_segments(mig.skill, mig.recognised)
    filled = segment_counts(host_seg, host_employment, mig_seg, mig.employment, mig.present)
    informal_before = mig.present & (mig.employment == Employment.INFORMAL)
    scores = migrant_hiring_score(
        mig.employability[mig_seekers],
        mig.skill[mig_seekers],
        mig.recognised[mig_seekers],
        mig.language[mig_seekers],
        seeker_access(month, mig_seekers),
        min(1.0, b.hiring_discrimination * discrimination_factor * (1 - employer_openness)),
        carer=mig.carer[mig_seekers],
        childcare_barrier=b.childcare_barrier,
        labour=lab,
        inexperienced=mig.inexperienced[mig_seekers],
    )
    vacancies = np.maximum(market.jobs - filled, 0.0)
    formal_segment = np.concatenate([host_seg[host_formal_seekers], mig_seg[mig_seekers]])
    hired = match(
        formal_segment,
        np.concatenate([np.ones(len(host_formal_seekers)), scores]),
        vacancies,
        market.efficiency,
        lab.matching_elasticity,
        rng,
    )
    host_employment[host_formal_seekers[hired[: len(host_formal_seekers)]]] = Employment.FORMAL
    mig_matched = hired[len(host_formal_seekers) :]  # a view: writes go to ``hired``
    permits = status.issue_permits(
        mig,
        mig_seekers[mig_matched],
        int((host_employment == Employment.FORMAL).sum()),
        p.national,
        rng,
    )
    mig_matched[mig_matched] = permits.goes_ahead
    mig_hired = mig_seekers[mig_matched]
    mig.employment[mig_hired] = Employment.FORMAL
    filled += np.bincount(formal_segment[hired], minlength=N_SEGMENTS)[:N_SEGMENTS]
    filled[INFORMAL] -= informal_before[mig_hired].sum()  # they leave informal work
    # informal work: hosts' informal workers and idle newcomers draw from one pool; carers search
    # less here too (the childcare barrier cuts the search, whatever the job)
    idle = np.flatnonzero(searching & (mig.employment == Employment.NONE))
    informal_seekers = len(host_informal_seekers) + len(idle)
    vacancies = np.maximum(market.jobs - filled, 0.0)
    found = match(
        np.full(informal_seekers, INFORMAL),
        np.concatenate(
            [
                np.ones(len(host_informal_seekers)),
                carer_effort(mig.carer[idle], b.childcare_barrier),
            ]
        ),
        vacancies,
        market.efficiency,
        lab.matching_elasticity,
        rng,
    )
    host_employment[host_informal_seekers[found[: len(host_informal_seekers)]]] = (
        Employment.INFORMAL
    )
    mig.employment[idle[found[len(host_informal_seekers) :]]] = Employment.INFORMAL
    filled[INFORMAL] += found.sum()
    unemployed = segment_unemployed(
        host_seg, host_employment, mig_seg, mig.employment, searching, may_work
    )
    total = unemployed + filled
    rate = np.where(total > 0, unemployed / np.maximum(total, 1.0), market.unemployment_start)
    adjust_wages(market, rate, lab)
    mig.earnings[:] = earnings(
        mig.employment, mig_seg, market.wage_index, b.wage_formal, b.wage_informal, lab
    )
    return WorkMonth(
        may_work,
        np.maximum(market.jobs - filled, 0.0),
        market.wage_index.copy(),
        permits.needed,
        permits.issued,
    )


def separate(month: Month, host_employment: np.ndarray, in_force: np.ndarray) -> None:
    """Jobs lost this month, hosts' and newcomers'."""
    b, mig, rng = month.params.behaviour, month.mig, month.rng
    lost = mig.present & separations(
        mig.employment,
        b.job_separation_formal * b.newcomer_separation_factor,
        b.job_separation_informal,
        rng,
    )
    mig.employment[lost] = Employment.NONE
    status.lapse_permits(mig, lost)
    host_lost = in_force & separations(
        host_employment, b.job_separation_formal, b.job_separation_informal, rng
    )
    host_employment[host_lost] = Employment.NONE


def seeker_access(month: Month, seekers: np.ndarray) -> np.ndarray:
    """Transit access of seekers' blocks to the centre's jobs, improved by horizontal coherence."""
    p, hh, mig = month.params, month.hh, month.mig
    block = hh.block[mig.household[seekers]]
    access = month.space.access()[np.maximum(block, 0)]
    return access + (1 - access) * p.labour.coordinated_access * p.governance.horizontal_coherence


def segment_counts(
    host_seg: np.ndarray,
    host_employment: np.ndarray,
    mig_seg: np.ndarray,
    mig_employment: np.ndarray,
    present: np.ndarray,
) -> np.ndarray:
    """Filled jobs per segment: hosts' and present newcomers' (agents)."""
    host_job = np.where(host_employment != Employment.NONE, host_seg, N_SEGMENTS)
    mig_job = np.where(
        present & (mig_employment == Employment.FORMAL),
        mig_seg,
        np.where(present & (mig_employment == Employment.INFORMAL), INFORMAL, N_SEGMENTS),
    )
    counts = np.bincount(host_job, minlength=N_SEGMENTS + 1) + np.bincount(
        mig_job, minlength=N_SEGMENTS + 1
    )
    return counts[:N_SEGMENTS].astype(float)


def segment_unemployed(
    host_seg: np.ndarray,
    host_employment: np.ndarray,
    mig_seg: np.ndarray,
    mig_employment: np.ndarray,
    working_age: np.ndarray,
    may_work: np.ndarray,
) -> np.ndarray:
    """Jobless seekers per segment.

    Hosts count in their segment; idle newcomers in their formal segment if they may work
    formally, and in the informal sector in any case.
    """
    host_idle = np.where(host_employment == Employment.NONE, host_seg, N_SEGMENTS)
    idle = working_age & (mig_employment == Employment.NONE)
    counts = np.bincount(host_idle, minlength=N_SEGMENTS + 1)[:N_SEGMENTS].astype(float)
    counts[:FORMAL_SEGMENTS] += np.bincount(mig_seg[idle & may_work], minlength=FORMAL_SEGMENTS)[
        :FORMAL_SEGMENTS
    ]
    counts[INFORMAL] += idle.sum()
    return counts


def informal_supply(
    host_seg: np.ndarray, working_age: np.ndarray, mig_employment: np.ndarray
) -> float:
    """The informal labour supply: hosts' informal workers and newcomers not in formal work."""
    newcomers = working_age & (mig_employment != Employment.FORMAL)
    return float((host_seg == INFORMAL).sum() + newcomers.sum())


def adjust_demand(
    market: LabourMarket, hh: Table, lab: LabourParams, supply: float | None = None
) -> None:
    """Jobs move a share of the way to what consumer demand supports (partial adjustment).

    Demand is a mix of residents and their spending (household incomes), each relative to
    month 0; jobs supported = jobs at month 0 x demand ^ ``demand_elasticity``. In the informal
    sector, a share ``own_account_share`` of the labour supply above month 0's (``supply``)
    makes its own work (own-account), so it adds jobs rather than only competing for them.
    """
    here = hh.present
    residents = float(hh.size[here].sum()) / max(market.residents_start, 1.0)
    spending = float(hh.income[here].sum()) / max(market.spending_start, 1.0)
    w = lab.spending_weight
    demand = (1 - w) * residents + w * spending
    target = market.jobs_start * max(demand, 0.0) ** lab.demand_elasticity
    target[INFORMAL] += market.own_account  # the lag acts on jobs with an employer only
    market.jobs += adjustment_rate(lab.demand_half_life_months) * (target - market.jobs)
    if supply is not None:  # own-account work needs no employer: it starts (and stops) at once
        own_account = lab.own_account_share * max(supply - market.informal_supply_start, 0.0)
        market.jobs[INFORMAL] += own_account - market.own_account
        market.own_account = own_account


def adjust_wages(market: LabourMarket, unemployment: np.ndarray, lab: LabourParams) -> None:
    """Wages move a share of the way to the wage curve: (u / u at month 0) ^ elasticity."""
    ratio = np.maximum(unemployment, MIN_UNEMPLOYMENT) / market.unemployment_start
    target = ratio**lab.wage_curve_elasticity
    market.wage_index += adjustment_rate(lab.wage_half_life_months) * (target - market.wage_index)


def adjustment_rate(half_life_months: float) -> float:
    """Monthly share of a gap closed when the gap halves in ``half_life_months``."""
    return 1 - 2 ** (-1 / half_life_months)


def migrant_hiring_score(  # noqa: PLR0913, PLR0917 - one array per hiring factor
    employability: np.ndarray,
    skill: np.ndarray,
    recognised: np.ndarray,
    language: np.ndarray,
    access: np.ndarray,
    discrimination: float,
    carer: np.ndarray | None = None,
    childcare_barrier: float = 0.0,
    labour: LabourParams | None = None,
    inexperienced: np.ndarray | None = None,
) -> np.ndarray:
    """Relative formal-hiring chance of newcomer seekers (a host seeker scores 1).

    ``carer`` marks mothers of a child under school age without a childcare place (drawn on
    arrival, :func:`model.processes.inflow.carers`), whose search is cut by
    ``childcare_barrier``; ``inexperienced`` marks those who had no work experience before
    arrival, whose chance is ``labour.work_experience_factor`` of an experienced one's.
    """
    lab = labour or LabourParams()
    skill_factor = np.array([lab.skill_factor_low, lab.skill_factor_mid, lab.skill_factor_high])
    worth = skill_factor[skill] * np.where(
        (skill > LOW) & ~recognised, lab.unrecognised_factor, 1.0
    )
    language_factor = np.clip(language, 0.0, 1.0) ** lab.language_exponent
    access_factor = lab.access_floor + (1 - lab.access_floor) * access
    experience_factor = (
        np.where(inexperienced, lab.work_experience_factor, 1.0)
        if inexperienced is not None
        else 1.0
    )
    return (
        employability
        * worth
        * language_factor
        * access_factor
        * (1.0 - discrimination)
        * (carer_effort(carer, childcare_barrier) if carer is not None else 1.0)
        * experience_factor
    )


def match(
    segment: np.ndarray,
    scores: np.ndarray,
    vacancies: np.ndarray,
    efficiency: np.ndarray,
    elasticity: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Bernoulli hiring of seekers through a matching function, segment by segment.

    A seeker scoring 1 in segment k is hired with chance efficiency_k x (V_k / S_k)^(1-a), where
    S_k is the segment's summed score: hires = efficiency x S^a x V^(1-a). Expected hires never
    exceed the vacancies.

    Args:
        segment: each seeker's segment.
        scores: relative hiring chance of each seeker (host = 1).
        vacancies: open jobs per segment (agents).
        efficiency: matching efficiency per segment.
        elasticity: a, the elasticity of hires to seekers.
        rng: the model's generator.

    Returns:
        Boolean mask of hired seekers.
    """
    n = len(vacancies)
    effort = np.bincount(segment, weights=scores, minlength=n)[:n]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(
            effort > 0, efficiency * (vacancies / np.maximum(effort, TINY)) ** (1 - elasticity), 0.0
        )
    chance = np.clip(scores * rate[segment], 0.0, 1.0)
    expected = np.bincount(segment, weights=chance, minlength=n)[:n]
    cap = np.where(expected > vacancies, vacancies / np.maximum(expected, TINY), 1.0)
    return rng.random(len(scores)) < chance * cap[segment]


def separations(
    employment: np.ndarray, formal_rate: float, informal_rate: float, rng: np.random.Generator
) -> np.ndarray:
    """Jobs lost this month: returns the mask of workers who lose their job."""
    rate = np.zeros(len(Employment))  # by employment code
    rate[Employment.FORMAL], rate[Employment.INFORMAL] = formal_rate, informal_rate
    return rng.random(len(employment)) < rate[employment]


def earnings(
    employment: np.ndarray,
    segment: np.ndarray,
    wage_index: np.ndarray,
    wage_formal: float,
    wage_informal: float,
    labour: LabourParams | None = None,
) -> np.ndarray:
    """Monthly earnings by job type and segment, times the segment's wage index."""
    lab = labour or LabourParams()
    factor = np.array([lab.wage_factor_low, 1.0, lab.wage_factor_high])
    return np.where(
        employment == Employment.FORMAL,
        wage_formal * factor[segment] * wage_index[segment],
        np.where(employment == Employment.INFORMAL, wage_informal * wage_index[INFORMAL], 0.0),
    ).astype(np.float32)
