"""Direction tests for decentralisation, money and data (issue 3).

Responsibility without money, vertical coherence and transfers, what policies cost, targeted
delivery beside congested mainstream services, and what the city's data let it see. Each compares
two arms over common seeds (see arms.py).
"""

from __future__ import annotations

import numpy as np
from arms import NORTH, SOUTH, assert_increases, assert_lever_moves, outcome


def test_responsibility_without_money_widens_the_gap_and_unmet_need():
    unfunded = {"governance.competences": 1.0, "governance.resources": 0.5}
    funded = {"governance.competences": 1.0, "governance.resources": 1.0}
    assert_increases(outcome(NORTH, funded, "budget_gap"), outcome(NORTH, unfunded, "budget_gap"))
    assert_increases(
        outcome(NORTH, funded, "unmet_need_rate_migrants"),
        outcome(NORTH, unfunded, "unmet_need_rate_migrants"),
    )


def test_vertical_coherence_brings_the_city_more_funding():
    assert_lever_moves(NORTH, "governance.vertical_coherence", 0.0, 1.0, "city_funding", +1)


def test_policies_cost_money():
    # policies also change who finds a home, and with it what the city pays to house the rest:
    # that cost is left out so that the policies' own price is what is compared
    housed_free = {"housing.municipal_accommodation_cost": 0.0}
    cheap = outcome(NORTH, housed_free, "city_mandate")
    costly = outcome(
        NORTH,
        {
            **housed_free,
            "policies.one_stop_shop": True,
            "policies.language_support": 1.0,
            "policies.mediation_culture": 1.0,
        },
        "city_mandate",
    )
    assert_increases(cheap, costly)


def test_targeted_services_beside_congested_mainstream_ones_raise_tension():
    mainstream = {"governance.competences": 1.0, "policies.delivery": "mainstream"}
    targeted = {"governance.competences": 1.0, "policies.delivery": "targeted"}
    assert_increases(
        outcome(SOUTH, mainstream, "tension_index"), outcome(SOUTH, targeted, "tension_index")
    )
    # same spending: the city's mandate does not depend on how capacity is split
    assert np.allclose(
        outcome(SOUTH, mainstream, "city_mandate")[:2],
        outcome(SOUTH, targeted, "city_mandate")[:2],
        rtol=0.05,
    )


def test_status_blind_access_raises_uptake_by_the_irregular():
    base = {"governance.competences": 1.0}
    assert_increases(
        outcome(SOUTH, base, "service_uptake_irregular"),
        outcome(SOUTH, {**base, "policies.status_blind_access": True}, "service_uptake_irregular"),
    )


def test_better_data_narrows_the_gap_between_perceived_and_actual_demand():
    assert_increases(
        outcome(SOUTH, {"governance.data_quality": 0.9}, "demand_perception_gap"),
        outcome(SOUTH, {"governance.data_quality": 0.1}, "demand_perception_gap"),
    )
