"""Sweep files: experiments over scenario files, planned into individual runs.

A sweep file (TOML) names an experiment, its base scenario file(s), seeds, parameters and a
design; ``plan(sweep)`` turns it into :class:`RunSpec`s, each with a ``run_key`` that hashes
everything that decides its result (scenario content, overrides, seed, months, model version), so
a run already done is never done again.

Example (``experiments/sweeps/inflow_shape.toml``)::

    [experiment]
    name = "inflow_shape"
    scenarios = ["../../scenarios/inflow_sudden.toml", "../../scenarios/inflow_gradual.toml"]
    months = 60

    [seeds]
    base = 2020
    replicates = 5
    common_random_numbers = true

    [parameters]
    "governance.resources" = [0.5, 1.0]

    [design]
    kind = "grid"
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

import model
from model.scenario import Scenario, ScenarioError, check_keys, read_toml, translate_error


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExperimentSection(_Section):
    """What the experiment is and which scenario files it starts from."""

    name: str = Field(description="experiment name (the key in the results database)")
    scenarios: list[str] = Field(min_length=1, description="base scenario files, relative to here")
    months: int | None = Field(None, ge=1, le=600, description="horizon (default: scenario's)")
    description: str = Field("", description="one line on what the experiment asks")


class SeedsSection(_Section):
    """Replicates and how their seeds are drawn."""

    base: int = Field(0, ge=0, description="root of the seed sequence")
    replicates: int = Field(1, ge=1, le=10_000, description="runs per level")
    common_random_numbers: bool = Field(
        True, description="same seeds at every level, so differences between levels are paired"
    )


class Range(_Section):
    """A continuous range for lhs, sobol and morris designs."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.max > self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self


class DesignSection(_Section):
    """How levels are drawn from the parameters."""

    kind: Literal["grid", "list", "lhs", "sobol", "morris"] = Field(
        "grid", description="grid: every combination; list: zipped lists; lhs/sobol/morris: samples"
    )
    size: int = Field(8, ge=1, le=100_000, description="samples (lhs), N (sobol), trajectories")
    levels: int = Field(4, ge=2, le=20, description="grid levels of a Morris design")


class OutputsSection(_Section):
    """What is kept of each run."""

    timeseries: list[str] | Literal["all"] = Field("all", description="timeseries columns kept")
    summaries: list[str] | Literal["all"] = Field("all", description="summary values kept")
    every: int = Field(1, ge=1, le=120, description="keep every n-th month (and the last)")
    cohorts: bool = Field(True, description="keep the employment cohorts")


class ExecutionSection(_Section):
    """Where runs execute."""

    engine: Literal["local", "dask"] = Field("local", description="process pool, or Dask")
    workers: int = Field(2, ge=1, le=4096, description="parallel workers")
    address: str = Field("", description="Dask scheduler address (tcp://...); empty = LocalCluster")


class StorageSection(_Section):
    """Where results go."""

    url: str = Field(
        "sqlite:///results/arrival-city.db", description="SQLAlchemy URL of the results database"
    )


class Sweep(_Section):
    """A validated sweep file."""

    experiment: ExperimentSection
    seeds: SeedsSection = Field(default_factory=SeedsSection)
    parameters: dict[str, list[Any] | Range] = Field(default_factory=dict)
    design: DesignSection = Field(default_factory=DesignSection)
    outputs: OutputsSection = Field(default_factory=OutputsSection)
    execution: ExecutionSection = Field(default_factory=ExecutionSection)
    storage: StorageSection = Field(default_factory=StorageSection)
    path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _design_fits_parameters(self) -> Sweep:
        kind = self.design.kind
        lists = {k: v for k, v in self.parameters.items() if isinstance(v, list)}
        ranges = {k: v for k, v in self.parameters.items() if isinstance(v, Range)}
        if kind in ("grid", "list") and ranges:
            raise ValueError(f"design '{kind}' needs lists of values, not ranges: {sorted(ranges)}")
        if kind in ("lhs", "sobol", "morris") and lists:
            raise ValueError(
                f"design '{kind}' needs {{min, max}} ranges, not lists: {sorted(lists)}"
            )
        if kind in ("sobol", "morris") and not ranges:
            raise ValueError(f"design '{kind}' needs at least one parameter range")
        if kind == "list" and len({len(v) for v in lists.values()}) > 1:
            raise ValueError("design 'list' needs every parameter list to have the same length")
        for key, values in lists.items():
            if not values:
                raise ValueError(f"parameter {key!r} has an empty list of values")
        return self

    @classmethod
    def from_toml(cls, path: str | Path) -> Sweep:
        """Read and validate a sweep file; every parameter key is checked against the scenario.

        Raises:
            ScenarioError: missing or malformed file, unknown key, bad value or range, a parameter
                that is not a scenario key, a base scenario that does not validate.
        """
        path = Path(path)
        data = read_toml(path, "sweep")
        top = {k: v for k, v in data.items() if k != "parameters"}
        check_keys(cls, top, str(path), ())
        try:
            sweep = cls.model_validate({**data, "path": path})
        except ValidationError as exc:
            raise translate_error(cls, exc, str(path)) from None
        for scenario in sweep.scenario_paths():
            base = Scenario.from_toml(scenario)
            for key, values in sweep.parameters.items():
                probes = values if isinstance(values, list) else [values.min, values.max]
                for probe in probes:
                    try:
                        base.with_overrides({key: probe}, source=str(path))
                    except ScenarioError as exc:
                        raise ScenarioError(str(path), f"parameters.{key}", exc.reason) from None
        return sweep

    def scenario_paths(self) -> list[Path]:
        """The base scenario files, resolved relative to the sweep file."""
        root = self.path.parent if self.path else Path(".")
        return [(root / name).resolve() for name in self.experiment.scenarios]


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep."""

    run_key: str
    scenario_path: str
    scenario_label: str
    overrides: dict[str, Any] = field(hash=False)
    seed: int
    months: int
    level: int
    replicate: int

    def to_json(self) -> dict[str, Any]:
        """The run's description as plain data."""
        return {
            "scenario": self.scenario_label,
            "overrides": self.overrides,
            "seed": self.seed,
            "months": self.months,
        }


