"""Invariants, for any scenario hypothesis can think of: conservation, no negative stock,
requests conserved through queues, and same seed => identical results."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from conftest import small_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import ArrivalCity, simulate
from model.codes import Tenure
from model.space import LAYERS

scenarios = st.builds(
    lambda pattern, total, scale, months, informal, hazard, pending, delay, gov: small_scenario(
        **gov,
        **{
            "inflow.pattern": pattern,
            "inflow.total": total,
            "run.scale": scale,
            "run.months": months,
            "city.informal_share": informal,
            "city.hazard_exposed_share": hazard,
            "city.hazard_probability": 0.2 * hazard,
            "inflow.profile.status.asylum_pending": pending,
            "inflow.profile.status.regular": 0.95 - pending,
            "national.processing_delay_months": delay,
        },
    ),
    pattern=st.sampled_from(["gradual", "sudden", "waves"]),
    # run.scale > 1 needs >= 10 host agents per block and >= 100 newcomer agents
    # (Scenario._check_scale):
    # the small city (2,000 households on 100 blocks) allows scale 2 with 200+ arrivals
    total=st.one_of(st.just(0), st.integers(200, 1500)),
    scale=st.sampled_from([1.0, 2.0]),
    months=st.integers(2, 30),
    informal=st.floats(0.0, 0.6),
    hazard=st.floats(0.0, 1.0),
    pending=st.floats(0.0, 0.9),
    delay=st.floats(0.0, 20.0),
    gov=st.fixed_dictionaries(
        {
            "governance.competences": st.floats(0.0, 1.0),
            "governance.resources": st.floats(0.0, 2.0),
            "governance.horizontal_coherence": st.floats(0.0, 1.0),
            "policies.delivery": st.sampled_from(["mainstream", "targeted"]),
            "policies.one_stop_shop": st.booleans(),
            "policies.status_blind_access": st.booleans(),
            "partners": st.lists(
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(["civil_society", "diaspora", "media"]),
                        "capacity": st.floats(0.0, 200.0),
                        "funding_end_month": st.integers(0, 20),
                        "engagement_level": st.sampled_from(["inform", "empower"]),
                    }
                ),
                max_size=2,
            ),
        }
    ),
)

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scenario=scenarios, seed=st.integers(0, 2**16))
def test_people_are_conserved_and_no_stock_goes_negative(scenario, seed):
    warnings.simplefilter("error", RuntimeWarning)  # no overflow, no 0/0 anywhere
    model = ArrivalCity(scenario, seed=seed)
    hh, mig = model.population.households, model.population.migrants
    previous = 0.0
    while model.running:
        model.step()
        out = model.latest
        assert out["migrants_present"] - previous == out["arrivals"] - out["departures"]
        previous = out["migrants_present"]
        assert mig.present.sum() * model.scale == out["migrants_present"]
        assert (hh.present[mig.household] == mig.present).all()  # a household per newcomer
        for name in LAYERS:  # every block quantity
            assert (model.space.layer(name) >= 0).all(), name
        formal = hh.present & ((hh.tenure == Tenure.OWNER) | (hh.tenure == Tenure.FORMAL_RENTER))
        units = np.bincount(hh.block[formal], minlength=model.space.n_blocks)
        assert (units <= np.ceil(model.space.layer("formal_units")) + 1e-9).all()
        assert (hh.block[hh.present & (hh.tenure == Tenure.INFORMAL)] >= 0).all()
        for svc in model.services.values():
            assert svc.capacity >= 0 and svc.queue_length >= 0 and (svc.host_queue >= 0).all()
        assert ((mig.waiting_since < 0) | mig.present[:, None]).all()  # leavers leave queues
        assert (mig.language >= 0).all() and (mig.language <= 1).all()
        assert all(np.isfinite(v) for v in out.values()), out


@PROPERTY
@given(scenario=scenarios, seed=st.integers(0, 2**16))
def test_queues_conserve_requests(scenario, seed):
    """The service ledger balances every month and sector, with no residual: what was queued plus
    what was asked = served + given up (abandoned) + dropped by those who left + still waiting;
    and next month's queue starts where this month's ended."""
    ledger = simulate(scenario, seed=seed).ledger
    if ledger.empty:
        return
    assert (ledger[["queue_start", "requests", "served", "queue_end", "abandoned"]] >= -1e-9).all(
        axis=None
    )
    assert np.allclose(
        ledger.queue_start + ledger.requests,
        ledger.served + ledger.abandoned + ledger.dropped + ledger.queue_end,
    )
    for _, sector in ledger.groupby("sector"):
        assert np.allclose(sector.queue_start.to_numpy()[1:], sector.queue_end.to_numpy()[:-1])


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_same_seed_same_results_other_seed_other_results(seed):
    scenario = small_scenario()
    a = simulate(scenario, seed=seed)
    b = simulate(scenario, seed=seed)
    c = simulate(scenario, seed=seed + 1)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.cohorts, b.cohorts)
    assert a.summary == b.summary
    assert not a.timeseries.equals(c.timeseries)
