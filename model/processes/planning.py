"""Process 7 — planning and money: capacity from staff and places, following perceived demand.

The city sees demand through its data: irregular and informally housed residents are seen only in
proportion to data quality. Capacity (cases a month) is staff (posts x cases a post serves) and
places; planners average what they perceive, authorise posts through a budget decision that takes
time, recruitment fills them with a lag and places are added with another, so a sudden inflow
builds a queue that clears as capacity catches up. Decentralisation sets which services the city
runs (competences): a city is funded at month 0 for what it runs; the *new* mandates the arrivals
create are funded by transfers that follow the registered, late (the transfer lag), and only up to
``resources``. The nation funds the sectors it runs up to ``planning.national_resources``. Where
money binds, the capacity planners want but cannot pay is an outcome (``capacity_unfunded``).
Vertical coherence acts through named channels: a shorter transfer lag, faster national planning,
national services planned on local data, and entitlements aligned with the city's needs (access).
Source: seed, Principales controverses ("la tendance croissante à la décentralisation ... ne
s'accompagne pas toujours d'une allocation proportionnelle de ressources ... donnant aux autorités
locales davantage de responsabilités mais des moyens insuffisants pour les assumer"); Défis
("L'accès à ces données restent cependant très difficile ... en ce qui concerne la migration
irrégulière").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model import policies
from model.codes import SECTORS, Employment, Sector, Status, Tenure
from model.month import Month
from model.population import Table
from model.processes import housing, partners
from model.processes.access import AccessMonth
from model.processes.services import ServicesMonth
from model.scenario import GovernanceParams, PlanningParams, Scenario
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

HALF = 0.5  # round half up: a share halfway between two sectors devolves the next one
ONE_STOP_RECEPTION = 1.5  # ratio: a one-stop shop plans reception for this multiple of demand
PER_1000 = 1000.0  # capacities and need rates are per 1,000 residents
TRANSPORT_TRAVEL_CUT = 0.6  # peripheral travel time cut at full transport investment
TRANSPORT_MONTHS = 12.0  # travel times move towards their goal over about a year

TINY = 1e-9  # guards divisions by an empty demand or a zero rate (no unit)


@dataclass
class CityPlans:
    """The plans, capacity and money of the city and the nation, carried from month to month.

    Capacities are in cases a month, per sector (``SECTORS`` order).

    Attributes:
        city_runs: per sector, whether the city runs it (the rest is run by the nation).
        cost_per_case: per sector, what serving one case costs (currency).
        capacity_ratio: per sector, the month-0 ratio of capacity to expected requests.
        baseline: per sector, the month-0 capacity (what the city, or nation, is funded for).
        perceived: per sector, the demand planners perceive (requests a month, averaged).
        decided: per sector, the capacity the budget decisions have caught up with.
        authorised: per sector, the capacity whose posts and places are paid for.
        staff: per sector, the capacity of the posts filled (cases a month).
        places: per sector, the capacity of the places available (cases a month).
        delivered: capacity each sector can deliver next month, before partners.
        baseline_cost: per sector, the month-0 monthly cost of its capacity (currency).
        baseline_mandate: the month-0 mandate of the city (its services, policies, partners).
        formal_workers_start: formal workers at month 0 (agents).
        registered_history: residents on the registers, month by month (persons).
        fundable_history: month by month, the cost of the new mandates that transfers will count
            (new mandates x the registered share of newcomers), currency.
        travel_start: month-0 travel minutes to the centre, per block.
        funding: money this month (own revenue and transfers), currency.
        mandate: cost of what the city is responsible for this month (currency).
        budget_gap: mandate minus funding (positive: responsibility without money).
        asylum: this month's asylum money: benefits, accommodation, the lump sum.
        paid_share: share of the cost of the city's wanted capacity it can pay for (<= 1).
        capacity_unfunded: capacity the city's planners want but cannot pay (cases a month).
        national_unfunded: the same for the sectors the nation runs.
    """

    city_runs: np.ndarray
    cost_per_case: np.ndarray
    capacity_ratio: np.ndarray
    baseline: np.ndarray
    perceived: np.ndarray
    decided: np.ndarray
    authorised: np.ndarray
    staff: np.ndarray
    places: np.ndarray
    delivered: np.ndarray
    baseline_cost: np.ndarray
    baseline_mandate: float
    formal_workers_start: float
    registered_history: list[float]
    fundable_history: list[float]
    travel_start: np.ndarray
    funding: float = 0.0
    mandate: float = 0.0
    budget_gap: float = 0.0
    asylum: AsylumFinance = field(default_factory=lambda: AsylumFinance(0.0, 0.0, 0.0, 0.0))
    paid_share: float = 1.0
    capacity_unfunded: float = 0.0
    national_unfunded: float = 0.0

    @property
    def registered_residents(self) -> float:
        """Residents on the city's registers this month (what transfers count), persons."""
        return self.registered_history[-1]

    @property
    def national_spending(self) -> float:
        """What the nation pays this month for the sectors it runs: paid capacity x case cost."""
        return float((self.authorised * self.cost_per_case)[~self.city_runs].sum())

    def posts(self, cases_per_post: np.ndarray) -> np.ndarray:
        """Filled posts per sector (full-time equivalents)."""
        return self.staff / np.maximum(cases_per_post, TINY)


