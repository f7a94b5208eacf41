"""The labour market (docs/ODD.md §7.4): a steady start, shared informal work, demand and wages
that adjust, and every coefficient named."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, small_scenario

from model import Scenario, simulate
from model.codes import WORKING_AGE_BANDS, Employment
from model.processes import work
from model.scenario import LabourParams
from model.setup import host_workers

SOUTHERN = SCENARIOS / "southern_secondary_city.toml"


def _small_southern(**overrides) -> Scenario:
    base = Scenario.from_toml(SOUTHERN).with_overrides(
        {
            "city.host_households": 4000,
            "city.grid_size": 10,
            "inflow.total": 1200,
            "inflow.duration_months": 24,
            "run.months": 60,
        }
    )
    return base.with_overrides(overrides) if overrides else base


def _host_unemployment(scenario: Scenario, seed: int) -> np.ndarray:
    return simulate(scenario, seed=seed).timeseries.host_unemployment_rate.to_numpy()


@pytest.mark.parametrize("make", [small_scenario, _small_southern], ids=["northern", "southern"])
def test_with_no_arrivals_host_unemployment_stays_within_a_point_for_ten_years(make):
    scenario = make(**{"inflow.total": 0, "run.months": 120, "city.host_households": 6000})
    series = [_host_unemployment(scenario, s) for s in range(4)]
    drift = [u[-12:].mean() - u[:3].mean() for u in series]
    assert abs(np.mean(drift)) < 0.01, drift
    # each worker starts unemployed with the preset's probability: one small city's draw is off
    # by about a point (binomial noise), so the start is checked on the mean over the seeds
    start = scenario.city.host_unemployment_rate
    assert np.mean([u[:3].mean() for u in series]) == pytest.approx(start, abs=0.01)


def test_newcomers_compete_with_hosts_for_informal_work():
    """Southern city: hosts' informal workers are re-hired from the pool newcomers draw on, so
    the inflow raises host unemployment against the zero-arrival twin (paired seeds)."""
    effects = []
    for seed in range(3):
        run = _host_unemployment(_small_southern(), seed)
        twin = _host_unemployment(_small_southern(**{"inflow.total": 0}), seed)
        effects.append((run[12:] - twin[12:]).mean())
    # 1,200 newcomers into a labour force of 3,200: the effect is real but far from one-for-one
    assert 0.01 < np.mean(effects) < 0.15, effects


def test_hosts_skills_and_informal_work_follow_their_shares():
    lab = LabourParams(host_low_skill_share=0.5, host_high_skill_share=0.1, host_informal_share=0.7)
    city = Scenario().city.model_copy(update={"host_unemployment_rate": 0.1})
    rng = np.random.default_rng(0)
    informal_home = rng.random(50_000) < 0.4
    w = host_workers(lab, city, informal_home, rng)
    force = w["in_labour_force"]
    assert force.mean() == pytest.approx(lab.host_labour_force_share, abs=0.01)
    assert np.bincount(w["skill"][force], minlength=3) / force.sum() == pytest.approx(
        [0.5, 0.4, 0.1], abs=0.01
    )
    assert w["informal_worker"][force].mean() == pytest.approx(0.7, abs=0.01)
    assert w["informal_worker"][force & informal_home].all()  # informal dwellers first
    assert (w["employment"][force] == 0).mean() == pytest.approx(0.1, abs=0.01)


def test_unrecognised_high_skills_compete_for_mid_skill_jobs():
    segment = work.newcomer_segments(np.array([0, 1, 2, 2]), np.array([False, False, False, True]))
    assert segment.tolist() == [work.LOW, work.MID, work.MID, work.HIGH]


def test_matching_congests_with_more_seekers_and_eases_with_more_vacancies():
    rng = np.random.default_rng(1)
    eff, a = np.array([0.3]), 0.5

    def hired(seekers, vacancies):
        seg = np.zeros(seekers, dtype=np.int64)
        return work.match(seg, np.ones(seekers), np.array([vacancies]), eff, a, rng).mean()

    assert hired(4000, 400) < hired(1000, 400) < hired(1000, 1600)
    # the rate per seeker is efficiency x tightness^(1-a): 0.3 x (400 / 1000)^0.5
    assert hired(20_000, 8000) == pytest.approx(0.3 * 0.4**0.5, abs=0.01)


class _Hosts:
    """A stand-in household table for the demand rule."""

    def __init__(self, size, income):
        self.size, self.income = np.asarray(size), np.asarray(income, dtype=float)
        self.present = np.ones(len(self.size), dtype=bool)


def _market(jobs: float = 1000.0) -> work.LabourMarket:
    return work.LabourMarket(
        jobs=np.full(4, jobs),
        jobs_start=np.full(4, jobs),
        efficiency=np.ones(4),
        wage_index=np.ones(4),
        unemployment_start=np.full(4, 0.06),
        residents_start=100.0,
        spending_start=100.0,
        host_segment=np.zeros(0, dtype=np.int64),
    )


def test_jobs_follow_consumer_demand_with_the_stated_half_life():
    lab = LabourParams(demand_elasticity=1.0, demand_half_life_months=24, spending_weight=0.5)
    market = _market()
    hh = _Hosts([1] * 120, [1.0] * 100 + [0.0] * 20)  # 20 % more residents, no more spending
    for _ in range(24):
        work.adjust_demand(market, hh, lab)
    # target 1000 x (0.5 x 1.2 + 0.5 x 1.0) = 1100; half the gap closed in 24 months
    assert market.jobs[0] == pytest.approx(1050, abs=0.5)
    for _ in range(240):
        work.adjust_demand(market, hh, lab)
    assert market.jobs[0] == pytest.approx(1100, abs=0.5)


def test_wages_fall_along_the_wage_curve_when_unemployment_rises():
    lab = LabourParams(wage_curve_elasticity=-0.1, wage_half_life_months=12)
    market = _market()
    for _ in range(400):
        work.adjust_wages(market, np.array([0.12, 0.06, 0.03, 0.06]), lab)
    assert market.wage_index == pytest.approx([2**-0.1, 1.0, 2**0.1, 1.0], abs=1e-3)
    pay = work.earnings(
        np.array([Employment.FORMAL, Employment.FORMAL, Employment.INFORMAL, Employment.NONE]),
        np.array([0, 2, 0, 0]),
        market.wage_index,
        2000,
        800,
        lab,
    )
    assert pay.tolist() == pytest.approx(
        [2000 * 0.8 * 2**-0.1, 2000 * 1.5 * 2**0.1, 800, 0.0], rel=1e-3
    )


def test_language_exponent_is_a_lever():
    base = dict(
        employability=np.ones(1),
        skill=np.array([1]),
        recognised=np.array([True]),
        language=np.array([0.5]),
        access=np.array([1.0]),
        discrimination=0.0,
    )
    scores = [
        work.migrant_hiring_score(**base, labour=LabourParams(language_exponent=e))[0]
        for e in (1.0, 2.0, 3.0)
    ]
    assert scores == pytest.approx([0.5, 0.25, 0.125])


def test_own_account_work_adds_informal_jobs_only_above_the_start_supply():
    lab = LabourParams(own_account_share=0.5, demand_half_life_months=24)
    market = _market()
    market.informal_supply_start = 200.0
    hh = _Hosts([1] * 100, [1.0] * 100)  # demand as at month 0
    start = market.jobs.copy()
    work.adjust_demand(market, hh, lab, supply=200.0)
    assert market.jobs == pytest.approx(start)  # at rest: no arrivals, nothing moves
    work.adjust_demand(market, hh, lab, supply=300.0)
    assert market.jobs[work.INFORMAL] == pytest.approx(start[work.INFORMAL] + 50.0)
    for _ in range(120):  # the employer-demand lag does not erode own-account work
        work.adjust_demand(market, hh, lab, supply=300.0)
    assert market.jobs[work.INFORMAL] == pytest.approx(start[work.INFORMAL] + 50.0)
    work.adjust_demand(market, hh, lab, supply=200.0)  # and it stops when the supply goes
    assert market.jobs == pytest.approx(start)


def test_newcomers_without_work_experience_are_hired_at_the_factor():
    base = dict(
        employability=np.ones(3),
        skill=np.array([1, 1, 1]),
        recognised=np.array([True, True, True]),
        language=np.ones(3),
        access=np.ones(3),
        discrimination=0.0,
    )
    lab = LabourParams(work_experience_factor=0.4)
    experienced = work.migrant_hiring_score(**base, labour=lab)
    scores = work.migrant_hiring_score(
        **base, labour=lab, inexperienced=np.array([False, True, True])
    )
    assert scores.tolist() == pytest.approx([1.0, 0.4, 0.4])
    assert experienced.tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_the_work_experience_gap_lowers_womens_employment_relative_to_mens():
    def ratio(share_women: float) -> float:
        values = []
        for seed in range(3):
            run = simulate(
                small_scenario(
                    **{
                        "inflow.profile.work_experience_share_men": 1.0,
                        "inflow.profile.work_experience_share_women": share_women,
                        "labour.work_experience_factor": 0.2,
                        "inflow.profile.female_share": 0.5,
                    }
                ),
                seed=seed,
            ).timeseries.iloc[-12:]
            values.append(
                run.migrant_employment_rate_women.mean() / run.migrant_employment_rate_men.mean()
            )
        return float(np.mean(values))

    assert ratio(0.0) < ratio(1.0) - 0.1


def _at_the_end(column: str, seed: int, **overrides) -> tuple[np.ndarray, ...]:
    """Working-age newcomers present at the end: (the column, female, employment)."""
    from model.city import ArrivalCity

    model = ArrivalCity(small_scenario(**overrides), seed=seed)
    while model.running:
        model.step()
    mig = model.population.migrants
    here = mig.present & (mig.age_band < WORKING_AGE_BANDS)
    return getattr(mig, column)[here], mig.female[here], mig.employment[here]


def _carers_at_the_end(**overrides) -> tuple[np.ndarray, ...]:
    """(carer, female, employment) of working-age newcomers at the end."""
    return _at_the_end("carer", 1, **overrides)


def test_a_full_childcare_barrier_keeps_carers_out_of_formal_and_informal_work():
    carer, female, employment = _carers_at_the_end(
        **{
            "behaviour.childcare_barrier": 1.0,
            "city.informal_jobs_per_resident": 0.05,  # informal work open to all who search
            "inflow.profile.young_child_share": 1.0,
            "services.childcare_place_share": 0.0,
        }
    )
    assert carer.sum() > 20  # mothers of young children without a place are there
    assert (employment[carer] == Employment.NONE).all()  # they search neither market
    others = female & ~carer
    assert (employment[others] == Employment.INFORMAL).any()  # while informal work is there
    assert (employment[others] != Employment.NONE).mean() > 0.2


def test_mothers_whose_children_have_places_are_no_carers():
    carer, female, _ = _carers_at_the_end(
        **{"inflow.profile.young_child_share": 1.0, "services.childcare_place_share": 1.0}
    )
    assert female.sum() > 50 and not carer.any()


def _participation_at_the_end(**overrides) -> tuple[np.ndarray, ...]:
    """(labour_force, female, employment) of working-age newcomers at the end."""
    return _at_the_end("labour_force", 2, **overrides)


def test_women_outside_the_labour_force_never_work_while_men_do():
    force, female, employment = _participation_at_the_end(
        **{
            "inflow.profile.labour_force_share_women": 0.0,
            "inflow.profile.female_share": 0.5,
            "city.informal_jobs_per_resident": 0.05,  # informal work open to all who search
        }
    )
    assert female.sum() > 50 and not force[female].any() and force[~female].all()
    assert (employment[female] == Employment.NONE).all()  # neither formal nor informal work
    assert (employment[~female] != Employment.NONE).mean() > 0.2


def test_a_lower_participation_share_lowers_womens_employment_rate_in_proportion():
    def rate(share_women: float) -> float:
        values = [
            simulate(
                small_scenario(
                    **{
                        "inflow.profile.labour_force_share_women": share_women,
                        "inflow.profile.female_share": 0.5,
                    }
                ),
                seed=seed,
            )
            .timeseries.iloc[-12:]
            .migrant_employment_rate_women.mean()
            for seed in range(3)
        ]
        return float(np.mean(values))

    full, half = rate(1.0), rate(0.5)
    assert full > 0.05
    assert half == pytest.approx(full / 2, rel=0.35)  # half the women search


def test_the_labour_supply_shock_counts_only_newcomers_who_take_part():
    def shock(share_women: float) -> float:
        overrides = {
            "inflow.profile.labour_force_share_women": share_women,
            "inflow.profile.female_share": 0.5,
        }
        ts = simulate(small_scenario(**overrides), seed=3).timeseries
        return float(ts.labour_supply_shock.iloc[-1])

    everyone, men_only = shock(1.0), shock(0.0)
    assert everyone > 0
    # the same arrivals (one seed); half of them women, none of whom takes part
    assert 0.35 < men_only / everyone < 0.65


def test_participation_lives_on_the_newcomer_alone_and_the_outcomes_read_it_there():
    """One source of truth: a newcomer's participation is ``migrants.labour_force``; the
    household column ``in_labour_force`` is the host worker's and newcomer rows leave it unset."""
    from model.city import ArrivalCity

    overrides = {
        "inflow.profile.labour_force_share_women": 0.3,
        "inflow.profile.female_share": 0.5,
        "run.months": 6,
    }
    model = ArrivalCity(small_scenario(**overrides), seed=4)
    while model.running:
        model.step()
    mig, hh = model.population.migrants, model.population.households
    assert 0 < mig.labour_force.sum() < mig.n  # both kinds of newcomer are there
    assert not hh.in_labour_force[~hh.host].any()
    assert hh.in_labour_force[hh.host].any()
    adults = mig.present & (mig.age_band < WORKING_AGE_BANDS)
    hosts = hh.host & hh.present & hh.in_labour_force
    assert model.latest["labour_supply_shock"] == pytest.approx(
        (adults & mig.labour_force).sum() / hosts.sum()
    )
