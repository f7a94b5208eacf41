"""Sweep files: experiments over scenario files, planned into individual runs.

A sweep file (TOML) names an experiment, its base scenario file(s), seeds, parameters and a
design; ``plan(sweep)`` turns it into :class:`RunSpec`s, each with a ``run_key`` that hashes
everything that decides its result (scenario content, overrides, seed, months, model version), so
a run already done is never done again.

Example (``experiments/sweeps/inflow_shape.toml``)::

    [experiment]
    name = "inflow_shape"
    scenarios = [  # each: a city file, then overlays on it (paths relative to this file)
      ["../../scenarios/northern_midsize_asylum.toml",
       "../../scenarios/inflows/inflow_sudden.toml"],
      ["../../scenarios/northern_midsize_asylum.toml",
       "../../scenarios/inflows/inflow_gradual.toml"],
    ]
    months = 60

    [seeds]
    base = 2020
    replicates = 5
    common_random_numbers = true

    [parameters]
    "governance.resources" = [0.5, 1.0]

    [design]
    kind = "grid"

    [uncertainty]            # optional: parameter sets drawn from a calibrated posterior
    posterior = "northern"   # stored by `arrival-city calibrate`
    draws = 10               # each level runs every draw at every seed
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

import model
from model.scenario import (
    KeyedValueError,
    Scenario,
    ScenarioError,
    check_keys,
    read_toml,
    translate_error,
)


class StrictSection(BaseModel):
    """A section of a sweep or calibration file: unknown keys and NaN refused, no coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ExperimentSection(StrictSection):
    """What the experiment is and which scenario files it starts from."""

    name: str = Field(description="experiment name (the key in the results database)")
    scenarios: list[str | list[str]] = Field(
        min_length=1,
        description="scenario files relative to here; a list of files is a city with overlays",
    )
    months: int | None = Field(None, ge=1, le=600, description="horizon (default: scenario's)")
    description: str = Field("", description="one line on what the experiment asks")


class SeedsSection(StrictSection):
    """Replicates and how their seeds are drawn."""

    base: int = Field(0, ge=0, description="root of the seed sequence")
    replicates: int = Field(1, ge=1, le=10_000, description="runs per level")
    common_random_numbers: bool = Field(
        True, description="same seeds at every level, so differences between levels are paired"
    )


