"""Process 10 — mobility: newcomers move on or return.

The chance of leaving in a month rises with a transit or temporary intention, with unmet needs and
with joblessness; rejected claimants told to leave do. Source: seed, Défis ("du schéma des
déplacements, c'est-à-dire de leur caractère temporaire ou permanent").
"""

from __future__ import annotations

import numpy as np

from model.population import NO_WORK, SETTLE, TEMPORARY, TRANSIT, Table
from model.scenario import BehaviourParams


def departure_chance(mig: Table, behaviour: BehaviourParams) -> np.ndarray:
    """Monthly chance each newcomer leaves the city."""
    by_intention = np.zeros(3)
    by_intention[TRANSIT] = behaviour.departure_transit
    by_intention[TEMPORARY] = behaviour.departure_temporary
    by_intention[SETTLE] = behaviour.departure_base
    chance = by_intention[mig.intention] + behaviour.departure_unmet_need * mig.unmet_score
    chance = chance + np.where(mig.employment == NO_WORK, 0.5 * behaviour.departure_base, 0.0)
    return np.where(mig.leaving, 1.0, np.clip(chance, 0.0, 1.0))


def draw_departures(mig: Table, behaviour: BehaviourParams, rng: np.random.Generator) -> np.ndarray:
    """Rows of the newcomers leaving this month."""
    return np.flatnonzero(mig.present & (rng.random(mig.n) < departure_chance(mig, behaviour)))
