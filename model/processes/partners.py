"""Process 8 — partners: capacity and outreach, scaled by the city's engagement with them.

Partners add capacity to the sectors they serve and reach the hard-to-reach; how much they achieve,
and whether they duplicate or complement the city's services, depends on the engagement level
(inform, consult, involve, collaborate, empower). Donor-funded partners stop when their funding
ends. Source: seed, Adopter une approche multipartite ("Dans quelle mesure d'autres acteurs locaux
peuvent aider les autorités locales ... dépend du type d'engagement décidé par l'autorité locale");
Défis ("les petites villes à croissance rapide sont souvent fortement dépendantes de l'appui de
partenaires ... ce qui n'est pas sans poser de problèmes s'agissant de la durabilité").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import SECTORS, Status, Tenure
from model.month import Month
from model.scenario import PartnerParams

# engagement factor (score 0-1) per rung of the seed's ladder (assumption: evenly spaced)
ENGAGEMENT_FACTOR = {
    "inform": 0.2,
    "consult": 0.4,
    "involve": 0.6,
    "collaborate": 0.8,
    "empower": 1.0,
}

# what each kind of partner does by default (seed's table of actors): sectors and outreach 0-1
KIND_DEFAULTS: dict[str, tuple[tuple[str, ...], float]] = {
    "civil_society": (("reception", "legal_aid", "housing_assistance"), 0.6),
    "diaspora": (("reception", "education", "employment_skills"), 0.8),
    "employer": (("employment_skills",), 0.1),
    "university": (("education",), 0.1),
    "school": (("education",), 0.3),
    "media": ((), 0.2),
}
# share of a partner's capacity that is useful at engagement 0 (the rest duplicates others);
# the useful share rises linearly to 1 at full engagement
DUPLICATION_FLOOR = 0.5
PARTNER_COST_SHARE = 0.6  # a partner's case costs this share of the city's own case cost
HARD_TO_REACH_INFORMATION = 0.3  # below this information score a newcomer is hard to reach
OUTREACH_INFORMATION, OUTREACH_TRUST = 0.15, 0.03  # monthly gain at full reach, share of the gap
PARTICIPATION_TRUST = 0.01  # monthly trust gain from a migrants' council, share of the gap
MEDIA_SOFTENING, MEDIA_SOFTENING_MAX = 0.6, 0.6  # per engaged media partner, and at most
DATA_GAIN, DATA_GAIN_MAX = 0.2, 0.3  # data quality per engaged university, and at most
EMPLOYER_OPENNESS, EMPLOYER_OPENNESS_MAX = 0.3, 0.4  # discrimination cut per engaged employer


@dataclass(frozen=True)
class Reach:
    """What the active partners do this month, as the processes that feel it read it.

    Attributes:
        outreach: outreach strength towards the hard-to-reach (partners process).
        employer_openness: share by which engaged employers cut hiring discrimination (work).
        media_softening: share by which media partners soften hostile discourse (cohesion).
        data_gain: data quality added by universities filling data gaps (planning).
    """

    outreach: float
    employer_openness: float
    media_softening: float
    data_gain: float


def reach(partners: list[PartnerParams], month: int) -> Reach:
    """The partners' reach in a month (a pure function of the scenario and the month)."""
    return Reach(
        outreach=outreach_gain(partners, month),
        employer_openness=employer_openness(partners, month),
        media_softening=media_softening(partners, month),
        data_gain=data_gain(partners, month),
    )


@dataclass
class PartnersMonth:
    """Capacity the partners add to each sector for next month (cases a month)."""

    capacity_added: np.ndarray


