"""Where the preset scenario files live, how a name finds one, and which are overlays.

Cities are the ``*.toml`` files at the top of the presets folder; overlays (inflow shapes, policies,
partners) live in its subfolders (``inflows/``, ``policies/``) and change only a few keys, so they
can be layered on any city with ``--overlay`` or ``Scenario.from_files``.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.scenario import Scenario, ScenarioError


def scenarios_dir() -> Path:
    """The presets folder: ``$ARRIVAL_CITY_SCENARIOS`` or the repository's ``scenarios/``."""
    env = os.environ.get("ARRIVAL_CITY_SCENARIOS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "scenarios"


def list_presets() -> list[Path]:
    """Every preset file, overlays included, sorted."""
    root = scenarios_dir()
    return sorted(root.rglob("*.toml")) if root.is_dir() else []


def is_overlay(path: str | Path) -> bool:
    """Whether a file is one of the preset overlays (it lives in a subfolder of the presets)."""
    root = scenarios_dir().resolve()
    resolved = Path(path).resolve()
    return resolved.is_relative_to(root) and resolved.parent != root


def preset_path(name: str) -> Path:
    """A path as given if it exists, else the preset of that name (with or without .toml)."""
    path = Path(name)
    if path.is_file():
        return path
    for candidate in list_presets():
        same = candidate.stem == path.stem or candidate.name == path.name
        if same and (
            "/" not in name or candidate.as_posix().endswith(path.with_suffix(".toml").as_posix())
        ):
            return candidate
    if path.suffix == ".toml" or "/" in name:
        raise ScenarioError(name, "", "no such scenario file")
    known = ", ".join(p.stem for p in list_presets() if not is_overlay(p))
    raise ScenarioError(name, "", f"no such scenario file or preset (cities: {known})")


def resolve_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    """A Scenario from a Scenario, a file path, or a preset name (``northern_midsize_asylum``)."""
    if scenario is None:
        return Scenario()
    if isinstance(scenario, Scenario):
        return scenario
    return Scenario.from_toml(preset_path(str(scenario)))


__all__ = ["is_overlay", "list_presets", "preset_path", "resolve_scenario", "scenarios_dir"]
