"""Segregation estimators: what they give for known placement chances at any number of units."""

import numpy as np
import pytest

from model.metrics import beta_dissimilarity, systematic_dissimilarity

BLOCKS = 400


def city(households: int, chances: np.ndarray, rng: np.random.Generator) -> tuple:
    """(newcomers, residents) per block: residents Poisson around equal blocks, newcomers drawn."""
    residents = rng.poisson(households / BLOCKS, BLOCKS) + 2
    return rng.binomial(residents, chances), residents


def true_dissimilarity(chances: np.ndarray, residents: np.ndarray) -> float:
    """Duncan's index of the chances themselves (the residents' weights, no sampling noise)."""
    p = (residents * chances).sum() / residents.sum()
    return float((residents * np.abs(chances - p)).sum() / (2 * residents.sum() * p * (1 - p)))


@pytest.mark.parametrize("households", [2_000, 10_000, 60_000])
def test_beta_dissimilarity_is_zero_for_random_placement_at_any_size(households):
    rng = np.random.default_rng(0)
    values = [beta_dissimilarity(*city(households, np.full(BLOCKS, 0.1), rng)) for _ in range(200)]
    # measured: means -0.002 at each size, standard errors 0.009 / 0.005 / 0.002
    assert abs(np.mean(values)) < 3 * np.std(values) / np.sqrt(len(values)) + 0.005


def test_beta_dissimilarity_is_one_for_complete_separation():
    newcomers = np.array([5, 0, 3, 0, 12])
    residents = np.array([5, 4, 3, 6, 12])
    assert beta_dissimilarity(newcomers, residents) == 1.0
    assert beta_dissimilarity(np.zeros(5), residents) == 0.0  # no newcomers: nothing to measure


def test_beta_dissimilarity_keeps_its_expectation_when_a_city_is_thinned():
    """One in five households kept (a city at run.scale 5): D stays, D* falls."""
    rng = np.random.default_rng(1)
    chances = rng.beta(0.5, 4.5, BLOCKS)  # clustered: true D about 0.5
    full, thinned, ct_full, ct_thinned, true = [], [], [], [], []
    for _ in range(100):
        newcomers, residents = city(60_000, chances, rng)
        kept_new = rng.binomial(newcomers, 0.2)
        kept_all = kept_new + rng.binomial(residents - newcomers, 0.2)
        full.append(beta_dissimilarity(newcomers, residents))
        thinned.append(beta_dissimilarity(kept_new, kept_all))
        ct_full.append(systematic_dissimilarity(newcomers, residents - newcomers, newcomers.sum()))
        ct_thinned.append(systematic_dissimilarity(kept_new, kept_all - kept_new, kept_new.sum()))
        true.append(true_dissimilarity(chances, residents))
    # measured: 0.533 on the whole city, 0.531 thinned
    assert np.mean(thinned) == pytest.approx(np.mean(full), abs=0.01)
    # the Beta's shape, not the noise, sets how far it is from the chances' own D (0.519)
    assert np.mean(full) == pytest.approx(np.mean(true), abs=0.03)
    # the Carrington-Troske correction does not keep it (measured: 0.473 against 0.429)
    assert np.mean(ct_full) - np.mean(ct_thinned) > 0.03
