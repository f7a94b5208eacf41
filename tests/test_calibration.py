"""Calibration: history matching recovers known parameters; posteriors round-trip through the
store; sweeps draw parameter sets from them; bad calibration files fail with one clear line."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import NORTHERN, ROOT

from experiments import load_results, run_sweep
from experiments.calibration.history import (
    Evaluation,
    Posterior,
    Prior,
    Settings,
    Target,
    history_match,
)
from experiments.cli import main
from experiments.store import StoreError, load_posterior, open_store, save_posterior
from experiments.sweep import Sweep, plan

TRUTH = {"a": 1.3, "b": 0.4}
NOISE = 0.03  # sd of one run about its seed mean


def toy(a: float, b: float) -> np.ndarray:
    """Three statistics of two parameters, non-linear, jointly identifying both."""
    return np.array([a + b, a * b, np.sin(3 * b) + 0.2 * a])


def toy_simulator(sets: list[dict[str, float]], wave: int) -> Evaluation:
    """Seed means of 4 noisy runs of the toy at each set."""
    rng = np.random.default_rng(wave)
    means = np.array([toy(s["a"], s["b"]) for s in sets])
    means += rng.normal(0.0, NOISE / 2.0, means.shape)
    return Evaluation(means, np.full(means.shape, NOISE**2), 4)


@pytest.fixture(scope="module")
def toy_posterior() -> tuple[Posterior, list]:
    priors = [Prior("a", 0.0, 2.0), Prior("b", 0.0, 1.0)]
    published = toy(**TRUTH)
    targets = [Target.from_band(f"s{j}", z, z - 0.1, z + 0.1) for j, z in enumerate(published)]
    settings = Settings(design=16, waves=2, candidates=3000, samples=800, seed=3)
    return history_match("toy", priors, targets, toy_simulator, settings)


def test_history_matching_recovers_the_true_parameters(toy_posterior):
    posterior, waves = toy_posterior
    low, high = posterior.interval(0.95)
    for i, key in enumerate(posterior.keys):
        assert low[i] <= TRUTH[key] <= high[i], (key, low[i], high[i])
    # and it learnt something: each 95 % interval is well inside its prior range
    assert high[0] - low[0] < 0.5 * 2.0
    assert high[1] - low[1] < 0.5 * 1.0
    assert np.allclose(posterior.mean(), [TRUTH["a"], TRUTH["b"]], atol=[0.2, 0.1])
    # the second wave refines: it rules out more of the box than the first
    assert waves[1].non_implausible <= waves[0].non_implausible < 0.5
    assert posterior.weights.sum() == pytest.approx(1.0)
    assert posterior.effective_size() > 20


def test_a_fact_the_model_cannot_reach_leaves_nothing_plausible():
    priors = [Prior("a", 0.0, 2.0), Prior("b", 0.0, 1.0)]
    targets = [Target.from_band("s0", 10.0, 9.9, 10.1)]  # a + b <= 3 everywhere

    def simulator(sets, wave):
        return Evaluation(np.array([[s["a"] + s["b"]] for s in sets]), np.zeros((len(sets), 1)), 2)

    posterior, _ = history_match(
        "unreachable", priors, targets, simulator, Settings(design=8, waves=2, candidates=500)
    )
    assert posterior.provenance["non_implausible_empty"]
    assert posterior.mean()[0] > 1.5  # weights lean to the largest a + b


def test_a_calibration_replays_the_same_waves_so_a_killed_one_resumes_from_its_runs():
    priors = [Prior("a", 0.0, 2.0), Prior("b", 0.0, 1.0)]
    published = toy(**TRUTH)
    targets = [Target.from_band(f"s{j}", z, z - 0.1, z + 0.1) for j, z in enumerate(published)]
    settings = Settings(design=8, waves=2, candidates=800, samples=100, seed=9)
    first = history_match("a", priors, targets, toy_simulator, settings)
    again = history_match("a", priors, targets, toy_simulator, settings)
    for one, two in zip(first[1], again[1], strict=True):
        assert np.array_equal(one.design, two.design)  # the same runs: found in the store
    assert np.array_equal(first[0].weights, again[0].weights)


def test_a_wave_runs_exactly_the_runs_evaluate_reads():
    from experiments.calibration.facts import wave_sweep
    from experiments.evidence.registry import load_facts
    from experiments.evidence.run import fact_sweep

    sets = [{"labour.spending_weight": 0.2}, {"labour.spending_weight": 0.7}]
    for fact in load_facts(role="calibration"):  # single-arm facts and paired ones alike
        together = {s.run_key for s in plan(wave_sweep(fact, sets, 2, "t"))}
        one_by_one = {s.run_key for o in sets for s in plan(fact_sweep(fact, 2, o))}
        arms = max(1, len(fact.protocol.arms))
        assert together == one_by_one and len(together) == len(sets) * 2 * arms, fact.id


def test_posterior_round_trips_through_the_store(tmp_path, toy_posterior):
    posterior, _ = toy_posterior
    engine = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    sets = [posterior.parameter_set(i) for i in range(len(posterior.weights))]
    save_posterior(engine, "toy", sets, posterior.weights, posterior.provenance)
    save_posterior(engine, "toy", sets, posterior.weights, posterior.provenance)  # replaces
    back = load_posterior(engine, "toy")
    assert back["keys"] == ["a", "b"]
    assert back["sets"] == sets
    assert np.allclose(back["weights"], posterior.weights)
    assert back["provenance"]["priors"] == {"a": [0.0, 2.0], "b": [0.0, 1.0]}
    with pytest.raises(StoreError, match=r"no posterior named 'nope'.*known: toy"):
        load_posterior(engine, "nope")
    engine.dispose()


UNCERTAIN_SWEEP = """
[experiment]
name = "with_uncertainty"
scenarios = ["{city}"]
months = 6
[seeds]
base = 5
replicates = 2
[parameters]
"governance.resources" = [0.5, 1.0]
[outputs]
timeseries = ["migrants_present"]
[uncertainty]
posterior = "{name}"
draws = 3
"""


def _stored_posterior(url: str) -> None:
    engine = open_store(url)
    sets = [
        {"labour.spending_weight": 0.1, "governance.resources": 2.0},
        {"labour.spending_weight": 0.9, "governance.resources": 2.0},
        {"labour.spending_weight": 0.5, "governance.resources": 2.0},
    ]
    save_posterior(engine, "small", sets, [0.7, 0.3, 0.0], {"note": "test"})
    engine.dispose()


def _small_city(tmp_path: Path) -> Path:
    city = tmp_path / "city.toml"
    city.write_text(
        f'extends = "{NORTHERN}"\n[city]\nhost_households = 2000\ngrid_size = 10\n'
        "[inflow]\ntotal = 300\nduration_months = 4\n"
    )
    return city


def test_a_sweep_draws_its_parameter_sets_from_a_stored_posterior(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _stored_posterior(url)
    path = tmp_path / "sweep.toml"
    path.write_text(UNCERTAIN_SWEEP.format(city=_small_city(tmp_path), name="small"))
    specs = plan(Sweep.from_toml(path), url)
    assert len(specs) == 2 * 3 * 2  # levels x draws x seeds
    for spec in specs:
        # drawn by weight: never the set of weight 0; the level's own value wins over the draw's
        assert spec.overrides["labour.spending_weight"] in (0.1, 0.9)
        assert spec.overrides["governance.resources"] in (0.5, 1.0)
    by_level = {}
    for spec in specs:
        by_level.setdefault(spec.level, []).append(
            (spec.replicate, spec.seed, spec.overrides["labour.spending_weight"])
        )
    assert by_level[0] == by_level[1]  # the same draws and seeds at every level: paired
    assert sorted(r for r, _, _ in by_level[0]) == list(range(6))
    report = run_sweep(path, db=url, workers=2, progress=False)
    assert report.failed == 0
    runs = load_results(url, "with_uncertainty", what="runs")
    assert len(runs) == 12
    assert runs.params.str.contains('"labour.spending_weight"').all()


def test_a_sweep_naming_a_missing_posterior_fails_with_one_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _stored_posterior(url)
    path = tmp_path / "sweep.toml"
    path.write_text(UNCERTAIN_SWEEP.format(city=_small_city(tmp_path), name="northren"))
    assert main(["sweep", str(path), "--db", url, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "no posterior named 'northren'" in err and "known: small" in err


GOOD = """
[calibration]
name = "t"
preset = "northern_midsize_asylum"
[parameters]
"labour.spending_weight" = {}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs a [calibration] table"),
        ("[calibration]\nname = 't'\n", "calibration.preset"),
        (GOOD.replace("[parameters]", "[parameter]"), "parameter"),
        (
            GOOD.replace("labour.spending_weight", "labour.spendin_weight"),
            "not a scenario parameter",
        ),
        (GOOD.replace("{}", "{min = 0.5, max = 2.0}"), "within 0 to 1"),
        (GOOD.replace("{}", "{min = 0.8, max = 0.2}"), "must be greater than min"),
        (GOOD.replace("labour.spending_weight", "national.work_while_pending"), "not a number"),
        (GOOD.replace("northern_midsize_asylum", "nowhere"), "calibration.preset"),
        (GOOD + "[budget]\ndesign = 2\n", "budget.design"),
        (GOOD + "[seeds]\nreplicates = 'three'\n", "seeds.replicates"),
        (GOOD + "[seeds]\nreplicates = 1\n", "seeds.replicates"),
        (GOOD.replace('"labour.spending_weight" = {}', ""), "parameters"),
        ("[calibration\n", "malformed TOML"),
    ],
)
def test_bad_calibration_files_fail_with_one_clear_line(tmp_path, capsys, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    assert message in err and "bad.toml" in err, err


def test_a_missing_calibration_file_fails_with_one_line(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "none.toml")]) == 2
    assert "no such calibration file" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "parameters"), [("northern", 3), ("megacity", 1)])
