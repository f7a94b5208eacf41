"""The governance agents: the city, the nation and partner organisations.

``CityGovernment`` holds the city's plans and money (process 7's arithmetic is
``processes/planning.py``); ``Partner.step`` is the agent's part of process 8 (is it funded, what
capacity does it add). Each takes what it needs as arguments: none reaches into the model.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.codes import N_SECTORS, SECTORS
from model.processes import partners
from model.processes.planning import CityPlans
from model.scenario import NationalParams, PartnerParams


class CityGovernment(mesa.Agent):
    """The city: the competences it holds, its data, its plans, its money and its budget gap.

    Attributes:
        plans: its plans and money, carried from month to month (``CityPlans``).
    """

    def __init__(self, model: mesa.Model, plans: CityPlans):
        super().__init__(model)
        self.plans = plans

    @property
    def sectors_run(self) -> list[str]:
        """The names of the sectors the city runs."""
        return [k for k, run in zip(SECTORS, self.plans.city_runs, strict=True) if run]

    @property
    def budget_gap(self) -> float:
        """Mandate minus money this month (positive: responsibility without money)."""
        return self.plans.budget_gap


class NationalGovernment(mesa.Agent):
    """The nation: status processing, work rights, entitlements, transfers (``params.national``)."""

    def __init__(self, model: mesa.Model, rules: NationalParams):
        super().__init__(model)
        self.rules = rules


class Partner(mesa.Agent):
    """A partner organisation (civil society, diaspora, employer, university, school, media).

    Attributes:
        params: its scenario entry (kind, capacity, sectors, funding, engagement level).
        active: whether it has funding for the coming month.
        capacity_added: cases a month it adds to each sector in the coming month.
    """

    def __init__(self, model: mesa.Model, params: PartnerParams):
        super().__init__(model)
        self.params = params
        self.kind = params.kind
        self.engagement_level = params.engagement_level
        self.active = True
        self.capacity_added = partners.effective_capacity(params)

    def step(self) -> None:
        """Process 8, the partner's part: is it still funded next month, what does it add."""
        self.active = partners.is_active(self.params, self.model.steps + 1)
        self.capacity_added = (
            partners.effective_capacity(self.params) if self.active else np.zeros(N_SECTORS)
        )
