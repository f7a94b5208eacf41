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


LIMIT = 3.0  # the x axis spans +-LIMIT band half-widths; points beyond are drawn at the edge


def evidence_figure(table: pd.DataFrame, path: Path) -> None:
    """One row per fact, calibration and validation in separate panels.

    Each fact has its own units, so the x axis is the band's own scale (the band is -1 to +1,
    the published value 0); a model value off the axis is drawn as a triangle at its edge. The
    numbers themselves are written at the right of each row.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    roles = [r for r in ("calibration", "validation") if (table.role == r).any()]
    heights = [max(1, int((table.role == r).sum())) for r in roles]
    fig, axes = plt.subplots(
        len(roles),
        1,
        figsize=(15, 1.4 + 0.45 * sum(heights) + 0.7 * len(roles)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    fig.subplots_adjust(left=0.17, right=0.47, top=0.92, bottom=0.08, hspace=0.35)
    for ax, role in zip(axes[:, 0], roles, strict=True):
        rows = table[table.role == role].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        ax.axvspan(-1, 1, color="#dbe9f6", zorder=0, label="published band")
        ax.axvline(0, color="#1f4e79", lw=1.2, zorder=1, label="published value")
        for yi, r in zip(y, rows.itertuples(), strict=True):
            mean, lo, hi = (
                band_position(v, r.published, r.low, r.high)
                for v in (r.model_mean, r.model_ci_low, r.model_ci_high)
            )
            colour = "#2a7d2a" if r.within_band else "#c0392b"
            if abs(mean) > LIMIT:
                edge = np.sign(mean) * (LIMIT - 0.1)
                ax.plot(edge, yi, marker=">" if mean > 0 else "<", color=colour, ms=9, zorder=3)
                continue
            lo, hi = max(lo, -LIMIT), min(hi, LIMIT)
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
        ax.set_xlim(-LIMIT, LIMIT)
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
                (1.02, yi),
                xycoords=("axes fraction", "data"),
                va="center",
                fontsize=8,
            )
        ax.grid(axis="x", color="#eeeeee")
    axes[-1, 0].set_xlabel(
        "model mean and 95 % interval on the fact's band (-1 = low end, 0 = published value, "
        "+1 = high end); triangles: off this axis"
    )
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper left", ncols=2, fontsize=8, frameon=False)
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
