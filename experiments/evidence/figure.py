"""The evidence figure: the model's mean and interval against each fact's published band."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def band_position(value: float, published: float, low: float, high: float) -> float:
    """A value on the band's own scale: low -> -1, published -> 0, high -> +1 (linear beyond)."""
    if value >= published:
        return (value - published) / (high - published) if high > published else 0.0
    return (value - published) / (published - low) if published > low else 0.0


def evidence_figure(table: pd.DataFrame, path: Path) -> None:
    """One row per fact, calibration and validation in separate panels.

    Each fact has its own units, so the x axis is the band's own scale (the band is -1 to +1,
    the published value 0); the numbers themselves are written at the right of each row.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    roles = [r for r in ("calibration", "validation") if (table.role == r).any()]
    heights = [max(1, int((table.role == r).sum())) for r in roles]
    fig, axes = plt.subplots(
        len(roles),
        1,
        figsize=(11, 1.2 + 0.42 * sum(heights) + 0.6 * len(roles)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, role in zip(axes[:, 0], roles, strict=True):
        rows = table[table.role == role].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        pos = [
            [
                band_position(v, r.published, r.low, r.high)
                for v in (r.model_mean, r.model_ci_low, r.model_ci_high)
            ]
            for r in rows.itertuples()
        ]
        ax.axvspan(-1, 1, color="#dbe9f6", zorder=0, label="published band")
        ax.axvline(0, color="#1f4e79", lw=1.2, zorder=1, label="published value")
        for yi, (mean, lo, hi), inside in zip(y, pos, rows.within_band, strict=True):
            colour = "#2a7d2a" if inside else "#c0392b"
            ax.errorbar(
                mean,
                yi,
                xerr=[[mean - lo], [hi - mean]],
                fmt="o",
                color=colour,
                capsize=3,
                zorder=3,
            )
        ax.set_yticks(y, rows.fact)
        ax.set_xlim(-3, 3)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_title(
            f"{role}: {int(rows.within_band.sum())} of {len(rows)} facts inside their band",
            loc="left",
            fontsize=11,
        )
        for yi, r in zip(y, rows.itertuples(), strict=True):
            ax.annotate(
                f"model {r.model_mean:.3g} [{r.model_ci_low:.3g}, {r.model_ci_high:.3g}]   "
                f"published {r.published:.3g} ({r.low:.3g} to {r.high:.3g}), {r.source}",
                (1.01, yi),
                xycoords=("axes fraction", "data"),
                va="center",
                fontsize=8,
            )
        ax.grid(axis="x", color="#eeeeee")
    axes[-1, 0].set_xlabel(
        "position on the fact's band (-1 = low end, 0 = published value, +1 = high end; "
        "points clipped at ±3)"
    )
    axes[0, 0].legend(loc="lower left", fontsize=8, ncols=2)
    fig.tight_layout()
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
