"""The people and the services.

``Migrant`` and ``Household`` are thin Mesa-agent views onto rows of the columnar population;
``MunicipalService`` is an ordinary Mesa agent. The governments and partners are in
``model/governance.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import mesa
import numpy as np

from model.codes import EMPLOYMENTS, INTENTIONS, ORIGINS, SECTORS, STATUSES, TENURES
from model.metrics import integration_scores
from model.population import Population, Table


class RowAgent(mesa.Agent):
    """A Mesa agent whose state lives in one row of a population table."""

    table_name = ""

    def __init__(self, model: mesa.Model, population: Population, row: int):
        super().__init__(model)
        self.population = population
        self.row = int(row)

    @property
    def table(self) -> Table:
        """The table this agent is a row of."""
        return getattr(self.population, self.table_name)

    def _get(self, column: str):
        return getattr(self.table, column)[self.row]


class Migrant(RowAgent):
    """A newcomer adult: origin, status, skills, language, work, needs (a view on a row).

    Args:
        model: the model it belongs to.
        population: the columnar population it is a row of.
        row: its row in ``population.migrants``.
        households: the household agents, by household row (to find its own).
    """

    table_name = "migrants"

    def __init__(
        self, model: mesa.Model, population: Population, row: int, households: Sequence[Household]
    ):
        super().__init__(model, population, row)
        self._households = households

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
        return EMPLOYMENTS[self._get("employment")]

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
        """Integration score, 0-1 (docs/ODD.md §7.11), computed from the row's state."""
        mig, hh = self.population.migrants, self.population.households
        return float(integration_scores(mig, hh.tenure[mig.household])[self.row])

    @property
    def unmet_needs(self) -> dict[str, float]:
        """Months of unmet need, by sector."""
        return dict(zip(SECTORS, self._get("unmet").tolist(), strict=True))

    @property
    def household(self) -> Household:
        """The newcomer's household agent."""
        return self._households[int(self._get("household"))]


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
    """A service sector: capacity (persons a month), queue and waiting time.

    Attributes:
        sector: its name (one of ``SECTORS``).
        run_by: "city" or "nation".
        capacity: persons it can serve this month (planned capacity paid for, plus partners').
        host_queue: host persons waiting, by the month they asked.
        requests, served: persons who asked, and were served, this month.
        mean_wait_months: mean wait of those served this month.
        queue_length: persons still waiting at the month's end.
    """

    def __init__(self, model: mesa.Model, sector: str, capacity: float, run_by: str, months: int):
        super().__init__(model)
        self.sector = sector
        self.run_by = run_by
        self.capacity = float(capacity)
        self.host_queue = np.zeros(months + 2)
        self.requests = 0.0
        self.served = 0.0
        self.mean_wait_months = 0.0
        self.queue_length = 0.0
