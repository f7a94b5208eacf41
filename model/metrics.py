"""The outcomes, declared once: name, unit, kind, definition and how each is computed.

``OUTCOMES`` drives Mesa's DataCollector (one model reporter each), the columns of
``RunResult.timeseries``, the run summary, exports, the ``arrival-city outcomes`` command and the
outcome table of docs/ODD.md §7.11. Each ``compute`` reads an :class:`Observation` of the month
(the state at the month's end and what each process returned); it never writes state. A missing or
non-finite outcome raises :class:`OutcomeError`: a column of silent zeros is worse than a crash.

Every rate is over people (agents weighted by the persons they stand for); counts are persons.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from scipy.special import betaln, gammaln

from model.codes import (
    SECTORS,
    SEXES,
    WORKING_AGE_BANDS,
    Employment,
    Origin,
    Skill,
    Status,
    Tenure,
)
from model.month import Month
from model.population import Table
from model.processes.access import AccessMonth
from model.processes.cohesion import CohesionMonth
from model.processes.courses import CoursesMonth
from model.processes.housing import HousingMonth, overcrowded
from model.processes.inflow import InflowMonth
from model.processes.mobility import MobilityMonth
from model.processes.partners import PartnersMonth
from model.processes.planning import CityPlans, PlanningMonth
from model.processes.services import Queue, ServicesMonth
from model.processes.work import WorkMonth
from model.space import PERIPHERY

Kind = Literal["stock", "flow", "share", "mean", "index", "money"]


class OutcomeError(RuntimeError):
    """An outcome that could not be computed, or came out as NaN or infinite."""


@dataclass(frozen=True)
class MonthResults:
    """What each process of the month returned (the explicit hand-overs of docs/ODD.md §3)."""

    inflow: InflowMonth
    housing: HousingMonth
    access: AccessMonth
    services: ServicesMonth
    planning: PlanningMonth
    partners: PartnersMonth
    cohesion: CohesionMonth
    mobility: MobilityMonth
    courses: CoursesMonth
    work: WorkMonth


class Observation:
    """The city at the end of a month, as the outcomes read it (masks computed once).

    Args:
        month: the month's context.
        results: what the processes returned.
        sectors: the service sectors (waits, served volume).
        plans: the city's plans and money.
        block_people: (newcomer persons, host persons) per block at the end of the month.
    """

    def __init__(
        self,
        month: Month,
        results: MonthResults,
        sectors: Sequence[Queue],
        plans: CityPlans,
        block_people: tuple[np.ndarray, np.ndarray],
    ):
        self.month, self.results, self.sectors, self.plans = month, results, sectors, plans
        self.block_people = block_people
        self.mig, self.hh, self.scale = month.mig, month.hh, month.scale

    @cached_property
    def here(self) -> np.ndarray:
        """Newcomers present in the city."""
        return self.mig.present

    @cached_property
    def adults(self) -> np.ndarray:
        """Newcomers present and of working age."""
        return self.here & (self.mig.age_band < WORKING_AGE_BANDS)

    @cached_property
    def tenure(self) -> np.ndarray:
        """Each newcomer's household tenure."""
        return self.hh.tenure[self.mig.household]

    @cached_property
    def newcomer_hh(self) -> np.ndarray:
        """Newcomer households present."""
        return self.hh.present & ~self.hh.host

    @cached_property
    def private_newcomer_hh(self) -> np.ndarray:
        """Newcomer households present in private housing (not in state reception)."""
        return self.newcomer_hh & (self.hh.tenure != Tenure.RECEPTION)

    @cached_property
    def host_hh(self) -> np.ndarray:
        """Host households."""
        return self.hh.present & self.hh.host

    @cached_property
    def crowded(self) -> np.ndarray:
        """Overcrowded households."""
        return overcrowded(self.hh)

    @cached_property
    def irregular(self) -> np.ndarray:
        """Newcomers present without valid status."""
        return self.here & (self.mig.status == Status.IRREGULAR)

    @cached_property
    def integration(self) -> np.ndarray:
        """Each newcomer's integration score (see :func:`integration_scores`)."""
        return integration_scores(self.mig, self.tenure)

    @cached_property
    def waits(self) -> tuple[np.ndarray, np.ndarray]:
        """Per sector, the mean wait of those served (months) and the persons served."""
        waits = np.array([svc.mean_wait_months for svc in self.sectors])
        volume = np.array([svc.served for svc in self.sectors])
        return waits, volume


