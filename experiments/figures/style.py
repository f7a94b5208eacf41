"""The figure book's one style: read on a 1920x1080 projector, units on axes, legends off the data.

Every recipe draws inside :func:`figure`, labels its axes with units, starts money axes at zero
(:func:`money_axis`) and puts its legend below the panels (:func:`legend_below`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

# 16:9 at 1920x1080 pixels (16 x 9 inches at 120 dpi); fonts sized for the back of a room
WIDTH, HEIGHT, DPI = 16.0, 9.0, 120
RC = {
    "font.size": 15,
    "axes.titlesize": 16,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 14,
    "figure.titlesize": 18,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.5,
    "svg.hashsalt": "arrival-city",  # stable ids in the SVG
    "svg.fonttype": "none",
}
# colour-blind-safe (Okabe-Ito), one colour per compared arm
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
HEATMAP = "viridis"
MIN_SPAN = 0.1  # narrowest colour range of a bounded score or share


@contextlib.contextmanager
def figure(
    rows: int, cols: int, title: str, *, sharex: Any = False, sharey: Any = False
) -> Iterator[tuple[Figure, Any]]:
    """A 16:9 figure with the book's style and a grid of panels.

    Args:
        rows: panel rows.
        cols: panel columns.
        title: the figure's title (its question, in short).
        sharex: share x axes (matplotlib's values: False, True, "row", "col").
        sharey: share y axes.

    Yields:
        The figure and its array of axes (always 2-D).
    """
    with plt.rc_context(RC):
        fig, axes = plt.subplots(
            rows,
            cols,
            figsize=(WIDTH, HEIGHT),
            dpi=DPI,
            squeeze=False,
            sharex=sharex,
            sharey=sharey,
            layout="constrained",
        )
        fig.suptitle(title)
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def money_axis(ax: Axes, axis: str = "y") -> None:
    """A money axis: currency a month, thousands separated, zero always shown."""
    fmt = FuncFormatter(lambda v, _: compact(v))
    if axis == "y":
        ax.yaxis.set_major_formatter(fmt)
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, 0.0), max(high, 0.0))
    else:
        ax.xaxis.set_major_formatter(fmt)
        low, high = ax.get_xlim()
        ax.set_xlim(min(low, 0.0), max(high, 0.0))


def compact(value: float) -> str:
    """A number in few characters: 1.2M, 850k, 12."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.3g}M"
    if size >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.4g}"


def percent_axis(ax: Axes, axis: str = "y") -> None:
    """Shares (0-1) shown as percent."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0))


def zero_line(ax: Axes, axis: str = "y") -> None:
    """A thin line at zero: where an effect changes sign."""
    if axis == "y":
        ax.axhline(0.0, color="0.3", lw=1)
    else:
        ax.axvline(0.0, color="0.3", lw=1)


def legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str], ncol: int = 0) -> None:
    """One legend for the whole figure, below the panels (never on the data)."""
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=ncol or min(len(labels), 6),
        frameon=False,
    )


def save(fig: Figure, stem: Any) -> None:
    """Write ``stem.png`` (1920x1080) and ``stem.svg`` with no timestamps (byte-stable)."""
    with plt.rc_context(RC):
        fig.savefig(f"{stem}.png", dpi=DPI, metadata={"Software": None})
        fig.savefig(f"{stem}.svg", metadata={"Date": None, "Creator": None})


def heatmap(
    ax: Axes,
    values: Any,
    xticks: Sequence[str],
    yticks: Sequence[str],
    unit: str,
    fmt: Callable[[float], str],
) -> None:
    """One heat map panel: a colour per cell, its value written in it, a colour bar with units.

    A bounded score or share gets a colour range at least :data:`MIN_SPAN` wide, so that a
    difference in the third decimal does not look like a contrast.

    Args:
        ax: the panel.
        values: rows (y) x columns (x) of means.
        xticks: labels of the columns.
        yticks: labels of the rows.
        unit: the outcome's unit (the colour bar's label).
        fmt: how a cell's value is written.
    """
    import numpy as np

    grid = np.asarray(values, dtype=float)
    low, high = float(np.nanmin(grid)), float(np.nanmax(grid))
    if unit == "share" or unit.startswith("score"):
        middle = (low + high) / 2
        low, high = min(low, middle - MIN_SPAN / 2), max(high, middle + MIN_SPAN / 2)
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap=HEATMAP, vmin=low, vmax=high)
    ax.set_xticks(range(len(xticks)), xticks)
    ax.set_yticks(range(len(yticks)), yticks)
    ax.grid(False)
    middle = (low + high) / 2
    for (row, col), value in np.ndenumerate(grid):
        ax.text(
            col,
            row,
            fmt(value),
            ha="center",
            va="center",
            fontsize=11,
            color="black" if value > middle else "white",
        )
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label("%" if unit == "share" else unit, fontsize=12)
    bar.ax.tick_params(labelsize=11)
    if unit.startswith("currency"):
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: compact(v)))
    elif unit == "share":
        bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def value_format(unit: str) -> Callable[[float], str]:
    """How a cell or label writes a value of this unit (shares as percent)."""
    if unit == "share":
        return lambda v: f"{100 * v:.1f}%" if abs(v) < 0.1 else f"{100 * v:.0f}%"
    if unit.startswith("currency"):
        return compact
    return lambda v: f"{v:.2f}" if abs(v) < 10 else f"{v:,.0f}"


def heatmap_grid(
    table: Any,
    x: tuple[str, str],
    y: tuple[str, str],
    outcomes: dict[str, tuple[str, str]],
    title: str,
    stem: Any,
) -> None:
    """Heat maps: one row per city, one column per outcome, the same two levers on every panel.

    Args:
        table: long table with ``city``, the two lever columns, ``outcome``, ``unit``, ``mean``.
        x: (column, axis label) of the lever across.
        y: (column, axis label) of the lever up.
        outcomes: summary name -> (label, unit).
        title: the figure's title.
        stem: where to save (``stem.png``, ``stem.svg``).
    """
    from experiments.figures.book import CITIES

    cities = list(dict.fromkeys(table.city))
    with figure(len(cities), len(outcomes), title, sharex=True, sharey=True) as (fig, axes):
        for row, city in enumerate(cities):
            for col, (name, (label, unit)) in enumerate(outcomes.items()):
                cell = table[(table.city == city) & (table.outcome == name)]
                grid = cell.pivot(index=y[0], columns=x[0], values="mean")
                grid = grid.reindex(index=list(dict.fromkeys(cell[y[0]])))
                grid = grid.reindex(columns=list(dict.fromkeys(cell[x[0]])))
                ax = axes[row, col]
                heatmap(
                    ax,
                    grid.to_numpy(),
                    [_tick(v) for v in grid.columns],
                    [_tick(v) for v in grid.index],
                    unit,
                    value_format(unit),
                )
                if row == 0:
                    ax.set_title(label, fontsize=15)
                if row == len(cities) - 1:
                    ax.set_xlabel(x[1])
                if col == 0:
                    ax.set_ylabel(f"{CITIES.get(city, city)}\n{y[1]}")
        save(fig, stem)


def _tick(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
