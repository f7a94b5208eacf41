"""Direction tests for partners and cohesion (issue 3).

Empowered partners reach irregular newcomers; a partner whose funding ends leaves unmet need behind;
anti-discrimination, mediation, participation and hostile media move refusals, attitudes, trust and
tension. Each compares two arms over common seeds (see arms.py).
"""

from __future__ import annotations

import pytest
from arms import NORTH, SOUTH, assert_increases, assert_lever_moves, outcome


@pytest.mark.parametrize("column", ["information_irregular", "trust_irregular"])
def test_empowering_partners_reaches_irregular_migrants(column):
    def partner(level):
        return {"partners": [{"kind": "diaspora", "capacity": 50, "engagement_level": level}]}

    assert_increases(
        outcome(SOUTH, partner("inform"), column), outcome(SOUTH, partner("empower"), column)
    )


def test_a_partners_funding_ending_raises_unmet_need_afterwards():
    ngo = {
        "kind": "civil_society",
        "capacity": 400,
        "engagement_level": "collaborate",
        "sectors": ["health", "education", "legal_aid"],
    }
    funded = {"partners": [ngo]}
    ended = {"partners": [{**ngo, "funding_end_month": 24}]}
    column = "unmet_need_rate_migrants"
    assert_increases(
        outcome(SOUTH, funded, column, from_month=25), outcome(SOUTH, ended, column, from_month=25)
    )
    before = outcome(SOUTH, ended, "partner_capacity", from_month=1)
    after = outcome(SOUTH, ended, "partner_capacity", from_month=25)
    assert (before > 0).all() and (after == 0).all()


LEVERS = [
    ("policies.anti_discrimination", 0.0, 1.0, "landlord_refusals", -1),
    ("policies.mediation_culture", 0.0, 1.0, "host_attitude_mean", +1),
    ("policies.migrant_participation", False, True, "trust_mean", +1),
    ("city.media_hostility", 0.0, 1.0, "tension_index", +1),
]


@pytest.mark.parametrize(("key", "off", "on", "column", "sign"), LEVERS)
def test_each_lever_moves_its_outcome(key, off, on, column, sign):
    assert_lever_moves(NORTH, key, off, on, column, sign)
