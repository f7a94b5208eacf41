"""The calibration report's figures: posterior marginals, and facts against their bands."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.calibration.history import Posterior


def posterior_figure(posterior: Posterior, path: Path) -> Path:
    """One panel per parameter: the weighted marginal over the whole prior range.

    The flat line is the uniform prior's density; the dashed lines, the posterior mean and its
    95 % interval.
    """
    keys = posterior.keys
    cols = min(3, len(keys))
    rows = math.ceil(len(keys) / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False, constrained_layout=True
    )
    priors = posterior.provenance.get("priors", {})
    low, high = posterior.interval(0.95)
    mean = posterior.mean()
    for i, key in enumerate(keys):
        ax = axes.flat[i]
        lo, hi = priors.get(key, [posterior.samples[:, i].min(), posterior.samples[:, i].max()])
        bins = np.linspace(lo, hi, 25)
        ax.hist(
            posterior.samples[:, i],
            bins=bins,
            weights=posterior.weights,
            density=True,
            color="C0",
            alpha=0.7,
            label="posterior",
        )
        ax.hlines(1.0 / (hi - lo), lo, hi, color="grey", label="prior (uniform)")
        ax.axvline(mean[i], color="k", lw=1.2, label=f"mean {mean[i]:.3g}")
        for edge in (low[i], high[i]):
            ax.axvline(edge, color="k", ls="--", lw=0.8)
        ax.set_xlim(lo, hi)
        ax.set_title(key, fontsize=10)
        ax.set_xlabel(f"95 % interval {low[i]:.3g} to {high[i]:.3g}", fontsize=8)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(keys) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Posterior '{posterior.name}' (effective sample size {posterior.effective_size():.0f})"
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def fit_figure(fit: pd.DataFrame, validation: pd.DataFrame, path: Path) -> Path:
    """Each fact: its published value and band, and the posterior predictive mean and interval.

    Calibration facts on the left, held-out (validation) facts on the right. Values are shown
    relative to each band (band = [-1, 1]) so facts in different units share one axis.
    """
    panels = [("calibration facts (fitted)", fit), ("validation facts (held out)", validation)]
    height = max(2.5, 0.45 * max(len(fit), len(validation), 1) + 1.2)
    fig, axes = plt.subplots(1, 2, figsize=(13, height), constrained_layout=True)
    for ax, (title, table) in zip(axes, panels, strict=True):
        ax.set_title(title)
        ax.axvspan(-1, 1, color="C2", alpha=0.15, label="published band")
        ax.axvline(0, color="C2", lw=1)
        if table.empty:
            ax.text(0, 0.5, "none", ha="center", transform=ax.get_yaxis_transform())
            ax.set_yticks([])
            continue
        centre = (table["high"] + table["low"]) / 2.0
        half = ((table["high"] - table["low"]) / 2.0).replace(0, np.nan)

        def rel(
            column: str, table: pd.DataFrame = table, centre: pd.Series = centre, half=half
        ) -> np.ndarray:
            return ((table[column] - centre) / half).to_numpy(float)

        y = np.arange(len(table))
        mean = rel("model_mean")
        ax.errorbar(
            mean,
            y,
            xerr=[mean - rel("model_ci_low"), rel("model_ci_high") - mean],
            fmt="o",
            color="C0",
            label="model, posterior predictive (95 %)",
        )
        ax.plot(rel("published"), y, "D", color="C2", label="published")
        ax.set_yticks(y, table["fact"])
        ax.invert_yaxis()
        ax.set_xlabel("position relative to the band (-1 = low end, +1 = high end)")
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