def test_the_calibration_files_are_valid(name, parameters):
    from experiments.calibration.spec import Calibration

    spec = Calibration.from_toml(ROOT / "experiments" / "calibrations" / f"{name}.toml")
    priors = spec.priors()
    assert len(priors) >= parameters
    assert all(p.high > p.low for p in priors)


def test_the_megacity_calibration_fits_the_permit_count_only():
    from experiments.calibration.spec import Calibration

    spec = Calibration.from_toml(ROOT / "experiments" / "calibrations" / "megacity.toml")
    assert list(spec.calibration.facts) == ["tr_work_permits_issued"]
    assert [p.key for p in spec.priors()] == ["national.protected_permit_application"]


def _toy_facts():
    """Two toy facts on two real parameters: the mean is a known function of them."""

    def fact(name, role, value):
        return SimpleNamespace(
            id=name,
            role=role,
            published=SimpleNamespace(value=value, low=value - 0.05, high=value + 0.05),
            protocol=SimpleNamespace(preset="northern_midsize_asylum", seed_base=0),
        )

    truth = {"labour.spending_weight": 0.3, "labour.access_floor": 0.6}

    def means(o):
        w, f = o["labour.spending_weight"], o["labour.access_floor"]
        return {"f_sum": w + f, "f_diff": w - 0.5 * f, "f_held_out": 2 * w + f}

    at_truth = means(truth)
    facts = {
        "calibration": [
            fact("f_sum", "calibration", at_truth["f_sum"]),
            fact("f_diff", "calibration", at_truth["f_diff"]),
        ],
        "validation": [fact("f_held_out", "validation", at_truth["f_held_out"])],
    }

    def evaluate_at(facts_, replicates, overrides, db, workers):
        m = means(overrides)
        rng = np.random.default_rng(len(facts_))
        return pd.DataFrame(
            {
                "fact": [f.id for f in facts_],
                "role": [f.role for f in facts_],
                "source": "toy",
                "statistic": "toy",
                "published": [f.published.value for f in facts_],
                "low": [f.published.low for f in facts_],
                "high": [f.published.high for f in facts_],
                "seeds": replicates,
                "values": [list(m[f.id] + rng.normal(0, 0.01, replicates)) for f in facts_],
            }
        )

    return truth, facts, evaluate_at