class Range(StrictSection):
    """A continuous range for lhs, sobol and morris designs."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.max > self.min:
            raise ValueError(f"max ({self.max:g}) must be greater than min ({self.min:g})")
        return self


class DesignSection(StrictSection):
    """How levels are drawn from the parameters."""

    kind: Literal["grid", "list", "lhs", "sobol", "morris"] = Field(
        "grid", description="grid: every combination; list: zipped lists; lhs/sobol/morris: samples"
    )
    size: int = Field(8, ge=1, le=100_000, description="samples (lhs), N (sobol), trajectories")
    levels: int = Field(4, ge=2, le=20, description="grid levels of a Morris design")
    spread: float = Field(
        0.5,
        gt=0,
        le=1,
        description="relative half-width of a group's ranges around the schema's defaults",
    )

    @model_validator(mode="after")
    def _sobol_power_of_two(self) -> DesignSection:
        if self.kind == "sobol" and self.size & (self.size - 1):
            low = 1 << (self.size.bit_length() - 1)
            raise KeyedValueError(
                "size",
                f"got {self.size}: a Sobol design needs a power of 2 ({low} or {2 * low}), "
                "or its sequence loses its balance",
            )
        return self


class OutputsSection(StrictSection):
    """What is kept of each run."""

    timeseries: list[str] | Literal["all"] = Field("all", description="timeseries columns kept")
    summaries: list[str] | Literal["all"] = Field("all", description="summary values kept")
    every: int = Field(1, ge=1, le=120, description="keep every n-th month (and the last)")
    cohorts: bool = Field(
        True,
        description="keep employment by cohort cell: months since arrival × legal status × sex "
        "× skill × origin (non-empty cells only)",
    )

    @model_validator(mode="after")
    def _known_names(self) -> OutputsSection:
        for what, known in (("timeseries", timeseries_names()), ("summaries", summary_names())):
            names = getattr(self, what)
            if names == "all":
                continue
            for name in names:
                if name not in known:
                    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    rule = (
                        "the outcome columns"
                        if what == "timeseries"
                        else "<outcome>_end, <outcome>_mean, arrivals_total, departures_total, "
                        "evictions_total, mean_wait_months_peak"
                    )
                    raise KeyedValueError(
                        what, f'unknown name {name!r}; {hint}(allowed: {rule}; or "all")'
                    )
        return self


class ExecutionSection(StrictSection):
    """Where runs execute."""

    engine: Literal["local", "dask"] = Field("local", description="process pool, or Dask")
    workers: int = Field(2, ge=1, le=4096, description="parallel workers")
    address: str = Field("", description="Dask scheduler address (tcp://...); empty = LocalCluster")


class StorageSection(StrictSection):
    """Where results go."""

    url: str = Field(
        "",
        description="SQLAlchemy URL of the results database (empty: the default database; a "
        "relative sqlite:/// path is relative to the sweep file)",
    )


class UncertaintySection(StrictSection):
    """Parameter uncertainty: each replicate's parameter sets drawn from a stored posterior."""

    posterior: str = Field(
        min_length=1, description="name of a posterior stored by `arrival-city calibrate`"
    )
    draws: int = Field(10, ge=1, le=10_000, description="parameter sets drawn (by weight)")


