"""Process 2 — settlement and housing.

Newcomers (and anyone evicted or burnt out of a dwelling) look for housing. Formal renting needs
documents and money and meets landlords' discrimination; blocks are weighed by affordability,
co-origin networks and transit access. Who fails doubles up with kin or settles informally at the
edge. Rents respond to demand pressure; new formal supply follows with a lag; informal tenure
carries eviction risk and hazards destroy exposed informal dwellings. Source: seed, "Difficultés
rencontrées par les migrants" ("tendance à se concentrer dans les banlieues ou les quartiers
périphériques plus abordables ou dans des installations informelles").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import Employment, Status, Tenure
from model.month import Month
from model.population import Table, gather
from model.scenario import BehaviourParams, CityParams, NationalParams
from model.space import EDGE, PERIPHERY, CitySpace

ROOMS_PER_UNIT = 2.5  # a block's rent is for a unit of this many rooms
ROOM_SHORTFALL_AVERSION = 3.0  # how strongly seekers avoid blocks where they'd get too few rooms
LISTINGS_VIEWED = 20  # listings a seeker views in a month, drawn where vacancies are
SAVINGS_SPREAD_MONTHS = 12.0  # newcomers count a twelfth of their savings towards rent a month
# monthly chance that a newcomer household already housed looks for a formal unit, by situation
SEARCH_DOUBLED_UP, SEARCH_INFORMAL, SEARCH_CROWDED_RENTER = 0.15, 0.05, 0.1


@dataclass
class HousingMonth:
    """What the housing process did this month (counts of households)."""

    evictions: int = 0
    hazard_losses: int = 0
    rejected_by_landlords: int = 0


def run(month: Month, discrimination_factor: float) -> HousingMonth:
    """Process 2 for one month: incomes, losses of home, the search for housing, the market.

    Args:
        month: the month's context.
        discrimination_factor: landlords' discrimination relative to month 0 (from cohesion).

    Returns:
        The month's evictions, hazard losses and landlord refusals (households).
    """
    p, rng, space = month.params, month.rng, month.space
    hh, mig = month.hh, month.mig
    result = HousingMonth()
    update_incomes(hh, mig, p.national)
    expand_informal(space, p.city)
    lost = hazard_events(hh, space, p.city, rng)
    evicted = eviction_draws(hh, space, p.behaviour, rng)
    result.hazard_losses, result.evictions = len(lost), len(evicted)
    make_homeless(hh, np.concatenate([lost, evicted]))
    recount_occupancy(hh, space)
    # who looks for a formal unit: evicted hosts, and newcomers unhoused, assisted or moving up
    seekers = np.concatenate(
        [
            np.flatnonzero(hh.tenure[month.hosts] == Tenure.UNHOUSED),
            month.n_hosts + np.flatnonzero(newcomers_looking(hh, mig, month.n_hosts, rng)),
        ]
    )
    assisted = np.zeros(hh.n, dtype=bool)
    assisted[month.n_hosts :] = mig.assisted[hh.migrant[month.n_hosts :]]
    seeker_status = gather(mig.status, hh.migrant[seekers], -1)
    network = network_pull(hh, space, p.inflow.profile.origin_groups)
    previous = hh.tenure[seekers].copy()
    means = hh.income[seekers] + housing_means(hh, mig, seekers, p.national, p.behaviour)
    _, applicants = search_formal(
        hh,
        seekers,
        means,
        ~hh.host[seekers],
        seeker_status,
        assisted[seekers],
        space,
        network,
        p.behaviour,
        rng,
        result,
        discrimination=min(1.0, p.behaviour.housing_discrimination * discrimination_factor),
    )
    mig.assisted[:] = False
    still = seekers[(hh.tenure[seekers] == Tenure.UNHOUSED) & (previous == Tenure.UNHOUSED)]
    # (informal dwellings left by movers count as free from next month's recount)
    settle_fallback(hh, still, space, network, p.behaviour, rng)
    recount_occupancy(hh, space)
    update_market(space, applicants, 1 - p.city.housing_vacancy_rate, p.behaviour)
    return result


def update_incomes(hh: Table, mig: Table, national: NationalParams) -> None:
    """Newcomer households' income: earnings plus the benefit their status and work give."""
    benefit = np.where(
        mig.status == Status.ASYLUM_PENDING,
        national.asylum_allowance,
        np.where(
            mig.status == Status.IRREGULAR,
            0.0,
            np.where(mig.employment == Employment.NONE, national.welfare_benefit, 0.0),
        ),
    )
    hh.income[mig.household] = mig.earnings + benefit


