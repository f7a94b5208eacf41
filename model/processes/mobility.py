"""Process 10 — mobility: newcomers move on or return.

The chance of leaving in a month rises with a transit or temporary intention, with unmet needs and
with joblessness; rejected claimants told to leave do. Source: seed, Défis ("du schéma des
déplacements, c'est-à-dire de leur caractère temporaire ou permanent").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import Employment, Intention
from model.month import Month
from model.population import Table
from model.processes.housing import make_homeless
from model.scenario import BehaviourParams

JOBLESS_DEPARTURE = 0.5  # extra move chance of the jobless, as a share of a settler's


@dataclass
class MobilityMonth:
    """Who left this month.

    Attributes:
        leaving: rows of the newcomers who left.
        dropped: per sector, persons who left while waiting (they leave the queue).
    """

    leaving: np.ndarray
    dropped: np.ndarray


def run(month: Month) -> MobilityMonth:
    """Process 10 for one month: newcomers move on or return; their homes and queues empty."""
    hh, mig, scale = month.hh, month.mig, month.scale
    leaving = draw_departures(mig, month.params.behaviour, month.rng)
    dropped = (mig.waiting_since[leaving] >= 0).sum(axis=0) * scale
    if len(leaving) == 0:
        return MobilityMonth(leaving, np.zeros(mig.waiting_since.shape[1]))
    mig.waiting_since[leaving] = -1
    mig.present[leaving] = False
    mig.departure_month[leaving] = month.t
    mig.employment[leaving] = Employment.NONE
    rows = mig.household[leaving]
    make_homeless(hh, rows)
    hh.present[rows] = False
    return MobilityMonth(leaving, dropped)


def departure_chance(mig: Table, behaviour: BehaviourParams) -> np.ndarray:
    """Monthly chance each newcomer leaves the city."""
    by_intention = np.zeros(3)
    by_intention[Intention.TRANSIT] = behaviour.departure_transit
    by_intention[Intention.TEMPORARY] = behaviour.departure_temporary
    by_intention[Intention.SETTLE] = behaviour.departure_base
    chance = by_intention[mig.intention] + behaviour.departure_unmet_need * mig.unmet_score
    chance = chance + np.where(
        mig.employment == Employment.NONE, JOBLESS_DEPARTURE * behaviour.departure_base, 0.0
    )
    return np.where(mig.leaving, 1.0, np.clip(chance, 0.0, 1.0))


def draw_departures(mig: Table, behaviour: BehaviourParams, rng: np.random.Generator) -> np.ndarray:
    """Rows of the newcomers leaving this month."""
    return np.flatnonzero(mig.present & (rng.random(mig.n) < departure_chance(mig, behaviour)))
