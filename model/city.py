"""ArrivalCity: the Mesa model. It builds the city and runs the month's processes in order.

One step is one month, in the order of docs/ODD.md §3: inflow, settlement and housing, status,
work, needs and access, service delivery, planning and money, partners, cohesion, mobility,
observation. Each process is ``processes/<name>.run``; what one hands to the next is passed here,
explicitly, as its result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.agent import AgentSet
from mesa.experimental.scenarios import Scenario as MesaScenario

from model import setup
from model.agents import Household, Migrant, MunicipalService
from model.codes import SECTORS
from model.governance import CityGovernment, NationalGovernment, Partner
from model.metrics import (
    OUTCOMES,
    CohortTally,
    MonthResults,
    Observation,
    observe,
    persons_per_block,
)
from model.month import Month
from model.population import Population
from model.presets import resolve_scenario
from model.processes import (
    access,
    cohesion,
    courses,
    housing,
    inflow,
    mobility,
    partners,
    planning,
    services,
    status,
    work,
)
from model.scenario import Scenario
from model.space import CitySpace


class ArrivalCity(mesa.Model):
    """An arrival city receiving newcomers month by month.

    Args:
        params: a :class:`Scenario`, a scenario file path or a preset name (default scenario if
            None).
        seed: integer seed of the model's numpy Generator (``rng`` wins if both are given);
            with neither, a fresh seed from the operating system, as in Mesa.
        rng: a numpy Generator or seed, as Mesa accepts.
        overrides: dotted-key overrides, e.g. ``{"inflow.total": 5000}``.
        scenario: Mesa's own scenario object (``mesa.experimental.scenarios.Scenario``), which
            Mesa's SolaraViz passes on Reset; the city's parameters are ``params``.
        **dotted: more overrides with ``__`` for the dots (``inflow__total=5000``), the form
            ``mesa.batch_run`` and SolaraViz pass parameters in.

    Attributes:
        params: the validated scenario in force (``model.scenario`` is Mesa's).
        population: columnar newcomer and household state.
        space: the grid of blocks and its property layers.
        services: the six ``MunicipalService`` agents, by sector.
        datacollector: Mesa's DataCollector with one model reporter per outcome.
    """

    def __init__(
        self,
        params: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        rng: Any = None,
        overrides: dict[str, Any] | None = None,
        scenario: MesaScenario | None = None,
        **dotted: Any,
    ):
        # Mesa's convention: no seed and no rng means fresh entropy (simulate() defaults to 0)
        rng = rng if rng is not None else seed
        if scenario is not None and not isinstance(scenario, MesaScenario):
            raise TypeError(
                "ArrivalCity(scenario=...) is Mesa's experiment Scenario; pass the city's "
                "scenario, file or preset as params=..."
            )
        if scenario is not None and scenario.rng is None:
            scenario.rng = rng  # Mesa wants the scenario's rng and the model's to agree
        super().__init__(rng=rng, scenario=scenario)
        merged = dict(overrides or {})
        merged.update({key.replace("__", "."): value for key, value in dotted.items()})
        base = resolve_scenario(params)
        self.params = base.with_overrides(merged) if merged else base
        p = self.params
        self.months, self.scale = p.run.months, p.run.scale
        self.warmup = p.run.warmup_months
        self.population = Population()
        self.space = CitySpace(p.city, self.rng, self.random)
        hosts = setup.host_households(
            p.city, p.behaviour, p.housing, self.space, self.scale, self.rng, labour=p.labour
        )
        hh = self.population.households
        hh.append(len(hosts["size"]), **hosts)
        setup.fit_housing_stock(self.space, hosts, p.city.housing_vacancy_rate)
        self.n_hosts = hh.n
        self.arrivals_schedule = inflow.monthly_agents(p.inflow, self.months + 1, self.scale)
        self.labour = work.LabourMarket.at_start(hh, p)
        plans = planning.start(p, hh, self.space, self.scale)
        self.course_line = courses.CourseLine.at_start(float(hh.size.sum()) * self.scale, p)
        self.services = {
            sector: MunicipalService(
                self,
                sector,
                plans.delivered[k],
                "city" if plans.city_runs[k] else "nation",
                self.warmup + self.months,
            )
            for k, sector in enumerate(SECTORS)
        }
        self.city_government = CityGovernment(self, plans)
        self.national_government = NationalGovernment(self, p.national)
        self.partner_agents = AgentSet([Partner(self, q) for q in p.partners], random=self.random)
        self.block_people = persons_per_block(hh, self.space.n_blocks)
        self.cohesion = cohesion.start(hh.attitude, self.space.layer("rent"), p.policies)
        self._migrant_agents: dict[int, Migrant] = {}
        self._household_agents = [Household(self, self.population, r) for r in range(hh.n)]
        self.cohorts = CohortTally(self.months)
        self.latest: dict[str, float] = {}
        self.ledger: list[dict[str, Any]] = []
        housing.recount_occupancy(hh, self.space)
        self.datacollector = mesa.DataCollector(
            model_reporters={o.name: (lambda m, name=o.name: m.latest[name]) for o in OUTCOMES}
        )
        for m in range(1, self.warmup + 1):  # the city settles before month 1; nothing recorded
            self._month(m, record=False)
        if self.warmup:  # attitudes move against the settled city
            wait = self.cohesion.last_wait
            self.cohesion = cohesion.start(hh.attitude, self.space.layer("rent"), p.policies, wait)
        self.running = True

    # ------------------------------------------------------------------ agents as views
    def household_agent(self, row: int) -> Household:
        """The Household agent of a household row."""
        return self._household_agents[row]

    def migrant_agent(self, row: int) -> Migrant | None:
        """The Migrant agent of a newcomer row (None once the person has left)."""
        return self._migrant_agents.get(row)

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """One month, in the order of docs/ODD.md §3."""
        self._month(self.warmup + self.steps, record=True)
        if self.steps >= self.months:
            self.running = False

    def _month(self, t: int, record: bool) -> None:
        """Month ``t`` of the city's clock (warm-up months first, then the reported ones)."""
        p, sectors = self.params, list(self.services.values())
        month = Month(
            t, p, self.population, self.space, self.rng, self.scale, self.n_hosts, self.warmup
        )
        plans = self.city_government.plans
        reach = partners.reach(p.partners, month.reported)
        discrimination = self.cohesion.discrimination_factor  # as last month left it
        arrived = inflow.run(month, self._arrivals(t - self.warmup))  # 1
        self._add_agents(arrived)
        housed = housing.run(month, discrimination)  # 2
        status.run(month)  # 3
        worked = work.run(month, self.labour, discrimination, reach.employer_openness)  # 4
        asked = access.run(month, worked.may_work, plans.city_runs)  # 5
        delivered = services.run(month, asked, sectors)  # 6
        taught = courses.run(month, self.course_line)  # 6b
        backlog = np.array([svc.host_queue.sum() for svc in sectors])
        planned = planning.run(month, plans, asked, delivered, backlog, reach)  # 7
        self.partner_agents.do("step")  # 8
        added = [q.capacity_added for q in self.partner_agents]
        supported = partners.run(month, added, reach.outreach)
        for k, svc in enumerate(sectors):  # next month's capacity: what is paid, plus partners
            svc.capacity = float(plans.delivered[k] + supported.capacity_added[k])
        wait = delivered.mainstream_wait
        felt = cohesion.run(month, self.cohesion, self.block_people, wait, reach.media_softening)
        left = mobility.run(month)  # 10
        course_dropped = courses.leave(month.mig, left.leaving, self.scale)
        self._remove_agents(left)
        if record:
            results = MonthResults(
                arrived, housed, asked, delivered, planned, supported, felt, left, taught, worked
            )
            self._observe(month, results, course_dropped)  # 11

    def _arrivals(self, month: int) -> int:
        """Newcomer agents arriving in a reported month (none during the warm-up)."""
        schedule = self.arrivals_schedule
        return int(schedule[month]) if 0 <= month < len(schedule) else 0

    def _add_agents(self, arrived: inflow.InflowMonth) -> None:
        people, households = self.population, self._household_agents
        self._migrant_agents.update(
            (int(r), Migrant(self, people, r, households)) for r in arrived.migrant_rows
        )
        households.extend(Household(self, people, r) for r in arrived.household_rows)

    def _remove_agents(self, left: mobility.MobilityMonth) -> None:
        for r in left.leaving.tolist():
            self._migrant_agents.pop(r).remove()

    def _observe(self, month: Month, results: MonthResults, course_dropped: float) -> None:
        self.block_people = persons_per_block(self.population.households, self.space.n_blocks)
        sectors = list(self.services.values())
        observation = Observation(
            month, results, sectors, self.city_government.plans, self.block_people
        )
        self.latest = observe(observation)
        self.cohorts.add(self.population.migrants, month.t)
        delivered, left = results.services, results.mobility
        self.ledger.extend(
            {
                "month": month.reported,
                "sector": sector,
                "queue_start": delivered.queue_start[k],
                "requests": delivered.requests[k],
                "served": delivered.served_persons[k],
                "queue_end": delivered.queue_end[k] - left.dropped[k],  # after departures
                "abandoned": delivered.abandoned[k],
                "dropped": left.dropped[k],
            }
            for k, sector in enumerate(SECTORS)
        )
        taught = results.courses
        self.ledger.append(
            {
                "month": month.reported,
                "sector": "integration_course",
                "queue_start": taught.queue_start,
                "requests": taught.registered,
                "served": taught.started,
                "queue_end": taught.queue_end - course_dropped,  # after departures
                "abandoned": 0.0,
                "dropped": course_dropped,
            }
        )
        self.datacollector.collect(self)


__all__ = ["ArrivalCity"]