def levels(sweep: Sweep) -> list[dict[str, Any]]:
    """The parameter combinations of the design (one dict of dotted keys per level)."""
    params = sweep.parameters
    kind = sweep.design.kind
    keys = list(params)
    if not keys:
        return [{}]
    if kind == "grid":
        return [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(params[k] for k in keys))
        ]
    if kind == "list":
        return [
            dict(zip(keys, combo, strict=True))
            for combo in zip(*(params[k] for k in keys), strict=True)
        ]
    bounds = np.array([[params[k].min, params[k].max] for k in keys])
    if kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(keys), seed=sweep.seeds.base).random(sweep.design.size)
        samples = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
    else:
        samples = salib_samples(sweep)
    return [{k: float(v) for k, v in zip(keys, row, strict=True)} for row in samples]


def salib_problem(sweep: Sweep) -> dict[str, Any]:
    """The SALib problem definition of a sobol or morris sweep."""
    keys = list(sweep.parameters)
    return {
        "num_vars": len(keys),
        "names": keys,
        "bounds": [[sweep.parameters[k].min, sweep.parameters[k].max] for k in keys],
    }


def salib_samples(sweep: Sweep) -> np.ndarray:
    """Saltelli (sobol) or Morris samples, drawn by SALib."""
    problem = salib_problem(sweep)
    if sweep.design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, sweep.design.size, calc_second_order=False, seed=sweep.seeds.base
        )
    from SALib.sample import morris

    return morris.sample(
        problem, sweep.design.size, num_levels=sweep.design.levels, seed=sweep.seeds.base
    )


def seeds_for(sweep: Sweep, level: int) -> list[int]:
    """Integer seeds of a level's replicates, from ``numpy.random.SeedSequence``.

    With common random numbers every level gets the same seeds (paired comparisons); otherwise
    each level has its own stream.
    """
    entropy = [sweep.seeds.base] if sweep.seeds.common_random_numbers else [sweep.seeds.base, level]
    state = np.random.SeedSequence(entropy).generate_state(sweep.seeds.replicates, dtype=np.uint32)
    return [int(s) for s in state]


def run_key(scenario: Scenario, overrides: dict[str, Any], seed: int, months: int) -> str:
    """A hash of everything that decides a run's result (the model's code included)."""
    payload = json.dumps(
        {
            "scenario": scenario.to_dict(),
            "overrides": overrides,
            "seed": seed,
            "months": months,
            "model_version": model.code_version(),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def plan(sweep: Sweep) -> list[RunSpec]:
    """Every run of the sweep, in a stable order (scenario, level, replicate)."""
    specs: list[RunSpec] = []
    combos = levels(sweep)
    n_levels = len(combos)
    for s_index, path in enumerate(sweep.scenario_paths()):
        scenario = Scenario.from_toml(path)
        months = sweep.experiment.months or scenario.run.months
        for l_index, overrides in enumerate(combos):
            level = s_index * n_levels + l_index
            for replicate, seed in enumerate(seeds_for(sweep, l_index)):
                specs.append(
                    RunSpec(
                        run_key=run_key(scenario, overrides, seed, months),
                        scenario_path=str(path),
                        scenario_label=path.stem,
                        overrides=overrides,
                        seed=seed,
                        months=months,
                        level=level,
                        replicate=replicate,
                    )
                )
    return specs
