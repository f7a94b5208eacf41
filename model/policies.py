"""The city's policies, each declared once: its monthly cost and the processes where it acts.

A policy's *effect* is a coefficient of the process that applies it (named there, documented in
docs/ODD.md); this module is the one list of policies, what each costs the city's budget and where
to find its effects. A test checks that each policy is read by exactly the processes listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.scenario import PoliciesParams


@dataclass(frozen=True)
class Policy:
    """One policy lever of ``[policies]``.

    Attributes:
        key: its key under ``[policies]`` in a scenario file.
        cost_per_1000: monthly cost at full level, currency per 1,000 residents (assumption,
            docs/ODD.md §7.7).
        acts_in: the process modules (``model/processes/<name>.py``) that apply it.
        when: for a choice, the value that puts the policy in force.
    """

    key: str
    cost_per_1000: float
    acts_in: tuple[str, ...]
    when: str | None = None

    def level(self, params: PoliciesParams) -> float:
        """How much of the policy is in force, 0-1 (a switch or a choice counts as 0 or 1)."""
        value = getattr(params, self.key)
        return float(value == self.when) if self.when is not None else float(value)


POLICIES: tuple[Policy, ...] = (
    Policy("one_stop_shop", 300.0, ("planning", "services")),
    Policy("status_blind_access", 50.0, ("access",)),
    Policy("language_support", 400.0, ("access", "services", "courses")),
    Policy("credential_fast_track", 150.0, ("status", "services")),
    Policy("anti_discrimination", 150.0, ("cohesion",)),
    Policy("mediation_culture", 250.0, ("cohesion",)),
    Policy("migrant_participation", 80.0, ("partners",)),
    Policy("transport_investment", 1500.0, ("planning",)),
    Policy("delivery", 0.0, ("services", "cohesion"), when="targeted"),
)


def monthly_cost(params: PoliciesParams, residents: float) -> float:
    """What the policies in force cost the city this month (currency)."""
    per_1000 = sum(p.cost_per_1000 * p.level(params) for p in POLICIES)
    return per_1000 * residents / 1000.0
