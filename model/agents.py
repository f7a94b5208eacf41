"""The people and the services.

``Migrant`` and ``Household`` are thin Mesa-agent views onto rows of the columnar population;
``MunicipalService`` is an ordinary Mesa agent. The governments and partners are in
``model/governance.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.scenario import INTENTIONS, ORIGINS, SECTORS, STATUSES

if TYPE_CHECKING:
    from model.city import ArrivalCity

TENURES = ("owner", "formal_renter", "informal", "doubled_up", "unhoused")
EMPLOYMENT = ("none", "informal", "formal")


class RowAgent(mesa.Agent):
    """A Mesa agent whose state lives in one row of a population table."""

    table_name = ""

    def __init__(self, model: ArrivalCity, row: int):
        super().__init__(model)
        self.row = int(row)

    def _get(self, column: str):
        return getattr(getattr(self.model.population, self.table_name), column)[self.row]


class Migrant(RowAgent):
    """A newcomer adult: origin, status, skills, language, work, needs (a view on a row)."""

    table_name = "migrants"

    @property
    def origin(self) -> str:
        """International, internal, displaced or returnee."""
        return ORIGINS[self._get("origin")]

    @property
    def status(self) -> str:
        """Regular, asylum_pending, protected or irregular."""
        return STATUSES[self._get("status")]

    @property
    def intention(self) -> str:
        """Transit, temporary or settle."""
        return INTENTIONS[self._get("intention")]

    @property
    def employment(self) -> str:
        """None, informal or formal."""
        return EMPLOYMENT[self._get("employment")]

    @property
    def months_since_arrival(self) -> int:
        """Months since this person arrived in the city."""
        return int(self.model.steps - self._get("arrival_month"))

    @property
    def language(self) -> float:
        """Command of the local language, 0-1."""
        return float(self._get("language"))

    @property
    def integration(self) -> float:
        """Integration score, 0-1 (see docs/ODD.md)."""
        return float(self._get("integration"))

    @property
    def unmet_needs(self) -> dict[str, float]:
        """Months of unmet need, by sector."""
        return dict(zip(SECTORS, self._get("unmet").tolist(), strict=True))

    @property
    def household(self) -> Household:
        """The newcomer's household agent."""
        return self.model.household_agent(int(self._get("household")))


class Household(RowAgent):
    """A host or newcomer household: block, size, income, tenure, crowding (a view on a row)."""

    table_name = "households"

    @property
    def host(self) -> bool:
        """True for households present before the inflow."""
        return bool(self._get("host"))

    @property
    def tenure(self) -> str:
        """Owner, formal_renter, informal, doubled_up or unhoused."""
        return TENURES[self._get("tenure")]

    @property
    def block(self) -> int:
        """Index of the block (row-major over the grid)."""
        return int(self._get("block"))

    @property
    def size(self) -> int:
        """Persons in the household."""
        return int(self._get("size"))

    @property
    def attitude(self) -> float:
        """For hosts, attitude towards newcomers in [-1, 1]."""
        return float(self._get("attitude"))


class MunicipalService(mesa.Agent):
    """A service sector: capacity (persons a month), eligibility, queue and waiting time."""

    def __init__(self, model: ArrivalCity, sector: str, capacity: float, run_by: str = "city"):
        super().__init__(model)
        self.sector = sector
        self.index = SECTORS.index(sector)
        self.capacity = float(capacity)
        self.run_by = run_by
        self.id_required = True
        self.language_support = 0.0
        self.baseline_capacity = float(capacity)
        self.planned_capacity = float(capacity)
        self.host_queue = np.zeros(model.months + 2)
        self.served = 0.0
        self.mean_wait_months = 0.0
        self.queue_length = 0.0
        self.requests = 0.0
        self.dropped = 0.0