def newcomers_looking(hh: Table, mig: Table, n_hosts: int, rng: np.random.Generator) -> np.ndarray:
    """Newcomer households looking for a formal unit this month (mask over their rows)."""
    rows = slice(n_hosts, hh.n)
    tenure = hh.tenure[rows]
    crowded_renter = (tenure == Tenure.FORMAL_RENTER) & (hh.size[rows] > hh.rooms[rows])
    upgrade = np.select(
        [tenure == Tenure.DOUBLED_UP, tenure == Tenure.INFORMAL, crowded_renter],
        [SEARCH_DOUBLED_UP, SEARCH_INFORMAL, SEARCH_CROWDED_RENTER],
        0.0,
    )
    assisted = mig.assisted[hh.migrant[rows]]
    chance = rng.random(len(tenure)) < upgrade
    return hh.present[rows] & ((tenure == Tenure.UNHOUSED) | assisted | chance)


def housing_means(
    hh: Table,
    mig: Table,
    rows: np.ndarray,
    national: NationalParams,
    behaviour: BehaviourParams,
) -> np.ndarray:
    """What newcomers can add to their income when looking for rent.

    A twelfth of savings, and housing benefit counted at the rent-burden rate's inverse so that
    all of it can go to rent.
    """
    person = hh.migrant[rows]
    status = gather(mig.status, person, -1)
    on_benefit = (status == Status.ASYLUM_PENDING) | (
        (status >= 0)
        & (status != Status.IRREGULAR)
        & (gather(mig.employment, person) == Employment.NONE)
    )
    savings = gather(mig.savings, person, 0.0)
    return savings / SAVINGS_SPREAD_MONTHS + on_benefit * national.housing_benefit / (
        behaviour.max_rent_burden
    )


# what each tenure occupies: 0 a formal unit, 1 an informal dwelling, 2 neither
_OCCUPIES = np.array([0, 0, 1, 2, 2], dtype=np.int64)  # owner, renter, informal, doubled, unhoused


def recount_occupancy(hh: Table, space: CitySpace) -> None:
    """Recompute occupied formal units, informal dwellings and sharers from the households.

    Households that left are unhoused (see :func:`make_homeless`), so they occupy nothing.
    """
    n_blocks = space.n_blocks
    index = (hh.block.astype(np.int64) + 1) * 3 + _OCCUPIES[hh.tenure]
    counts = np.bincount(index, minlength=3 * (n_blocks + 1)).reshape(n_blocks + 1, 3)[1:]
    space.layer("formal_occupied")[:] = counts[:, 0]
    space.layer("informal_occupied")[:] = counts[:, 1]
    doubled = np.flatnonzero((hh.tenure == Tenure.DOUBLED_UP) & (hh.kin >= 0))
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


def rent_paid(hh: Table, space: CitySpace, rows: np.ndarray) -> np.ndarray:
    """Monthly rent of the given households if they rent formally (0 for others)."""
    block_rent = space.layer("rent")[np.maximum(hh.block[rows], 0)]
    renter = hh.tenure[rows] == Tenure.FORMAL_RENTER
    return np.where(renter, hh.rooms[rows] * block_rent / ROOMS_PER_UNIT, 0.0)


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
    hh: Table, space: CitySpace, behaviour: BehaviourParams, rng: np.random.Generator
) -> np.ndarray:
    """Informal tenants (and formal renters in arrears) evicted this month: row indices."""
    tenants = np.flatnonzero((hh.tenure == Tenure.INFORMAL) | (hh.tenure == Tenure.FORMAL_RENTER))
    burden = rent_paid(hh, space, tenants) / np.maximum(hh.income[tenants], 1.0)
    arrears = burden > behaviour.max_rent_burden
    rate = np.where(hh.tenure[tenants] == Tenure.INFORMAL, behaviour.eviction_rate_informal, 0.0)
    rate = np.where(arrears, behaviour.eviction_rate_arrears, rate)
    return tenants[rng.random(len(tenants)) < rate]


def make_homeless(hh: Table, rows: np.ndarray) -> None:
    """Households leave their dwelling; whoever doubled up with them must leave too."""
    if len(rows) == 0:
        return
    lost_host = np.zeros(hh.n, dtype=bool)
    lost_host[rows] = True
    guests = hh.present & (hh.tenure == Tenure.DOUBLED_UP) & (hh.kin >= 0)
    guests[guests] = lost_host[hh.kin[guests]]
    for idx in (rows, np.flatnonzero(guests)):
        hh.tenure[idx] = Tenure.UNHOUSED
        hh.kin[idx] = -1
        hh.rooms[idx] = 0


