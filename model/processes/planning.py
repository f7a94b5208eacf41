"""Process 7 — planning and money.

The city sees demand through its data: irregular and informally housed residents are seen only in
proportion to data quality; capacity follows *perceived* demand with a planning lag.
Decentralisation sets which services the city runs (competences) and what money it has
(resources): own revenue that grows with formal employment, plus national transfers per
*registered* resident, with a lag that vertical coherence shortens. Centrally run services plan on
coarser national data. Every policy has a cost; the gap between mandates and money is an outcome.
Source: seed, Principales controverses ("la tendance croissante à la décentralisation ... ne
s'accompagne pas toujours d'une allocation proportionnelle de ressources ... donnant aux autorités
locales davantage de responsabilités mais des moyens insuffisants pour les assumer"); Défis
("L'accès à ces données restent cependant très difficile ... en ce qui concerne la migration
irrégulière").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import policies
from model.codes import SECTORS, Employment, Sector, Status, Tenure
from model.month import Month
from model.population import Table
from model.processes import partners
from model.processes.access import AccessMonth
from model.processes.services import ServicesMonth
from model.scenario import GovernanceParams, Scenario
from model.space import PERIPHERY, CitySpace

# the order in which competences are devolved when only a share is given
DEVOLUTION_ORDER = (
    "reception",
    "housing_assistance",
    "education",
    "employment_skills",
    "health",
    "legal_aid",
)

BACKLOG_MONTHS = 12.0  # planners size capacity to clear a perceived backlog within a year
ONE_STOP_RECEPTION = 1.5  # a one-stop shop plans reception for this multiple of its demand
# vertical coherence: at full coherence national planning is this much faster, and transfers
# count new residents this much sooner
VERTICAL_PLANNING_SPEED_UP = 0.5
VERTICAL_TRANSFER_SPEED_UP = 0.75
# national data: what reaches the nation without consultation, and what consultation adds
NATIONAL_DATA_FLOOR, NATIONAL_DATA_CONSULTED = 0.2, 0.6
TRANSPORT_TRAVEL_CUT = 0.6  # peripheral travel time cut at full transport investment
TRANSPORT_MONTHS = 12.0  # travel times move towards their goal over about a year


@dataclass
class CityPlans:
    """The city government's plans and money, carried from month to month.

    Attributes:
        city_runs: per sector, whether the city runs it (the rest is run by the nation).
        cost_per_case: per sector, what serving one case costs (currency).
        capacity_ratio: per sector, the month-0 ratio of capacity to expected requests.
        planned_capacity: capacity each sector plans for next month (cases a month).
        delivered: capacity each sector can deliver next month, before partners.
        baseline_cost: per sector, the month-0 monthly cost of its capacity (currency).
        formal_workers_start: formal workers at month 0 (agents).
        registered_history: residents on the registers, month by month (persons).
        travel_start: month-0 travel minutes to the centre, per block.
        funding: money this month (own revenue and transfers), currency.
        mandate: cost of what the city is responsible for this month (currency).
        budget_gap: mandate minus funding (positive: responsibility without money).
        paid_share: share of its planned capacity the city can pay for (<= 1).
    """

    city_runs: np.ndarray
    cost_per_case: np.ndarray
    capacity_ratio: np.ndarray
    planned_capacity: np.ndarray
    delivered: np.ndarray
    baseline_cost: np.ndarray
    formal_workers_start: float
    registered_history: list[float]
    travel_start: np.ndarray
    funding: float = 0.0
    mandate: float = 0.0
    budget_gap: float = 0.0
    paid_share: float = 1.0

    @property
    def registered_residents(self) -> float:
        """Residents on the city's registers this month (what transfers count), persons."""
        return self.registered_history[-1]


