"""Ready-made lessons: a preset, two variants and a text a trainer reads out.

Each lesson is a TOML file in ``experiments/dashboard/lessons/``::

    preset = "northern_midsize_asylum"      # a city preset (scenarios/*.toml)
    months = 60                             # horizon of both arms
    seeds = 3                               # seeds 0..seeds-1, both arms on each
    [title]    en = "..." , fr = "..."
    [text]     en = "..." , fr = "..."     # what the trainer reads out
    [themes]   waits = "mean_wait_months_newcomers"   # optional: outcome plotted per theme
    [baseline] label = {en, fr}, overlays = ["inflows/inflow_sudden"], set = {"key" = value}
    [variant]  the same keys as the baseline

Overlays are preset overlays (``scenarios/<folder>/<name>.toml``), applied in order; ``set``
holds dotted keys (``partners.0.funding`` reaches a partner), applied last. The variant is the
baseline with the variant's own overlays and settings on top, as on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.dashboard.compare import THEMES
from experiments.dashboard.i18n import LANGUAGES
from experiments.dashboard.levers import apply
from model import OUTCOME_NAMES, Scenario
from model.presets import preset_path
from model.scenario import ScenarioError, read_toml

LESSONS_DIR = Path(__file__).resolve().parent / "lessons"
LESSON_KEYS = {"preset", "months", "seeds", "title", "text", "themes", "baseline", "variant"}
ARM_KEYS = {"label", "overlays", "set"}
MAX_SEEDS = 10


@dataclass(frozen=True)
class Arm:
    """One side of a lesson: a label, overlays on the preset, and dotted keys set last."""

    label: dict[str, str]
    overlays: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    """A lesson read from its file (see the module's docstring for the format)."""

    key: str
    preset: str
    months: int
    seeds: int
    title: dict[str, str]
    text: dict[str, str]
    themes: dict[str, str]
    baseline: Arm
    variant: Arm

    def scenario(self, arm: Arm) -> Scenario:
        """An arm's scenario: the preset and the baseline, then (for the variant) its changes."""
        overlays = list(self.baseline.overlays)
        settings = {**self.baseline.settings, "run.months": self.months}
        if arm is self.variant:
            overlays += [o for o in arm.overlays if o not in overlays]
            settings.update(arm.settings)
        files = [preset_path(self.preset), *(preset_path(o) for o in overlays)]
        return apply(Scenario.from_files(files), settings, f"lesson {self.key}")

    def scenarios(self) -> tuple[Scenario, Scenario]:
        """The baseline's and the variant's scenarios."""
        return self.scenario(self.baseline), self.scenario(self.variant)


def _texts(data: Any, source: str, key: str) -> dict[str, str]:
    if not isinstance(data, dict) or any(not data.get(lang) for lang in LANGUAGES):
        raise ScenarioError(source, key, f"needs a text in each language ({', '.join(LANGUAGES)})")
    return {lang: str(data[lang]) for lang in LANGUAGES}


def _arm(data: Any, source: str, key: str) -> Arm:
    if not isinstance(data, dict):
        raise ScenarioError(source, key, "must be a table with label, overlays and set")
    unknown = set(data) - ARM_KEYS
    if unknown:
        raise ScenarioError(source, f"{key}.{sorted(unknown)[0]}", f"unknown key ({ARM_KEYS})")
    overlays = data.get("overlays", [])
    if not isinstance(overlays, list) or not all(isinstance(o, str) for o in overlays):
        raise ScenarioError(source, f"{key}.overlays", "must be a list of preset overlay names")
    return Arm(
        _texts(data.get("label"), source, f"{key}.label"), tuple(overlays), data.get("set", {})
    )


def read_lesson(path: Path) -> Lesson:
    """Read and check one lesson file (both arms are built once, so a bad key fails here).

    Raises:
        ScenarioError: a missing or unknown key, an unknown outcome or preset, a bad setting.
    """
    source = str(path)
    data = read_toml(path, "lesson")
    unknown = set(data) - LESSON_KEYS
    if unknown:
        raise ScenarioError(source, sorted(unknown)[0], f"unknown key (allowed: {LESSON_KEYS})")
    missing = {"preset", "months", "title", "text", "baseline", "variant"} - set(data)
    if missing:
        raise ScenarioError(source, sorted(missing)[0], "missing: this key is required")
    seeds = data.get("seeds", 1)
    if not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise ScenarioError(source, "seeds", f"must be a whole number from 1 to {MAX_SEEDS}")
    themes = dict(THEMES)
    for theme, outcome in data.get("themes", {}).items():
        if theme not in THEMES:
            raise ScenarioError(source, f"themes.{theme}", f"unknown theme ({', '.join(THEMES)})")
        if outcome not in OUTCOME_NAMES:
            raise ScenarioError(source, f"themes.{theme}", f"unknown outcome {outcome!r}")
        themes[theme] = outcome
    lesson = Lesson(
        key=path.stem,
        preset=str(data["preset"]),
        months=data["months"],
        seeds=seeds,
        title=_texts(data["title"], source, "title"),
        text=_texts(data["text"], source, "text"),
        themes=themes,
        baseline=_arm(data["baseline"], source, "baseline"),
        variant=_arm(data["variant"], source, "variant"),
    )
    lesson.scenarios()  # every overlay and key checked now, not when a trainer clicks
    return lesson


def lessons(folder: Path = LESSONS_DIR) -> list[Lesson]:
    """Every lesson in the folder, in file-name order."""
    return [read_lesson(path) for path in sorted(folder.glob("*.toml"))]