def test_calibrate_command_stores_the_posterior_and_writes_its_report(
    tmp_path, capsys, monkeypatch
):
    from experiments.calibration import facts as facts_module

    truth, facts, evaluate_at = _toy_facts()
    monkeypatch.setattr(facts_module, "facts_for", lambda role, preset, names=None: facts[role])
    monkeypatch.setattr(facts_module, "evaluate_at", evaluate_at)
    monkeypatch.setattr(facts_module, "prefetch", lambda *args: None)
    path = tmp_path / "toy.toml"
    path.write_text(
        GOOD.replace('name = "t"', 'name = "toy_calibration"')
        + '"labour.access_floor" = {}\n[seeds]\nreplicates = 2\n'
        + "[quick]\ndesign = 12\nwaves = 2\nreplicates = 2\ncandidates = 2000\n"
    )
    url = f"sqlite:///{tmp_path / 'r.db'}"
    out = tmp_path / "report"
    assert main(["calibrate", str(path), "--quick", "--db", url, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Posterior 'toy_calibration'" in printed and "Validation (held out)" in printed
    for name in ("posterior.png", "posterior.csv", "fit.csv", "fit.png", "validation.csv"):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "posterior.csv").set_index("parameter")
    for key, value in truth.items():
        assert table.loc[key, "ci_low"] <= value <= table.loc[key, "ci_high"], table
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit.fact) == ["f_sum", "f_diff"] and fit.within_band.all()
    assert list(pd.read_csv(out / "validation.csv").fact) == ["f_held_out"]
    engine = open_store(url, readonly=True)
    stored = load_posterior(engine, "toy_calibration")
    engine.dispose()
    assert stored["provenance"]["facts"] == ["f_sum", "f_diff"]
    assert stored["provenance"]["quick"] is True
    assert len(stored["sets"]) == len(stored["weights"]) > 50
