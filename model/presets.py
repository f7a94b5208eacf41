"""Where the preset scenario files live, and how a name finds one."""

from __future__ import annotations

import os
from pathlib import Path

from model.scenario import Scenario, ScenarioError


def scenarios_dir() -> Path:
    """The presets folder: ``$ARRIVAL_CITY_SCENARIOS`` or the repository's ``scenarios/``."""
    env = os.environ.get("ARRIVAL_CITY_SCENARIOS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "scenarios"


def list_presets() -> list[Path]:
    """Every preset file, policy overlays included, sorted."""
    root = scenarios_dir()
    return sorted(root.rglob("*.toml")) if root.is_dir() else []


def preset_path(name: str) -> Path:
    """A path as given if it exists, else the preset of that name (with or without .toml)."""
    path = Path(name)
    if path.is_file():
        return path
    for candidate in list_presets():
        if candidate.stem == path.stem or candidate.name == path.name:
            return candidate
    if path.suffix == ".toml" or "/" in name:
        raise ScenarioError(name, "", "no such scenario file")
    known = ", ".join(p.stem for p in list_presets())
    raise ScenarioError(name, "", f"no such scenario file or preset (presets: {known})")


def resolve_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    """A Scenario from a Scenario, a file path, or a preset name (``northern_midsize_asylum``)."""
    if scenario is None:
        return Scenario()
    if isinstance(scenario, Scenario):
        return scenario
    return Scenario.from_toml(preset_path(str(scenario)))
