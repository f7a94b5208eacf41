"""Process 9 — cohesion: host attitudes towards newcomers, and their feedback.

Host attitudes improve with contact (mixed blocks) and with mediation and cultural programmes, and
worsen with competition for scarce housing and services, with perceived favouritism when targeted
services are visible while mainstream ones are congested, and with hostile media. Attitudes feed
back into discrimination in hiring and housing; migrant participation raises trust. Source: seed,
Défis ("La perception négative du public et le discours politique ... peut contribuer à alimenter
les tensions sociales, renforcer le sentiment de favoritisme et la discrimination"); Les solutions
mises en place par les villes (Lyon's mediation agency, culture, Castelfiorentino).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.month import Month
from model.scenario import PoliciesParams

CONTACT = 0.01  # attitude gain a month where newcomers are a quarter of the block or more
MEDIATION = 0.01  # gain a month at full mediation and culture programmes
HOUSING_COMPETITION = 0.02  # loss a month at a doubling of the block's rent since month 0
SERVICE_COMPETITION = 0.01  # loss a month when mainstream waits reach three months or more
FAVOURITISM = 0.02  # loss a month at full perceived favouritism
FAVOURITISM_NOTICED_MONTHS = 1.0  # months: a mainstream wait this long is felt as unfair
MEDIA = 0.01  # loss a month at fully hostile media
REVERSION = 0.05  # pull back to each household's own baseline a month
TENSION_THRESHOLD = -0.3  # a host household below this attitude counts as hostile
CONTACT_SHARE = 0.25  # newcomers' share of a block at which contact has its full effect
SERVICE_WAIT_SATURATION = 3.0  # mainstream wait (months) at which competition is felt in full
ANTI_DISCRIMINATION_CUT = 0.5  # share of discrimination removed at full anti-discrimination
DISCRIMINATION_BOUNDS = (0.3, 1.8)  # discrimination relative to month 0, at most and at least


@dataclass
class CohesionState:
    """Attitudes' memory: each host's month-0 attitude, the month-0 rents, discrimination now.

    Attributes:
        attitude_baseline: each host household's attitude at month 0 (reversion target).
        attitude_mean_start: mean host attitude at month 0.
        rent_start: each block's rent at month 0.
        discrimination_factor: discrimination in hiring and housing relative to month 0.
    """

    attitude_baseline: np.ndarray
    attitude_mean_start: float
    rent_start: np.ndarray
    discrimination_factor: float


@dataclass
class CohesionMonth:
    """Attitudes this month: the share of hostile hosts, and the favouritism they perceive."""

    tension_index: float
    perceived_favouritism: float


def start(attitude: np.ndarray, rent: np.ndarray, policies: PoliciesParams) -> CohesionState:
    """The month-0 state from the hosts' attitudes, the blocks' rents and the city's policies."""
    return CohesionState(
        attitude_baseline=attitude.copy(),
        attitude_mean_start=float(attitude.mean()),
        rent_start=rent.copy(),
        discrimination_factor=discrimination_multiplier(0.0, policies.anti_discrimination),
    )


def run(
    month: Month,
    state: CohesionState,
    block_people: tuple[np.ndarray, np.ndarray],
    mainstream_wait: float,
    media_softening: float,
) -> CohesionMonth:
    """Process 9 for one month: host attitudes move; they feed back into discrimination.

    Args:
        month: the month's context.
        state: attitudes' memory (its discrimination factor is updated).
        block_people: (newcomer persons, host persons) per block, as observed last month.
        mainstream_wait: mean wait of hosts in mainstream services this month (months).
        media_softening: share by which media partners soften hostile discourse.
    """
    p, hh, hosts = month.params, month.hh, month.hosts
    newcomers, host_people = block_people
    share = newcomers / np.maximum(newcomers + host_people, 1.0)
    rent_rise = np.maximum(month.space.layer("rent") / state.rent_start - 1.0, 0.0)
    block = np.maximum(hh.block[hosts], 0)
    favouritism = perceived_favouritism(p.policies.delivery == "targeted", mainstream_wait)
    hostility = p.city.media_hostility * (1 - media_softening)
    change = attitude_change(
        hh.attitude[hosts],
        state.attitude_baseline[hosts],
        share[block],
        rent_rise[block],
        mainstream_wait,
        favouritism,
        p.policies.mediation_culture,
        hostility,
    )
    hh.attitude[hosts] = np.clip(hh.attitude[hosts] + change, -1.0, 1.0)
    shift = float(hh.attitude[hosts].mean()) - state.attitude_mean_start
    state.discrimination_factor = discrimination_multiplier(shift, p.policies.anti_discrimination)
    return CohesionMonth(tension_index(hh.attitude[hosts]), favouritism)


def attitude_change(
    attitude: np.ndarray,
    baseline: np.ndarray,
    newcomer_share: np.ndarray,
    rent_rise: np.ndarray,
    mainstream_wait: float,
    favouritism: float,
    mediation: float,
    media_hostility: float,
) -> np.ndarray:
    """Monthly change of each host household's attitude (arrays over host households).

    Args:
        attitude: current attitudes in [-1, 1].
        baseline: each household's attitude at month 0 (reversion target).
        newcomer_share: share of newcomers among the residents of the household's block.
        rent_rise: the block's rent rise since month 0 (0.1 = +10 %), floored at 0.
        mainstream_wait: mean waiting time in mainstream services (months).
        favouritism: 0-1, how visible targeted services are while mainstream ones are congested.
        mediation: 0-1, mediation and cultural programmes.
        media_hostility: 0-1, hostile media and discourse.
    """
    contact = CONTACT * np.minimum(newcomer_share / CONTACT_SHARE, 1.0)
    change = (
        contact
        + MEDIATION * mediation
        - HOUSING_COMPETITION * np.minimum(rent_rise, 1.0)
        - SERVICE_COMPETITION * min(mainstream_wait / SERVICE_WAIT_SATURATION, 1.0)
        - FAVOURITISM * favouritism
        - MEDIA * media_hostility
        + REVERSION * (baseline - attitude)
    )
    return change


def perceived_favouritism(targeted: bool, mainstream_wait: float) -> float:
    """Share of hosts who feel favouritism (0-1).

    With dedicated newcomer desks in place, it is the share of hosts whose mainstream wait is a
    month or more (``FAVOURITISM_NOTICED_MONTHS``), if waits are exponential with mean
    ``mainstream_wait`` months: ``exp(-1 / mean wait)``. A share, not a duration.
    """
    if not targeted or mainstream_wait <= 0:
        return 0.0
    return float(np.exp(-FAVOURITISM_NOTICED_MONTHS / mainstream_wait))


def tension_index(attitude: np.ndarray) -> float:
    """Share of host households hostile to newcomers (attitude below the threshold)."""
    return float((attitude < TENSION_THRESHOLD).mean()) if len(attitude) else 0.0


def discrimination_multiplier(attitude_shift: float, anti_discrimination: float) -> float:
    """Discrimination relative to month 0.

    It follows the shift in mean host attitude since then (worse attitudes, more discrimination)
    and falls with anti-discrimination policy.
    """
    low, high = DISCRIMINATION_BOUNDS
    relative = float(np.clip(1.0 - attitude_shift, low, high))
    return relative * (1.0 - ANTI_DISCRIMINATION_CUT * anti_discrimination)
