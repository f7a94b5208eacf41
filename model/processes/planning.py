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

import numpy as np

from model.population import FORMAL_RENTER, IRREGULAR, OWNER
from model.scenario import SECTORS, GovernanceParams, PoliciesParams

# the order in which competences are devolved when only a share is given
DEVOLUTION_ORDER = (
    "reception",
    "housing_assistance",
    "education",
    "employment_skills",
    "health",
    "legal_aid",
)

# monthly cost of each policy at full level, per 1,000 residents (currency); see docs/ODD.md
POLICY_COST_PER_1000 = {
    "one_stop_shop": 300.0,
    "status_blind_access": 50.0,
    "language_support": 400.0,
    "credential_fast_track": 150.0,
    "anti_discrimination": 150.0,
    "mediation_culture": 250.0,
    "migrant_participation": 80.0,
    "transport_investment": 1500.0,
}


def city_run_sectors(governance: GovernanceParams) -> np.ndarray:
    """Which of the six sectors the city runs (boolean per sector, in SECTORS order)."""
    if governance.city_sectors is not None:
        return np.array([s in governance.city_sectors for s in SECTORS])
    count = round(governance.competences * len(SECTORS))
    chosen = set(DEVOLUTION_ORDER[:count])
    return np.array([s in chosen for s in SECTORS])


def registered(status: np.ndarray, tenure: np.ndarray) -> np.ndarray:
    """Newcomers on the registers: not irregular, and at a formal address."""
    return (status != IRREGULAR) & ((tenure == OWNER) | (tenure == FORMAL_RENTER))


def visibility(is_registered: np.ndarray, data_quality: float) -> np.ndarray:
    """Weight with which each newcomer's requests reach the planners' data (0-1)."""
    return np.where(is_registered, 1.0, data_quality)


def national_data_quality(governance: GovernanceParams) -> float:
    """Coarser national data: local detail reaches the national level through consultation."""
    return 0.2 + 0.6 * governance.vertical_coherence * governance.data_quality


BACKLOG_MONTHS = 12.0  # planners size capacity to clear a perceived backlog within a year


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
    return round(national_lag * (1.0 - 0.75 * governance.vertical_coherence))


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


def policy_cost(policies: PoliciesParams, residents: float) -> float:
    """Monthly cost of the policies in force (currency)."""
    level = {
        "one_stop_shop": float(policies.one_stop_shop),
        "status_blind_access": float(policies.status_blind_access),
        "language_support": policies.language_support,
        "credential_fast_track": policies.credential_fast_track,
        "anti_discrimination": policies.anti_discrimination,
        "mediation_culture": policies.mediation_culture,
        "migrant_participation": float(policies.migrant_participation),
        "transport_investment": policies.transport_investment,
    }
    per_1000 = sum(POLICY_COST_PER_1000[name] * value for name, value in level.items())
    return per_1000 * residents / 1000.0


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
