"""The month's context: what every process is handed, and nothing it must guess.

``ArrivalCity.step`` builds one :class:`Month` and passes it to each process's ``run`` in the order
of docs/ODD.md; what a process needs from an earlier process of the same month it takes as an
explicit argument (that process's result), never from an attribute of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.population import Population, Table
from model.scenario import Scenario
from model.space import CitySpace


@dataclass(frozen=True)
class Month:
    """One month of one city.

    Attributes:
        t: the month (1 for the first simulated month; 0 is the set-up).
        params: the scenario in force.
        people: the columnar population (newcomers and households).
        space: the blocks and their property layers.
        rng: the model's numpy Generator, the only source of randomness.
        scale: persons one agent stands for.
        n_hosts: host households are the first ``n_hosts`` household rows.
        warmup: months of warm-up before month 1 (``t`` counts them; reported months do not).
    """

    t: int
    params: Scenario
    people: Population
    space: CitySpace
    rng: np.random.Generator
    scale: float
    n_hosts: int
    warmup: int = 0

    @property
    def reported(self) -> int:
        """The month as reported (1 = the first month after the warm-up)."""
        return self.t - self.warmup

    @property
    def mig(self) -> Table:
        """The newcomer adults."""
        return self.people.migrants

    @property
    def hh(self) -> Table:
        """The households, hosts first."""
        return self.people.households

    @property
    def hosts(self) -> slice:
        """The host households' rows, those who left the city included (see ``hosts_here``)."""
        return slice(0, self.n_hosts)

    @property
    def hosts_here(self) -> np.ndarray:
        """Over the host rows: still in the city (``housing.host_out_migration`` takes some)."""
        return self.hh.present[self.hosts]

    @property
    def host_persons(self) -> float:
        """Persons in the host households still in the city (agents: times ``scale`` for people)."""
        return float(self.hh.size[self.hosts][self.hosts_here].sum())
