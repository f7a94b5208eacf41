"""The patterns DESIGN §1 asks the default presets to reproduce, averaged over seeds.

Bands: refugee employment 12-28 % at 24 months, 27-43 % at 36, 41-57 % at 60 (IAB, Germany, 2015
arrivals); newcomers' overcrowding 1.8-3.2 times hosts' (Eurostat 2023); clustering above random
placement. Sudden versus gradual inflows: same cumulative arrivals, a sharper strain.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import NORTHERN, SCENARIOS

from model import ArrivalCity, Scenario, simulate
from model.metrics import dissimilarity_index, persons_per_block

SEEDS = range(8)


@pytest.fixture(scope="module")
def northern_runs():
    return [simulate(NORTHERN, seed=seed) for seed in SEEDS]


def _employment_at(result, months: int) -> float:
    c = result.cohorts[result.cohorts.status == "all"].set_index("months_since_arrival")
    window = c.loc[months - 1 : months + 1]
    return float((window.employment_rate * window.person_months).sum() / window.person_months.sum())


@pytest.mark.parametrize(
    ("months", "low", "high"), [(24, 0.12, 0.28), (36, 0.27, 0.43), (60, 0.41, 0.57)]
)
def test_refugee_employment_by_time_since_arrival(northern_runs, months, low, high):
    rates = [_employment_at(r, months) for r in northern_runs]
    assert low <= np.mean(rates) <= high, rates


def test_employment_rises_with_time_since_arrival(northern_runs):
    for r in northern_runs:
        assert _employment_at(r, 12) < _employment_at(r, 36) < _employment_at(r, 60)


def test_newcomers_are_overcrowded_about_two_and_a_half_times_as_often(northern_runs):
    ratios = []
    for r in northern_runs:
        after = r.timeseries[r.timeseries.month > 24]
        ratios.append(
            after.overcrowding_rate_migrants.mean() / after.overcrowding_rate_hosts.mean()
        )
    assert 1.8 <= np.mean(ratios) <= 3.2, ratios
    hosts = np.mean([r.timeseries.overcrowding_rate_hosts.mean() for r in northern_runs])
    assert 0.10 <= hosts <= 0.17  # Eurostat: 13.7 % of nationals


def _dissimilarity_vs_random(preference: float, seed: int) -> tuple[float, float]:
    model = ArrivalCity(
        NORTHERN,
        seed=seed,
        overrides={"behaviour.co_origin_preference": preference, "run.months": 36},
    )
    while model.running:
        model.step()
    hh = model.population.households
    newcomers, hosts = persons_per_block(hh, model.space.n_blocks)
    rng = np.random.default_rng(seed)
    placed = hh.present & ~hh.host & (hh.block >= 0)
    random_blocks = rng.choice(model.space.n_blocks, placed.sum(), p=hosts / hosts.sum())
    random_newcomers = np.bincount(
        random_blocks, weights=hh.size[placed], minlength=model.space.n_blocks
    )
    return dissimilarity_index(newcomers, hosts), dissimilarity_index(random_newcomers, hosts)


def test_clustering_emerges_well_above_random_placement():
    runs = [_dissimilarity_vs_random(2.0, seed) for seed in range(3)]
    model_d = np.mean([d for d, _ in runs])
    random_d = np.mean([r for _, r in runs])
    assert model_d > 1.5 * random_d, (model_d, random_d)
    without = np.mean([_dissimilarity_vs_random(0.0, seed)[0] for seed in range(3)])
    assert without < model_d - 0.1


def test_sudden_and_gradual_inflows_bring_the_same_people_with_a_sharper_strain():
    layered = {
        shape: Scenario.from_files([NORTHERN, SCENARIOS / "inflows" / f"inflow_{shape}.toml"])
        for shape in ("sudden", "gradual")
    }
    sudden = [simulate(layered["sudden"], seed=s).timeseries for s in range(4)]
    gradual = [simulate(layered["gradual"], seed=s).timeseries for s in range(4)]
    for a, b in zip(sudden, gradual, strict=True):
        assert a.arrivals.sum() == b.arrivals.sum() == 3000
        assert a.arrivals.max() > 3 * b.arrivals.max()
    assert np.mean([t.mean_wait_months.max() for t in sudden]) > np.mean(
        [t.mean_wait_months.max() for t in gradual]
    )
    assert np.mean([t.mean_rent.max() for t in sudden]) > np.mean(
        [t.mean_rent.max() for t in gradual]
    )