@dataclass(frozen=True)
class Outcome:
    """One monthly outcome.

    Attributes:
        name: column name in the timeseries.
        unit: its unit ("persons", "share", "months", "currency/month", ...).
        kind: stock (a level at the month's end), flow (during the month), share (0-1), mean
            (an average over people or cases), index (a composite score) or money.
        definition: one line: what it measures.
        compute: reads an :class:`Observation`, returns the value.
    """

    name: str
    unit: str
    kind: Kind
    definition: str
    compute: Callable[[Observation], float]


def _share(numerator: np.ndarray | float, denominator: np.ndarray | float) -> float:
    den = _total(denominator)
    return _total(numerator) / den if den > 0 else 0.0


def _total(values: np.ndarray | float) -> float:
    """The sum; a boolean mask is counted (the same number, without summing it as integers)."""
    if isinstance(values, np.ndarray) and values.dtype == np.bool_:
        return float(np.count_nonzero(values))
    return float(np.sum(values))


def _mean(values: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask].mean()) if mask.any() else 0.0


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Mean weighted by volume; 0 where there is no volume at all (nobody served or waiting)."""
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else 0.0


def dissimilarity_index(newcomers_per_block: np.ndarray, hosts_per_block: np.ndarray) -> float:
    """Duncan's index of dissimilarity between newcomers and hosts across blocks (0-1)."""
    n, h = newcomers_per_block.sum(), hosts_per_block.sum()
    if n <= 0 or h <= 0:
        return 0.0
    return 0.5 * float(np.abs(newcomers_per_block / n - hosts_per_block / h).sum())


def random_dissimilarity(units: float, shares: np.ndarray) -> float:
    """Expected Duncan index when ``units`` households are placed at random over blocks.

    Each block's count is Binomial(units, share); its mean absolute deviation is
    ``2 m C(n, m) p^m (1 - p)^(n - m + 1)`` with ``m = floor(n p) + 1`` (de Moivre), so
    ``E[D] = sum_b MAD_b / (2 n)``. ``units`` may be fractional (an effective number); the
    binomial coefficient is taken through the log-gamma function.
    """
    n = float(units)
    p = np.asarray(shares, dtype=float)
    p = p[(p > 0) & (p < 1)]
    if n <= 0 or len(p) == 0:
        return 0.0
    m = np.floor(n * p) + 1
    log_mad = (
        np.log(2 * m)
        + _log_choose(n, m)
        + m * np.log(p)
        + np.clip(n - m + 1, 0, None) * np.log1p(-p)
    )
    mad = np.where(m <= n, np.exp(log_mad), 2 * n * p * (1 - p))  # m > n: the count is 0 or n
    return float(min(mad.sum() / (2 * n), 1.0))


def _log_choose(n: float, k: np.ndarray) -> np.ndarray:
    k = np.minimum(k, n)
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def systematic_dissimilarity(
    newcomers_per_block: np.ndarray, hosts_per_block: np.ndarray, newcomer_units: float
) -> float:
    """Duncan's index net of what random placement of few households gives (0-1).

    Carrington & Troske (1997, "On measuring segregation in samples with small units", Journal
    of Business & Economic Statistics 15(4): 402-409): ``D* = (D - E[D]) / (1 - E[D])`` when
    ``D >= E[D]``, ``(D - E[D]) / E[D]`` otherwise, where ``E[D]`` is the index expected when the
    newcomers' households (their effective number ``newcomer_units``: agents weighted by persons)
    are placed at random in proportion to the hosts. Duncan's index of a few households placed
    at random is far above 0 (and higher the fewer the agents, so at a larger ``run.scale``); D*
    is 0 for random placement at any number of agents.
    """
    d = dissimilarity_index(newcomers_per_block, hosts_per_block)
    h = hosts_per_block.sum()
    if h <= 0 or newcomer_units <= 0:
        return 0.0
    expected = random_dissimilarity(newcomer_units, hosts_per_block / h)
    if d >= expected:
        return (d - expected) / (1 - expected) if expected < 1 else 0.0
    return (d - expected) / expected


