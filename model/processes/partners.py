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

import numpy as np

from model.scenario import SECTORS, PartnerParams

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
PARTNER_COST_SHARE = 0.6  # a partner's case costs this share of the city's own case cost


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
    useful = partner.capacity * (0.5 + 0.5 * engagement(partner))
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
    information[hard_to_reach] += 0.15 * reach * (1.0 - information[hard_to_reach])
    trust[hard_to_reach] += 0.03 * reach * (1.0 - trust[hard_to_reach])


def media_softening(partners: list[PartnerParams], month: int) -> float:
    """Share by which media partners soften hostile discourse (0-0.6)."""
    return min(
        0.6, sum(0.6 * engagement(p) for p in partners if p.kind == "media" and is_active(p, month))
    )


def data_gain(partners: list[PartnerParams], month: int) -> float:
    """Data quality added by universities filling data gaps (0-0.3)."""
    return min(
        0.3,
        sum(
            0.2 * engagement(p) for p in partners if p.kind == "university" and is_active(p, month)
        ),
    )


def employer_openness(partners: list[PartnerParams], month: int) -> float:
    """Share by which engaged employers cut hiring discrimination (0-0.4)."""
    return min(
        0.4,
        sum(0.3 * engagement(p) for p in partners if p.kind == "employer" and is_active(p, month)),
    )