def start(params: Scenario, hh: Table, space: CitySpace, scale: float) -> CityPlans:
    """The city's month-0 plans: each sector's capacity per 1,000 residents, fully funded."""
    residents = float(hh.size.sum()) * scale
    city = params.city
    baseline = np.array([getattr(city.service_capacity, k) * residents / 1000.0 for k in SECTORS])
    cost_per_case = np.array([getattr(city.cost_per_case, k) for k in SECTORS])
    host_rates = np.array([getattr(city.host_need_rate, k) for k in SECTORS])
    # planners keep each sector's month-0 ratio of capacity to expected requests
    capacity_ratio = np.where(
        host_rates > 0, baseline / np.maximum(host_rates * residents / 1000, 1e-9), 1.0
    )
    return CityPlans(
        city_runs=city_run_sectors(params.governance),
        cost_per_case=cost_per_case,
        capacity_ratio=capacity_ratio,
        planned_capacity=baseline.copy(),
        delivered=baseline.copy(),
        baseline_cost=baseline * cost_per_case,
        formal_workers_start=float((hh.employment == Employment.FORMAL).sum()),
        registered_history=[residents],
        travel_start=space.layer("travel_minutes").copy(),
    )


@dataclass
class PlanningMonth:
    """What planners saw this month: the share of actual demand their data missed."""

    demand_perception_gap: float


def run(
    month: Month,
    plans: CityPlans,
    asked: AccessMonth,
    delivered: ServicesMonth,
    host_backlog: np.ndarray,
    reach: partners.Reach,
) -> PlanningMonth:
    """Process 7 for one month: perceived demand, planned capacity, money, what can be paid.

    Args:
        month: the month's context.
        plans: the city's plans and money (updated in place).
        asked: the month's requests (from access).
        delivered: the month's service delivery (host requests).
        host_backlog: per sector, host persons still waiting.
        reach: what partners do this month (universities add data quality).
    """
    p, scale = month.params, month.scale
    gov, pol = p.governance, p.policies
    hh, mig = month.hh, month.mig
    on_register = registered(mig.status, hh.tenure[mig.household]) & mig.present
    data_quality = min(1.0, gov.data_quality + reach.data_gain)
    seen_city = visibility(on_register, data_quality)
    seen_nation = visibility(on_register, national_data_quality(gov))
    seen = np.where(plans.city_runs[None, :], seen_city[:, None], seen_nation[:, None])
    requests = asked.accepted * scale
    actual = delivered.host_requests + requests.sum(axis=0)
    perceived = delivered.host_requests + (requests * seen).sum(axis=0)
    # planners also see the backlog (hosts in full, newcomers through their data)
    backlog = host_backlog + ((mig.waiting_since >= 0) * scale * seen).sum(axis=0)
    lag = np.where(
        plans.city_runs,
        gov.planning_lag_months,
        gov.national_planning_lag_months
        * (1 - VERTICAL_PLANNING_SPEED_UP * gov.vertical_coherence),
    )
    target = capacity_target(perceived, backlog, plans.capacity_ratio)
    if pol.one_stop_shop:
        target[Sector.RECEPTION] *= ONE_STOP_RECEPTION
    plans.planned_capacity = plan(plans.planned_capacity, target, lag)
    # money: own revenue with formal employment, transfers per registered resident (lagged)
    host_persons = float(hh.size[month.hosts].sum())
    plans.registered_history.append(
        (host_persons + float(hh.size[mig.household[on_register]].sum())) * scale
    )
    lag_months = transfer_lag(p.national.transfer_lag_months, gov)
    history = plans.registered_history
    lagged = history[max(0, len(history) - 1 - lag_months)]
    workers = float((hh.employment[month.hosts] == Employment.FORMAL).sum()) + float(
        (mig.employment[mig.present] == Employment.FORMAL).sum()
    )
    growth = fiscal_growth(
        workers, plans.formal_workers_start, lagged, history[0], gov.own_revenue_share
    )
    plans.funding = gov.resources * float((plans.baseline_cost * plans.city_runs).sum()) * growth
    residents = float(hh.size[hh.present].sum()) * scale
    partner_cost = partners.city_cost(p.partners, month.reported, plans.cost_per_case)
    other = policies.monthly_cost(pol, residents) + partner_cost
    plans.mandate, plans.budget_gap, plans.paid_share = budget(
        plans.planned_capacity, plans.cost_per_case, plans.city_runs, other, plans.funding
    )
    plans.delivered = np.where(
        plans.city_runs, plans.planned_capacity * plans.paid_share, plans.planned_capacity
    )
    invest_in_transport(month, plans.travel_start, pol.transport_investment)
    gap = float((actual - perceived).sum() / max(actual.sum(), 1e-9))
    return PlanningMonth(demand_perception_gap=gap)


