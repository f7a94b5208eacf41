"""``arrival-city calibrate``: history-match a preset to its calibration facts, store, report.

Steps: waves of design runs (through the evidence registry, the runner and the store) and
emulator fits; the posterior stored by name; the report — ``posterior.png`` (marginals over the
prior range), ``fit.csv``/``fit.png`` (each calibration fact's band against the posterior
predictive), ``validation.csv`` (the held-out facts on the posterior predictive).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.calibration.history import Posterior, Settings, Wave, history_match
from experiments.calibration.spec import Calibration


@dataclass
class Outcome:
    """What a calibration made: the posterior, its waves, the fit and validation tables."""

    posterior: Posterior
    waves: list[Wave]
    fit: pd.DataFrame
    validation: pd.DataFrame
    seconds: float


def budget(spec: Calibration, quick: bool) -> tuple[Settings, int, int]:
    """The history-matching settings, seeds per point and validation draws (``--quick`` or not)."""
    b = spec.budget
    if quick:
        q = spec.quick
        settings = Settings(q.design, q.waves, q.candidates, q.samples, b.cutoff, spec.seeds.base)
        return settings, q.replicates, q.validation_draws
    settings = Settings(b.design, b.waves, b.candidates, b.samples, b.cutoff, spec.seeds.base)
    return settings, spec.seeds.replicates, b.validation_draws


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def calibrate(spec: Calibration, *, quick: bool = False, db: str | None = None) -> Outcome:
    """Run the calibration, store its posterior, run the posterior predictive.

    Raises:
        ValueError: the calibration facts cannot be found or evaluated.
    """
    from experiments.calibration.facts import (
        evaluate_at,
        fact_simulator,
        facts_for,
        predictive,
        prefetch,
        targets_for,
    )

    started = time.time()
    settings, replicates, draws = budget(spec, quick)
    workers = spec.budget.workers
    preset = spec.preset_path().stem
    facts = facts_for("calibration", preset, spec.calibration.facts or None)
    if spec.calibration.facts:
        preset_facts = [f for f in facts if f.protocol.preset != preset]
        if preset_facts:
            raise ValueError(
                f"calibration.facts: {preset_facts[0].id!r} applies to the preset "
                f"{preset_facts[0].protocol.preset!r}, not {preset!r}"
            )
    if not facts:
        raise ValueError(f"no calibration fact applies to the preset {preset!r}")
    held_out = facts_for("validation", preset)
    targets = targets_for(facts, spec.calibration.discrepancy)
    priors = spec.priors()
    _log(
        f"calibrating {len(priors)} parameters on {len(facts)} facts: {settings.waves} wave(s) of "
        f"{settings.design} design points x {replicates} seed(s)"
    )

    def on_wave(wave: Wave) -> None:
        _log(
            f"wave {wave.index}: emulators fitted; {100 * wave.non_implausible:.1f} % of the "
            "prior box is not implausible"
        )

    posterior, waves = history_match(
        spec.calibration.name,
        priors,
        targets,
        fact_simulator(facts, replicates, db, workers, spec.calibration.name, _log),
        settings,
        on_wave,
    )
    posterior.provenance.update(
        _provenance(spec, quick, facts, replicates, settings, time.time() - started)
    )
    _save(posterior, db)  # stored before the predictive runs: a kill there keeps the posterior
    _log(f"posterior {posterior.name!r} stored; running the posterior predictive")
    draws_sets = posterior.draw(draws, spec.seeds.base)
    everything = [*facts, *held_out]
    prefetch(everything, draws_sets, replicates, db, workers, f"{posterior.name}:predictive")
    tables = [evaluate_at(everything, replicates, s, db, workers) for s in draws_sets]
    table = predictive(tables, spec.seeds.base)
    fit = table[table.fact.isin([f.id for f in facts])].reset_index(drop=True)
    validation = table[table.fact.isin([f.id for f in held_out])].reset_index(drop=True)
    seconds = time.time() - started
    posterior.provenance["seconds_with_predictive"] = round(seconds, 1)
    _save(posterior, db)
    return Outcome(posterior, waves, fit, validation, seconds)


def _save(posterior: Posterior, db: str | None) -> None:
    from experiments import store

    engine = store.open_store(db)
    try:
        store.save_posterior(
            engine,
            posterior.name,
            [posterior.parameter_set(i) for i in range(len(posterior.weights))],
            posterior.weights,
            posterior.provenance,
        )
    finally:
        engine.dispose()


def _provenance(
    spec: Calibration,
    quick: bool,
    facts: list[Any],
    replicates: int,
    settings: Settings,
    seconds: float,
) -> dict[str, Any]:
    import model

    return {
        "calibration_file": str(spec.path.resolve()),
        "calibration": spec.model_dump(mode="json"),
        "preset": str(spec.preset_path()),
        "quick": quick,
        "facts": [f.id for f in facts],
        "replicates": replicates,
        "seed_bases": {f.id: f.protocol.seed_base for f in facts},
        "settings": settings.__dict__,
        "code_version": model.code_version(),
        "seconds": round(seconds, 1),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def summary_table(posterior: Posterior) -> pd.DataFrame:
    """Each parameter: prior range, posterior mean and 95 % interval."""
    low, high = posterior.interval(0.95)
    priors = posterior.provenance.get("priors", {})
    return pd.DataFrame(
        {
            "parameter": posterior.keys,
            "prior_low": [priors.get(k, [np.nan, np.nan])[0] for k in posterior.keys],
            "prior_high": [priors.get(k, [np.nan, np.nan])[1] for k in posterior.keys],
            "mean": posterior.mean(),
            "ci_low": low,
            "ci_high": high,
        }
    )


def write_report(outcome: Outcome, out: Path) -> list[Path]:
    """Write posterior.csv/png, fit.csv/png and validation.csv into ``out``."""
    from experiments.calibration.figures import fit_figure, posterior_figure

    out.mkdir(parents=True, exist_ok=True)
    written = [out / name for name in ("posterior.csv", "posterior.png", "fit.csv", "fit.png")]
    summary_table(outcome.posterior).to_csv(written[0], index=False)
    posterior_figure(outcome.posterior, written[1])
    outcome.fit.to_csv(written[2], index=False)
    fit_figure(outcome.fit, outcome.validation, written[3])
    outcome.validation.to_csv(out / "validation.csv", index=False)
    written.append(out / "validation.csv")
    return written
