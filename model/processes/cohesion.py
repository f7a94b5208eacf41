"""Process 9 — cohesion: host attitudes towards newcomers, and their feedback.

Host attitudes improve with contact (mixed blocks) and with mediation and cultural programmes, and
worsen with competition for scarce housing and services, with perceived favouritism when targeted
services are visible while mainstream ones are congested, and with hostile media coverage of the
newcomers. Every driver is a change from the city as it stood at the start (rents, mainstream waits,
newcomers' visibility; month-0 attitudes already reflect the standing media climate): a city where
nothing changes keeps its attitudes. Attitudes feed
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
HOUSING_COMPETITION = 0.02  # loss a month at a doubling of the block's rent since the start
SERVICE_COMPETITION = 0.01  # loss a month when mainstream waits are 3 months or more above start
FAVOURITISM = 0.02  # loss a month at full perceived favouritism
FAVOURITISM_NOTICED_MONTHS = 1.0  # months: an extra mainstream wait this long is felt unfair
MEDIA = 0.01  # loss a month at fully hostile media covering newcomers at full visibility
REVERSION = 0.05  # pull back to each household's own baseline a month
TENSION_THRESHOLD = -0.3  # a host household below this attitude counts as hostile
CONTACT_SHARE = 0.25  # newcomers' share of a block at which contact has its full effect
SERVICE_WAIT_SATURATION = 3.0  # extra mainstream wait (months) at which congestion is felt in full
ANTI_DISCRIMINATION_CUT = 0.5  # share of discrimination removed at full anti-discrimination
DISCRIMINATION_BOUNDS = (0.3, 1.8)  # discrimination relative to month 0, at most and at least


@dataclass
class CohesionState:
    """Attitudes' memory: the references attitudes move against, and discrimination now.

    Attributes:
        attitude_baseline: each host household's attitude at the start (reversion target).
        attitude_mean_start: mean host attitude at the start.
        rent_start: each block's rent at the start.
        wait_start: hosts' mean wait in mainstream services at the start (months).
        last_wait: hosts' mean wait in mainstream services last month (months).
        discrimination_factor: discrimination in hiring and housing relative to the start.
    """

    attitude_baseline: np.ndarray
    attitude_mean_start: float
    rent_start: np.ndarray
    wait_start: float
    discrimination_factor: float
    last_wait: float = 0.0


@dataclass
class CohesionMonth:
    """Attitudes this month: the share of hostile hosts, and the favouritism they perceive."""

    tension_index: float
    perceived_favouritism: float


def start(
    attitude: np.ndarray, rent: np.ndarray, policies: PoliciesParams, wait: float = 0.0
) -> CohesionState:
    """The reference state: hosts' attitudes, blocks' rents and mainstream waits now.

    Attitudes then move with changes from these references (a city that does not change keeps
    its attitudes).
    """
    return CohesionState(
        attitude_baseline=attitude.copy(),
        attitude_mean_start=float(attitude.mean()),
        rent_start=rent.copy(),
        wait_start=wait,
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
    p, hh = month.params, month.hh
    hosts = np.flatnonzero(month.hosts_here)
    state.last_wait = mainstream_wait
    newcomers, host_people = block_people
    share = newcomers / np.maximum(newcomers + host_people, 1.0)
    rent_rise = np.maximum(month.space.layer("rent") / state.rent_start - 1.0, 0.0)
    block = np.maximum(hh.block[hosts], 0)
    extra_wait = max(mainstream_wait - state.wait_start, 0.0)
    congestion = min(extra_wait / SERVICE_WAIT_SATURATION, 1.0)
    favouritism = perceived_favouritism(p.policies.delivery == "targeted", extra_wait)
    hostility = p.city.media_hostility * (1 - media_softening)
    # newcomers in the news: their share of the city's residents, saturating like contact
    visibility = min(newcomers.sum() / max(newcomers.sum() + host_people.sum(), 1.0), 1.0)
    coverage = hostility * min(visibility / CONTACT_SHARE, 1.0)
    pressure = block_pressure(
        share, rent_rise, congestion, favouritism, p.policies.mediation_culture, coverage
    )
    attitude = hh.attitude[hosts]
    change = attitude_change(attitude, state.attitude_baseline[hosts], pressure[block])
    attitude = np.clip(attitude + change, -1.0, 1.0).astype(hh.attitude.dtype)
    hh.attitude[hosts] = attitude
    shift = float(attitude.mean()) - state.attitude_mean_start
    state.discrimination_factor = discrimination_multiplier(shift, p.policies.anti_discrimination)
    return CohesionMonth(tension_index(attitude), favouritism)


def block_pressure(
    newcomer_share: np.ndarray,
    rent_rise: np.ndarray,
    congestion: float,
    favouritism: float,
    mediation: float,
    hostile_coverage: float,
) -> np.ndarray:
    """The monthly push on host attitudes in each block, before reversion (arrays over blocks).

    The same for every host household of a block, so it is weighed once per block.

    Args:
        newcomer_share: share of newcomers among the block's residents.
        rent_rise: the block's rent rise since the start (0.1 = +10 %), floored at 0.
        congestion: 0-1, mainstream waits above the start's, as a share of the saturation wait.
        favouritism: 0-1, how visible targeted services are while mainstream ones are congested.
        mediation: 0-1, mediation and cultural programmes.
        hostile_coverage: 0-1, media hostility times newcomers' visibility in the city.
    """
    contact = CONTACT * np.minimum(newcomer_share / CONTACT_SHARE, 1.0)
    return (
        contact
        + MEDIATION * mediation
        - HOUSING_COMPETITION * np.minimum(rent_rise, 1.0)
        - SERVICE_COMPETITION * congestion
        - FAVOURITISM * favouritism
        - MEDIA * hostile_coverage
    )


def attitude_change(attitude: np.ndarray, baseline: np.ndarray, pressure: np.ndarray) -> np.ndarray:
    """Monthly change of each host household's attitude (arrays over host households).

    Args:
        attitude: current attitudes in [-1, 1].
        baseline: each household's attitude at month 0 (reversion target).
        pressure: its block's push (:func:`block_pressure`).
    """
    return pressure + REVERSION * (baseline - attitude)


def perceived_favouritism(targeted: bool, extra_wait: float) -> float:
    """Share of hosts who feel favouritism (0-1).

    With dedicated newcomer desks in place, it is the share of hosts whose mainstream wait exceeds
    the start's by a month or more (``FAVOURITISM_NOTICED_MONTHS``), if those extra waits are
    exponential with mean ``extra_wait`` months: ``exp(-1 / extra wait)``. A share, not a
    duration; without dedicated desks, nobody sees favouritism.
    """
    if not targeted or extra_wait <= 0:
        return 0.0
    return float(np.exp(-FAVOURITISM_NOTICED_MONTHS / extra_wait))


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