NORMAL_BETA = 1e6  # above this a + b, the Beta's mean absolute deviation is the normal one


def beta_dissimilarity(newcomers_per_block: np.ndarray, residents_per_block: np.ndarray) -> float:
    """Dissimilarity of the newcomers' chances to live in each block, net of small-unit noise (0-1).

    Rathelot (2012, "Measuring segregation when units are small: a parametric approach", Journal
    of Business & Economic Statistics 30(4): 546-553, doi:10.1080/07350015.2012.707586), in its
    moment form with one Beta component. Each block ``b`` has ``t_b`` resident households of which
    ``k_b`` are newcomers, drawn with the block's chance ``pi_b``. Duncan's index is the
    ``t``-weighted mean absolute deviation of ``pi`` over ``2 p (1 - p)``, ``p`` the newcomers'
    share. The observed shares ``k_b / t_b`` add binomial noise to ``pi_b`` whose variance has an
    unbiased estimate, ``k_b (t_b - k_b) / (t_b^2 (t_b - 1))``; net of it, the ``t``-weighted
    variance of ``pi`` is unbiased at any number of households, and the index is that of the Beta
    distribution with the same mean and variance. It is 1 when no block has both groups and 0 in
    expectation when households are placed at random: the net variance is then as often below 0
    as above, and a negative one (blocks more alike than random draws) gives the index of its
    absolute value with a minus sign, as D* does below random. Unlike Carrington-Troske's D*, it
    keeps its expectation when a city is represented by fewer, larger agents (docs/ODD.md §7.2,
    scale).

    Args:
        newcomers_per_block: newcomer households (agents) per block.
        residents_per_block: all households (agents) per block, newcomers included.
    """
    k = np.asarray(newcomers_per_block, dtype=float)
    t = np.asarray(residents_per_block, dtype=float)
    k, t = k[t > 1], t[t > 1]  # the noise estimate needs two households in the block
    total = t.sum()
    p = k.sum() / total if total > 0 else 0.0
    if p <= 0 or p >= 1:
        return 0.0
    spread = float((t * (k / t - p) ** 2).sum()) / total
    noise = float((k * (t - k) / (t * (t - 1))).sum()) / total
    eta2 = (spread - noise) / (p * (1 - p))  # share of the variance between blocks
    if eta2 == 0:
        return 0.0
    if eta2 >= 1:
        return 1.0
    nu = 1 / abs(eta2) - 1  # the Beta's a + b
    if nu > NORMAL_BETA:  # the Beta is normal: its mean absolute deviation is sd * sqrt(2 / pi)
        mad = math.sqrt(2 / math.pi * p * (1 - p) / (nu + 1))
    else:
        a, b = p * nu, (1 - p) * nu
        mad = math.exp(
            math.log(2) + a * math.log(a) + b * math.log(b) - betaln(a, b) - (nu + 1) * math.log(nu)
        )
    return math.copysign(min(mad / (2 * p * (1 - p)), 1.0), eta2)


