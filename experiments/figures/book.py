"""The figure book's machinery: a figure is a sweep file plus a recipe.

``make(recipe, ...)`` resumes or runs the recipe's sweep(s) through the runner and the store
(cached by run key), lets the recipe reduce the stored runs to the numbers it plots, and writes
``NAME.png``, ``NAME.svg``, ``NAME.csv`` (exactly the plotted numbers) and ``NAME.json``
(provenance). Quick settings (``--quick``) put each city of the sweep at a coarse resolution
(``experiments/sweeps/resolution/quick/<city>.toml``), with fewer seeds and smaller designs; the
same seeds give a byte-identical CSV.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

import model
from experiments import store
from experiments.sweep import RunSpec, Sweep, plan

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = ROOT / "experiments" / "sweeps"
RESOLUTION = "resolution/"
CONFIDENCE = 0.95


class FigureError(RuntimeError):
    """A figure cannot be made (failed runs, missing input); the message says what to do."""


class MissingInputError(FigureError):
    """A figure's input is not there (e.g. no evidence table); ``figure --all`` skips it."""


@dataclass(frozen=True)
class Quick:
    """How a recipe's sweep shrinks under ``--quick`` (the cities' resolution always coarsens).

    Attributes:
        replicates: seeds per level.
        months: horizon (None: the sweep's).
        size: design size of a morris or sobol sweep (None: the sweep's).
        parameters: fewer values of some of the sweep's parameters (a coarser grid).
    """

    replicates: int = 2
    months: int | None = None
    size: int | None = None
    parameters: dict[str, list[Any]] = field(default_factory=dict)


class Recipe(Protocol):
    """What a figure module provides."""

    NAME: str
    QUESTION: str
    SWEEP: str
    QUICK: Quick

    def compute(self, book: Book) -> pd.DataFrame:
        """The plotted numbers, from the stored runs."""
        ...

    def draw(self, table: pd.DataFrame, stem: Path) -> None:
        """Draw the figure and save ``stem.png`` and ``stem.svg``."""
        ...

    def answer(self, table: pd.DataFrame) -> str:
        """The figure's one-line answer, as the model says it."""
        ...


def quick_sweep(sweep: Sweep, quick: Quick) -> Sweep:
    """The quick version of a sweep: its own experiment name, coarse cities, fewer seeds."""
    data = sweep.model_dump(mode="json")
    data["experiment"]["name"] += "-quick"
    data["seeds"]["replicates"] = quick.replicates
    if quick.months is not None:
        data["experiment"]["months"] = quick.months
    if quick.size is not None:
        data["design"]["size"] = quick.size
    data["parameters"].update(quick.parameters)

    def coarse(layer: str) -> str:
        head, sep, tail = layer.partition(RESOLUTION)
        return f"{head}{RESOLUTION}quick/{tail}" if sep else layer

    data["experiment"]["scenarios"] = [
        coarse(item) if isinstance(item, str) else [coarse(layer) for layer in item]
        for item in data["experiment"]["scenarios"]
    ]
    out = Sweep.model_validate(data)
    out._path = sweep.path
    return out


def arm_label(spec: RunSpec) -> str:
    """A run's city and overlays by file stem, without the resolution overlay."""
    layers = spec.scenario_layers or (spec.scenario_path,)
    return "+".join(Path(p).stem for p in layers if "/resolution/" not in p.replace("\\", "/"))


