"""The evidence registry: one TOML file per published fact, in ``evidence/`` at the top level.

A fact names its source, the context it holds for, a protocol (a preset, overrides, optionally
two arms compared on common random numbers, seeds, months and a named statistic of
:mod:`experiments.evidence.statistics`), the published value with a band, and its role:
``calibration`` (may be used to fit the model) or ``validation`` (held out: never used to fit).
See docs/EVIDENCE.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from experiments.evidence import statistics
from experiments.sweep import StrictSection
from model.scenario import Scenario, ScenarioError, read_toml

PROJECT_DIR = Path(__file__).resolve().parents[2]
EVIDENCE_DIR = PROJECT_DIR / "evidence"
SCENARIOS_DIR = PROJECT_DIR / "scenarios"
ROLES = ("calibration", "validation")


class EvidenceError(ScenarioError):
    """A fact file that cannot be used: ``file: key: reason`` on one line."""


class Source(StrictSection):
    """The published reference."""

    authors: str = Field(min_length=1, description='"Surname, Initials; Surname, Initials"')
    year: int = Field(ge=1900, le=2100)
    title: str = Field(min_length=1)
    outlet: str = Field(min_length=1, description="journal, publisher or series")
    doi: str = ""
    url: str = ""

    @model_validator(mode="after")
    def _findable(self) -> Source:
        if not (self.doi or self.url):
            raise ValueError("give a doi or a url")
        return self

    def short(self) -> str:
        """``First author (et al.) year``, as the table shows it (text in brackets left out)."""
        authors = re.sub(r"\s*\([^)]*\)", "", self.authors)
        names = [n.strip() for n in authors.replace(" and ", ";").split(";") if n.strip()]
        surnames = [n.split(",")[0].strip() for n in names]
        if len(surnames) > 2:
            return f"{surnames[0]} et al. {self.year}"
        return f"{' & '.join(surnames)} {self.year}"

    def citation(self) -> str:
        """The full reference on one line."""
        where = f"https://doi.org/{self.doi}" if self.doi else self.url
        return f"{self.authors} ({self.year}). {self.title}. {self.outlet}. {where}"


class Context(StrictSection):
    """Where and when the fact holds, and which preset stands for that context."""

    country: str = Field(min_length=1)
    years: str = Field(min_length=1)
    population: str = Field(min_length=1)
    preset: str = Field(min_length=1)


class Statistic(StrictSection):
    """A function of :mod:`experiments.evidence.statistics` and its arguments."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class Protocol(StrictSection):
    """How the model is run for a fact."""

    preset: str = Field(description="a scenario file in scenarios/, without .toml")
    overrides: dict[str, Any] = Field(default_factory=dict, description="dotted keys, all arms")
    arms: dict[Literal["baseline", "variant"], dict[str, Any]] = Field(default_factory=dict)
    seeds: int = Field(10, ge=2, le=1000, description="replicates at the full setting")
    quick_seeds: int = Field(3, ge=2, le=1000, description="replicates with --quick")
    seed_base: int = Field(2015, ge=0, description="root of the seed sequence")
    months: int = Field(ge=1, le=600)
    statistic: Statistic

    @model_validator(mode="after")
    def _arms_and_statistic(self) -> Protocol:
        if self.arms and set(self.arms) != {"baseline", "variant"}:
            raise ValueError("arms: give both [protocol.arms.baseline] and [protocol.arms.variant]")
        try:
            statistics.check_call(self.statistic.name, self.statistic.args, bool(self.arms))
        except ValueError as exc:
            raise ValueError(f"statistic: {exc}") from None
        return self

    def preset_path(self) -> Path:
        """The preset's scenario file."""
        return SCENARIOS_DIR / f"{self.preset}.toml"

    def arm_overrides(self) -> dict[str, dict[str, Any]]:
        """Each arm's full overrides (the protocol's, then the arm's); one arm if none are set."""
        if not self.arms:
            return {"single": dict(self.overrides)}
        return {name: {**self.overrides, **self.arms[name]} for name in ("baseline", "variant")}


class Published(StrictSection):
    """The published value and the band the model should fall in."""

    value: float = Field(description="the published number (the band's midpoint if range_only)")
    low: float
    high: float
    band_reason: str = Field(min_length=10, description="one sentence: why this band")
    range_only: bool = Field(
        False, description="only a range or a direction is published; value is the midpoint"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Published:
        if not self.low <= self.value <= self.high:
            raise ValueError(
                f"need low <= value <= high (got {self.low:g}, {self.value:g}, {self.high:g})"
            )
        if self.range_only and abs(self.value - (self.low + self.high) / 2) > 1e-9:
            raise ValueError("range_only: value must be the band's midpoint (low + high) / 2")
        return self


class Fact(StrictSection):
    """One published fact the model is compared with."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=1)
    role: Literal["calibration", "validation"]
    source: Source
    context: Context
    protocol: Protocol
    published: Published
    path: str = Field("", exclude=True, description="the file it was read from")

    def seeds(self, quick: bool = False) -> int:
        """Replicates at the full or the quick setting."""
        return self.protocol.quick_seeds if quick else self.protocol.seeds


def load_fact(path: Path) -> Fact:
    """Read and validate one fact file.

    Raises:
        EvidenceError: missing or malformed file, unknown key, bad value, an unknown preset,
            statistic or scenario key (one line naming the file and key).
    """
    try:
        data = read_toml(path, "evidence")
    except ScenarioError as exc:
        raise EvidenceError(exc.source, exc.key, exc.reason) from None
    try:
        fact = Fact.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        reason = err["msg"].removeprefix("Value error, ")
        head, sep, rest = reason.partition(": ")
        if sep and head in ("statistic", "arms"):  # a protocol check names its own key
            where, reason = f"{where}.{head}", rest
        if err["type"] == "extra_forbidden":
            reason = "unknown key"
        elif err["type"] == "missing":
            reason = "missing"
        raise EvidenceError(str(path), where, reason) from None
    if fact.id != path.stem:
        raise EvidenceError(str(path), "id", f"{fact.id!r} must match the file name {path.stem!r}")
    preset = fact.protocol.preset_path()
    if not preset.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIOS_DIR.glob("*.toml")))
        raise EvidenceError(
            str(path), "protocol.preset", f"no preset {fact.protocol.preset!r} (allowed: {known})"
        )
    base = Scenario.from_files([preset])
    for arm, overrides in fact.protocol.arm_overrides().items():
        try:
            base.with_overrides(overrides, source=str(path))
        except ScenarioError as exc:
            key = "protocol.overrides" if arm == "single" else f"protocol.arms.{arm}"
            raise EvidenceError(str(path), f"{key}.{exc.key}", exc.reason) from None
    return fact


def load_facts(role: str | None = None, path: str | Path = EVIDENCE_DIR) -> list[Fact]:
    """Every fact of the registry (a folder of ``*.toml``), sorted by id, optionally one role.

    Raises:
        EvidenceError: a bad fact file, an unknown role, a folder without facts.
    """
    folder = Path(path)
    if role is not None and role not in ROLES:
        raise EvidenceError("--role", "", f"got {role!r}; allowed: {', '.join(ROLES)}")
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        raise EvidenceError(str(folder), "", "no fact files (*.toml) in this folder")
    facts = [load_fact(f) for f in files]
    return [f for f in facts if role is None or f.role == role]