class Sweep(StrictSection):
    """A validated sweep file."""

    experiment: ExperimentSection
    seeds: SeedsSection = Field(default_factory=SeedsSection)
    parameters: dict[str, list[Any] | Range] = Field(default_factory=dict)
    design: DesignSection = Field(default_factory=DesignSection)
    outputs: OutputsSection = Field(default_factory=OutputsSection)
    execution: ExecutionSection = Field(default_factory=ExecutionSection)
    storage: StorageSection = Field(default_factory=StorageSection)
    uncertainty: UncertaintySection | None = None
    _path: Path | None = PrivateAttr(None)

    @property
    def path(self) -> Path | None:
        """The sweep file this came from (None if built in memory)."""
        return self._path

    @model_validator(mode="before")
    @classmethod
    def _expand_group(cls, data: Any) -> Any:
        """``[parameters] group = "behaviour"`` (or a list of groups and keys) as ranges."""
        if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
            return data
        params = dict(data["parameters"])
        if "group" not in params:
            return data
        from experiments.parameters import DEFAULT_SPREAD, space

        spec = params.pop("group")
        if not isinstance(spec, str | list) or not all(isinstance(g, str) for g in spec):
            raise KeyedValueError("parameters.group", "give a group name or a list of groups/keys")
        design = data.get("design") if isinstance(data.get("design"), dict) else {}
        if design.get("kind", "grid") not in ("lhs", "sobol", "morris"):
            raise KeyedValueError(
                "parameters.group", "a group needs a sampled design: kind = morris, sobol or lhs"
            )
        spread = design.get("spread", DEFAULT_SPREAD)
        try:
            dims, _ = space(spec, spread if isinstance(spread, int | float) else DEFAULT_SPREAD)
        except ScenarioError as exc:
            raise KeyedValueError("parameters.group", exc.reason) from None
        ranges = {
            d.key: {"min": float(d.low), "max": float(d.high)} for d in dims if d.low is not None
        }
        return {**data, "parameters": {**ranges, **params}}

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameter_values(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, spec in value.items():
            if isinstance(spec, list):
                out[key] = spec
            elif isinstance(spec, dict):
                try:
                    out[key] = Range.model_validate(spec)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    where = ".".join(str(p) for p in err["loc"])
                    reason = err["msg"].removeprefix("Value error, ")
                    if err["type"] == "missing":
                        reason = "needs both min and max"
                    elif where:
                        reason = f"{where}: {reason}"
                    raise KeyedValueError(key, f"a range {{min, max}}: {reason}") from None
            else:
                raise KeyedValueError(
                    key, f"got {spec!r}: give a list of values, or a range {{min = .., max = ..}}"
                )
        return out

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
        if "experiment" not in data and set(data) & (set(Scenario.model_fields) | {"extends"}):
            raise ScenarioError(
                str(path),
                "",
                "this is a scenario file, not a sweep file (a sweep file has an [experiment] "
                "table); run it with `arrival-city run`",
            )
        top = {k: v for k, v in data.items() if k != "parameters"}
        check_keys(cls, top, str(path), ())
        try:
            sweep = cls.model_validate(data)
        except ValidationError as exc:
            raise translate_error(cls, exc, str(path)) from None
        sweep._path = path
        for key, values in sweep.parameters.items():
            kind = parameter_kind(key)
            if isinstance(values, Range) and kind not in (int, float):
                raise ScenarioError(
                    str(path),
                    f"parameters.{key}",
                    "a range {min, max} needs a number parameter; give a list of values",
                )
        try:
            layered = sweep.scenario_layers()
        except ValueError as exc:  # a path no file system takes (a NUL byte)
            raise ScenarioError(
                str(path), "experiment.scenarios", f"not a usable file path ({exc})"
            ) from None
        for index, layers in enumerate(layered):
            missing = [layer for layer in layers if not layer.is_file()]
            if missing:
                raise ScenarioError(
                    str(path),
                    f"experiment.scenarios[{index}]",
                    f"no such scenario file: {_shown(missing[0])} (paths are relative to the "
                    "sweep file)",
                )
            base = Scenario.from_files(list(layers))
            for key, values in sweep.parameters.items():
                probes = values if isinstance(values, list) else _range_probes(key, values)
                for probe in probes:
                    try:
                        base.with_overrides({key: probe}, source=str(path))
                    except ScenarioError as exc:
                        raise ScenarioError(str(path), f"parameters.{key}", exc.reason) from None
        return sweep

    def scenario_layers(self) -> list[tuple[Path, ...]]:
        """Each scenario as its files (a city, then overlays), resolved relative to the sweep."""
        root = self.path.parent if self.path else Path(".")
        return [
            tuple((root / name).resolve() for name in ([item] if isinstance(item, str) else item))
            for item in self.experiment.scenarios
        ]

    def scenario_paths(self) -> list[Path]:
        """The first file of each scenario (the city), resolved relative to the sweep file."""
        return [layers[0] for layers in self.scenario_layers()]

    def storage_url(self) -> str:
        """The results database: the file's ``storage.url``, else the default database.

        A relative ``sqlite:///`` path in the file is relative to the sweep file.
        """
        from experiments.store import default_url

        url = self.storage.url
        if not url:
            return default_url()
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + ":memory:"):
            target = Path(url.removeprefix(prefix))
            if not target.is_absolute() and self.path is not None:
                return prefix + str((self.path.parent / target).resolve())
        return url


def _shown(path: Path) -> str:
    """A path for a one-line message: as is if printable, else quoted with escapes."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def parameter_kind(key: str) -> type | None:
    """The Python type of a scenario parameter (int, float, bool, str), or None if unknown."""
    from model.scenario import _sub_model

    node: Any = Scenario
    field = None
    for part in key.split("."):
        if node is None or part not in node.model_fields:
            return None
        field = node.model_fields[part]
        node = _sub_model(field.annotation)
    annotation = field.annotation if field is not None else None
    return annotation if annotation in (int, float, bool, str) else None


def _range_probes(key: str, values: Range) -> list[Any]:
    if parameter_kind(key) is int:
        return [math.ceil(values.min), math.floor(values.max)]
    return [values.min, values.max]


@functools.cache
def timeseries_names() -> tuple[str, ...]:
    """The names a sweep may keep from each run's timeseries."""
    return tuple(name for name in model.OUTCOME_NAMES if name != "month")