def expand_informal(space: CitySpace, params: CityParams) -> None:
    """Informal dwellings are added at the edge, in proportion to the informal stock."""
    edge = space.ring == EDGE
    stock = space.layer("informal_capacity")
    base = stock[edge].sum() + 0.002 * space.layer("formal_units").sum()
    stock[edge] += params.informal_expansion_rate * base / max(int(edge.sum()), 1)


def network_pull(hh: Table, space: CitySpace, n_groups: int) -> np.ndarray:
    """Pull of each block for each origin group: log(1 + co-origin households there).

    Shape (blocks, groups + 1); group 0 (hosts) is included for uniform indexing. The first few
    compatriots in a block matter most (kin, shops, a place of worship); the log makes the pull
    saturate.
    """
    live = hh.present & (hh.tenure != Tenure.UNHOUSED)
    idx = hh.block[live].astype(np.int64) * (n_groups + 1) + hh.group[live]
    counts = np.bincount(idx, minlength=space.n_blocks * (n_groups + 1))
    return np.log1p(counts.reshape(space.n_blocks, n_groups + 1) * 1.0)


def draw_weighted(
    weights: np.ndarray, size: tuple[int, ...], rng: np.random.Generator
) -> np.ndarray:
    """Indices drawn with probability proportional to ``weights`` (inverse CDF; fast)."""
    cdf = np.cumsum(weights, dtype=float)
    picks = np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right")
    return np.minimum(picks, len(weights) - 1)


