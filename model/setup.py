"""Month 0: the host population and the housing stock it lives in (see docs/ODD.md §5)."""

from __future__ import annotations

import numpy as np

from model.codes import Employment, Tenure
from model.scenario import BehaviourParams, CityParams, HousingParams, LabourParams
from model.space import EDGE, RING_DENSITY, CitySpace

# rooms minus persons of a formal host household, and the share of households with each margin:
# set so that about 13 % of host persons are overcrowded (Eurostat 2023: 13.7 % of nationals)
ROOM_MARGIN = ([-1, 0, 1, 2], [0.155, 0.3, 0.35, 0.195])
MAX_HOUSEHOLD_SIZE = 9  # persons
MAX_ROOMS = 10  # rooms
ADULTS_PER_HOUSEHOLD = 2  # persons: members beyond two may be children
CHILD_SHARE_BEYOND_ADULTS = 0.8  # share of the members beyond two who are children
ATTITUDE_MEAN, ATTITUDE_SD = 0.1, 0.3  # score -1 to 1: host attitudes towards newcomers


def host_households(
    city: CityParams,
    behaviour: BehaviourParams,
    housing: HousingParams,
    space: CitySpace,
    scale: float,
    rng: np.random.Generator,
    labour: LabourParams | None = None,
) -> dict[str, np.ndarray]:
    """The host households' columns: placed by ring density, informal ones at the edge.

    Rooms are size plus a margin drawn so that about 13 % of host persons are overcrowded
    (Eurostat 2023: 13.7 % of nationals); sitting tenants' incomes cover their rent with a margin
    (``housing.sitting_tenant_burden``), so nobody starts in arrears.
    """
    n = max(1, round(city.host_households / scale))
    size = np.clip(1 + rng.poisson(max(city.mean_household_size - 1, 0), n), 1, MAX_HOUSEHOLD_SIZE)
    informal = rng.random(n) < city.informal_share
    block = np.empty(n, dtype=np.int64)
    weights = RING_DENSITY[space.ring] / RING_DENSITY[space.ring].sum()
    block[~informal] = rng.choice(space.n_blocks, int((~informal).sum()), p=weights)
    edge = np.flatnonzero(space.ring == EDGE)
    block[informal] = edge[rng.integers(0, len(edge), int(informal.sum()))]
    margin_values, margin_shares = ROOM_MARGIN
    rooms = np.clip(size + rng.choice(margin_values, n, p=margin_shares), 1, MAX_ROOMS)
    rooms[informal] = rng.integers(1, housing.informal_rooms_max + 1, int(informal.sum()))
    owner = rng.random(n) < housing.host_owner_share
    tenure = np.where(
        informal, Tenure.INFORMAL, np.where(owner, Tenure.OWNER, Tenure.FORMAL_RENTER)
    )
    workers = host_workers(labour or LabourParams(), city, informal, rng)
    # lognormal with mean city.host_income_mean: log-mean -sigma^2/2
    sigma = housing.host_income_spread
    income = city.host_income_mean * rng.lognormal(-(sigma**2) / 2, sigma, n)
    # sitting tenants' incomes match their rent: nobody starts in arrears
    rent = rooms * space.layer("rent")[block] / housing.rooms_per_unit
    affordable = housing.sitting_tenant_burden * behaviour.max_rent_burden
    income = np.where(tenure == Tenure.FORMAL_RENTER, np.maximum(income, rent / affordable), income)
    return {
        "block": block,
        "size": size,
        "children": rng.binomial(
            np.maximum(size - ADULTS_PER_HOUSEHOLD, 0), CHILD_SHARE_BEYOND_ADULTS
        ),
        "income": income,
        "tenure": tenure,
        "rooms": rooms,
        "kin": np.full(n, -1),
        "host": np.ones(n, dtype=bool),
        "group": np.zeros(n, dtype=np.int16),
        "attitude": np.clip(rng.normal(ATTITUDE_MEAN, ATTITUDE_SD, n), -1, 1),
        **workers,
        "migrant": np.full(n, -1),
        "present": np.ones(n, dtype=bool),
    }


def host_workers(
    labour: LabourParams, city: CityParams, informal_home: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The host households' workers: labour force, skill, sector and employment at month 0.

    One worker per household in the labour force (``labour.host_labour_force_share``); skills
    low / mid / high with shares ``host_low_skill_share`` / the rest / ``host_high_skill_share``;
    a share ``host_informal_share`` of workers is attached to the informal sector, informal
    dwellers first; each worker is employed with probability ``1 - city.host_unemployment_rate``.
    """
    n = len(informal_home)
    in_labour_force = rng.random(n) < labour.host_labour_force_share
    low, high = labour.host_low_skill_share, labour.host_high_skill_share
    skill = rng.choice(3, n, p=[low, 1.0 - low - high, high]).astype(np.int8)
    # informal dwellers work informally first; formal dwellers make up the rest of the share
    target, dwellers = labour.host_informal_share, float(informal_home.mean())
    chance = np.where(
        informal_home,
        min(1.0, target / dwellers) if dwellers > 0 else 0.0,
        max(0.0, (target - dwellers) / (1.0 - dwellers)) if dwellers < 1 else 0.0,
    )
    informal_worker = in_labour_force & (rng.random(n) < chance)
    employed = in_labour_force & (rng.random(n) >= city.host_unemployment_rate)
    employment = np.where(
        employed,
        np.where(informal_worker, Employment.INFORMAL, Employment.FORMAL),
        Employment.NONE,
    )
    return {
        "in_labour_force": in_labour_force,
        "employment": employment,
        "skill": skill,
        "informal_worker": informal_worker,
    }


def fit_housing_stock(space: CitySpace, hosts: dict[str, np.ndarray], vacancy: float) -> None:
    """Size the housing stock around the hosts, exactly (stocks are fractional, not rounded).

    Formal units leave ``vacancy`` of each block's stock empty, so occupancy starts at its natural
    level in every block and the rental market starts in equilibrium (``base_units`` keeps this
    stock: the one the market holds at cost-based rents); informal dwellings fit the
    informal households (new ones are built in answer to demand, see ``housing.expand_informal``).
    """
    informal = hosts["tenure"] == Tenure.INFORMAL
    block = hosts["block"]
    occupied = np.bincount(block[~informal], minlength=space.n_blocks)
    space.layer("formal_units")[:] = occupied / (1 - vacancy)
    space.layer("base_units")[:] = space.layer("formal_units")  # the stock at cost-based rents
    space.layer("informal_capacity")[:] = np.bincount(block[informal], minlength=space.n_blocks)
