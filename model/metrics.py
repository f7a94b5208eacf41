"""The month's outcomes, computed from the columnar state (vectorised).

Every rate is over people (agents weighted by the persons they stand for); counts are in persons.
"""

from __future__ import annotations

import numpy as np

from model.population import (
    ASYLUM_PENDING,
    FORMAL_RENTER,
    FORMAL_WORK,
    INFORMAL,
    INTERNATIONAL,
    IRREGULAR,
    NO_WORK,
    OWNER,
    Table,
)
from model.processes.housing import overcrowded
from model.scenario import SECTORS


def _share(numerator: np.ndarray | float, denominator: np.ndarray | float) -> float:
    den = float(np.sum(denominator))
    return float(np.sum(numerator)) / den if den > 0 else 0.0


def dissimilarity_index(newcomers_per_block: np.ndarray, hosts_per_block: np.ndarray) -> float:
    """Duncan's index of dissimilarity between newcomers and hosts across blocks (0-1)."""
    n, h = newcomers_per_block.sum(), hosts_per_block.sum()
    if n <= 0 or h <= 0:
        return 0.0
    return 0.5 * float(np.abs(newcomers_per_block / n - hosts_per_block / h).sum())


def persons_per_block(hh: Table, n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """(newcomer persons, host persons) in each block, counting only the housed or sheltered."""
    live = hh.present & (hh.block >= 0)
    newcomer = live & ~hh.host
    host = live & hh.host
    return (
        np.bincount(hh.block[newcomer], weights=hh.size[newcomer], minlength=n_blocks),
        np.bincount(hh.block[host], weights=hh.size[host], minlength=n_blocks),
    )


def integration_scores(mig: Table, tenure: np.ndarray) -> np.ndarray:
    """Per newcomer, 0-1: mean of work, language, formal home, secure status, trust, needs met."""
    secure = (mig.origin != INTERNATIONAL) | (
        (mig.status != ASYLUM_PENDING) & (mig.status != IRREGULAR)
    )
    formal_home = (tenure == OWNER) | (tenure == FORMAL_RENTER)
    parts = (
        (mig.employment != NO_WORK).astype(float),
        np.clip(mig.language, 0, 1),
        formal_home.astype(float),
        secure.astype(float),
        np.clip(mig.trust, 0, 1),
        1.0 - np.clip(mig.unmet_score, 0, 1),
    )
    return np.mean(parts, axis=0)


def population_outcomes(
    mig: Table, hh: Table, block_people: tuple[np.ndarray, np.ndarray], scale: float
) -> dict[str, float]:
    """Residents, employment, housing and segregation outcomes of the month.

    ``block_people`` is (newcomer persons, host persons) per block, from :func:`persons_per_block`.
    """
    here = mig.present
    adults = here & (mig.age_band < 2)
    live_hh = hh.present
    tenure = hh.tenure[mig.household]
    crowded = overcrowded(hh)
    newcomer_hh = live_hh & ~hh.host
    host_hh = live_hh & hh.host
    labour = host_hh & hh.in_labour_force
    newcomers, hosts = block_people
    integration = integration_scores(mig, tenure)
    mig.integration[:] = integration
    return {
        "residents": float(hh.size[live_hh].sum()) * scale,
        "migrants_present": float(here.sum()) * scale,
        "migrant_employment_rate": _share(adults & (mig.employment != NO_WORK), adults),
        "migrant_formal_employment_rate": _share(adults & (mig.employment == FORMAL_WORK), adults),
        "host_unemployment_rate": _share(labour & (hh.employment == NO_WORK), labour),
        "informal_housing_share_migrants": _share(here & (tenure == INFORMAL), here),
        "overcrowding_rate_migrants": _share(
            hh.size * (newcomer_hh & crowded), hh.size * newcomer_hh
        ),
        "overcrowding_rate_hosts": _share(hh.size * (host_hh & crowded), hh.size * host_hh),
        "dissimilarity_index": dissimilarity_index(newcomers, hosts),
        "trust_mean": float(mig.trust[here].mean()) if here.any() else 0.0,
        "integration_index": float(integration[here].mean()) if here.any() else 0.0,
        "host_attitude_mean": float(hh.attitude[host_hh].mean()) if host_hh.any() else 0.0,
    }


class CohortTally:
    """Employment (any, formal) of working-age newcomers by months since arrival and status."""

    def __init__(self, months: int, n_statuses: int = 4):
        self.shape = (months + 1, n_statuses)
        self.present = np.zeros(self.shape)
        self.employed = np.zeros(self.shape)
        self.formal = np.zeros(self.shape)

    def add(self, mig: Table, t: int) -> None:
        """Count this month's working-age newcomers into their (duration, status) cell."""
        adults = mig.present & (mig.age_band < 2)
        since = np.clip(t - mig.arrival_month[adults], 0, self.shape[0] - 1)
        cell = since * self.shape[1] + mig.status[adults]
        size = self.shape[0] * self.shape[1]
        employment = mig.employment[adults]
        self.present += np.bincount(cell, minlength=size).reshape(self.shape)
        self.employed += np.bincount(cell, weights=employment != NO_WORK, minlength=size).reshape(
            self.shape
        )
        self.formal += np.bincount(cell, weights=employment == FORMAL_WORK, minlength=size).reshape(
            self.shape
        )


# the columns of RunResult.timeseries, in order (docs/ODD.md §7.11)
OUTCOMES: tuple[str, ...] = (
    "month",
    "residents",
    "migrants_present",
    "arrivals",
    "departures",
    "migrant_employment_rate",
    "migrant_formal_employment_rate",
    "host_unemployment_rate",
    "mean_wait_months",
    *(f"mean_wait_months_{s}" for s in SECTORS),
    "unmet_need_rate_migrants",
    "unmet_need_rate_irregular",
    "service_uptake_irregular",
    "service_uptake_migrants",
    "informal_housing_share_migrants",
    "overcrowding_rate_migrants",
    "overcrowding_rate_hosts",
    "evictions",
    "hazard_losses",
    "landlord_refusals",
    "mean_rent",
    "dissimilarity_index",
    "host_attitude_mean",
    "tension_index",
    "perceived_favouritism",
    "trust_mean",
    "trust_irregular",
    "information_irregular",
    "integration_index",
    "migrant_formal_employment_rate_periphery",
    "migrant_formal_employment_rate_skilled",
    "referrals_made",
    "referrals_lost",
    "budget_gap",
    "city_funding",
    "city_mandate",
    "demand_perception_gap",
    "partner_capacity",
)