def _gumbel_argmax(score: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one column per row with probability proportional to exp(score) (-inf = excluded)."""
    noisy = score + rng.gumbel(size=score.shape)
    choice = np.argmax(noisy, axis=1)
    feasible = np.isfinite(score[np.arange(len(score)), choice])
    return np.where(feasible, choice, -1)


def _fill(choice: np.ndarray, vacancies: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Who among the applicants gets a place: random order within each block, up to vacancies."""
    ok = choice >= 0
    admitted = np.zeros(len(choice), dtype=bool)
    if not ok.any():
        return admitted
    idx = np.flatnonzero(ok)
    order = idx[np.lexsort((rng.random(len(idx)), choice[idx]))]
    blocks = choice[order]
    first = np.searchsorted(blocks, blocks, side="left")
    rank = np.arange(len(order)) - first
    admitted[order] = rank < np.floor(vacancies[blocks])
    return admitted


def view_listings(
    groups: np.ndarray, vacancies: np.ndarray, network: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The blocks each seeker hears of a vacancy in: (seekers, LISTINGS_VIEWED) block indices.

    Half the listings come from the open market (where vacancies are), half by word of mouth
    from one's origin community (vacancies weighted by co-origin presence); a group with no one
    in the city yet hears only of the open market.
    """
    listings = draw_weighted(vacancies, (len(groups), LISTINGS_VIEWED), rng)
    half = LISTINGS_VIEWED // 2
    for group in np.unique(groups[groups > 0]):
        weights = vacancies * network[:, group]
        if weights.sum() <= 0:
            continue
        mine = np.flatnonzero(groups == group)
        listings[mine, :half] = draw_weighted(weights, (len(mine), half), rng)
    return listings


def search_formal(
    hh: Table,
    seekers: np.ndarray,
    income: np.ndarray,
    is_newcomer: np.ndarray,
    status: np.ndarray,
    assisted: np.ndarray,
    space: CitySpace,
    network: np.ndarray,
    behaviour: BehaviourParams,
    rng: np.random.Generator,
    month: HousingMonth,
    discrimination: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Seekers try to rent a formal unit.

    Args:
        hh: the households table.
        seekers: household rows looking for a formal unit.
        income: monthly means of each seeker (income plus what savings add).
        is_newcomer: per seeker, True for newcomer households (they meet discrimination).
        status: per seeker, legal status code (-1 for hosts); the irregular cannot sign a lease.
        assisted: per seeker, served by housing assistance (no discrimination, rent covered).
        space: the city (rents and vacancies are read, applicants are counted).
        network: pull of each block for each origin group (from :func:`network_pull`).
        behaviour: the behavioural constants.
        rng: the model's generator.
        month: the month's counters, updated.
        discrimination: landlords' refusal chance for newcomers this month (default: the
            behavioural constant; the model passes it scaled by attitudes and policy).

    Returns:
        (housed seekers' rows, applicants turned away per block) — the second is unmet demand
        and feeds rent pressure.
    """
    applicants = np.zeros(space.n_blocks)
    vacancies = np.maximum(space.layer("formal_units") - space.layer("formal_occupied"), 0)
    vacancies = np.floor(vacancies)
    if len(seekers) == 0 or vacancies.sum() < 1:
        return seekers[:0], applicants
    rent = space.layer("rent")
    listings = view_listings(hh.group[seekers], vacancies, network, rng)
    budget = income * behaviour.max_rent_burden
    budget = np.where(assisted, np.maximum(budget, rent.max()), budget)[:, None]
    room_rent = rent[listings] / ROOMS_PER_UNIT
    size = np.maximum(hh.size[seekers], 1)[:, None]
    shortfall = np.maximum(size - np.floor(budget / room_rent), 0) / size
    groups = hh.group[seekers][:, None]
    score = (
        behaviour.transit_preference * space.access()[listings]
        + behaviour.co_origin_preference * network[listings, groups]
        - behaviour.rent_sensitivity * room_rent / np.maximum(budget, 1.0)
        - ROOM_SHORTFALL_AVERSION * shortfall
    )
    documents = (status != Status.IRREGULAR)[:, None]
    score[(room_rent > budget) | ~documents] = -np.inf
    picked = _gumbel_argmax(score, rng)
    choice = np.where(picked >= 0, listings[np.arange(len(seekers)), np.maximum(picked, 0)], -1)
    budget = budget[:, 0]
    np.add.at(applicants, choice[choice >= 0], 1)  # demand seen by the market, admitted or not
    if discrimination is None:
        discrimination = behaviour.housing_discrimination
    refused = is_newcomer & ~assisted & (rng.random(len(seekers)) < discrimination)
    month.rejected_by_landlords += int((refused & (choice >= 0)).sum())
    choice[refused] = -1
    won = _fill(choice, vacancies, rng)
    rows = seekers[won]
    blocks = choice[won]
    affordable_rooms = np.floor(budget[won] / (rent[blocks] / ROOMS_PER_UNIT))
    hh.rooms[rows] = np.clip(affordable_rooms, 1, np.maximum(hh.size[rows], 1)).astype(np.int8)
    hh.block[rows] = blocks
    hh.tenure[rows] = Tenure.FORMAL_RENTER
    hh.kin[rows] = -1
    np.subtract.at(applicants, blocks, 1)  # what is left: applicants turned away, per block
    return rows, applicants


def settle_fallback(
    hh: Table,
    rows: np.ndarray,
    space: CitySpace,
    network: np.ndarray,
    behaviour: BehaviourParams,
    rng: np.random.Generator,
) -> None:
    """The unhoused who found no formal unit double up with kin or settle informally.

    Failing both (no kin in the city, no informal plot), they double up in shelters at the
    periphery: counted doubled-up with no kin household.
    """
    if len(rows) == 0:
        return
    groups = hh.group[rows]
    housed = hh.present & (hh.tenure != Tenure.UNHOUSED) & (hh.tenure != Tenure.DOUBLED_UP)
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
    rest = rows[~wants_kin]
    if len(rest) == 0:
        return
    spare = np.floor(
        np.maximum(space.layer("informal_capacity") - space.layer("informal_occupied"), 0)
    )
    choice = np.full(len(rest), -1)
    if spare.sum() >= 1:
        plots = draw_weighted(spare, (len(rest), LISTINGS_VIEWED), rng)
        score = behaviour.co_origin_preference * network[plots, hh.group[rest][:, None]]
        picked = _gumbel_argmax(score, rng)
        choice = plots[np.arange(len(rest)), picked]
    got = _fill(choice, spare, rng)
    informal = rest[got]
    hh.block[informal] = choice[got]
    hh.tenure[informal] = Tenure.INFORMAL
    hh.rooms[informal] = rng.integers(1, 3, len(informal))
    shelter = rest[~got]
    outer = np.flatnonzero(space.ring >= PERIPHERY)
    hh.block[shelter] = outer[rng.integers(0, len(outer), len(shelter))]
    hh.tenure[shelter] = Tenure.DOUBLED_UP
    hh.kin[shelter] = -1
    hh.rooms[shelter] = 0


def update_market(
    space: CitySpace, turned_away: np.ndarray, target_occupancy: float, behaviour: BehaviourParams
) -> None:
    """Rents follow demand pressure; formal supply follows with the construction lag.

    Pressure is occupancy plus applicants turned away, over the target occupancy.
    """
    units = np.maximum(space.layer("formal_units"), 1.0)
    pressure = (space.layer("formal_occupied") + turned_away) / units - target_occupancy
    change = np.clip(behaviour.rent_elasticity * pressure, -0.02, 0.02)
    space.layer("rent")[:] *= 1 + change
    growth = np.maximum(pressure, 0) * units / behaviour.construction_lag_months
    space.layer("formal_units")[:] += growth