def invest_in_transport(month: Month, travel_start: np.ndarray, level: float) -> None:
    """Transport investment shortens peripheral travel times, over about a year."""
    if level <= 0:
        return
    space = month.space
    travel = space.layer("travel_minutes")
    outer = space.ring >= PERIPHERY
    goal = travel_start * (1 - TRANSPORT_TRAVEL_CUT * level)
    travel[outer] += (goal[outer] - travel[outer]) / TRANSPORT_MONTHS


def city_run_sectors(governance: GovernanceParams) -> np.ndarray:
    """Which of the six sectors the city runs (boolean per sector, in SECTORS order)."""
    if governance.city_sectors is not None:
        return np.array([s in governance.city_sectors for s in SECTORS])
    count = round(governance.competences * len(SECTORS))
    chosen = set(DEVOLUTION_ORDER[:count])
    return np.array([s in chosen for s in SECTORS])


def registered(status: np.ndarray, tenure: np.ndarray) -> np.ndarray:
    """Newcomers on the registers: not irregular, and at a formal address."""
    return (status != Status.IRREGULAR) & (
        (tenure == Tenure.OWNER) | (tenure == Tenure.FORMAL_RENTER)
    )


def visibility(is_registered: np.ndarray, data_quality: float) -> np.ndarray:
    """Weight with which each newcomer's requests reach the planners' data (0-1)."""
    return np.where(is_registered, 1.0, data_quality)


def national_data_quality(governance: GovernanceParams) -> float:
    """Coarser national data: local detail reaches the national level through consultation."""
    return (
        NATIONAL_DATA_FLOOR
        + NATIONAL_DATA_CONSULTED * governance.vertical_coherence * governance.data_quality
    )


def capacity_target(
    perceived_requests: np.ndarray, perceived_backlog: np.ndarray, capacity_ratio: np.ndarray
) -> np.ndarray:
    """Capacity planners aim for.

    This month's requests plus a share of the backlog, scaled by each sector's month-0 ratio of
    capacity to requests.
    """
    return (perceived_requests + perceived_backlog / BACKLOG_MONTHS) * capacity_ratio


def plan(planned: np.ndarray, target: np.ndarray, lag_months: np.ndarray) -> np.ndarray:
    """Capacity moves a ``1/lag`` step towards its target each month (never below zero)."""
    return np.maximum(planned + (target - planned) / np.maximum(lag_months, 1.0), 0.0)


def transfer_lag(national_lag: float, governance: GovernanceParams) -> int:
    """Months before transfers count a new resident: vertical coherence shortens the lag."""
    return round(national_lag * (1.0 - VERTICAL_TRANSFER_SPEED_UP * governance.vertical_coherence))


def fiscal_growth(
    formal_workers: float,
    formal_workers_start: float,
    registered_lagged: float,
    registered_start: float,
    own_revenue_share: float,
) -> float:
    """Growth of the city's money since month 0: own revenue and transfers, weighted."""
    own = formal_workers / max(formal_workers_start, 1.0)
    transfers = registered_lagged / max(registered_start, 1.0)
    return own_revenue_share * own + (1.0 - own_revenue_share) * transfers


def budget(
    planned: np.ndarray,
    cost_per_case: np.ndarray,
    city_runs: np.ndarray,
    other_costs: float,
    funding: float,
) -> tuple[float, float, float]:
    """The city's mandate, its gap, and the share of the mandate it can pay for.

    Returns:
        (mandate, budget_gap, paid_share): the mandate is the cost of the planned capacity of the
        sectors it runs plus policies and city-funded partners; the gap is mandate minus money;
        the paid share (<= 1) scales what city services actually deliver.
    """
    mandate = float((planned * cost_per_case * city_runs).sum()) + other_costs
    gap = mandate - funding
    paid = min(1.0, funding / mandate) if mandate > 0 else 1.0
    return mandate, gap, paid