def start(params: Scenario, hh: Table, space: CitySpace, scale: float) -> CityPlans:
    """The month-0 plans: each sector's capacity per 1,000 residents, staffed and funded."""
    residents = float(hh.size.sum()) * scale
    city = params.city
    baseline = np.array([getattr(city.service_capacity, k) * residents / PER_1000 for k in SECTORS])
    cost_per_case = np.array([getattr(city.cost_per_case, k) for k in SECTORS])
    host_rates = np.array([getattr(city.host_need_rate, k) for k in SECTORS])
    expected = host_rates * residents / PER_1000
    # planners keep each sector's month-0 ratio of capacity to expected requests
    capacity_ratio = np.where(host_rates > 0, baseline / np.maximum(expected, TINY), 1.0)
    city_runs = city_run_sectors(params.governance)
    baseline_cost = baseline * cost_per_case
    other = policies.monthly_cost(params.policies, residents) + partners.city_cost(
        params.partners, 0, cost_per_case
    )
    return CityPlans(
        city_runs=city_runs,
        cost_per_case=cost_per_case,
        capacity_ratio=capacity_ratio,
        baseline=baseline.copy(),
        perceived=np.where(host_rates > 0, expected, baseline),
        decided=baseline.copy(),
        authorised=baseline.copy(),
        staff=baseline.copy(),
        places=baseline.copy(),
        delivered=baseline.copy(),
        baseline_cost=baseline_cost,
        baseline_mandate=float((baseline_cost * city_runs).sum()) + other,
        formal_workers_start=float((hh.employment == Employment.FORMAL).sum()),
        registered_history=[residents],
        fundable_history=[0.0],
        travel_start=space.layer("travel_minutes").copy(),
    )


@dataclass
class PlanningMonth:
    """What planners saw and decided this month.

    Attributes:
        demand_perception_gap: share of actual demand their data missed.
        new_mandate: cost of the city's mandate above its month-0 mandate (currency/month).
    """

    demand_perception_gap: float
    new_mandate: float = 0.0