@functools.cache
def summary_names() -> tuple[str, ...]:
    """The names a sweep may keep from each run's summary."""
    import pandas as pd

    from model.simulation import summarise

    return tuple(summarise(pd.DataFrame({name: [0.0] for name in model.OUTCOME_NAMES})))


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
    scenario_layers: tuple[str, ...] = ()

    def scenario(self) -> Scenario:
        """The run's scenario: its city file with its overlays (overrides not applied)."""
        return Scenario.from_files(list(self.scenario_layers or (self.scenario_path,)))

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
    kinds = [parameter_kind(k) for k in keys]
    return [
        {k: _as_kind(v, kind, params[k]) for k, v, kind in zip(keys, row, kinds, strict=True)}
        for row in samples
    ]


def _as_kind(value: float, kind: type | None, bounds: Range) -> float | int:
    """A sample as the parameter's type: integer parameters get integers within the range."""
    if kind is int:
        lo, hi = math.ceil(bounds.min), math.floor(bounds.max)
        return int(min(max(round(value), lo), hi))
    return float(value)


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


def posterior_draws(sweep: Sweep, db: str | None = None) -> list[dict[str, Any]]:
    """The parameter sets of ``[uncertainty]``: ``draws`` sets drawn by weight from the posterior.

    Drawn reproducibly from ``seeds.base``; ``[{}]`` (no change) without ``[uncertainty]``.

    Raises:
        StoreError: no results database, or no posterior of that name in it.
    """
    if sweep.uncertainty is None:
        return [{}]
    from experiments import store

    engine = store.open_store(db or sweep.storage_url(), readonly=True)
    try:
        stored = store.load_posterior(engine, sweep.uncertainty.posterior)
    finally:
        engine.dispose()
    weights = np.asarray(stored["weights"], dtype=float)
    rng = np.random.default_rng(sweep.seeds.base)
    rows = rng.choice(len(weights), size=sweep.uncertainty.draws, p=weights / weights.sum())
    return [dict(stored["sets"][int(row)]) for row in rows]


def plan(sweep: Sweep, db: str | None = None) -> list[RunSpec]:
    """Every run of the sweep, in a stable order (scenario, level, replicate).

    With ``[uncertainty]``, each level's replicates are every posterior draw at every seed
    (replicate = draw x replicates + seed index; the same draws and seeds at every level, so
    comparisons stay paired); the level's own parameters win over a draw's.

    Args:
        sweep: the validated sweep.
        db: the results database holding the posterior (default: the sweep's).
    """
    specs: list[RunSpec] = []
    combos = levels(sweep)
    n_levels = len(combos)
    draws = posterior_draws(sweep, db)
    for s_index, layers in enumerate(sweep.scenario_layers()):
        scenario = Scenario.from_files(list(layers))
        months = sweep.experiment.months or scenario.run.months
        label = "+".join(path.stem for path in layers)
        for l_index, combo in enumerate(combos):
            level = s_index * n_levels + l_index
            seeds = seeds_for(sweep, l_index)
            for d_index, draw in enumerate(draws):
                overrides = {**draw, **combo}
                for r_index, seed in enumerate(seeds):
                    specs.append(
                        RunSpec(
                            run_key=run_key(scenario, overrides, seed, months),
                            scenario_path=str(layers[0]),
                            scenario_label=label,
                            overrides=overrides,
                            seed=seed,
                            months=months,
                            level=level,
                            replicate=d_index * len(seeds) + r_index,
                            scenario_layers=tuple(str(path) for path in layers),
                        )
                    )
    return specs
