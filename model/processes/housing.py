"""Process 2 — settlement and housing.

Newcomers (and anyone evicted or burnt out of a dwelling) look for housing. Formal renting needs
documents and money and meets landlords' discrimination; blocks are weighed by affordability,
co-origin networks and transit access. Who fails doubles up with kin or settles informally at the
edge; informal dwellings are built in answer to the households left without one. One set of
household accounts (:func:`rent_capacity`) decides what a household can lease, when it falls into
arrears and so when it can be evicted. Rents and formal supply form a stock-flow market with an
equilibrium at the month-0 state: rents follow occupancy over its natural level, supply follows
rent over its cost-based level (DiPasquale & Wheaton 1992). Source: seed, "Difficultés
rencontrées par les migrants" ("tendance à se concentrer dans les banlieues ou les quartiers
périphériques plus abordables ou dans des installations informelles").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import Employment, Status, Tenure
from model.month import Month
from model.population import Table, gather
from model.scenario import (
    BehaviourParams,
    CityParams,
    HousingParams,
    NationalParams,
    Scenario,
)
from model.space import EDGE, N_RINGS, PERIPHERY, CitySpace

MIN_INCOME = 1.0  # currency/month: floor of incomes used as a denominator
MIN_STOCK = 1.0  # units: floor of a block's formal units used as a denominator


@dataclass
class HousingMonth:
    """What the housing process did this month (counts of household agents).

    Attributes:
        evictions: households evicted (informal tenants, and renters in arrears).
        arrears_evictions: of which formal renters evicted for arrears.
        hazard_losses: households whose informal dwelling a hazard destroyed.
        rejected_by_landlords: newcomer applicants turned away by landlords.
        informal_built: informal dwellings added at the edge this month.
        unsheltered: households left with neither formal home, kin nor informal dwelling at the
            month's end (sheltered at the periphery): the unmet demand informal building answers.
        hosts_out_migrated: host households who left the city this month
            (:func:`host_out_migration`).
    """

    evictions: int = 0
    arrears_evictions: int = 0
    hazard_losses: int = 0
    rejected_by_landlords: int = 0
    informal_built: float = 0.0
    unsheltered: int = 0
    hosts_out_migrated: int = 0


def run(month: Month, discrimination_factor: float) -> HousingMonth:
    """Process 2 for one month: accounts, losses of home, the search for housing, the market.

    Args:
        month: the month's context.
        discrimination_factor: landlords' discrimination relative to month 0 (from cohesion).

    Returns:
        The month's evictions, hazard losses, landlord refusals and informal building.
    """
    p, rng, space = month.params, month.rng, month.space
    hh, mig, hp = month.hh, month.mig, month.params.housing
    result = HousingMonth()
    update_incomes(hh, mig, p.national)
    leave_reception(hh, mig, month.t, month.n_hosts, hp)
    settle_accounts(hh, mig, space, p)
    result.informal_built = expand_informal(hh, space, p.city, hp)
    lost = hazard_events(hh, space, p.city, rng)
    evicted = eviction_draws(hh, hp, p.behaviour, rng)
    result.hazard_losses, result.evictions = len(lost), len(evicted)
    result.arrears_evictions = int((hh.tenure[evicted] == Tenure.FORMAL_RENTER).sum())
    # evicted hosts are re-housed within their own tenure: renters look for a formal unit,
    # informal dwellers for another informal dwelling
    host_renters_out = np.zeros(hh.n, dtype=bool)
    out = np.concatenate([lost, evicted])
    host_renters_out[out] = hh.host[out] & (hh.tenure[out] == Tenure.FORMAL_RENTER)
    make_homeless(hh, out)
    result.hosts_out_migrated = len(host_out_migration(hh, month.n_hosts, hp, rng))
    recount_occupancy(hh, space)
    looking = newcomers_looking(hh, mig, month.n_hosts, hp, rng)
    newcomer_seekers = month.n_hosts + np.flatnonzero(looking)
    movers = host_movers(hh, host_renters_out, hp, rng)
    seekers = np.concatenate([np.flatnonzero(host_renters_out), movers, newcomer_seekers])
    moving = np.isin(seekers, movers)
    assisted = np.zeros(hh.n, dtype=bool)
    assisted[month.n_hosts :] = mig.assisted[hh.migrant[month.n_hosts :]]
    seeker_status = gather(mig.status, hh.migrant[seekers], -1)
    network = network_pull(hh, space, p.inflow.profile.origin_groups)
    previous = hh.tenure[seekers].copy()
    budget = rent_capacity(hh, mig, seekers, p, with_savings=True)
    # a move is voluntary: movers take only a home the arrears test would not find unaffordable
    budget[moving] = rent_capacity(hh, mig, seekers[moving], p, with_savings=False)
    _, applicants = search_formal(
        hh,
        seekers,
        budget,
        ~hh.host[seekers],
        seeker_status,
        assisted[seekers],
        space,
        network,
        p.behaviour,
        hp,
        rng,
        result,
        discrimination=min(1.0, p.behaviour.housing_discrimination * discrimination_factor),
        moving=moving,
    )
    mig.assisted[:] = False
    unhoused = hh.tenure[seekers] == Tenure.UNHOUSED
    still = seekers[unhoused & (previous == Tenure.UNHOUSED) & ~hh.host[seekers]]
    # newcomers double up with kin or settle informally; hosts (and the sheltered) only look for
    # an informal dwelling
    settle_fallback(hh, still, p.behaviour, rng)
    recount_occupancy(hh, space)
    retry = hh.present & (hh.tenure == Tenure.UNHOUSED)
    retry |= sheltered(hh)
    settle_informal(hh, np.flatnonzero(retry), space, network, p.behaviour, hp, rng)
    recount_occupancy(hh, space)
    result.unsheltered = int(sheltered(hh).sum())
    update_market(space, applicants, 1 - p.city.housing_vacancy_rate, p.behaviour, hp)
    return result


def update_incomes(hh: Table, mig: Table, national: NationalParams) -> None:
    """Newcomer households' cash income: earnings plus the benefit their status and work give.

    Rejected claimants who stay keep a share ``national.tolerated_allowance_share`` of the
    asylum allowance (a tolerated stay); irregular arrivals get nothing.
    """
    tolerated = (mig.status == Status.IRREGULAR) & (mig.decision_month >= 0)
    benefit = np.where(
        mig.status == Status.ASYLUM_PENDING,
        national.asylum_allowance,
        np.where(
            mig.status == Status.IRREGULAR,
            tolerated * national.tolerated_allowance_share * national.asylum_allowance,
            np.where(mig.employment == Employment.NONE, national.welfare_benefit, 0.0),
        ),
    )
    hh.income[mig.household] = mig.earnings + benefit


def housing_benefit_share(
    hh: Table, mig: Table, rows: np.ndarray, national: NationalParams
) -> np.ndarray:
    """Per household, the share of ``national.housing_benefit`` it draws (0 to 1).

    Benefit recipients (the asylum allowance, or welfare when jobless) draw all of it; rejected
    claimants who stay draw ``national.tolerated_allowance_share`` of it. Host households
    (no newcomer) draw none: only the newcomers among ``rows`` are looked up.
    """
    share = np.zeros(len(rows))
    person = hh.migrant[rows]
    newcomer = np.flatnonzero(person >= 0)
    person = person[newcomer]
    status = mig.status[person]
    decided = mig.decision_month[person] >= 0
    jobless = mig.employment[person] == Employment.NONE
    full = (status == Status.ASYLUM_PENDING) | ((status != Status.IRREGULAR) & jobless)
    tolerated = (status == Status.IRREGULAR) & decided
    share[newcomer] = np.where(full, 1.0, tolerated * national.tolerated_allowance_share)
    return share


def rent_capacity(
    hh: Table, mig: Table, rows: np.ndarray, params: Scenario, with_savings: bool = False
) -> np.ndarray:
    """The rent a household can carry a month: the household budget identity.

    The accounts are: cash income (earnings plus benefits) plus housing benefit minus rent minus
    subsistence, where subsistence is the share ``1 - max_rent_burden`` of cash income that goes
    to everything but housing. The rent a household can carry without a deficit is therefore
    ``max_rent_burden * income + housing benefit`` (housing benefit is paid to benefit
    recipients, up to ``national.housing_benefit``; :func:`housing_benefit_share`). Leasing adds
    what savings allow (spread over ``housing.savings_spread_months``); the arrears test uses
    the same identity and draws the monthly deficit from savings (:func:`settle_accounts`).
    """
    capacity = params.behaviour.max_rent_burden * hh.income[rows].astype(float)
    capacity += (
        housing_benefit_share(hh, mig, rows, params.national) * params.national.housing_benefit
    )
    if with_savings:
        savings = gather(mig.savings, hh.migrant[rows], 0.0)
        capacity += savings / params.housing.savings_spread_months
    return capacity


def settle_accounts(hh: Table, mig: Table, space: CitySpace, params: Scenario) -> None:
    """Renters pay the month's rent: a deficit is drawn from savings, else it is arrears.

    ``arrears_months`` counts consecutive months a renter household could not pay; it is reset
    when a month is paid, and is zero for every other tenure.
    """
    renters = np.flatnonzero(hh.present & (hh.tenure == Tenure.FORMAL_RENTER))
    deficit = np.maximum(
        rent_paid(hh, space, renters, params.housing) - rent_capacity(hh, mig, renters, params),
        0.0,
    )
    person = hh.migrant[renters]
    has_savings = person >= 0
    savings = mig.savings[person[has_savings]]
    drawn = np.minimum(deficit[has_savings], savings)
    mig.savings[person[has_savings]] = savings - drawn
    deficit[has_savings] -= drawn
    months = np.where(deficit > 0, hh.arrears_months[renters] + 1, 0)
    hh.arrears_months[:] = 0
    hh.arrears_months[renters] = months


def host_movers(
    hh: Table, out: np.ndarray, hp: HousingParams, rng: np.random.Generator
) -> np.ndarray:
    """Rows of host renter households who look for another home in the city this month.

    Each host formal renter not already out of its home (``out``) moves with chance
    ``housing.host_move_rate`` a month. Movers keep their home until they find another, so the
    units they leave come free a month later: the vacancy chain through which newcomers reach
    the blocks they prefer (docs/ODD.md §7.2).
    """
    if hp.host_move_rate == 0:
        return np.zeros(0, dtype=np.int64)
    renters = hh.present & hh.host & (hh.tenure == Tenure.FORMAL_RENTER) & ~out
    return np.flatnonzero(renters & (rng.random(hh.n) < hp.host_move_rate))


def host_out_migration(
    hh: Table, n_hosts: int, hp: HousingParams, rng: np.random.Generator
) -> np.ndarray:
    """Host households who leave the city this month in answer to the newcomers living in it.

    Native out-migration (Sá 2015; Saiz & Wachter 2011): in the long run the share of host
    persons who have left is ``housing.host_out_migration`` times the newcomers' share of
    residents (those in reception counted: they live in the city). A share
    ``1 / housing.host_out_migration_months`` of the gap between the hosts that share calls for
    and those already gone leaves each month; leavers are drawn among host households in formal
    housing, who free their unit (the rent then follows occupancy, :func:`update_market`).
    Hosts who left do not come back when the newcomers leave. With no newcomers nobody leaves,
    so the zero-arrival city stays at rest.

    Returns:
        Rows of the host households who left (no longer present, no dwelling, no job).
    """
    if hp.host_out_migration == 0:
        return np.zeros(0, dtype=np.int64)
    size, present = hh.size, hh.present  # persons are whole: integer sums are exact
    newcomers = float(size[n_hosts:][present[n_hosts:]].sum())
    hosts_here = float(size[:n_hosts][present[:n_hosts]].sum())
    hosts_gone = float(size[:n_hosts].sum()) - hosts_here
    share = newcomers / max(newcomers + hosts_here, MIN_STOCK)
    wanted = hp.host_out_migration * share * (hosts_here + hosts_gone)
    leaving = max(wanted - hosts_gone, 0.0) / hp.host_out_migration_months
    formal = np.flatnonzero(present[:n_hosts] & (hh.tenure[:n_hosts] <= Tenure.FORMAL_RENTER))
    pool = float(size[formal].sum())
    if leaving <= 0 or pool <= 0:
        return np.zeros(0, dtype=np.int64)
    rows = formal[rng.random(len(formal)) < min(leaving / pool, 1.0)]
    make_homeless(hh, rows)
    hh.present[rows] = False
    hh.employment[rows] = Employment.NONE
    return rows


def leave_reception(hh: Table, mig: Table, t: int, n_hosts: int, hp: HousingParams) -> None:
    """Households leave reception when its term ends or the claim is decided.

    With ``housing.communal_until_decision`` undecided claimants stay past the term, in the
    city's communal accommodation, until their decision. Those who leave look for housing like
    any newcomer without a home (``UNHOUSED``).
    """
    rows = n_hosts + np.flatnonzero(hh.tenure[n_hosts:] == Tenure.RECEPTION)
    person = hh.migrant[rows]
    decided = mig.status[person] != Status.ASYLUM_PENDING
    term_over = (t - mig.arrival_month[person] >= hp.reception_housing_months) & (
        not hp.communal_until_decision
    )
    out = rows[decided | term_over]
    hh.tenure[out] = Tenure.UNHOUSED
    hh.block[out] = -1


def municipally_accommodated(month: Month) -> np.ndarray:
    """Newcomer households the city houses: a mask over household rows.

    Those in the city's communal accommodation (tenure ``RECEPTION`` past the state's
    ``housing.reception_housing_months``), and asylum seekers, refugees and tolerated rejected
    claimants (``decision_month >= 0``) out of reception who have no dwelling of their own
    (unhoused, or in a shelter: :func:`sheltered`). Those who rent draw housing benefit; those
    with kin or an informal dwelling are housed by others.
    """
    hh, mig, n_hosts = month.hh, month.mig, month.n_hosts
    mask = np.zeros(hh.n, dtype=bool)
    rows = np.arange(n_hosts, hh.n)
    person = hh.migrant[rows]
    status = gather(mig.status, person, -1)
    decided = gather(mig.decision_month, person, -1) >= 0
    forced = (
        (status == Status.ASYLUM_PENDING)
        | (status == Status.PROTECTED)
        | ((status == Status.IRREGULAR) & decided)
    )
    homeless = (hh.tenure[rows] == Tenure.UNHOUSED) | sheltered(hh)[rows]
    arrived = gather(mig.arrival_month, person, month.t)
    communal = (hh.tenure[rows] == Tenure.RECEPTION) & (
        month.t - arrived >= month.params.housing.reception_housing_months
    )
    mask[rows] = hh.present[rows] & ((forced & homeless) | communal)
    return mask


def sheltered(hh: Table) -> np.ndarray:
    """Households in shelters: doubled up with no kin household (no dwelling of their own)."""
    mask = hh.tenure == Tenure.DOUBLED_UP
    doubled = np.flatnonzero(mask)
    mask[doubled] = hh.present[doubled] & (hh.kin[doubled] < 0)
    return mask


def newcomers_looking(
    hh: Table, mig: Table, n_hosts: int, hp: HousingParams, rng: np.random.Generator
) -> np.ndarray:
    """Newcomer households looking for a formal unit this month (mask over their rows)."""
    rows = slice(n_hosts, hh.n)
    tenure = hh.tenure[rows]
    crowded_renter = (tenure == Tenure.FORMAL_RENTER) & (hh.size[rows] > hh.rooms[rows])
    upgrade = np.select(
        [tenure == Tenure.DOUBLED_UP, tenure == Tenure.INFORMAL, crowded_renter],
        [hp.search_doubled_up, hp.search_informal, hp.search_crowded_renter],
        0.0,
    )
    assisted = mig.assisted[hh.migrant[rows]]
    chance = rng.random(len(tenure)) < upgrade
    free = tenure != Tenure.RECEPTION  # the state houses them: they do not look
    return hh.present[rows] & free & ((tenure == Tenure.UNHOUSED) | assisted | chance)


# what each tenure occupies: 0 a formal unit, 1 an informal dwelling, 2 neither
# owner, renter, informal, doubled, unhoused, reception
_OCCUPIES = np.array([0, 0, 1, 2, 2, 2], dtype=np.int32)


def recount_occupancy(hh: Table, space: CitySpace) -> None:
    """Recompute occupied formal units, informal dwellings and sharers from the households.

    Households that left are unhoused (see :func:`make_homeless`), so they occupy nothing.
    """
    n_blocks = space.n_blocks
    index = hh.block * 3  # (block + 1) * 3 + what the tenure occupies, built in place
    index += 3
    index += _OCCUPIES[hh.tenure]
    counts = np.bincount(index, minlength=3 * (n_blocks + 1)).reshape(n_blocks + 1, 3)[1:]
    space.layer("formal_occupied")[:] = counts[:, 0]
    space.layer("informal_occupied")[:] = counts[:, 1]
    doubled = np.flatnonzero(hh.tenure == Tenure.DOUBLED_UP)
    doubled = doubled[hh.kin[doubled] >= 0]
    kin = hh.kin[doubled]
    hh.sharers[:] = 0
    np.add.at(hh.sharers, kin, hh.size[doubled])
    hh.block[doubled] = hh.block[kin]


def overcrowded(hh: Table) -> np.ndarray:
    """Households with more persons (own and sharing) than rooms; the doubled-up always are."""
    return (
        ((hh.size + hh.sharers) > hh.rooms)
        | (hh.tenure == Tenure.DOUBLED_UP)
        | (hh.tenure == Tenure.UNHOUSED)
    )


def rent_paid(hh: Table, space: CitySpace, rows: np.ndarray, hp: HousingParams) -> np.ndarray:
    """Monthly rent of the given households if they rent formally (0 for others)."""
    block_rent = space.layer("rent")[np.maximum(hh.block[rows], 0)]
    renter = hh.tenure[rows] == Tenure.FORMAL_RENTER
    return np.where(renter, hh.rooms[rows] * block_rent / hp.rooms_per_unit, 0.0)


def hazard_events(
    hh: Table, space: CitySpace, params: CityParams, rng: np.random.Generator
) -> np.ndarray:
    """Hazards strike exposed blocks; destroyed informal dwellings' households lose their home.

    Returns:
        Row indices of households made homeless.
    """
    hit = rng.random(space.n_blocks) < space.layer("hazard_probability")
    if not hit.any():
        return np.empty(0, dtype=np.int64)
    space.layer("informal_capacity")[hit] *= 1 - params.hazard_destruction_share
    exposed = hh.present & (hh.tenure == Tenure.INFORMAL) & hit[np.maximum(hh.block, 0)]
    lost = exposed & (rng.random(hh.n) < params.hazard_destruction_share)
    return np.flatnonzero(lost)


def eviction_draws(
    hh: Table, hp: HousingParams, behaviour: BehaviourParams, rng: np.random.Generator
) -> np.ndarray:
    """Informal tenants, and formal renters long enough in arrears, evicted this month: rows."""
    informal = hh.present & (hh.tenure == Tenure.INFORMAL)
    arrears = (
        hh.present
        & (hh.tenure == Tenure.FORMAL_RENTER)
        & (hh.arrears_months >= hp.arrears_months_to_notice)
    )
    rate = np.where(informal, behaviour.eviction_rate_informal, 0.0)
    rate = np.where(arrears, behaviour.eviction_rate_arrears, rate)
    at_risk = np.flatnonzero(rate > 0)
    return at_risk[rng.random(len(at_risk)) < rate[at_risk]]


def make_homeless(hh: Table, rows: np.ndarray) -> None:
    """Households leave their dwelling; whoever doubled up with them must leave too."""
    if len(rows) == 0:
        return
    lost_host = np.zeros(hh.n, dtype=bool)
    lost_host[rows] = True
    doubled = np.flatnonzero(hh.tenure == Tenure.DOUBLED_UP)
    doubled = doubled[hh.present[doubled] & (hh.kin[doubled] >= 0)]
    guests = doubled[lost_host[hh.kin[doubled]]]
    for idx in (rows, guests):
        hh.tenure[idx] = Tenure.UNHOUSED
        hh.kin[idx] = -1
        hh.rooms[idx] = 0
        hh.arrears_months[idx] = 0


def expand_informal(hh: Table, space: CitySpace, city: CityParams, hp: HousingParams) -> float:
    """Informal dwellings are built at the edge in answer to the households left without one.

    A share ``housing.informal_response`` of last month's sheltered households build (or find) a
    dwelling; building is limited to ``city.informal_expansion_rate`` of the informal stock plus
    the land base (``housing.informal_land_base`` of the formal units). New dwellings go to edge
    blocks in proportion to their settlements plus an even share of the land base.

    Returns:
        Informal dwellings added (agents).
    """
    edge = space.ring == EDGE
    stock = space.layer("informal_capacity")
    land = hp.informal_land_base * space.layer("formal_units").sum()
    limit = city.informal_expansion_rate * (stock[edge].sum() + land)
    built = min(hp.informal_response * float(sheltered(hh).sum()), limit)
    if built <= 0:
        return 0.0
    weights = stock[edge] + land / max(int(edge.sum()), 1)
    stock[edge] += built * weights / weights.sum()
    return built


def network_pull(hh: Table, space: CitySpace, n_groups: int) -> np.ndarray:
    """Pull of each block for each origin group: log(1 + co-origin agents there).

    Shape (blocks, groups + 1); group 0 (hosts) is included for uniform indexing. The first few
    compatriots in a block matter most (kin, shops, a place of worship); the log makes the pull
    saturate. Compatriots are counted as agents, the units that settle: each settling adds the
    same step to a block's pull at any ``run.scale``, so clusters grow by the same
    self-reinforcement at scale 1 and 5. Counting the households the agents stand for (agents x
    ``run.scale``) made one settling agent at scale 5 pull like five households, a fivefold
    stronger step from an empty block: newcomers clustered more the larger the scale, D* 0.347
    at scale 1 against 0.391 at scale 5 (docs/ODD.md §7.2).
    """
    live = hh.present & (hh.tenure != Tenure.UNHOUSED) & (hh.tenure != Tenure.RECEPTION)
    idx = hh.block[live].astype(np.int64) * (n_groups + 1) + hh.group[live]
    counts = np.bincount(idx, minlength=space.n_blocks * (n_groups + 1))
    return np.log1p(counts.reshape(space.n_blocks, n_groups + 1))


def draw_weighted(
    weights: np.ndarray, size: tuple[int, ...], rng: np.random.Generator
) -> np.ndarray:
    """Indices drawn with probability proportional to ``weights`` (inverse CDF; fast)."""
    return pick_weighted(weights, rng.random(size))


def pick_weighted(weights: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Indices proportional to ``weights`` at the given uniform draws on [0, 1) (inverse CDF).

    Each draw ``u`` picks the first index whose cumulative weight exceeds ``u * total``.
    """
    cdf = np.cumsum(weights, dtype=float)
    picks = np.searchsorted(cdf, uniforms * cdf[-1], side="right")
    return np.minimum(picks, len(weights) - 1)