def households_per_block(hh: Table, n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """(newcomer households, all households) placed on each block, agents counted as units."""
    live = hh.present & (hh.block >= 0)
    return (
        np.bincount(hh.block[live & ~hh.host], minlength=n_blocks),
        np.bincount(hh.block[live], minlength=n_blocks),
    )


def newcomer_units(hh: Table) -> float:
    """Effective number of newcomer households placed on blocks (agents weighted by persons).

    ``(sum of persons)^2 / (sum of squared persons)`` over the newcomer agents that the
    dissimilarity counts: the number of equal-sized units that would scatter as much.
    """
    placed = hh.present & ~hh.host & (hh.block >= 0)
    size = hh.size[placed].astype(float)
    squares = float((size**2).sum())
    return float(size.sum()) ** 2 / squares if squares > 0 else 0.0


def persons_per_block(hh: Table, n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """(newcomer persons, host persons) in each block, counting only the housed or sheltered."""
    live = hh.present & (hh.block >= 0)
    newcomer = live & ~hh.host
    host = live & hh.host
    return (
        np.bincount(hh.block[newcomer], weights=hh.size[newcomer], minlength=n_blocks),
        np.bincount(hh.block[host], weights=hh.size[host], minlength=n_blocks),
    )


def integration_scores(mig: Table, tenure: np.ndarray) -> np.ndarray:
    """Per newcomer, 0-1: mean of work, language, formal home, secure status, trust, needs met."""
    secure = (mig.origin != Origin.INTERNATIONAL) | (
        (mig.status != Status.ASYLUM_PENDING) & (mig.status != Status.IRREGULAR)
    )
    formal_home = (tenure == Tenure.OWNER) | (tenure == Tenure.FORMAL_RENTER)
    parts = (
        (mig.employment != Employment.NONE).astype(float),
        np.clip(mig.language, 0, 1),
        formal_home.astype(float),
        secure.astype(float),
        np.clip(mig.trust, 0, 1),
        1.0 - np.clip(mig.unmet_score, 0, 1),
    )
    return np.mean(parts, axis=0)


def _in_arrears(hh: Table) -> np.ndarray:
    return (hh.tenure == Tenure.FORMAL_RENTER) & (hh.arrears_months > 0)


def _cases_per_staff(o: Observation) -> np.ndarray:
    per_post = o.month.params.planning.cases_per_staff
    return np.array([getattr(per_post, sector) for sector in SECTORS])


def _mean_rent(o: Observation) -> float:
    rent = o.month.space.layer("rent")
    units = o.month.space.layer("formal_units")
    return float((rent * units).sum() / max(units.sum(), 1))


def _formal_rate(o: Observation, among: np.ndarray) -> float:
    return _share(among & (o.mig.employment == Employment.FORMAL), among)


def _forced(o: Observation) -> np.ndarray:
    """Displaced newcomers and those without a regular status (the forced-migrant population)."""
    return (o.mig.origin == Origin.DISPLACED) | (o.mig.status != Status.REGULAR)


def _periphery_adults(o: Observation) -> np.ndarray:
    ring = o.month.space.ring[np.maximum(o.hh.block[o.mig.household], 0)]
    return o.adults & (ring >= PERIPHERY)


def _sector_wait(k: int) -> Callable[[Observation], float]:
    return lambda o: float(o.sectors[k].mean_wait_months)


def _by_sector() -> tuple[Outcome, ...]:
    return tuple(
        Outcome(
            f"mean_wait_months_{sector}",
            "months",
            "mean",
            f"mean wait of those served this month in {sector.replace('_', ' ')} (0 if none)",
            _sector_wait(k),
        )
        for k, sector in enumerate(SECTORS)
    )


# the columns of RunResult.timeseries, in order (docs/ODD.md §7.11)
OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "month",
        "month",
        "stock",
        "the month (1 = first simulated month)",
        lambda o: o.month.reported,
    ),
    Outcome(
        "residents",
        "persons",
        "stock",
        "persons living in the city (hosts and newcomers' households)",
        lambda o: float(o.hh.size[o.hh.present].sum()) * o.scale,
    ),
    Outcome(
        "migrants_present",
        "persons",
        "stock",
        "newcomer adults present",
        lambda o: float(o.here.sum()) * o.scale,
    ),
    Outcome(
        "newcomer_residents",
        "persons",
        "stock",
        "persons living in the city in newcomers' households (adults and their children)",
        lambda o: float(o.hh.size[o.newcomer_hh].sum()) * o.scale,
    ),
    Outcome(
        "arrivals",
        "persons",
        "flow",
        "newcomer adults who arrived this month",
        lambda o: len(o.results.inflow.migrant_rows) * o.scale,
    ),
    Outcome(
        "departures",
        "persons",
        "flow",
        "newcomer adults who moved on or returned this month",
        lambda o: len(o.results.mobility.leaving) * o.scale,
    ),
    Outcome(
        "migrant_employment_rate",
        "share",
        "share",
        "working-age newcomers in any work",
        lambda o: _share(o.adults & (o.mig.employment != Employment.NONE), o.adults),
    ),
    Outcome(
        "migrant_formal_employment_rate",
        "share",
        "share",
        "working-age newcomers in formal work",
        lambda o: _formal_rate(o, o.adults),
    ),
    Outcome(
        "host_unemployment_rate",
        "share",
        "share",
        "host households' labour-force members without work",
        lambda o: _share(
            o.host_hh & o.hh.in_labour_force & (o.hh.employment == Employment.NONE),
            o.host_hh & o.hh.in_labour_force,
        ),
    ),
    Outcome(
        "labour_supply_shock",
        "share",
        "share",
        "newcomers in the labour force (working age, taking part) per member of the hosts' "
        "labour force",
        lambda o: _share(o.adults & o.mig.labour_force, o.host_hh & o.hh.in_labour_force),
    ),
    Outcome(
        "mean_wait_months",
        "months",
        "mean",
        "mean wait of those served this month, all sectors (weighted by persons served)",
        lambda o: _weighted_mean(*o.waits),
    ),
    *_by_sector(),
    Outcome(
        "mean_wait_months_newcomers",
        "months",
        "mean",
        "mean wait of the newcomers served this month, all sectors (0 if none was served)",
        lambda o: o.results.services.newcomer_wait,
    ),
    Outcome(
        "course_wait_months",
        "months",
        "mean",
        "mean wait from registration to course start of those who started a course this month "
        "(0 if none)",
        lambda o: o.results.courses.mean_wait,
    ),
    Outcome(
        "course_starts",
        "persons",
        "flow",
        "newcomers who started an integration course this month",
        lambda o: o.results.courses.started,
    ),
    Outcome(
        "course_waiting_list",
        "persons",
        "stock",
        "newcomers registered for an integration course and still waiting at the month's end",
        lambda o: o.results.courses.queue_end,
    ),
    Outcome(
        "course_participants",
        "persons",
        "stock",
        "newcomers in an integration course at the month's end",
        lambda o: o.results.courses.participants,
    ),
    Outcome(
        "course_seats",
        "persons",
        "stock",
        "integration-course seats this month: min(teachers x course_class_size, room seats)",
        lambda o: o.results.courses.seats,
    ),
    Outcome(
        "course_teachers",
        "posts",
        "stock",
        "integration-course teachers recruited (one class of course_class_size each)",
        lambda o: o.results.courses.teachers,
    ),
    Outcome(
        "queue_age_months",
        "months",
        "mean",
        "mean age of the requests still waiting at the month's end, all sectors",
        lambda o: _weighted_mean(o.results.services.queue_age, o.results.services.queue_end),
    ),
    Outcome(
        "oldest_request_months",
        "months",
        "stock",
        "age of the oldest request still waiting at the month's end, any sector",
        lambda o: float(o.results.services.oldest.max()),
    ),
    Outcome(
        "abandoned_requests",
        "persons",
        "flow",
        "requests given up this month after waiting longer than max_wait_months",
        lambda o: float(o.results.services.abandoned.sum()),
    ),
    Outcome(
        "unmet_need_rate_migrants",
        "share",
        "share",
        "newcomers' needs present this month (new or queued) that were not served",
        lambda o: _share(o.results.services.unmet, o.results.services.present_need),
    ),
    Outcome(
        "unmet_need_rate_irregular",
        "share",
        "share",
        "the same, for newcomers without valid status",
        lambda o: _share(
            o.results.services.unmet[o.results.services.irregular],
            o.results.services.present_need[o.results.services.irregular],
        ),
    ),
    Outcome(
        "service_uptake_irregular",
        "share",
        "share",
        "new needs of newcomers without valid status that became a request",
        lambda o: _share(
            o.results.access.asks[o.results.services.irregular],
            o.results.access.needs[o.results.services.irregular],
        ),
    ),
    Outcome(
        "service_uptake_migrants",
        "share",
        "share",
        "newcomers' new needs that became a request",
        lambda o: _share(o.results.access.asks, o.results.access.needs),
    ),
    Outcome(
        "informal_housing_share_migrants",
        "share",
        "share",
        "newcomer adults whose household lives in an informal dwelling",
        lambda o: _share(o.here & (o.tenure == Tenure.INFORMAL), o.here),
    ),
    Outcome(
        "overcrowding_rate_migrants",
        "share",
        "share",
        "persons in newcomer private households (not in state reception, as EU-SILC counts) "
        "with fewer rooms than persons (or doubled up)",
        lambda o: _share(
            o.hh.size * (o.private_newcomer_hh & o.crowded), o.hh.size * o.private_newcomer_hh
        ),
    ),
    Outcome(
        "overcrowding_rate_hosts",
        "share",
        "share",
        "the same, for host households",
        lambda o: _share(o.hh.size * (o.host_hh & o.crowded), o.hh.size * o.host_hh),
    ),
    Outcome(
        "arrears_rate_migrants",
        "share",
        "share",
        "persons in newcomer renter households who could not pay this month's rent (savings gone)",
        lambda o: _share(
            o.hh.size * (o.newcomer_hh & _in_arrears(o.hh)),
            o.hh.size * (o.newcomer_hh & (o.hh.tenure == Tenure.FORMAL_RENTER)),
        ),
    ),
    Outcome(
        "evictions",
        "households",
        "flow",
        "households evicted this month (informal tenants, renters in arrears)",
        lambda o: o.results.housing.evictions * o.scale,
    ),
    Outcome(
        "hosts_out_migrated",
        "households",
        "flow",
        "host households who left the city this month in answer to the newcomers living in it "
        "(housing.host_out_migration)",
        lambda o: o.results.housing.hosts_out_migrated * o.scale,
    ),
    Outcome(
        "hazard_losses",
        "households",
        "flow",
        "households whose informal dwelling a hazard destroyed this month",
        lambda o: o.results.housing.hazard_losses * o.scale,
    ),
    Outcome(
        "landlord_refusals",
        "households",
        "flow",
        "newcomer applicants turned away by landlords this month",
        lambda o: o.results.housing.rejected_by_landlords * o.scale,
    ),
    Outcome(
        "mean_rent",
        "currency/month",
        "money",
        "mean formal rent, weighted by the units of each block",
        _mean_rent,
    ),
    Outcome(
        "dissimilarity_index",
        "index -1 to 1",
        "index",
        "newcomers' dissimilarity from hosts across blocks beyond random placement "
        "(Carrington-Troske D*: 0 = random, 1 = complete separation)",
        lambda o: systematic_dissimilarity(*o.block_people, newcomer_units(o.hh)),
    ),
    Outcome(
        "dissimilarity_index_beta",
        "index -1 to 1",
        "index",
        "newcomers' dissimilarity from hosts across blocks beyond random placement, the same "
        "in expectation at any run.scale (Rathelot's Beta moment form on household agents: "
        "0 = random, 1 = complete separation)",
        lambda o: beta_dissimilarity(*households_per_block(o.hh, len(o.block_people[0]))),
    ),
    Outcome(
        "dissimilarity_index_raw",
        "index 0-1",
        "index",
        "Duncan's dissimilarity between newcomers and hosts across blocks (persons; biased "
        "upwards when newcomer agents are few)",
        lambda o: dissimilarity_index(*o.block_people),
    ),
    Outcome(
        "host_attitude_mean",
        "score -1 to 1",
        "mean",
        "host households' mean attitude towards newcomers",
        lambda o: _mean(o.hh.attitude, o.host_hh),
    ),
    Outcome(
        "tension_index",
        "share",
        "share",
        "host households hostile to newcomers (attitude below -0.3)",
        lambda o: o.results.cohesion.tension_index,
    ),
    Outcome(
        "perceived_favouritism",
        "share",
        "share",
        "with dedicated newcomer desks, hosts in mainstream services who wait a month or more",
        lambda o: o.results.cohesion.perceived_favouritism,
    ),
    Outcome(
        "trust_mean",
        "score 0-1",
        "mean",
        "newcomers' mean trust in the authorities",
        lambda o: _mean(o.mig.trust, o.here),
    ),
    Outcome(
        "trust_irregular",
        "score 0-1",
        "mean",
        "the same, for newcomers without valid status",
        lambda o: _mean(o.mig.trust, o.irregular),
    ),
    Outcome(
        "information_irregular",
        "score 0-1",
        "mean",
        "what newcomers without valid status know of the services",
        lambda o: _mean(o.mig.information, o.irregular),
    ),
    Outcome(
        "integration_index",
        "score 0-1",
        "index",
        "mean of work, language, formal home, secure status, trust and needs met",
        lambda o: _mean(o.integration, o.here),
    ),
    Outcome(
        "migrant_formal_employment_rate_periphery",
        "share",
        "share",
        "working-age newcomers in formal work, among those living in the periphery or edge",
        lambda o: _formal_rate(o, _periphery_adults(o)),
    ),
    Outcome(
        "migrant_formal_employment_rate_skilled",
        "share",
        "share",
        "working-age newcomers in formal work, among the mid- and high-skilled",
        lambda o: _formal_rate(o, o.adults & (o.mig.skill > 0)),
    ),
    Outcome(
        "migrant_employment_rate_forced",
        "share",
        "share",
        "working-age newcomers in any work, among the displaced and those without a regular "
        "status (asylum seekers, the protected, the irregular): the forced-migrant population",
        lambda o: _share(
            o.adults & _forced(o) & (o.mig.employment != Employment.NONE), o.adults & _forced(o)
        ),
    ),
    Outcome(
        "migrant_formal_employment_rate_forced",
        "share",
        "share",
        "working-age newcomers in formal work, among the displaced and those without a regular "
        "status",
        lambda o: _formal_rate(o, o.adults & _forced(o)),
    ),
    Outcome(
        "work_permits_issued",
        "persons",
        "flow",
        "work permits issued this month to protected persons at a formal hire (where protection "
        "needs a permit: national.protection_needs_permit)",
        lambda o: o.results.work.permits_issued * o.scale,
    ),
    Outcome(
        "work_permit_offers",
        "persons",
        "flow",
        "formal job offers this month to protected persons without a work permit (each needs "
        "one; those without one do not go ahead)",
        lambda o: o.results.work.permits_needed * o.scale,
    ),
    Outcome(
        "protected_working_age",
        "persons",
        "stock",
        "newcomers under protection of working age present",
        lambda o: float((o.adults & (o.mig.status == Status.PROTECTED)).sum()) * o.scale,
    ),
    Outcome(
        "migrant_employment_rate_women",
        "share",
        "share",
        "working-age newcomer women in any work",
        lambda o: _share(
            o.adults & o.mig.female & (o.mig.employment != Employment.NONE), o.adults & o.mig.female
        ),
    ),
    Outcome(
        "migrant_employment_rate_men",
        "share",
        "share",
        "working-age newcomer men in any work",
        lambda o: _share(
            o.adults & ~o.mig.female & (o.mig.employment != Employment.NONE),
            o.adults & ~o.mig.female,
        ),
    ),
    Outcome(
        "referrals_made",
        "persons",
        "flow",
        "referrals from a served sector that arrived in another sector this month",
        lambda o: o.results.services.referred * o.scale,
    ),
    Outcome(
        "referrals_lost",
        "persons",
        "flow",
        "referrals lost between sectors this month (low horizontal coherence)",
        lambda o: o.results.services.referrals_lost * o.scale,
    ),
    Outcome(
        "budget_gap",
        "currency/month",
        "money",
        "the city's mandate minus its money (negative: money to spare)",
        lambda o: o.plans.budget_gap,
    ),
    Outcome(
        "city_funding",
        "currency/month",
        "money",
        "the city's money this month: own revenue and national transfers",
        lambda o: o.plans.funding,
    ),
    Outcome(
        "city_mandate",
        "currency/month",
        "money",
        "what the city is responsible for this month: its services, policies, funded partners",
        lambda o: o.plans.mandate,
    ),
    Outcome(
        "city_accommodated",
        "persons",
        "stock",
        "newcomers the city houses: asylum seekers, refugees and tolerated claimants out of state "
        "reception with no dwelling of their own",
        lambda o: o.plans.asylum.accommodated,
    ),
    Outcome(
        "city_accommodation_cost",
        "currency/month",
        "money",
        "what housing them costs the city (part of city_mandate): city_accommodated x "
        "housing.municipal_accommodation_cost",
        lambda o: o.plans.asylum.accommodation,
    ),
    Outcome(
        "capacity_unfunded",
        "cases/month",
        "stock",
        "capacity the city's planners decided on but cannot pay (money binds)",
        lambda o: o.plans.capacity_unfunded,
    ),
    Outcome(
        "national_capacity_unfunded",
        "cases/month",
        "stock",
        "the same for the sectors the nation runs (national budget binds)",
        lambda o: o.plans.national_unfunded,
    ),
    Outcome(
        "national_service_spending",
        "currency/month",
        "money",
        "what the nation pays for the sectors it runs: paid capacity x planning cost_per_case",
        lambda o: o.plans.national_spending,
    ),
    Outcome(
        "national_course_spending",
        "currency/month",
        "money",
        "what the nation pays course providers: participants x course_cost_per_participant_month",
        lambda o: o.results.courses.spending,
    ),
    Outcome(
        "service_capacity",
        "cases/month",
        "stock",
        "capacity all sectors deliver next month before partners: min(staff, places)",
        lambda o: float(o.plans.delivered.sum()),
    ),
    Outcome(
        "service_posts",
        "posts",
        "stock",
        "full-time posts filled in all sectors (staff capacity / planning.cases_per_staff)",
        lambda o: float(o.plans.posts(_cases_per_staff(o)).sum()),
    ),
    Outcome(
        "demand_perception_gap",
        "share",
        "share",
        "share of actual service demand the planners' data did not see",
        lambda o: o.results.planning.demand_perception_gap,
    ),
    Outcome(
        "partner_capacity",
        "cases/month",
        "stock",
        "service capacity partners add for next month",
        lambda o: float(o.results.partners.capacity_added.sum()),
    ),
)
OUTCOME_NAMES: tuple[str, ...] = tuple(o.name for o in OUTCOMES)
BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}