def run(
    month: Month,
    plans: CityPlans,
    asked: AccessMonth,
    delivered: ServicesMonth,
    host_backlog: np.ndarray,
    reach: partners.Reach,
) -> PlanningMonth:
    """Process 7 for one month: perceived demand, decided capacity, money, staff and places.

    Args:
        month: the month's context.
        plans: the plans and money (updated in place).
        asked: the month's requests (from access).
        delivered: the month's service delivery (host requests).
        host_backlog: per sector, host persons still waiting.
        reach: what partners do this month (universities add data quality).
    """
    p, scale = month.params, month.scale
    gov, pol, pp = p.governance, p.policies, p.planning
    hh, mig = month.hh, month.mig
    on_register = registered(mig.status, hh.tenure[mig.household]) & mig.present
    data_quality = min(1.0, gov.data_quality + reach.data_gain)
    seen_city = visibility(on_register, data_quality)
    seen_nation = visibility(on_register, national_data_quality(gov, pp))
    seen = np.where(plans.city_runs[None, :], seen_city[:, None], seen_nation[:, None])
    requests = asked.accepted * scale
    actual = delivered.host_requests + requests.sum(axis=0)
    perceived = delivered.host_requests + (requests * seen).sum(axis=0)
    # planners also see the backlog (hosts in full, newcomers through their data)
    backlog = host_backlog + ((mig.waiting_since >= 0) * scale * seen).sum(axis=0)
    plans.perceived = follow(plans.perceived, perceived, pp.perception_months)
    target = capacity_target(plans.perceived, backlog, plans.capacity_ratio, pp.backlog_months)
    if pol.one_stop_shop:
        target[Sector.RECEPTION] *= ONE_STOP_RECEPTION
    lag = np.where(
        plans.city_runs,
        gov.planning_lag_months,
        gov.national_planning_lag_months
        * (1 - pp.national_planning_speed_up * gov.vertical_coherence),
    )
    plans.decided = follow(plans.decided, target, lag)
    # money: the month-0 mandate stays funded; new mandates are funded late and in part
    residents = float(hh.size[hh.present].sum()) * scale
    other = policies.monthly_cost(pol, residents) + partners.city_cost(
        p.partners, month.reported, plans.cost_per_case
    )
    wanted_cost = float((plans.decided * plans.cost_per_case * plans.city_runs).sum())
    plans.asylum = asylum = asylum_finance(month)
    plans.mandate = wanted_cost + other + asylum.costs
    new_mandate = max(0.0, wanted_cost + other - plans.baseline_mandate)
    host_persons = month.host_persons
    newcomer_persons = float(hh.size[mig.household[mig.present]].sum())
    on_register_persons = float(hh.size[mig.household[on_register]].sum())
    plans.registered_history.append((host_persons + on_register_persons) * scale)
    registered_share = on_register_persons / newcomer_persons if newcomer_persons > 0 else 1.0
    plans.fundable_history.append(new_mandate * registered_share)
    lag_months = transfer_lag(p.national.transfer_lag_months, gov, pp)
    transfers = (
        gov.resources * plans.fundable_history[max(0, len(plans.fundable_history) - 1 - lag_months)]
    )
    workers = float((hh.employment[month.hosts] == Employment.FORMAL).sum()) + float(
        (mig.employment[mig.present] == Employment.FORMAL).sum()
    )
    own = own_revenue_change(
        workers, plans.formal_workers_start, plans.baseline_mandate, gov.own_revenue_share
    )
    plans.funding = max(0.0, plans.baseline_mandate + own + transfers + asylum.lump_sum)
    plans.budget_gap = plans.mandate - plans.funding
    # asylum seekers' benefits and accommodation are legal duties: paid before the services
    city_share = affordable_share(
        plans.decided,
        plans.baseline,
        plans.cost_per_case,
        plans.funding - other - asylum.costs,
        plans.city_runs,
    )
    nation_share = min(1.0, pp.national_resources)
    share = np.where(plans.city_runs, city_share, nation_share)
    plans.authorised = fund(plans.decided, plans.baseline, share, plans.city_runs, city_share)
    unfunded = plans.decided - plans.authorised
    plans.capacity_unfunded = float(unfunded[plans.city_runs].sum())
    plans.national_unfunded = float(unfunded[~plans.city_runs].sum())
    plans.paid_share = paid_share(
        plans.authorised, plans.decided, plans.cost_per_case, plans.city_runs
    )
    plans.staff = adjust(plans.staff, plans.authorised, pp.months_to_recruit, pp.downsizing_months)
    plans.places = adjust(
        plans.places, plans.authorised, pp.places_lag_months, pp.downsizing_months
    )
    plans.delivered = np.minimum(plans.staff, plans.places)
    invest_in_transport(month, plans.travel_start, pol.transport_investment)
    gap = float((actual - perceived).sum() / max(actual.sum(), TINY))
    return PlanningMonth(demand_perception_gap=gap, new_mandate=new_mandate)