def mean_ci(values: Any) -> tuple[float, float, float]:
    """Mean and its 95 % t interval over replicates (NaN bounds with fewer than two values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if len(x) < 2 or float(np.ptp(x)) == 0.0:
        return (mean, mean, mean) if len(x) >= 2 else (mean, np.nan, np.nan)
    low, high = stats.t.interval(CONFIDENCE, len(x) - 1, loc=mean, scale=stats.sem(x))
    return mean, float(low), float(high)


def summarise(frame: pd.DataFrame, by: list[str], outcomes: dict[str, str]) -> pd.DataFrame:
    """Long table: per group and outcome, mean and 95 % interval over replicates.

    Args:
        frame: one row per run.
        by: the grouping columns (e.g. the arm and the levels of the parameters).
        outcomes: column of ``frame`` -> the name written in the table.
    """
    rows = []
    for key, group in frame.groupby(by, sort=False):
        keys = key if isinstance(key, tuple) else (key,)
        for column, name in outcomes.items():
            mean, low, high = mean_ci(group[column])
            rows.append(
                {
                    **dict(zip(by, keys, strict=True)),
                    "outcome": name,
                    "runs": len(group),
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(rows)


def paired(frame: pd.DataFrame, baseline: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Each run minus its baseline run with the same seed (common random numbers).

    Args:
        frame: one row per run, with a ``seed`` column.
        baseline: a boolean mask of ``frame``'s baseline runs (one per seed and group).
        columns: the outcome columns to difference.
    """
    base = frame[baseline].set_index("seed")[columns]
    out = frame[~baseline].copy()
    out[columns] = out[columns].to_numpy() - base.loc[out.seed, columns].to_numpy()
    return out


@dataclass
class Book:
    """One figure's making: its settings, the sweeps it ran and their provenance."""

    quick: bool
    db: str | None = None
    workers: int = 2
    progress: bool = False
    recipe_quick: Quick = field(default_factory=Quick)
    sweeps: list[dict[str, Any]] = field(default_factory=list)

    def sweep(self, name: str) -> Sweep:
        """The sweep file ``experiments/sweeps/NAME`` at this book's settings."""
        sweep = Sweep.from_toml(SWEEPS / name)
        return quick_sweep(sweep, self.recipe_quick) if self.quick else sweep

    def runs(self, sweep: Sweep) -> pd.DataFrame:
        """Run or resume a sweep; one row per planned run: arm, level, seed, overrides, summary.

        Raises:
            FigureError: runs of the sweep failed.
        """
        from experiments.runner import run_sweep

        url = self.db or sweep.storage_url()
        report = run_sweep(sweep, db=url, workers=self.workers, progress=self.progress)
        if report.failed or report.failed_before:
            raise FigureError(
                f"{sweep.experiment.name}: {report.failed + report.failed_before} runs failed "
                f"({report.errors[0] if report.errors else 'no error stored'}); see them with "
                f"arrival-city status --failed --db {url}"
            )
        specs = plan(sweep)
        self._record(sweep, specs)
        summaries = store.load_results(url, sweep.experiment.name, "summaries")
        keep = [c for c in summaries.columns if c not in _META]
        summaries = summaries[keep].drop_duplicates("run_key").set_index("run_key")
        planned = pd.DataFrame(
            {
                "run_key": [s.run_key for s in specs],
                "arm": [arm_label(s) for s in specs],
                "level": [s.level for s in specs],
                "replicate": [s.replicate for s in specs],
                "seed": [s.seed for s in specs],
                "overrides": [s.overrides for s in specs],
            }
        )
        return planned.join(summaries, on="run_key")

    def _record(self, sweep: Sweep, specs: list[RunSpec]) -> None:
        files = {str(sweep.path.relative_to(ROOT)) if sweep.path else "(in memory)": sweep.path}
        for layers in sweep.scenario_layers():
            for path in layers:
                files[str(path.relative_to(ROOT))] = path
        self.sweeps.append(
            {
                "experiment": sweep.experiment.name,
                "design": sweep.design.kind,
                "runs": len({s.run_key for s in specs}),
                "replicates": sweep.seeds.replicates,
                "seeds": sorted({s.seed for s in specs}),
                "months": sorted({s.months for s in specs}),
                "files_sha256": {
                    name: _sha256(path) for name, path in files.items() if path is not None
                },
                "sweep": sweep.model_dump(mode="json"),
            }
        )