def _gumbel_argmax(
    score: np.ndarray, rng: np.random.Generator, gumbel: np.ndarray | None = None
) -> np.ndarray:
    """Draw one column per row with probability proportional to exp(score) (-inf = excluded).

    ``gumbel``: the rows' Gumbel noise if already drawn (default: drawn here, one per cell).
    """
    noisy = score + (rng.gumbel(size=score.shape) if gumbel is None else gumbel)
    choice = np.argmax(noisy, axis=1)
    feasible = np.isfinite(score[np.arange(len(score)), choice])
    return np.where(feasible, choice, -1)


def _fill(choice: np.ndarray, places: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Who among the applicants gets a place: random order within each block, up to its places.

    ``places`` are whole units per block (:func:`formal_places`).
    """
    ok = choice >= 0
    admitted = np.zeros(len(choice), dtype=bool)
    if not ok.any():
        return admitted
    idx = np.flatnonzero(ok)
    order = idx[np.lexsort((rng.random(len(idx)), choice[idx]))]
    blocks = choice[order]
    first = np.searchsorted(blocks, blocks, side="left")
    rank = np.arange(len(order)) - first
    admitted[order] = rank < places[blocks]
    return admitted


def formal_places(space: CitySpace) -> np.ndarray:
    """Vacant formal units each block can let this month: whole units.

    Stocks are fractional (an agent stands for ``run.scale`` households; construction adds
    fractions of a unit). Each block's stock is rounded to whole units with its own offset, fixed
    at set-up (the ``unit_rounding`` layer, uniform on [0, 1)): ``floor(units + offset)``. Over
    blocks the rounding is unbiased, and it is the same in every application round and month, so
    a block never lets more units than its rounded stock. Rounding afresh in each round would
    give a block with a fractional vacancy ``f`` a place with chance ``1 - (1 - f)^rounds`` and,
    month after month, fill every block up to its next whole unit: an overfill of up to one agent
    per block, that is of ``run.scale`` households (docs/ODD.md §7.2).
    """
    whole = np.floor(space.layer("formal_units") + space.layer("unit_rounding"))
    return np.maximum(whole - space.layer("formal_occupied"), 0)


def view_listings(
    groups: np.ndarray,
    vacancies: np.ndarray,
    network: np.ndarray,
    hp: HousingParams,
    rng: np.random.Generator,
    browsing: np.ndarray | None = None,
) -> np.ndarray:
    """The blocks each seeker hears of a vacancy in: (seekers, listings_viewed) block indices.

    A share ``word_of_mouth_share`` of the listings comes by word of mouth from one's origin
    community (vacancies weighted by co-origin presence), the rest from the open market (where
    vacancies are); a group with no one in the city yet hears only of the open market.

    Seekers not ``browsing`` (hosts moving home, who apply at random) use up the same random
    draws, so that the others' listings do not depend on who browses, but get no listings (-1).
    Only the listings kept are looked up: an open-market listing replaced by word of mouth is
    drawn but not resolved to a block.
    """
    uniforms = rng.random((len(groups), hp.listings_viewed))
    word = round(hp.listings_viewed * hp.word_of_mouth_share)
    word_groups = [
        group
        for group in np.unique(groups[groups > 0])
        if word > 0 and (vacancies * network[:, group] > 0).any()
    ]
    hears_word = np.isin(groups, word_groups)
    if browsing is None:
        browsing = np.ones(len(groups), dtype=bool)
    listings = np.full(uniforms.shape, -1)
    market_only = browsing & ~hears_word
    listings[market_only] = pick_weighted(vacancies, uniforms[market_only])
    listings[browsing & hears_word, word:] = pick_weighted(
        vacancies, uniforms[browsing & hears_word, word:]
    )
    for group in word_groups:
        mine = np.flatnonzero(groups == group)
        heard = draw_weighted(vacancies * network[:, group], (len(mine), word), rng)
        listings[mine[browsing[mine]], :word] = heard[browsing[mine]]
    return listings


def search_formal(  # noqa: PLR0913, PLR0917 - the seekers arrays are passed explicitly
    hh: Table,
    seekers: np.ndarray,
    budget: np.ndarray,
    is_newcomer: np.ndarray,
    status: np.ndarray,
    assisted: np.ndarray,
    space: CitySpace,
    network: np.ndarray,
    behaviour: BehaviourParams,
    hp: HousingParams,
    rng: np.random.Generator,
    month: HousingMonth,
    discrimination: float | None = None,
    moving: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Seekers try to rent a formal unit.

    Args:
        hh: the households table.
        seekers: household rows looking for a formal unit.
        budget: per seeker, the rent it can carry a month (:func:`rent_capacity` with savings).
        is_newcomer: per seeker, True for newcomer households (they meet discrimination).
        status: per seeker, legal status code (-1 for hosts); the irregular cannot sign a lease.
        assisted: per seeker, served by housing assistance (landlords do not discriminate).
        space: the city (rents and vacancies are read, applicants are counted).
        network: pull of each block for each origin group (from :func:`network_pull`).
        behaviour: the behavioural constants.
        hp: the housing parameters.
        rng: the model's generator.
        month: the month's counters, updated.
        discrimination: landlords' refusal chance for newcomers this month (default: the
            behavioural constant; the model passes it scaled by attitudes and policy).
        moving: per seeker, True for hosts moving home within the city (:func:`host_movers`):
            they apply to vacant units at random, take one only if its rent for their rooms is
            within ``budget`` (the model passes them the arrears test's budget, without savings),
            keep their home if they find none, keep their rooms if they do, and are not counted
            as unmet demand.

    Each seeker applies to one listing per round, for up to ``housing.application_rounds``
    rounds a month; who is refused or loses the draw for a place tries again among the vacancies
    left. Several rounds keep the matching friction (places lost because too many chose the same
    block) small, at any ``run.scale``.

    Returns:
        (housed seekers' rows, applicants turned away per block) — the second is unmet demand
        and feeds rent pressure; each unhoused applicant counts once, at its last application.
    """
    turned_away = np.zeros(space.n_blocks)
    vacancies = formal_places(space)
    if discrimination is None:
        discrimination = behaviour.housing_discrimination
    if moving is None:
        moving = np.zeros(len(seekers), dtype=bool)
    last = np.full(len(seekers), -1)  # block of each seeker's latest application
    won = np.zeros(len(seekers), dtype=bool)
    rooms = hh.rooms[seekers[moving]].copy()
    for _ in range(hp.application_rounds):
        left = np.flatnonzero(~won)
        if len(left) == 0 or vacancies.sum() <= 0:
            break
        choice = _choose_listing(
            hh,
            seekers[left],
            budget[left],
            status[left],
            vacancies,
            space,
            network,
            behaviour,
            hp,
            rng,
            browsing=~moving[left],
        )
        movers = moving[left]
        if movers.any():
            drawn = rng.choice(
                space.n_blocks, size=int(movers.sum()), p=vacancies / vacancies.sum()
            )
            rows_moving = seekers[left[movers]]
            new_rent = hh.rooms[rows_moving] * space.layer("rent")[drawn] / hp.rooms_per_unit
            choice[movers] = np.where(new_rent <= budget[left[movers]], drawn, -1)
        last[left] = np.where(choice >= 0, choice, last[left])
        refused = is_newcomer[left] & ~assisted[left] & (rng.random(len(left)) < discrimination)
        month.rejected_by_landlords += int((refused & (choice >= 0)).sum())
        choice[refused] = -1
        admitted = _fill(choice, vacancies, rng)
        won[left[admitted]] = True
        vacancies = np.maximum(
            vacancies - np.bincount(choice[admitted], minlength=space.n_blocks), 0
        )
    rows = seekers[won]
    blocks = last[won]
    rent = space.layer("rent")
    affordable_rooms = np.floor(budget[won] / (rent[blocks] / hp.rooms_per_unit))
    hh.rooms[rows] = np.clip(affordable_rooms, 1, np.maximum(hh.size[rows], 1)).astype(np.int8)
    hh.block[rows] = blocks
    hh.tenure[rows] = Tenure.FORMAL_RENTER
    hh.kin[rows] = -1
    hh.arrears_months[rows] = 0
    hh.rooms[seekers[moving]] = rooms  # a mover's household keeps its size of home
    lost = ~won & (last >= 0) & ~moving
    np.add.at(turned_away, last[lost], 1)  # applicants turned away, per block of last try
    return rows, turned_away


def _choose_listing(  # noqa: PLR0913, PLR0917 - the fallback arrays are passed explicitly
    hh: Table,
    seekers: np.ndarray,
    budget: np.ndarray,
    status: np.ndarray,
    vacancies: np.ndarray,
    space: CitySpace,
    network: np.ndarray,
    behaviour: BehaviourParams,
    hp: HousingParams,
    rng: np.random.Generator,
    browsing: np.ndarray,
) -> np.ndarray:
    """The block each seeker applies to among the listings it hears of (-1: none it can take).

    Seekers not ``browsing`` (hosts moving home: :func:`search_formal` draws their block) use up
    the same random draws as the others and get -1.
    """
    rent = space.layer("rent")
    listings = view_listings(hh.group[seekers], vacancies, network, hp, rng, browsing)
    gumbel = rng.gumbel(size=listings.shape)
    rows = np.flatnonzero(browsing)
    listings, seekers, budget, status = listings[rows], seekers[rows], budget[rows], status[rows]
    # block terms are weighed per block, then looked up per listing (the same numbers)
    room_rent = (rent / hp.rooms_per_unit)[listings]
    means = budget[:, None]
    size = np.maximum(hh.size[seekers], 1)[:, None]
    shortfall = np.maximum(size - np.floor(means / room_rent), 0) / size
    groups = hh.group[seekers][:, None]
    score = (
        (behaviour.transit_preference * space.access())[listings]
        + (behaviour.co_origin_preference * network)[listings, groups]
        - (behaviour.rent_sensitivity * room_rent) / np.maximum(means, MIN_INCOME)
        - hp.room_shortfall_aversion * shortfall
    )
    documents = (status != Status.IRREGULAR)[:, None]
    score[(room_rent > means) | ~documents] = -np.inf
    picked = _gumbel_argmax(score, rng, gumbel[rows])
    choice = np.full(len(browsing), -1)
    choice[rows] = np.where(
        picked >= 0, listings[np.arange(len(seekers)), np.maximum(picked, 0)], -1
    )
    return choice


def settle_fallback(
    hh: Table, rows: np.ndarray, behaviour: BehaviourParams, rng: np.random.Generator
) -> None:
    """Newcomers who found no formal unit double up with kin, else settle informally.

    Failing both (no kin in the city, no informal dwelling), they shelter at the periphery (see
    :func:`settle_informal`).
    """
    if len(rows) == 0:
        return
    groups = hh.group[rows]
    # kin in state reception cannot take anyone in
    housed = hh.present & (hh.tenure <= Tenure.INFORMAL)
    candidates = np.flatnonzero(housed & (hh.group > 0))
    by_group = candidates[np.argsort(hh.group[candidates], kind="stable")]
    sorted_groups = hh.group[by_group]
    start = np.searchsorted(sorted_groups, groups, side="left")
    count = np.searchsorted(sorted_groups, groups, side="right") - start
    wants_kin = (rng.random(len(rows)) < behaviour.doubling_up_share) & (count > 0)
    kin_rows = rows[wants_kin]
    if len(kin_rows):
        pick = start[wants_kin] + np.floor(rng.random(len(kin_rows)) * count[wants_kin]).astype(int)
        hh.kin[kin_rows] = by_group[pick]
        hh.tenure[kin_rows] = Tenure.DOUBLED_UP
        hh.block[kin_rows] = hh.block[hh.kin[kin_rows]]
        hh.rooms[kin_rows] = 0


def settle_informal(
    hh: Table,
    rows: np.ndarray,
    space: CitySpace,
    network: np.ndarray,
    behaviour: BehaviourParams,
    hp: HousingParams,
    rng: np.random.Generator,
) -> None:
    """The unhoused and the sheltered look for a free informal dwelling at the edge.

    Free dwellings are counted city-wide: the city's informal dwellings minus those occupied,
    rounded stochastically once (an agent may stand for several households, and stocks are
    fractional), are the places this month; seekers take them in random order. Each hears of
    ``listings_viewed`` dwellings (weighted by each block's free dwellings) and settles in one
    picked by co-origin presence. Counting places per block instead would make the number housed
    depend on ``run.scale``: fractions of a dwelling spread over many edge blocks are lost to
    rounding when few agents try few blocks. The unhoused who find none shelter at the
    periphery (doubled up with no kin household); the sheltered stay where they are.
    """
    if len(rows) == 0:
        return
    capacity, occupied = space.layer("informal_capacity"), space.layer("informal_occupied")
    spare = np.maximum(capacity - occupied, 0)
    free = max(float(capacity.sum() - occupied.sum()), 0.0)
    places = int(np.floor(free + rng.random())) if spare.sum() > 0 else 0
    got = np.zeros(len(rows), dtype=bool)
    got[rng.permutation(len(rows))[:places]] = True
    choice = np.full(len(rows), -1)
    if got.any():
        plots = draw_weighted(spare, (int(got.sum()), hp.listings_viewed), rng)
        score = behaviour.co_origin_preference * network[plots, hh.group[rows[got]][:, None]]
        picked = _gumbel_argmax(score, rng)
        choice[got] = plots[np.arange(len(plots)), picked]
    informal = rows[got]
    hh.block[informal] = choice[got]
    hh.tenure[informal] = Tenure.INFORMAL
    hh.kin[informal] = -1
    hh.rooms[informal] = rng.integers(1, hp.informal_rooms_max + 1, len(informal))
    shelter = rows[~got & (hh.tenure[rows] == Tenure.UNHOUSED)]
    outer = np.flatnonzero(space.ring >= PERIPHERY)
    hh.block[shelter] = outer[rng.integers(0, len(outer), len(shelter))]
    hh.tenure[shelter] = Tenure.DOUBLED_UP
    hh.kin[shelter] = -1
    hh.rooms[shelter] = 0


def _cost_gap(space: CitySpace) -> np.ndarray:
    """Each block's rent over its cost-based level, minus 1 (0 where no level is set)."""
    cost = space.layer("cost_rent")
    known = cost > 0
    return np.where(known, space.layer("rent") / np.where(known, cost, 1.0) - 1, 0.0)


def update_market(
    space: CitySpace,
    turned_away: np.ndarray,
    target_occupancy: float,
    behaviour: BehaviourParams,
    hp: HousingParams,
) -> None:
    """A stock-flow rental market with its equilibrium at the month-0 state.

    Rents follow demand pressure in the block's ring (the submarket): (occupied + applicants
    turned away) / units over the natural occupancy, times ``rent_elasticity``, and revert
    towards their cost-based level (the ``cost_rent`` layer, month 0's rents) at
    ``housing.rent_reversion`` a month, the error correction of stock-flow models; the change
    is capped at ``housing.max_rent_change``.

    Supply follows the rent *level*, so the stock follows rent *changes* (Mayer & Somerville
    2000): the stock the rent calls for is the month-0 stock times ``1 + supply_elasticity *
    gap`` (``gap``: rent over its cost-based level, minus 1). Builders start a share
    ``1 / housing.starts_adjustment_months`` a month of the gap between that stock and the stock
    built or under construction (counting the pipeline: forward-looking builders, which is what
    keeps a stock-flow market from overshooting, Wheaton 1999); starts are completed at
    ``1 / behaviour.construction_lag_months`` of the pipeline a month. Where the stock exceeds
    what the rent calls for, vacant units are withdrawn (conversion, demolition) at the same
    pace. At month 0 occupancy is natural and rent is at cost, so nothing moves; after a shock,
    rents rise, supply follows with its lag and rents come back (DiPasquale & Wheaton 1992).
    """
    units = space.layer("formal_units")
    occupied = space.layer("formal_occupied")
    rent = space.layer("rent")
    # the submarket is the ring: per-block counts are too few when an agent stands for several
    # households, and a ring's blocks share one rent level (docs/ODD.md §7.2)
    ring = space.ring.astype(np.int64)
    demand = np.bincount(ring, weights=occupied + turned_away, minlength=N_RINGS)
    stock = np.maximum(np.bincount(ring, weights=units, minlength=N_RINGS), MIN_STOCK)
    pressure = (demand / stock - target_occupancy)[ring]
    change = behaviour.rent_elasticity * pressure - hp.rent_reversion * _cost_gap(space)
    rent *= 1 + np.clip(change, -hp.max_rent_change, hp.max_rent_change)
    base = space.layer("base_units")
    pipeline = space.layer("units_under_construction")
    wanted = base * (1 + hp.supply_elasticity * _cost_gap(space)) - units
    completed = pipeline / behaviour.construction_lag_months
    starts = np.maximum(wanted - pipeline, 0) / hp.starts_adjustment_months
    withdrawn = np.minimum(
        np.maximum(-wanted, 0) / hp.starts_adjustment_months, np.maximum(units - occupied, 0)
    )
    pipeline += starts - completed
    units += completed - withdrawn
