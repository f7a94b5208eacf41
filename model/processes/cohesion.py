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

import numpy as np

CONTACT = 0.01  # attitude gain a month where newcomers are a quarter of the block or more
MEDIATION = 0.01  # gain a month at full mediation and culture programmes
HOUSING_COMPETITION = 0.02  # loss a month at a doubling of the block's rent since month 0
SERVICE_COMPETITION = 0.01  # loss a month when mainstream waits reach three months or more
FAVOURITISM = 0.02  # loss a month at full perceived favouritism
MEDIA = 0.01  # loss a month at fully hostile media
REVERSION = 0.05  # pull back to each household's own baseline a month
TENSION_THRESHOLD = -0.3  # a host household below this attitude counts as hostile


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
    contact = CONTACT * np.minimum(newcomer_share / 0.25, 1.0)
    change = (
        contact
        + MEDIATION * mediation
        - HOUSING_COMPETITION * np.minimum(rent_rise, 1.0)
        - SERVICE_COMPETITION * min(mainstream_wait / 3.0, 1.0)
        - FAVOURITISM * favouritism
        - MEDIA * media_hostility
        + REVERSION * (baseline - attitude)
    )
    return change


def perceived_favouritism(targeted: bool, mainstream_wait: float) -> float:
    """Favouritism is felt when dedicated desks are visible while mainstream queues are long."""
    return min(1.0, mainstream_wait) if targeted else 0.0


def tension_index(attitude: np.ndarray) -> float:
    """Share of host households hostile to newcomers (attitude below the threshold)."""
    return float((attitude < TENSION_THRESHOLD).mean()) if len(attitude) else 0.0


def discrimination_multiplier(attitude_shift: float, anti_discrimination: float) -> float:
    """Discrimination relative to month 0.

    It follows the shift in mean host attitude since then (worse attitudes, more discrimination)
    and falls with anti-discrimination policy.
    """
    return float(np.clip(1.0 - attitude_shift, 0.3, 1.8)) * (1.0 - 0.5 * anti_discrimination)