_META = {"scenario", "seed", "params", "status", "level", "replicate", "experiment"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_version() -> dict[str, Any]:
    """The code that made a figure: ``git describe`` and a dirty flag, else the package version.

    Dirty means a tracked file outside ``docs/`` differs from the commit: the figures and the
    book written into ``docs/`` while the book is being made do not count, edits to the code,
    the scenarios or the evidence do.
    """
    info: dict[str, Any] = {"model": model.code_version()}
    try:
        described = _git("describe", "--always", "--tags")
        changed = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs")
    except (OSError, subprocess.SubprocessError):
        from importlib.metadata import version

        info["package"] = version("arrival-city")
        return info
    info["dirty"] = bool(changed)
    info["git"] = f"{described}-dirty" if changed else described
    return info


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """The plotted numbers, byte-stable: fixed columns, 6 significant digits, Unix newlines."""
    table.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")


def make(
    recipe: Recipe,
    out: Path,
    *,
    quick: bool = False,
    db: str | None = None,
    workers: int = 2,
    progress: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[pd.DataFrame, str, float]:
    """Make one figure: run its sweep(s), write its four files.

    Returns:
        The plotted numbers, the one-line answer and the seconds it took.
    """
    started = time.time()
    book = Book(quick=quick, db=db, workers=workers, progress=progress, recipe_quick=recipe.QUICK)
    table = recipe.compute(book).reset_index(drop=True)
    stem = out / recipe.NAME
    write_csv(table, stem.with_suffix(".csv"))
    recipe.draw(table, stem)
    answer = recipe.answer(table)
    seconds = time.time() - started
    provenance = {
        "figure": recipe.NAME,
        "question": recipe.QUESTION,
        "answer": answer,
        "command": f"arrival-city figure {recipe.NAME}{' --quick' if quick else ''}",
        "settings": "quick" if quick else "full",
        "code": code_version(),
        "sweep_file": recipe.SWEEP,
        "sweeps": book.sweeps,
        "confidence": CONFIDENCE,
        "made_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(seconds, 1),
    }
    stem.with_suffix(".json").write_text(json.dumps(provenance, indent=2, default=str) + "\n")
    log(f"{recipe.NAME}: {answer} ({seconds:.0f} s)")
    return table, answer, seconds


CITIES = {
    "northern_midsize_asylum": "Northern mid-size city",
    "southern_secondary_city": "Southern secondary city",
    "megacity_mixed_flows": "Megacity",
}


def with_levels(runs: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
    """The runs with a ``city`` column and one column per varied parameter.

    Args:
        runs: from :meth:`Book.runs`.
        keys: dotted scenario key -> column name.
    """
    out = runs.assign(city=runs.arm.str.split("+").str[0])
    for key, column in keys.items():
        out[column] = [o.get(key) for o in out.overrides]
    return out


def grid_table(
    runs: pd.DataFrame, by: list[str], outcomes: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """Per city and level: mean and 95 % interval of each outcome over the replicates.

    Args:
        runs: from :func:`with_levels`.
        by: the level columns.
        outcomes: summary name -> (label, unit); a share's interval is clipped to 0-1.
    """
    table = summarise(runs, ["city", *by], {name: name for name in outcomes})
    table.insert(len(by) + 2, "unit", table.outcome.map(lambda n: outcomes[n][1]))
    share = table.unit == "share"  # a share's interval stays within 0-1
    table.loc[share, ["ci_low", "ci_high"]] = table.loc[share, ["ci_low", "ci_high"]].clip(0, 1)
    return table


def cell(table: pd.DataFrame, outcome: str, **levels: Any) -> float:
    """The mean of one outcome at one combination of levels (any city column included)."""
    mask = table.outcome == outcome
    for column, value in levels.items():
        mask &= table[column] == value
    return float(table.loc[mask, "mean"].iloc[0])
