"""ArrivalCity: the Mesa model. It builds the city and runs the month's processes in order.

One step is one month. The order is DESIGN §1 / docs/ODD.md: inflow, settlement and housing,
status, work, needs and access, service delivery, mobility, observation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.agent import AgentSet

from model import setup
from model.agents import Household, Migrant, MunicipalService
from model.governance import CityGovernment, NationalGovernment, Partner
from model.metrics import OUTCOMES, CohortTally, persons_per_block, population_outcomes
from model.population import (
    ASYLUM_PENDING,
    DOUBLED_UP,
    FORMAL_RENTER,
    FORMAL_WORK,
    INFORMAL,
    INFORMAL_WORK,
    INTERNATIONAL,
    IRREGULAR,
    NO_WORK,
    UNHOUSED,
    Population,
    gather,
)
from model.processes import (
    access,
    cohesion,
    housing,
    inflow,
    mobility,
    partners,
    planning,
    services,
    status,
    work,
)
from model.scenario import SECTORS, Scenario
from model.space import PERIPHERY, CitySpace

FORMAL_VACANCY_RATE = 0.02


def resolve_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    """A Scenario from a Scenario, a file path, or a preset name (``northern_midsize_asylum``)."""
    if scenario is None:
        return Scenario()
    if isinstance(scenario, Scenario):
        return scenario
    from model.presets import preset_path

    return Scenario.from_toml(preset_path(str(scenario)))


class ArrivalCity(mesa.Model):
    """An arrival city receiving newcomers month by month.

    Args:
        scenario: a :class:`Scenario`, a scenario file path or a preset name (default scenario if
            None).
        seed: integer seed of the model's numpy Generator (``rng`` wins if both are given);
            with neither, a fresh seed from the operating system, as in Mesa.
        rng: a numpy Generator or seed, as Mesa accepts.
        overrides: dotted-key overrides, e.g. ``{"inflow.total": 5000}``.
        **params: more overrides with ``__`` for the dots (``inflow__total=5000``), the form
            ``mesa.batch_run`` passes parameters in.

    Attributes:
        scenario: the validated scenario in force.
        population: columnar newcomer and household state.
        space: the grid of blocks and its property layers.
        services: the six ``MunicipalService`` agents, by sector.
        datacollector: Mesa's DataCollector with one model reporter per outcome.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        rng: Any = None,
        overrides: dict[str, Any] | None = None,
        **params: Any,
    ):
        # Mesa's convention: no seed and no rng means fresh entropy (simulate() defaults to 0)
        super().__init__(rng=rng if rng is not None else seed)
        merged = dict(overrides or {})
        merged.update({key.replace("__", "."): value for key, value in params.items()})
        base = resolve_scenario(scenario)
        self.scenario = base.with_overrides(merged) if merged else base
        s = self.scenario
        self.months = s.run.months
        self.scale = s.run.scale
        self.population = Population()
        self.space = CitySpace(s.city, self.rng, self.random)
        self._build_hosts()
        self.residents_start = float(self.population.households.size.sum())
        self.residents_smoothed = self.residents_start
        hh = self.population.households
        formal_hosts = int((hh.employment == FORMAL_WORK).sum())
        self.formal_jobs_start = formal_hosts * (1 + FORMAL_VACANCY_RATE)
        self.arrivals_schedule = inflow.monthly_agents(s.inflow, self.months + 1, self.scale)
        self._build_governance()
        self._migrant_agents: dict[int, Migrant] = {}
        self._household_agents = [Household(self, row) for row in range(hh.n)]
        self.cohorts = CohortTally(self.months)
        self.latest: dict[str, float] = {}
        self.ledger: list[dict[str, float]] = []
        housing.recount_occupancy(hh, self.space)
        self.datacollector = mesa.DataCollector(model_reporters=_reporters())
        self.running = True

    @property
    def scenario(self) -> Scenario:
        """The validated scenario in force (replaces Mesa's experimental ``Model.scenario``)."""
        return self._scenario

    @scenario.setter
    def scenario(self, value: Scenario) -> None:
        self._scenario = value

    # ------------------------------------------------------------------ set-up
    def _build_hosts(self) -> None:
        s = self.scenario
        hosts = setup.host_households(s.city, s.behaviour, self.space, self.scale, self.rng)
        self.population.households.append(len(hosts["size"]), **hosts)
        setup.fit_housing_stock(self.space, hosts, s.city.housing_vacancy_rate)
        self.target_occupancy = 1 - s.city.housing_vacancy_rate

    def _build_governance(self) -> None:
        s = self.scenario
        hh = self.population.households
        residents = self.residents_start * self.scale
        city_runs = planning.city_run_sectors(s.governance)
        self.services = {}
        for k, sector in enumerate(SECTORS):
            baseline = getattr(s.city.service_capacity, sector) * residents / 1000.0
            svc = MunicipalService(self, sector, baseline, "city" if city_runs[k] else "nation")
            svc.id_required = not (city_runs[k] and s.policies.status_blind_access)
            svc.language_support = s.policies.language_support
            self.services[sector] = svc
        baseline_capacity = np.array([svc.capacity for svc in self.services.values()])
        self.city_government = CityGovernment(self, city_runs, baseline_capacity)
        self.national_government = NationalGovernment(self)
        self.partner_agents = AgentSet([Partner(self, p) for p in s.partners], random=self.random)
        self.host_rows = slice(0, hh.n)  # hosts are the first rows; they stay in the city
        self.host_persons = float(hh.size.sum())
        self.n_hosts = hh.n
        self.block_people = persons_per_block(hh, self.space.n_blocks)
        self.attitude_baseline = hh.attitude.copy()
        self.attitude_mean_start = float(hh.attitude.mean())
        self.rent_start = self.space.layer("rent").copy()
        self.discrimination_factor = cohesion.discrimination_multiplier(
            0.0, s.policies.anti_discrimination
        )
        self.mainstream_wait = 0.0

    # ------------------------------------------------------------------ agents as views
    def household_agent(self, row: int) -> Household:
        """The Household agent of a household row."""
        return self._household_agents[row]

    def migrant_agent(self, row: int) -> Migrant | None:
        """The Migrant agent of a newcomer row (None once the person has left)."""
        return self._migrant_agents.get(row)

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """One month, in the order of docs/ODD.md."""
        t = self.steps
        self.month_stats: dict[str, float] = {}
        self._inflow(t)
        self._housing(t)
        self._status(t)
        self._work(t)
        self._needs_and_services(t)
        self.city_government.step()  # process 7: planning and money
        self._partners(t)
        self._cohesion(t)
        self._mobility(t)
        self._observe(t)
        if t >= self.months:
            self.running = False

    def _inflow(self, t: int) -> None:
        s = self.scenario
        n = int(self.arrivals_schedule[t]) if t < len(self.arrivals_schedule) else 0
        self.month_stats["arrivals"] = n * self.scale
        if n == 0:
            return
        pop, rng = self.population, self.rng
        draw = inflow.draw_profile(s.inflow.profile, n, rng)
        hh_rows = np.arange(pop.households.n, pop.households.n + n)
        mig_rows = pop.migrants.append(
            n,
            household=hh_rows,
            arrival_month=t,
            origin=draw["origin"],
            status=draw["status"],
            decision_month=-1,
            age_band=draw["age_band"],
            female=draw["female"],
            health_need=draw["health_need"],
            skill=draw["skill"],
            credentials=draw["credentials"],
            language=draw["language"],
            information=np.where(draw["origin"] == INTERNATIONAL, 0.2, 0.6),
            trust=s.behaviour.trust_initial,
            intention=draw["intention"],
            employability=rng.uniform(0.7, 0.95, n),
            savings=draw["savings_months"] * s.city.mean_rent,
            waiting_since=-1,
            present=True,
            departure_month=-1,
        )
        pending = draw["pending"]
        pop.migrants.decision_month[mig_rows[pending]] = status.decision_months(
            np.full(int(pending.sum()), t), s.national, rng
        )
        pop.households.append(
            n,
            block=-1,
            size=draw["size"],
            children=draw["children"],
            tenure=UNHOUSED,
            kin=-1,
            host=False,
            group=draw["group"],
            in_labour_force=draw["age_band"] < 2,
            migrant=mig_rows,
            present=True,
        )
        self._migrant_agents.update((int(r), Migrant(self, r)) for r in mig_rows)
        self._household_agents.extend(Household(self, r) for r in hh_rows)

    def _housing(self, t: int) -> None:
        s, rng, space = self.scenario, self.rng, self.space
        hh, mig = self.population.households, self.population.migrants
        month = housing.HousingMonth()
        self._update_incomes()
        housing.expand_informal(space, s.city)
        lost = housing.hazard_events(hh, space, s.city, rng)
        evicted = housing.eviction_draws(hh, space, s.behaviour, rng)
        month.hazard_losses, month.evictions = len(lost), len(evicted)
        housing.make_homeless(hh, np.concatenate([lost, evicted]))
        housing.recount_occupancy(hh, space)
        # who looks for a formal unit: the unhoused, the assisted, some doubled-up and informal
        seekers = np.concatenate(
            [
                np.flatnonzero(hh.tenure[self.host_rows] == UNHOUSED),  # evicted hosts
                self.n_hosts + np.flatnonzero(self._newcomers_looking()),
            ]
        )
        assisted = np.zeros(hh.n, dtype=bool)
        assisted[self.n_hosts :] = mig.assisted[hh.migrant[self.n_hosts :]]
        seeker_status = gather(mig.status, hh.migrant[seekers], -1)
        network = housing.network_pull(hh, space, s.inflow.profile.origin_groups)
        previous = hh.tenure[seekers].copy()
        means = hh.income[seekers] + self._housing_means(seekers)
        _, applicants = housing.search_formal(
            hh,
            seekers,
            means,
            ~hh.host[seekers],
            seeker_status,
            assisted[seekers],
            space,
            network,
            s.behaviour,
            rng,
            month,
            discrimination=min(
                1.0, s.behaviour.housing_discrimination * self.discrimination_factor
            ),
        )
        mig.assisted[:] = False
        still = seekers[(hh.tenure[seekers] == UNHOUSED) & (previous == UNHOUSED)]
        # (informal dwellings left by movers count as free from next month's recount)
        housing.settle_fallback(hh, still, space, network, s.behaviour, rng)
        housing.recount_occupancy(hh, space)
        housing.update_market(space, applicants, self.target_occupancy, s.behaviour)
        self.month_stats.update(
            evictions=month.evictions * self.scale,
            hazard_losses=month.hazard_losses * self.scale,
            landlord_refusals=month.rejected_by_landlords * self.scale,
        )

    def _newcomers_looking(self) -> np.ndarray:
        """Newcomer households looking for a formal unit this month (mask over their rows)."""
        hh, mig = self.population.households, self.population.migrants
        rows = slice(self.n_hosts, hh.n)
        tenure = hh.tenure[rows]
        crowded_renter = (tenure == FORMAL_RENTER) & (hh.size[rows] > hh.rooms[rows])
        upgrade = np.select(
            [tenure == DOUBLED_UP, tenure == INFORMAL, crowded_renter], [0.15, 0.05, 0.1], 0.0
        )
        assisted = mig.assisted[hh.migrant[rows]]
        chance = self.rng.random(len(tenure)) < upgrade
        return hh.present[rows] & ((tenure == UNHOUSED) | assisted | chance)

    def _housing_means(self, rows: np.ndarray) -> np.ndarray:
        """What newcomers can add to their income when looking for rent.

        A twelfth of savings, and housing benefit counted at the rent-burden rate's inverse so
        that all of it can go to rent.
        """
        hh, mig = self.population.households, self.population.migrants
        b, nat = self.scenario.behaviour, self.scenario.national
        person = hh.migrant[rows]
        status_ = gather(mig.status, person, -1)
        on_benefit = (status_ == ASYLUM_PENDING) | (
            (status_ >= 0) & (status_ != IRREGULAR) & (gather(mig.employment, person) == NO_WORK)
        )
        savings = gather(mig.savings, person, 0.0)
        return savings / 12 + on_benefit * nat.housing_benefit / b.max_rent_burden

    def _update_incomes(self) -> None:
        nat = self.scenario.national
        hh, mig = self.population.households, self.population.migrants
        benefit = np.where(
            mig.status == ASYLUM_PENDING,
            nat.asylum_allowance,
            np.where(
                mig.status == IRREGULAR,
                0.0,
                np.where(mig.employment == NO_WORK, nat.welfare_benefit, 0.0),
            ),
        )
        rows = mig.household
        hh.income[rows] = mig.earnings + benefit

    def _status(self, t: int) -> None:
        s, mig = self.scenario, self.population.migrants
        granted, rejected = status.decide_claims(mig, t, s.national, self.rng)
        self.national_government.decisions_granted += granted
        self.national_government.decisions_rejected += rejected
        status.erode_employability(mig, s.behaviour)
        services.fast_track_recognition(mig, s.policies.credential_fast_track, self.rng)
        mig.language[mig.present] += s.behaviour.language_learning * (1 - mig.language[mig.present])
        mig.information[mig.present] += s.behaviour.information_gain * (
            1 - mig.information[mig.present]
        )

    def _work(self, t: int) -> None:
        s, rng = self.scenario, self.rng
        b = s.behaviour
        hh, mig = self.population.households, self.population.migrants
        residents = float(hh.size[hh.present].sum())
        self.residents_smoothed += (residents - self.residents_smoothed) / 12.0
        # separations
        lost = mig.present & work.separations(
            mig.employment,
            b.job_separation_formal * b.newcomer_separation_factor,
            b.job_separation_informal,
            rng,
        )
        mig.employment[lost] = NO_WORK
        host_employment = hh.employment[self.host_rows]  # a view: writes go to the table
        host_lost = (host_employment == FORMAL_WORK) & (
            rng.random(len(host_employment)) < b.job_separation_formal
        )
        host_employment[host_lost] = NO_WORK
        # formal hiring: hosts and newcomers with the right to work compete for vacancies
        jobs = work.labour_demand(
            self.formal_jobs_start,
            self.residents_smoothed,
            self.residents_start,
            s.city.labour_demand_elasticity,
        )
        filled = (host_employment == FORMAL_WORK).sum() + (
            mig.employment[mig.present] == FORMAL_WORK
        ).sum()
        host_seekers = np.flatnonzero(
            hh.in_labour_force[self.host_rows] & (host_employment == NO_WORK)
        )
        may_work = status.may_work_formally(mig, t, s.national)
        self.may_work = may_work
        mig_seekers = np.flatnonzero(
            mig.present & (mig.age_band < 2) & may_work & (mig.employment != FORMAL_WORK)
        )
        block = hh.block[mig.household[mig_seekers]]
        # horizontal coherence: employment services and transport planned together
        access_ = self.space.access()[np.maximum(block, 0)]
        access_ = access_ + (1 - access_) * 0.6 * s.governance.horizontal_coherence
        openness = partners.employer_openness(s.partners, t)
        scores = work.migrant_hiring_score(
            mig.employability[mig_seekers],
            mig.skill[mig_seekers],
            mig.recognised[mig_seekers],
            mig.language[mig_seekers],
            access_,
            min(1.0, b.hiring_discrimination * self.discrimination_factor * (1 - openness)),
            carer=mig.female[mig_seekers] & (hh.children[mig.household[mig_seekers]] > 0),
            childcare_barrier=b.childcare_barrier,
        )
        hired = work.hire(
            np.concatenate([np.ones(len(host_seekers)), scores]),
            jobs - filled,
            b.job_finding_formal,
            rng,
        )
        hh.employment[host_seekers[hired[: len(host_seekers)]]] = FORMAL_WORK
        mig.employment[mig_seekers[hired[len(host_seekers) :]]] = FORMAL_WORK
        # informal work absorbs some of the rest, up to the openings it has
        slots = s.city.informal_jobs_per_resident * residents
        informal_filled = (mig.employment[mig.present] == INFORMAL_WORK).sum()
        room = max(0.0, 1.0 - informal_filled / slots) if slots > 0 else 0.0
        idle = mig.present & (mig.age_band < 2) & (mig.employment == NO_WORK)
        mig.employment[idle & (rng.random(mig.n) < b.job_finding_informal * room)] = INFORMAL_WORK
        mig.earnings[:] = work.earnings(
            mig.employment, mig.skill, mig.recognised, b.wage_formal, b.wage_informal
        )

    def _needs_and_services(self, t: int) -> None:
        s, rng = self.scenario, self.rng
        pol, gov = s.policies, s.governance
        hh, mig = self.population.households, self.population.migrants
        tenure = hh.tenure[mig.household]
        children = hh.children[mig.household]
        needs = access.monthly_needs(mig, t, tenure, self.may_work, children, rng)
        id_required = np.array([svc.id_required for svc in self.services.values()], dtype=float)
        chance = access.request_probability(
            mig, children, s.behaviour.fear_of_id_checks, id_required, pol.language_support
        )
        asks = needs & (rng.random(needs.shape) < chance)
        entitled = rng.random(needs.shape) < access.entitlement(mig.status, mig.origin, s.national)
        accepted = asks & entitled
        refused = asks & ~entitled
        mig.trust[refused.any(axis=1)] -= 0.05
        carried = mig.waiting_since >= 0
        mig.waiting_since[accepted] = t
        served = np.zeros_like(needs)
        host_persons = self.host_persons * self.scale
        self.host_requests = np.zeros(len(SECTORS))
        mainstream_waits = []
        for k, (sector, svc) in enumerate(self.services.items()):
            rate = getattr(s.city.host_need_rate, sector)
            host_requests = float(rng.poisson(host_persons * rate / 1000.0))
            self.host_requests[k] = host_requests
            queue_start = svc.host_queue.sum() + carried[:, k].sum() * self.scale
            abandoned = services.abandon(
                mig.waiting_since[:, k], svc.host_queue, t, s.behaviour.max_wait_months, self.scale
            )
            svc.host_queue[t] += host_requests
            delivery = self._serve(svc, mig.waiting_since[:, k], t)
            served[:, k] = delivery.served_migrants
            mig.waiting_since[delivery.served_migrants, k] = -1
            svc.requests = host_requests + accepted[:, k].sum() * self.scale
            svc.served = delivery.served_hosts + delivery.served_migrants.sum() * self.scale
            svc.mean_wait_months = delivery.mean_wait
            svc.queue_length = delivery.queue_end
            mainstream_waits.append((delivery.host_wait, delivery.served_hosts))
            self.ledger.append(
                {
                    "month": t,
                    "sector": sector,
                    "queue_start": queue_start,
                    "requests": svc.requests,
                    "served": svc.served,
                    "queue_end": delivery.queue_end,
                    "abandoned": abandoned,
                    "dropped": 0.0,
                }
            )
        waits, volume = np.array(mainstream_waits).T
        self.mainstream_wait = _weighted_mean(waits, volume)
        self.newcomer_requests = accepted
        legal_aid = services.apply_effects(
            mig,
            served,
            s.behaviour,
            rng,
            fast_track=pol.credential_fast_track,
            language_support=pol.language_support,
            one_stop_shop=pol.one_stop_shop,
        )
        status.regularise(mig, legal_aid, s.national, rng)
        # referrals: those served are sent on to the sectors of their other needs this month
        coherence = max(gov.horizontal_coherence, 0.9 if pol.one_stop_shop else 0.0)
        referred, lost = services.refer(needs & ~accepted & entitled, served, coherence, rng)
        referred &= mig.waiting_since < 0
        mig.waiting_since[referred] = t
        for k, svc in enumerate(self.services.values()):
            joined = float(referred[:, k].sum()) * self.scale  # they join this month's queue
            svc.requests += joined
            svc.queue_length += joined
            self.ledger[-len(SECTORS) + k]["requests"] += joined
            self.ledger[-len(SECTORS) + k]["queue_end"] += joined
        # unmet need: needs this month (new and still queued) that were not served
        present_need = needs | carried
        unmet = present_need & ~served
        mig.unmet += unmet
        mig.unmet_score[:] = 0.8 * mig.unmet_score + 0.2 * unmet.sum(axis=1)
        irregular = mig.status == IRREGULAR
        self.month_stats.update(
            unmet_need_rate_migrants=_ratio(unmet.sum(), present_need.sum()),
            unmet_need_rate_irregular=_ratio(unmet[irregular].sum(), present_need[irregular].sum()),
            service_uptake_irregular=_ratio(asks[irregular].sum(), needs[irregular].sum()),
            service_uptake_migrants=_ratio(asks.sum(), needs.sum()),
            referrals_lost=float(lost.sum()) * self.scale,
            referrals_made=float(referred.sum()) * self.scale,
        )

    def _serve(self, svc: MunicipalService, request_month: np.ndarray, t: int):
        """Serve one sector's queue: dedicated newcomer desks first when delivery is targeted."""
        pol = self.scenario.policies
        if pol.delivery == "targeted" and svc.run_by == "city":
            dedicated = svc.capacity * pol.targeted_share
            no_hosts = np.zeros_like(svc.host_queue)
            first = services.serve_fifo(request_month, no_hosts, dedicated, t, self.scale, self.rng)
            rest = np.where(first.served_migrants, -1, request_month)
            second = services.serve_fifo(
                rest, svc.host_queue, svc.capacity - dedicated, t, self.scale, self.rng
            )
            return services.combine(first, second, self.scale)
        return services.serve_fifo(
            request_month, svc.host_queue, svc.capacity, t, self.scale, self.rng
        )

    def _partners(self, t: int) -> None:
        """Process 8: partners add capacity and reach the hard-to-reach while funded."""
        s = self.scenario
        hh, mig = self.population.households, self.population.migrants
        self.partner_agents.do("step")
        added = np.sum([p.capacity_added for p in self.partner_agents], axis=0)
        added = added if self.partner_agents else np.zeros(len(SECTORS))
        city = self.city_government
        for k, svc in enumerate(self.services.values()):
            svc.planned_capacity = float(city.planned_capacity[k])
            svc.capacity = float(city.delivered[k] + added[k])
        tenure = hh.tenure[mig.household]
        hard = mig.present & (
            (mig.status == IRREGULAR)
            | (tenure == INFORMAL)
            | (tenure == DOUBLED_UP)
            | (mig.information < 0.3)
        )
        partners.apply_outreach(
            mig.information, mig.trust, hard, partners.outreach_gain(s.partners, t)
        )
        if s.policies.migrant_participation:
            here = mig.present
            mig.trust[here] += 0.01 * (1 - mig.trust[here])
        self.month_stats["partner_capacity"] = float(added.sum())

    def _cohesion(self, t: int) -> None:
        """Process 9: host attitudes move; they feed back into discrimination."""
        s = self.scenario
        hh = self.population.households
        hosts = self.host_rows
        newcomers, host_people = self.block_people  # as observed at the end of last month
        share = newcomers / np.maximum(newcomers + host_people, 1.0)
        rent_rise = np.maximum(self.space.layer("rent") / self.rent_start - 1.0, 0.0)
        block = np.maximum(hh.block[hosts], 0)
        favouritism = cohesion.perceived_favouritism(
            s.policies.delivery == "targeted", self.mainstream_wait
        )
        hostility = s.city.media_hostility * (1 - partners.media_softening(s.partners, t))
        change = cohesion.attitude_change(
            hh.attitude[hosts],
            self.attitude_baseline[hosts],
            share[block],
            rent_rise[block],
            self.mainstream_wait,
            favouritism,
            s.policies.mediation_culture,
            hostility,
        )
        hh.attitude[hosts] = np.clip(hh.attitude[hosts] + change, -1.0, 1.0)
        shift = float(hh.attitude[hosts].mean()) - self.attitude_mean_start
        self.discrimination_factor = cohesion.discrimination_multiplier(
            shift, s.policies.anti_discrimination
        )
        self.month_stats.update(
            tension_index=cohesion.tension_index(hh.attitude[hosts]),
            perceived_favouritism=favouritism,
        )

    def _mobility(self, t: int) -> None:
        hh, mig = self.population.households, self.population.migrants
        leaving = mobility.draw_departures(mig, self.scenario.behaviour, self.rng)
        self.month_stats["departures"] = len(leaving) * self.scale
        if len(leaving) == 0:
            return
        for k, svc in enumerate(self.services.values()):
            svc.dropped = (mig.waiting_since[leaving, k] >= 0).sum() * self.scale
            self.ledger[-len(SECTORS) + k]["dropped"] = svc.dropped
        mig.waiting_since[leaving] = -1
        mig.present[leaving] = False
        mig.departure_month[leaving] = t
        mig.employment[leaving] = NO_WORK
        rows = mig.household[leaving]
        housing.make_homeless(hh, rows)
        hh.present[rows] = False
        for r in leaving.tolist():
            self._migrant_agents.pop(r).remove()

    def _observe(self, t: int) -> None:
        pop = self.population
        self.block_people = persons_per_block(pop.households, self.space.n_blocks)
        out = population_outcomes(pop.migrants, pop.households, self.block_people, self.scale)
        out.update(self.month_stats)
        waits = np.array([svc.mean_wait_months for svc in self.services.values()])
        volume = np.array([svc.served for svc in self.services.values()])
        out["mean_wait_months"] = _weighted_mean(waits, volume)
        for sector, svc in self.services.items():
            out[f"mean_wait_months_{sector}"] = svc.mean_wait_months
        rent = self.space.layer("rent")
        units = self.space.layer("formal_units")
        out["mean_rent"] = float((rent * units).sum() / max(units.sum(), 1))
        out["month"] = t
        out.update(self._periphery_and_hard_to_reach())
        self.latest = out
        self.cohorts.add(pop.migrants, t)
        self.datacollector.collect(self)

    def _periphery_and_hard_to_reach(self) -> dict[str, float]:
        hh, mig = self.population.households, self.population.migrants
        adults = mig.present & (mig.age_band < 2)
        outer = adults & (self.space.ring[np.maximum(hh.block[mig.household], 0)] >= PERIPHERY)
        irregular = mig.present & (mig.status == IRREGULAR)
        skilled = adults & (mig.skill > 0)
        return {
            "migrant_formal_employment_rate_skilled": _ratio(
                (skilled & (mig.employment == FORMAL_WORK)).sum(), skilled.sum()
            ),
            "migrant_formal_employment_rate_periphery": _ratio(
                (outer & (mig.employment == FORMAL_WORK)).sum(), outer.sum()
            ),
            "information_irregular": float(mig.information[irregular].mean())
            if irregular.any()
            else 0.0,
            "trust_irregular": float(mig.trust[irregular].mean()) if irregular.any() else 0.0,
        }


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Mean weighted by volume; the plain mean where there is no volume at all."""
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else float(values.mean())


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator > 0 else 0.0


def _reporters() -> dict[str, Any]:
    return {name: (lambda m, name=name: m.latest.get(name, 0.0)) for name in OUTCOMES}


__all__ = ["ArrivalCity", "resolve_scenario"]