def observe(observation: Observation) -> dict[str, float]:
    """Every outcome of the month, in ``OUTCOMES`` order.

    Raises:
        OutcomeError: an outcome is not a finite number.
    """
    values: dict[str, float] = {}
    for outcome in OUTCOMES:
        value = outcome.compute(observation)
        if not isinstance(value, (int, float, np.number)) or not math.isfinite(value):
            raise OutcomeError(
                f"outcome {outcome.name!r} is {value!r} in month {observation.month.reported}"
            )
        values[outcome.name] = value
    return values


#: the axes of a cohort cell, in the order of :class:`CohortTally`'s arrays
COHORT_AXES = ("months_since_arrival", "legal_status", "sex", "skill", "origin")


class CohortTally:
    """Employment (any, formal) of working-age newcomers by cohort cell.

    A cell is months since arrival × legal status × sex × skill level × origin (the axes of
    :data:`COHORT_AXES`); each month adds its working-age newcomers to their cells.
    """

    def __init__(self, months: int):
        self.shape = (months + 1, len(Status), len(SEXES), len(Skill), len(Origin))
        self.present = np.zeros(self.shape)
        self.employed = np.zeros(self.shape)
        self.formal = np.zeros(self.shape)

    def add(self, mig: Table, t: int) -> None:
        """Count this month's working-age newcomers into their cells."""
        adults = mig.present & (mig.age_band < WORKING_AGE_BANDS)
        since = np.clip(t - mig.arrival_month[adults], 0, self.shape[0] - 1)
        cell = np.ravel_multi_index(
            (
                since,
                mig.status[adults],
                mig.female[adults].astype(np.intp),
                mig.skill[adults],
                mig.origin[adults],
            ),
            self.shape,
        )
        size = self.present.size
        employment = mig.employment[adults]
        self.present += np.bincount(cell, minlength=size).reshape(self.shape)
        self.employed += np.bincount(
            cell, weights=employment != Employment.NONE, minlength=size
        ).reshape(self.shape)
        self.formal += np.bincount(
            cell, weights=employment == Employment.FORMAL, minlength=size
        ).reshape(self.shape)
