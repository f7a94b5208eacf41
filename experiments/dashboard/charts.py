"""The page's figures (matplotlib, drawn on the server: nothing to fetch in the browser).

``comparison_figure`` is also what the PNG export saves, so the download is what is on screen.
"""

from __future__ import annotations

import io

import matplotlib as mpl

mpl.use("Agg")
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from experiments.dashboard.compare import OUTCOME, THEMES, Comparison
from experiments.dashboard.i18n import t
from model import ArrivalCity

COLOURS = {"baseline": "#4c72b0", "variant": "#dd8452", "difference": "#55a868"}
MAP_LAYERS = ("rent", "informality", "newcomers", "sites")
THEME_COLUMNS = 4


def _theme_title(theme: str, outcome: str, language: str) -> str:
    return f"{t('theme_' + theme, language)}\n{outcome} ({OUTCOME[outcome].unit})"


def comparison_figure(
    comparison: Comparison,
    labels: tuple[str, str],
    language: str,
    themes: dict[str, str] | None = None,
) -> Figure:
    """Each theme's outcome: both arms on shared axes (bands from 2 seeds), and their difference.

    Args:
        comparison: the two arms' runs.
        labels: the baseline's and the variant's names, as the legend shows them.
        language: the labels' language.
        themes: theme -> outcome (default :data:`THEMES`).
    """
    themes = themes or THEMES
    rows = -(-len(themes) // THEME_COLUMNS)
    fig = Figure(figsize=(16, 4.2 * rows), layout="constrained")
    grid = fig.add_gridspec(2 * rows, THEME_COLUMNS, height_ratios=[2.2, 1] * rows)
    for i, (theme, outcome) in enumerate(themes.items()):
        row, col = divmod(i, THEME_COLUMNS)
        top = fig.add_subplot(grid[2 * row, col])
        bottom = fig.add_subplot(grid[2 * row + 1, col], sharex=top)
        for arm, label in zip(("baseline", "variant"), labels, strict=True):
            band = comparison.band(arm, outcome)
            top.plot(band["month"], band["mean"], color=COLOURS[arm], label=label, lw=1.6)
            top.fill_between(
                band["month"], band["low"], band["high"], color=COLOURS[arm], alpha=0.25, lw=0
            )
        top.set_title(_theme_title(theme, outcome, language), fontsize=9)
        top.tick_params(labelbottom=False, labelsize=8)
        top.ticklabel_format(axis="y", useOffset=False)
        diff = comparison.difference(outcome)
        bottom.axhline(0, color="grey", lw=0.8)
        bottom.plot(diff["month"], diff["mean"], color=COLOURS["difference"], lw=1.4)
        bottom.fill_between(
            diff["month"], diff["low"], diff["high"], color=COLOURS["difference"], alpha=0.3, lw=0
        )
        bottom.set_ylabel(t("difference", language), fontsize=7)
        bottom.set_xlabel(t("month", language), fontsize=8)
        bottom.tick_params(labelsize=8)
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        if i == 0:
            top.legend(fontsize=8, loc="best")
    seeds = len(comparison.seeds)
    fig.suptitle(f"{labels[0]}  vs  {labels[1]}  —  {seeds} seed{'s' if seeds > 1 else ''}")
    return fig


def block_layers(model: ArrivalCity) -> dict[str, np.ndarray]:
    """The map's block quantities as grids: rent, informal share, newcomers' share, sites."""
    space = model.space
    size = round(np.sqrt(space.n_blocks))
    formal, informal = space.layer("formal_occupied"), space.layer("informal_occupied")
    newcomers, hosts = model.block_people
    with np.errstate(invalid="ignore", divide="ignore"):
        informality = np.where(formal + informal > 0, informal / (formal + informal), 0.0)
        share = np.where(newcomers + hosts > 0, newcomers / (newcomers + hosts), 0.0)
    flat = {
        "rent": space.layer("rent"),
        "informality": informality,
        "newcomers": share,
        "sites": space.layer("service_sites"),
    }
    return {
        name: np.asarray(values, dtype=float).reshape(size, size) for name, values in flat.items()
    }


def city_map(model: ArrivalCity, language: str) -> Figure:
    """The city's blocks: rent, informality, newcomers' share and service sites."""
    fig = Figure(figsize=(13, 3.3), layout="constrained")
    axes = fig.subplots(1, len(MAP_LAYERS))
    for ax, (name, grid) in zip(axes, block_layers(model).items(), strict=True):
        share = name in ("informality", "newcomers")  # shares start at 0, whatever the city
        top = max(float(grid.max()), 0.01) if share else None
        image = ax.imshow(
            grid, cmap="viridis", interpolation="nearest", vmin=0 if share else None, vmax=top
        )
        ax.set_title(t(f"map_{name}", language), fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def live_figure(timeseries: pd.DataFrame, language: str) -> Figure:
    """The running city's outcome per theme, month by month (empty axes before month 1)."""
    rows = -(-len(THEMES) // THEME_COLUMNS)
    fig = Figure(figsize=(16, 2.6 * rows), layout="constrained")
    axes = fig.subplots(rows, THEME_COLUMNS).ravel()
    for ax in axes[len(THEMES) :]:
        ax.set_axis_off()
    for ax, (theme, outcome) in zip(axes, THEMES.items(), strict=False):
        if not timeseries.empty:
            ax.plot(timeseries["month"], timeseries[outcome], color=COLOURS["variant"], lw=1.6)
        ax.set_title(_theme_title(theme, outcome, language), fontsize=9)
        ax.tick_params(labelsize=8)
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole months
        ax.set_xlabel(t("month", language), fontsize=8)
    return fig


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()
