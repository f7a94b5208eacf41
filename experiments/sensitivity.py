"""Sensitivity analysis with SALib: Morris screening and Sobol indices of an outcome.

A Morris or Sobol sweep (``[design] kind = "morris"`` or ``"sobol"``) is planned by SALib
(:func:`experiments.sweep.salib_samples`), run and stored by the runner; here each sample's
replicates are averaged (one number per sample, as SALib's estimators expect) and the indices are
computed per scenario of the sweep. The parameters may be listed one by one or given as a group
of the scenario schema (``[parameters] group = "behaviour"``, or a list of groups and keys; see
:mod:`experiments.parameters`)::

    from experiments import sensitivity
    from experiments.runner import run_sweep

    sweep = sensitivity.design("morris", "screen", ["scenarios/northern_midsize_asylum.toml"],
                               "behaviour", size=6, replicates=2, months=36)
    run_sweep(sweep, db=url)
    table = sensitivity.morris(sweep, "unmet_need_rate_migrants_mean", db=url)
    top = sensitivity.top(table, 4)

The columns (see :data:`COLUMNS`): Morris gives ``mu_star`` (mean absolute elementary effect: how
much the outcome moves when the parameter moves across its range), ``mu_star_conf`` (half-width of
its 95 % bootstrap interval) and ``sigma`` (spread of the elementary effects: interactions or
non-linearity); Sobol gives ``S1`` (share of the outcome's variance due to the parameter alone),
``ST`` (share including all its interactions) and their 95 % half-widths ``S1_conf``, ``ST_conf``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from experiments import store
from experiments.outcomes import describe
from experiments.sweep import Range, Sweep, levels, salib_problem, salib_samples

COLUMNS = {
    "parameter": "the dotted scenario key",
    "unit": "the parameter's unit",
    "low": "lower end of its range in the design",
    "high": "upper end of its range in the design",
    "mu_star": "Morris mu*: mean absolute elementary effect, in the outcome's unit per full "
    "range of the parameter; ranks the parameters by influence",
    "mu_star_conf": "half-width of the 95 % bootstrap interval of mu*",
    "sigma": "Morris sigma: standard deviation of the elementary effects; large against mu* "
    "means interactions or a non-linear effect",
    "S1": "Sobol first-order index: share of the outcome's variance due to this parameter alone",
    "S1_conf": "half-width of the 95 % bootstrap interval of S1",
    "ST": "Sobol total index: share of the variance due to this parameter with all its "
    "interactions (ST - S1 = interactions; ST near 0 = the parameter can be fixed)",
    "ST_conf": "half-width of the 95 % bootstrap interval of ST",
}


def design(  # noqa: PLR0913 - a design's settings, all named
    kind: Literal["morris", "sobol"],
    name: str,
    scenarios: list[str | list[str]],
    parameters: str | list[str] | dict[str, Any],
    *,
    size: int = 8,
    replicates: int = 2,
    months: int | None = None,
    seed: int = 0,
    levels: int = 4,
    spread: float = 0.5,
    outputs: dict[str, Any] | None = None,
) -> Sweep:
    """A Morris or Sobol sweep, built in memory (give absolute scenario paths).

    Args:
        kind: "morris" (screening; ``size`` trajectories) or "sobol" (``size`` = N, a power of 2;
            N·(k+2) samples for k parameters).
        name: the experiment's name in the store.
        scenarios: scenario files; a list of files is a city with overlays.
        parameters: a group (``"behaviour"``), a list of groups and keys, or explicit ranges
            ``{"governance.resources": {"min": 0.5, "max": 1.5}}``.
        size: trajectories (Morris) or N (Sobol).
        replicates: seeds per sample (averaged per sample; common random numbers).
        months: horizon (default: the scenario's).
        seed: root of the seeds and of SALib's sampling.
        levels: grid levels of a Morris design.
        spread: relative half-width of a group's ranges around the defaults.
        outputs: the sweep's ``[outputs]`` (default: summaries only, no timeseries or cohorts).
    """
    if isinstance(parameters, dict):
        params: dict[str, Any] = parameters
    else:
        params = {"group": parameters}
    return Sweep.model_validate(
        {
            "experiment": {"name": name, "scenarios": scenarios, "months": months},
            "seeds": {"base": seed, "replicates": replicates, "common_random_numbers": True},
            "parameters": params,
            "design": {"kind": kind, "size": size, "levels": levels, "spread": spread},
            "outputs": outputs or {"timeseries": [], "cohorts": False},
        }
    )


def _sweep_of(source: str | Path | Sweep, db: str | None) -> tuple[Sweep, str | None]:
    """The sweep and database of an experiment name, a sweep file or a Sweep."""
    if isinstance(source, Sweep):
        return source, db or (source.storage_url() if source.storage.url else None)
    if str(source).endswith(".toml") and Path(source).is_file():
        sweep = Sweep.from_toml(source)
        return sweep, db or (sweep.storage_url() if sweep.storage.url else None)
    engine = store.open_store(db, readonly=True)
    with engine.connect() as conn:
        sweep_json = conn.execute(
            store.select(store.experiments.c.sweep).where(store.experiments.c.name == str(source))
        ).scalar()
    if sweep_json is None:
        store.experiment_id(engine, str(source))  # raises with the known names
    return Sweep.model_validate(sweep_json), db


def _per_sample(sweep: Sweep, db: str | None, outcome: str) -> dict[str, np.ndarray]:
    """The outcome averaged over each sample's replicates, per scenario label, in sample order."""
    from experiments.analysis import _nothing_done

    name = sweep.experiment.name
    data = store.load_results(db, name, "summaries")
    data = data[data.status == "done"] if not data.empty else data
    if data.empty:
        raise store.StoreError(_nothing_done(db, name))
    if outcome not in data.columns:
        known = sorted(c for c in data.columns if c.endswith(("_mean", "_end", "_total")))
        raise store.StoreError(f"unknown outcome {outcome!r}; known: {', '.join(known)}")
    n = len(levels(sweep))
    out = {}
    for index, layers in enumerate(sweep.scenario_layers()):
        label = "+".join(path.stem for path in layers)
        mine = data[(data.level >= index * n) & (data.level < (index + 1) * n)]
        per_level = mine.groupby("level")[outcome].mean()
        if len(per_level) < n:
            raise store.StoreError(
                f"{len(per_level)} of {n} samples of {label} are done; finish the sweep first "
                f"(arrival-city sweep FILE resumes it)"
            )
        out[label] = per_level.sort_index().to_numpy(float)
    return out


def _ranges(sweep: Sweep) -> pd.DataFrame:
    from experiments.parameters import schema_rows

    rows = schema_rows()
    return pd.DataFrame(
        {
            "parameter": list(sweep.parameters),
            "unit": [rows.get(k, {}).get("unit", "") for k in sweep.parameters],
            "low": [r.min for r in sweep.parameters.values() if isinstance(r, Range)],
            "high": [r.max for r in sweep.parameters.values() if isinstance(r, Range)],
        }
    )


def _check_kind(sweep: Sweep, kind: str) -> None:
    if sweep.design.kind != kind:
        raise store.StoreError(
            f"experiment {sweep.experiment.name!r} is a {sweep.design.kind} design; "
            f"{kind} indices need a {kind} sweep"
        )


def morris(source: str | Path | Sweep, outcome: str, db: str | None = None) -> pd.DataFrame:
    """Morris indices of an outcome, one row per parameter (and scenario), largest mu* first.

    Args:
        source: the experiment's name in the store, its sweep file, or a :class:`Sweep`.
        outcome: a run summary, e.g. ``"unmet_need_rate_migrants_mean"``.
        db: the results database (default: the sweep's, else the default database).

    Returns:
        Columns scenario, parameter, unit, low, high, mu_star, mu_star_conf, sigma
        (see :data:`COLUMNS`).
    """
    from SALib.analyze import morris as analyse

    sweep, url = _sweep_of(source, db)
    _check_kind(sweep, "morris")
    problem, samples, ranges = salib_problem(sweep), salib_samples(sweep), _ranges(sweep)
    frames = []
    for label, y in _per_sample(sweep, url, outcome).items():
        res = analyse.analyze(
            problem, samples, y, num_levels=sweep.design.levels, seed=sweep.seeds.base
        )
        frame = ranges.assign(
            mu_star=np.asarray(res["mu_star"], float),
            mu_star_conf=np.asarray(res["mu_star_conf"], float),
            sigma=np.asarray(res["sigma"], float),
        )
        frames.append(frame.sort_values("mu_star", ascending=False).assign(scenario=label))
    return _scenario_first(frames)


def sobol(source: str | Path | Sweep, outcome: str, db: str | None = None) -> pd.DataFrame:
    """Sobol first-order and total indices of an outcome, one row per parameter, largest ST first.

    Args:
        source: the experiment's name in the store, its sweep file, or a :class:`Sweep`.
        outcome: a run summary, e.g. ``"tension_index_mean"``.
        db: the results database (default: the sweep's, else the default database).

    Returns:
        Columns scenario, parameter, unit, low, high, S1, S1_conf, ST, ST_conf
        (see :data:`COLUMNS`).
    """
    from SALib.analyze import sobol as analyse

    sweep, url = _sweep_of(source, db)
    _check_kind(sweep, "sobol")
    problem, ranges = salib_problem(sweep), _ranges(sweep)
    frames = []
    for label, y in _per_sample(sweep, url, outcome).items():
        if np.ptp(y) == 0:
            raise store.StoreError(
                f"{outcome} does not vary over the samples of {label}; Sobol indices are undefined"
            )
        res = analyse.analyze(problem, y, calc_second_order=False, seed=sweep.seeds.base)
        frame = ranges.assign(
            S1=res["S1"], S1_conf=res["S1_conf"], ST=res["ST"], ST_conf=res["ST_conf"]
        )
        frames.append(frame.sort_values("ST", ascending=False).assign(scenario=label))
    return _scenario_first(frames)


def _scenario_first(frames: list[pd.DataFrame]) -> pd.DataFrame:
    table = pd.concat(frames, ignore_index=True)
    return table[["scenario", *[c for c in table.columns if c != "scenario"]]]


def analyse(
    source: str | Path | Sweep, outcome: str, db: str | None = None
) -> tuple[str, pd.DataFrame]:
    """The indices the experiment's design allows: ("morris", table) or ("sobol", table)."""
    sweep, url = _sweep_of(source, db)
    if sweep.design.kind == "morris":
        return "morris", morris(sweep, outcome, url)
    if sweep.design.kind == "sobol":
        return "sobol", sobol(sweep, outcome, url)
    raise store.StoreError(
        f"experiment {sweep.experiment.name!r} is a {sweep.design.kind} design; "
        "sensitivity needs a morris or sobol sweep"
    )


def top(table: pd.DataFrame, k: int) -> list[str]:
    """The ``k`` most influential parameters of a Morris (mu*) or Sobol (ST) table."""
    column = "mu_star" if "mu_star" in table else "ST"
    ranked = table.groupby("parameter")[column].max().sort_values(ascending=False)
    return list(ranked.index[:k])


def explain(outcome: str, kind: str) -> str:
    """A few lines: the outcome (name, unit, definition) and what the columns mean."""
    try:
        info = describe(outcome)
        head = f"outcome: {outcome} [{info['unit']}] — {info['definition']}"
    except KeyError:
        head = f"outcome: {outcome}"
    names = ("mu_star", "mu_star_conf", "sigma") if kind == "morris" else ("S1", "S1_conf", "ST")
    names = (*names, "ST_conf") if kind == "sobol" else names
    lines = [head, f"{kind} indices; each sample's replicates averaged first. columns:"]
    lines += [f"  {name:<13}{COLUMNS[name]}" for name in names]
    return "\n".join(lines)
