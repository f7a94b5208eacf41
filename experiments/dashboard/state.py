"""What the page holds and does, in plain Python (the Solara page only shows it).

A :class:`Setup` is the trainer's current choice: a preset, the baseline's and the variant's
settings, horizon, seeds and the outcome plotted per theme. Every change returns a new Setup (the
page keeps it in one reactive value). :class:`LiveCity` is the city that plays month by month.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from experiments.dashboard import DEFAULT_PRESET
from experiments.dashboard.compare import THEMES
from experiments.dashboard.lessons import Lesson
from experiments.dashboard.levers import apply
from model import ArrivalCity, Scenario
from model.presets import is_overlay, list_presets, preset_path
from model.scenario import ScenarioError

DEFAULT_MONTHS = 60
MAX_SEEDS = 10


def presets() -> list[str]:
    """The city presets a trainer can pick (overlays are not cities)."""
    return [p.stem for p in list_presets() if not is_overlay(p)]


@dataclass(frozen=True)
class Setup:
    """The trainer's current choice.

    Attributes:
        preset: the city preset's name.
        baseline: the baseline's overlays (preset overlay names) and settings.
        variant: the variant's settings on top of the baseline (what the levers move).
        months: the horizon of both arms.
        seeds: how many seeds each arm runs (0..seeds-1; a band from 2).
        themes: theme -> outcome plotted.
        labels: the baseline's and the variant's names by language (None: "Baseline"/"Variant").
        lesson: the key of the lesson loaded, if any.
        overlays: overlays applied to both arms before the settings.
        variant_overlays: overlays applied to the variant only.
    """

    preset: str = DEFAULT_PRESET
    baseline: dict[str, Any] = field(default_factory=dict)
    variant: dict[str, Any] = field(default_factory=dict)
    months: int = DEFAULT_MONTHS
    seeds: int = 1
    themes: dict[str, str] = field(default_factory=lambda: dict(THEMES))
    labels: dict[str, dict[str, str]] | None = None
    lesson: str | None = None
    overlays: tuple[str, ...] = ()
    variant_overlays: tuple[str, ...] = ()

    def _build(self, overlays: tuple[str, ...], settings: dict[str, Any]) -> Scenario:
        files = [preset_path(self.preset), *(preset_path(o) for o in overlays)]
        built = apply(Scenario.from_files(files), {**self.baseline, "run.months": self.months})
        return apply(built, settings, "levers")

    def base_scenario(self) -> Scenario:
        """The baseline: the preset, the shared overlays, the baseline's settings, the horizon."""
        return self._build(self.overlays, {})

    def variant_scenario(self) -> Scenario:
        """The variant: the baseline, the variant's own overlays, then the levers' settings."""
        return self._build((*self.overlays, *self.variant_overlays), self.variant)

    def label(self, arm: str, language: str) -> str | None:
        """The arm's name in a language, if the setup names it (a lesson does)."""
        return self.labels[arm][language] if self.labels else None


def choose_preset(setup: Setup, name: str) -> Setup:
    """A fresh setup on another preset (settings, lesson and labels cleared, horizon kept).

    Raises:
        ScenarioError: not a city preset.
    """
    if name not in presets():
        raise ScenarioError(name, "", f"no such city preset (cities: {', '.join(presets())})")
    return Setup(preset=name, months=setup.months, seeds=setup.seeds)


def set_lever(setup: Setup, key: str, value: Any) -> Setup:
    """The setup with one variant lever moved; the value is checked against the schema.

    Raises:
        ScenarioError: a value the schema refuses (the message names key and allowed range).
    """
    variant = {**setup.variant, key: value}
    changed = dataclasses.replace(setup, variant=variant, lesson=None)
    changed.variant_scenario()  # validate now, so the page can say what is wrong
    return changed


def set_run(setup: Setup, months: int | None = None, seeds: int | None = None) -> Setup:
    """The setup with another horizon or number of seeds.

    Raises:
        ScenarioError: months outside the schema's range, or seeds outside 1..MAX_SEEDS.
    """
    if seeds is not None and not 1 <= seeds <= MAX_SEEDS:
        raise ScenarioError("seeds", "", f"must be from 1 to {MAX_SEEDS}")
    changed = dataclasses.replace(
        setup,
        months=setup.months if months is None else months,
        seeds=setup.seeds if seeds is None else seeds,
    )
    changed.base_scenario()
    return changed


def load_lesson(lesson: Lesson) -> Setup:
    """The setup of a lesson: its preset, both arms, horizon, seeds, themes and labels."""
    return Setup(
        preset=lesson.preset,
        baseline=dict(lesson.baseline.settings),
        variant=dict(lesson.variant.settings),
        months=lesson.months,
        seeds=lesson.seeds,
        themes=dict(lesson.themes),
        labels={"baseline": lesson.baseline.label, "variant": lesson.variant.label},
        lesson=lesson.key,
        overlays=lesson.baseline.overlays,
        variant_overlays=tuple(
            o for o in lesson.variant.overlays if o not in lesson.baseline.overlays
        ),
    )


class LiveCity:
    """The city that plays month by month: step, play, pause and reset (thread-safe).

    Args:
        scenario: the scenario it runs (reset rebuilds from it).
        seed: the seed of every rebuild.
    """

    def __init__(self, scenario: Scenario, seed: int = 0):
        self.scenario, self.seed = scenario, seed
        self._lock = threading.Lock()
        self.model = ArrivalCity(scenario, seed=seed)

    @property
    def month(self) -> int:
        """Months run so far."""
        return int(self.model.steps)

    @property
    def finished(self) -> bool:
        """Whether the horizon is reached."""
        return not self.model.running

    def step(self) -> bool:
        """Run one month; False if the horizon was already reached."""
        with self._lock:
            if not self.model.running:
                return False
            self.model.step()
            return True

    def reset(self, scenario: Scenario | None = None) -> None:
        """Rebuild the city from month 0 (from ``scenario`` if given, else the same one)."""
        with self._lock:
            self.scenario = scenario or self.scenario
            self.model = ArrivalCity(self.scenario, seed=self.seed)

    def timeseries(self) -> pd.DataFrame:
        """The months run so far, one row each (empty at month 0)."""
        with self._lock:
            if self.model.steps == 0:
                return pd.DataFrame()
            return self.model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