def follow(
    level: np.ndarray | float, goal: np.ndarray | float, months: np.ndarray | float
) -> np.ndarray:
    """A first-order lag: ``level`` moves ``1/months`` of the way to ``goal`` (never below 0)."""
    return np.maximum(level + (goal - level) / np.maximum(months, 1.0), 0.0)


def adjust(
    level: np.ndarray | float, goal: np.ndarray | float, up_months: float, down_months: float
) -> np.ndarray:
    """Staff or places move towards the authorised level.

    Shortfalls are filled with a mean delay of ``up_months`` (a monthly hazard
    ``1 - exp(-1/up_months)``); surpluses are shed over ``down_months``.
    """
    fill = 1.0 - np.exp(-1.0 / up_months) if up_months > 0 else 1.0
    step = np.where(goal > level, fill, 1.0 / down_months)
    return np.maximum(level + (goal - level) * step, 0.0)


def affordable_share(
    wanted: np.ndarray,
    baseline: np.ndarray,
    cost_per_case: np.ndarray,
    money: float,
    city_runs: np.ndarray,
) -> float:
    """Share of the city's capacity *above its month-0 level* that its money can pay.

    Money goes first to the month-0 level of each sector it runs (capped at what is wanted), then
    to the increments. Returns a share in [0, 1] of the increments; a negative value -s means that
    even the month-0 level can only be paid at 1 - s.
    """
    base = float((np.minimum(wanted, baseline) * cost_per_case * city_runs).sum())
    extra = float((np.maximum(wanted - baseline, 0.0) * cost_per_case * city_runs).sum())
    if money < base:
        return -(1.0 - max(money, 0.0) / base) if base > 0 else 0.0
    return min(1.0, (money - base) / extra) if extra > 0 else 1.0


def fund(
    wanted: np.ndarray,
    baseline: np.ndarray,
    share: np.ndarray,
    city_runs: np.ndarray,
    city_share: float,
) -> np.ndarray:
    """Capacity whose posts and places are paid: the month-0 level, plus the paid increments."""
    base = np.minimum(wanted, baseline)
    increments = np.maximum(wanted - baseline, 0.0) * np.maximum(share, 0.0)
    if city_share < 0:  # the city cannot even pay its month-0 level
        base = np.where(city_runs, base * (1.0 + city_share), base)
    return base + increments


def paid_share(
    authorised: np.ndarray, wanted: np.ndarray, cost_per_case: np.ndarray, city_runs: np.ndarray
) -> float:
    """Share of the cost of the city's wanted capacity that is paid (1 when it wants nothing)."""
    want = float((wanted * cost_per_case * city_runs).sum())
    paid = float((authorised * cost_per_case * city_runs).sum())
    return min(1.0, paid / want) if want > 0 else 1.0


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
    """Which of the six sectors the city runs (boolean per sector, in SECTORS order).

    ``competences`` is a share of the sectors: the city runs the first ``competences x 6`` of
    DEVOLUTION_ORDER, rounded half up (0.25 gives 2 sectors, 0.75 gives 5), so that the dial
    never runs fewer sectors for a larger share.
    """
    if governance.city_sectors is not None:
        return np.array([s in governance.city_sectors for s in SECTORS])
    count = int(np.floor(governance.competences * len(SECTORS) + HALF))
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