def run(month: Month, added: list[np.ndarray], strength: float) -> PartnersMonth:
    """Process 8 for one month: outreach to the hard-to-reach, and migrants' participation.

    Args:
        month: the month's context.
        added: for each partner, per sector, the capacity it adds next month (its agent's step).
        strength: outreach strength this month (``Reach.outreach``).
    """
    hh, mig = month.hh, month.mig
    tenure = hh.tenure[mig.household]
    hard = mig.present & (
        (mig.status == Status.IRREGULAR)
        | (tenure == Tenure.INFORMAL)
        | (tenure == Tenure.DOUBLED_UP)
        | (mig.information < HARD_TO_REACH_INFORMATION)
    )
    apply_outreach(mig.information, mig.trust, hard, strength)
    if month.params.policies.migrant_participation:
        here = mig.present
        mig.trust[here] += PARTICIPATION_TRUST * (1 - mig.trust[here])
    return PartnersMonth(np.sum(added, axis=0) if added else np.zeros(len(SECTORS)))


def city_cost(partners: list[PartnerParams], month: int, cost_per_case: np.ndarray) -> float:
    """What the city pays this month for the partners it funds (currency)."""
    return sum(
        float((effective_capacity(p) * cost_per_case).sum()) * PARTNER_COST_SHARE
        for p in partners
        if p.funding == "city" and is_active(p, month)
    )


def engagement(partner: PartnerParams) -> float:
    """The engagement factor, 0.2 (inform) to 1 (empower)."""
    return ENGAGEMENT_FACTOR[partner.engagement_level]


def is_active(partner: PartnerParams, month: int) -> bool:
    """Whether the partner still has funding this month."""
    return partner.funding_end_month == 0 or month < partner.funding_end_month


def sectors_of(partner: PartnerParams) -> tuple[str, ...]:
    """The sectors a partner serves (explicit, or its kind's default)."""
    return tuple(partner.sectors) if partner.sectors is not None else KIND_DEFAULTS[partner.kind][0]


def outreach_of(partner: PartnerParams) -> float:
    """Its reach into the hard-to-reach (explicit, or its kind's default)."""
    return partner.outreach if partner.outreach is not None else KIND_DEFAULTS[partner.kind][1]


def effective_capacity(partner: PartnerParams) -> np.ndarray:
    """Cases a month the partner adds to each sector: duplication wastes part at low engagement."""
    out = np.zeros(len(SECTORS))
    sectors = sectors_of(partner)
    if not sectors:
        return out
    useful = partner.capacity * (
        DUPLICATION_FLOOR + (1.0 - DUPLICATION_FLOOR) * engagement(partner)
    )
    for sector in sectors:
        out[SECTORS.index(sector)] = useful / len(sectors)
    return out


def outreach_gain(partners: list[PartnerParams], month: int) -> float:
    """Monthly outreach strength reaching hard-to-reach newcomers (sum over active partners)."""
    return sum(outreach_of(p) * engagement(p) for p in partners if is_active(p, month))


def apply_outreach(
    information: np.ndarray, trust: np.ndarray, hard_to_reach: np.ndarray, strength: float
) -> None:
    """Outreach raises information and trust of the hard-to-reach, in place (saturating)."""
    if strength <= 0:
        return
    reach = min(1.0, strength)
    information[hard_to_reach] += OUTREACH_INFORMATION * reach * (1.0 - information[hard_to_reach])
    trust[hard_to_reach] += OUTREACH_TRUST * reach * (1.0 - trust[hard_to_reach])


def media_softening(partners: list[PartnerParams], month: int) -> float:
    """Share by which media partners soften hostile discourse (0-0.6)."""
    return min(
        MEDIA_SOFTENING_MAX,
        sum(
            MEDIA_SOFTENING * engagement(p)
            for p in partners
            if p.kind == "media" and is_active(p, month)
        ),
    )


def data_gain(partners: list[PartnerParams], month: int) -> float:
    """Data quality added by universities filling data gaps (0-0.3)."""
    return min(
        DATA_GAIN_MAX,
        sum(
            DATA_GAIN * engagement(p)
            for p in partners
            if p.kind == "university" and is_active(p, month)
        ),
    )


def employer_openness(partners: list[PartnerParams], month: int) -> float:
    """Share by which engaged employers cut hiring discrimination (0-0.4)."""
    return min(
        EMPLOYER_OPENNESS_MAX,
        sum(
            EMPLOYER_OPENNESS * engagement(p)
            for p in partners
            if p.kind == "employer" and is_active(p, month)
        ),
    )
