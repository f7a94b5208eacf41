"""Calibration files: which preset, which parameters and priors, which facts, seeds and budget.

Example (``experiments/calibrations/northern.toml``)::

    [calibration]
    name = "northern"                      # the posterior's name in the results database
    preset = "northern_midsize_asylum"     # a preset name, or a scenario file relative to here
    facts = []                             # fact names; empty: every calibration fact of the preset
    discrepancy = 0.5                      # model discrepancy sd, as a share of a band's half-width

    [parameters]                           # dotted scenario keys; {} = uniform on the schema range
    "labour.spending_weight" = {}
    "housing.room_shortfall_aversion" = {min = 1.0, max = 6.0}

    [seeds]
    base = 2026
    replicates = 3

    [budget]
    design = 30
    waves = 2

    [quick]                                # what --quick uses instead (tests, a first look)
    design = 8
    waves = 1
    replicates = 2
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from experiments.sweep import StrictSection
from model.scenario import (
    Scenario,
    ScenarioError,
    check_keys,
    read_toml,
    translate_error,
)


class CalibrationSection(StrictSection):
    """What is calibrated, and against what."""

    name: str = Field(min_length=1, max_length=200, description="the posterior's name")
    preset: str = Field(description="a preset name, or a scenario file relative to this file")
    description: str = Field("", description="one line on what the calibration fits")
    facts: list[str] = Field(
        default_factory=list,
        description="calibration facts by name; empty: every calibration fact of the preset",
    )
    discrepancy: float = Field(
        0.5, ge=0.0, le=10.0, description="model discrepancy sd, share of a band's half-width"
    )


class PriorRange(StrictSection):
    """A uniform prior; either bound left out is the schema's."""

    min: float | None = None
    max: float | None = None


class SeedsSection(StrictSection):
    """Seeds of every design point: each fact's own seed sequence (common random numbers)."""

    base: int = Field(0, ge=0, description="root of the design's and the draws' random numbers")
    replicates: int = Field(3, ge=2, le=100, description="seeds per design point (>= 2)")


class BudgetSection(StrictSection):
    """How much to run."""

    design: int = Field(30, ge=4, le=2000, description="design points a wave")
    waves: int = Field(2, ge=1, le=5, description="waves of history matching")
    candidates: int = Field(20_000, ge=500, le=1_000_000, description="points screened")
    samples: int = Field(2_000, ge=50, le=100_000, description="posterior sets kept")
    cutoff: float = Field(3.0, gt=0.0, le=10.0, description="implausibility cut-off")
    validation_draws: int = Field(4, ge=1, le=200, description="posterior draws for validation")
    workers: int = Field(2, ge=1, le=4096, description="parallel workers")


class QuickSection(StrictSection):
    """What ``--quick`` puts in place of the budget and seeds."""

    design: int = Field(8, ge=4, le=2000)
    waves: int = Field(1, ge=1, le=5)
    replicates: int = Field(2, ge=2, le=100)
    candidates: int = Field(2_000, ge=500, le=1_000_000)
    samples: int = Field(500, ge=50, le=100_000)
    validation_draws: int = Field(2, ge=1, le=200)


class Calibration(StrictSection):
    """A validated calibration file."""

    calibration: CalibrationSection
    parameters: dict[str, PriorRange] = Field(min_length=1)
    seeds: SeedsSection = Field(default_factory=SeedsSection)
    budget: BudgetSection = Field(default_factory=BudgetSection)
    quick: QuickSection = Field(default_factory=QuickSection)
    _path: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Calibration:
        for key, prior in self.parameters.items():
            if prior.min is not None and prior.max is not None and not prior.max > prior.min:
                raise ValueError(
                    f"parameters.{key}: max ({prior.max:g}) must be greater than min "
                    f"({prior.min:g})"
                )
        return self

    @classmethod
    def from_toml(cls, path: str | Path) -> Calibration:
        """Read and validate a calibration file; priors are checked against the schema.

        Raises:
            ScenarioError: missing or malformed file, unknown key, bad value, a parameter that is
                not a number of the scenario, a prior outside the schema's range, a missing preset.
        """
        path = Path(path)
        data = read_toml(path, "calibration")
        if "calibration" not in data:
            raise ScenarioError(
                str(path), "", "not a calibration file: it needs a [calibration] table"
            )
        check_keys(cls, {k: v for k, v in data.items() if k != "parameters"}, str(path), ())
        try:
            spec = cls.model_validate(data)
        except ValidationError as exc:
            raise translate_error(cls, exc, str(path)) from None
        spec._path = path
        spec.scenario()  # the preset must exist and validate
        spec.priors()  # every parameter must be a ranged number of the schema
        return spec

    @property
    def path(self) -> Path:
        """The calibration file (``.`` if built in memory)."""
        return self._path or Path("calibration.toml")

    def preset_path(self) -> Path:
        """The preset's scenario file: relative to the calibration file, else a preset name."""
        from model.presets import preset_path

        beside = self.path.parent / self.calibration.preset
        if beside.is_file():
            return beside.resolve()
        try:
            return preset_path(self.calibration.preset).resolve()
        except ScenarioError as exc:
            raise ScenarioError(str(self.path), "calibration.preset", exc.reason) from None

    def scenario(self) -> Scenario:
        """The preset scenario."""
        return Scenario.from_toml(self.preset_path())

    def priors(self) -> list[Any]:
        """The uniform priors, bounds from the file or else from the schema's range."""
        from experiments.calibration.history import Prior
        from experiments.sweep import parameter_kind

        rows = {row["key"]: row for row in Scenario.describe()}
        priors = []
        for key, stated in self.parameters.items():
            where = f"parameters.{key}"
            kind = parameter_kind(key)
            if key not in rows or kind not in (int, float):
                what = "not a scenario parameter" if key not in rows else "not a number parameter"
                raise ScenarioError(
                    str(self.path),
                    where,
                    f"{what}; give a ranged number key (see `arrival-city parameters`)",
                )
            lo, hi = rows[key]["min"], rows[key]["max"]
            low = stated.min if stated.min is not None else lo
            high = stated.max if stated.max is not None else hi
            if low is None or high is None:
                raise ScenarioError(
                    str(self.path), where, "the schema gives no range: state {min = .., max = ..}"
                )
            outside = (lo is not None and low < lo) or (hi is not None and high > hi)
            if outside or not high > low:
                allowed = f"{'' if lo is None else f'{lo:g}'} to {'' if hi is None else f'{hi:g}'}"
                raise ScenarioError(
                    str(self.path),
                    where,
                    f"prior [{low:g}, {high:g}] must be an increasing range within {allowed}",
                )
            priors.append(Prior(key, float(low), float(high), integer=kind is int))
        return priors