def national_data_quality(governance: GovernanceParams, pp: PlanningParams) -> float:
    """Visibility of the unregistered in national data.

    Channel of vertical coherence: national services planned on local data (consultation).
    """
    return min(
        1.0,
        pp.national_data_floor
        + pp.national_data_consulted * governance.vertical_coherence * governance.data_quality,
    )


def capacity_target(
    perceived_requests: np.ndarray,
    perceived_backlog: np.ndarray,
    capacity_ratio: np.ndarray,
    backlog_months: float,
) -> np.ndarray:
    """Capacity planners aim for.

    The requests they perceive plus a share of the backlog, scaled by each sector's month-0 ratio
    of capacity to requests.
    """
    return (perceived_requests + perceived_backlog / backlog_months) * capacity_ratio


@dataclass
class AsylumFinance:
    """A month's asylum money on the city's books (currency, except ``accommodated``).

    Attributes:
        benefits: asylum seekers' allowance and housing benefit the city pays.
        accommodation: running cost of the places it houses newcomers in.
        accommodated: newcomer persons it houses.
        lump_sum: the nation's lump sum it receives.
    """

    benefits: float
    accommodation: float
    accommodated: float
    lump_sum: float

    @property
    def costs(self) -> float:
        """What the city pays: benefits and accommodation."""
        return self.benefits + self.accommodation


def asylum_finance(month: Month) -> AsylumFinance:
    """This month's asylum costs on the city's budget, and the lump sum it receives.

    The city pays a share ``national.asylum_benefits_local`` of the allowance of the asylum
    seekers present and of the housing benefit of those it does not house itself; for those it
    houses (:func:`model.processes.housing.municipally_accommodated`, from the month they leave
    state reception) it pays the running cost of their places instead
    (:func:`accommodation_cost`), so no one's housing is paid twice. The nation pays
    ``national.asylum_lump_sum`` per asylum seeker (person) present, from registration to the
    decision, at once. All are 0 where the nation pays the benefits, the city houses no one and
    there is no per-capita scheme.
    """
    nat, mig, hh = month.params.national, month.mig, month.hh
    accommodated = housing.municipally_accommodated(month)
    pending = mig.present & (mig.status == Status.ASYLUM_PENDING)
    claimants = float(pending.sum()) * month.scale
    on_housing_benefit = float((pending & ~accommodated[mig.household]).sum()) * month.scale
    persons = float(hh.size[mig.household[pending]].sum()) * month.scale
    benefits = nat.asylum_benefits_local * (
        nat.asylum_allowance * claimants + nat.housing_benefit * on_housing_benefit
    )
    return AsylumFinance(
        benefits=benefits,
        accommodation=accommodation_cost(month, accommodated),
        accommodated=float(hh.size[accommodated].sum()) * month.scale,
        lump_sum=nat.asylum_lump_sum * persons,
    )


def accommodation_cost(month: Month, accommodated: np.ndarray) -> float:
    """The running cost of the places the city houses newcomers in this month (currency).

    Persons in the ``accommodated`` households (a mask over household rows) x
    ``housing.municipal_accommodation_cost``.
    """
    persons = float(month.hh.size[accommodated].sum()) * month.scale
    return month.params.housing.municipal_accommodation_cost * persons


def transfer_lag(national_lag: float, governance: GovernanceParams, pp: PlanningParams) -> int:
    """Months before transfers count a new mandate (channel: vertical coherence shortens it)."""
    return round(national_lag * (1.0 - pp.transfer_speed_up * governance.vertical_coherence))


def own_revenue_change(
    formal_workers: float,
    formal_workers_start: float,
    baseline_mandate: float,
    own_revenue_share: float,
) -> float:
    """Change of the city's own revenue since month 0, with formal employment (currency)."""
    growth = formal_workers / max(formal_workers_start, 1.0) - 1.0
    return own_revenue_share * baseline_mandate * growth
