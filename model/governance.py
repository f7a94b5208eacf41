"""The governance agents: the city, the nation and partner organisations, each with its step().

``CityGovernment.step`` is process 7 (planning and money) and ``Partner.step`` the agent's part of
process 8; the arithmetic lives in ``processes/planning.py`` and ``processes/partners.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.population import FORMAL_WORK
from model.processes import partners, planning
from model.scenario import SECTORS, PartnerParams
from model.space import PERIPHERY

if TYPE_CHECKING:
    from model.city import ArrivalCity


class CityGovernment(mesa.Agent):
    """The city: the competences it holds, its data, its plans, its money and its budget gap.

    Attributes:
        city_runs: per sector, whether the city runs it (the rest is run by the nation).
        sectors_run: the names of the sectors the city runs.
        planned_capacity: capacity each sector plans for next month (cases a month).
        delivered: capacity each sector can actually deliver next month, before partners.
        funding: money this month (own revenue and transfers), currency.
        mandate: cost of what it is responsible for this month (services, policies, partners).
        budget_gap: mandate minus funding (positive: responsibility without money).
        paid_share: share of its planned capacity it can pay for (<= 1).
        registered_residents: residents on its registers (what transfers count).
    """

    def __init__(self, model: ArrivalCity, city_runs: np.ndarray, baseline_capacity: np.ndarray):
        super().__init__(model)
        s = model.scenario
        residents = model.residents_start * model.scale
        self.city_runs = city_runs
        self.sectors_run = [k for k, run in zip(SECTORS, city_runs, strict=True) if run]
        self.cost_per_case = np.array([getattr(s.city.cost_per_case, k) for k in SECTORS])
        host_rates = np.array([getattr(s.city.host_need_rate, k) for k in SECTORS])
        # planners keep each sector's month-0 ratio of capacity to expected requests
        self.capacity_ratio = np.where(
            host_rates > 0,
            baseline_capacity / np.maximum(host_rates * residents / 1000, 1e-9),
            1.0,
        )
        self.planned_capacity = baseline_capacity.copy()
        self.delivered = baseline_capacity.copy()
        self.baseline_cost = baseline_capacity * self.cost_per_case
        hh = model.population.households
        self.formal_workers_start = float((hh.employment == FORMAL_WORK).sum())
        self.registered_history = [residents]
        self.travel_start = model.space.layer("travel_minutes").copy()
        self.funding = self.mandate = self.budget_gap = 0.0
        self.paid_share = 1.0
        self.registered_residents = residents

    def step(self) -> None:
        """Process 7: perceived demand, planned capacity, money, and what can be delivered."""
        model = self.model
        s, t, scale = model.scenario, model.steps, model.scale
        gov, pol = s.governance, s.policies
        hh, mig = model.population.households, model.population.migrants
        on_register = planning.registered(mig.status, hh.tenure[mig.household]) & mig.present
        data_quality = min(1.0, gov.data_quality + partners.data_gain(s.partners, t))
        seen_city = planning.visibility(on_register, data_quality)
        seen_nation = planning.visibility(on_register, planning.national_data_quality(gov))
        seen = np.where(self.city_runs[None, :], seen_city[:, None], seen_nation[:, None])
        requests = model.newcomer_requests * scale
        actual = model.host_requests + requests.sum(axis=0)
        perceived = model.host_requests + (requests * seen).sum(axis=0)
        # planners also see the backlog (hosts in full, newcomers through their data)
        host_backlog = np.array([svc.host_queue.sum() for svc in model.services.values()])
        backlog = host_backlog + ((mig.waiting_since >= 0) * scale * seen).sum(axis=0)
        lag = np.where(
            self.city_runs,
            gov.planning_lag_months,
            gov.national_planning_lag_months * (1 - 0.5 * gov.vertical_coherence),
        )
        target = planning.capacity_target(perceived, backlog, self.capacity_ratio)
        if pol.one_stop_shop:
            target[SECTORS.index("reception")] *= 1.5
        self.planned_capacity = planning.plan(self.planned_capacity, target, lag)
        # money: own revenue with formal employment, transfers per registered resident (lagged)
        self.registered_residents = (
            model.host_persons + float(hh.size[mig.household[on_register]].sum())
        ) * scale
        self.registered_history.append(self.registered_residents)
        lag_months = planning.transfer_lag(s.national.transfer_lag_months, gov)
        lagged = self.registered_history[max(0, len(self.registered_history) - 1 - lag_months)]
        workers = float((hh.employment[model.host_rows] == FORMAL_WORK).sum()) + float(
            (mig.employment[mig.present] == FORMAL_WORK).sum()
        )
        growth = planning.fiscal_growth(
            workers,
            self.formal_workers_start,
            lagged,
            self.registered_history[0],
            gov.own_revenue_share,
        )
        self.funding = gov.resources * float((self.baseline_cost * self.city_runs).sum()) * growth
        residents = float(hh.size[hh.present].sum()) * scale
        partner_cost = sum(
            float((partners.effective_capacity(p) * self.cost_per_case).sum())
            * partners.PARTNER_COST_SHARE
            for p in s.partners
            if p.funding == "city" and partners.is_active(p, t)
        )
        other = planning.policy_cost(pol, residents) + partner_cost
        self.mandate, self.budget_gap, self.paid_share = planning.budget(
            self.planned_capacity, self.cost_per_case, self.city_runs, other, self.funding
        )
        self.delivered = np.where(
            self.city_runs, self.planned_capacity * self.paid_share, self.planned_capacity
        )
        self._invest_in_transport(pol.transport_investment)
        model.month_stats.update(
            demand_perception_gap=float((actual - perceived).sum() / max(actual.sum(), 1e-9)),
            budget_gap=self.budget_gap,
            city_funding=self.funding,
            city_mandate=self.mandate,
        )

    def _invest_in_transport(self, level: float) -> None:
        """Transport investment shortens peripheral travel times, over about a year."""
        if level <= 0:
            return
        space = self.model.space
        travel = space.layer("travel_minutes")
        outer = space.ring >= PERIPHERY
        goal = self.travel_start * (1 - 0.6 * level)
        travel[outer] += (goal[outer] - travel[outer]) / 12.0


class NationalGovernment(mesa.Agent):
    """The nation: status processing, work rights, entitlements (from ``scenario.national``)."""

    def __init__(self, model: ArrivalCity):
        super().__init__(model)
        self.rules = model.scenario.national
        self.decisions_granted = 0
        self.decisions_rejected = 0


class Partner(mesa.Agent):
    """A partner organisation (civil society, diaspora, employer, university, school, media).

    Attributes:
        params: its scenario entry (kind, capacity, sectors, funding, engagement level).
        active: whether it has funding for the coming month.
        capacity_added: cases a month it adds to each sector in the coming month.
    """

    def __init__(self, model: ArrivalCity, params: PartnerParams):
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
            partners.effective_capacity(self.params) if self.active else np.zeros(len(SECTORS))
        )
