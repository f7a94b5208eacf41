"""Figure sensitivity: Morris screening of named parameters, then Sobol indices of the top ones.

The Morris sweep is ``experiments/sweeps/figure_sensitivity.toml``; the recipe takes each
outcome's leading parameter (largest Morris mu*), then the next by mu* relative to each outcome's
largest summed over the outcomes, and runs a Sobol design over these top ones
(the same city, seed base and ranges, the other parameters at the city's values). The Sobol
stage runs one seed per sample and spends the runs on more samples (N = 64 at full settings):
with N = 16 and two seeds, total indices came out above 1 with intervals wider than the index,
sampling error rather than information. Seed noise then counts as variance no parameter
explains. Intervals are SALib's 95 % bootstrap ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.figures import style
from experiments.figures.book import Book, Quick
from experiments.sweep import Sweep, salib_problem, salib_samples

NAME = "sensitivity"
QUESTION = "Which parameters drive integration, tension and unmet need?"
SWEEP = "figure_sensitivity.toml"
QUICK = Quick(replicates=1, size=2)

OUTCOMES = {
    "integration_index_end": "Integration at the end (score 0-1)",
    "tension_index_mean": "Tension (share of hosts hostile)",
    "unmet_need_rate_migrants_mean": "Unmet need, newcomers (share)",
}
SHORT = {
    "integration_index_end": "integration",
    "tension_index_mean": "tension",
    "unmet_need_rate_migrants_mean": "unmet need",
}
TOP = {False: 3, True: 3}  # parameters taken to the Sobol stage (full, quick)
SOBOL_N = {False: 64, True: 8}  # Saltelli base samples N (full, quick), one seed each


def per_sample(runs: pd.DataFrame, outcome: str) -> np.ndarray:
    """One number per design sample: the mean of its replicates, in the design's order."""
    return runs.groupby("level")[outcome].mean().sort_index().to_numpy()


def indices(sweep: Sweep, runs: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Morris (mu*, sigma) or Sobol (S1, ST) indices of an outcome, by SALib, with 95 % bounds.

    Returns:
        Long table: parameter, index, value, ci_low, ci_high (NaN where SALib gives no interval).
    """
    problem = salib_problem(sweep)
    y = per_sample(runs, outcome)
    if sweep.design.kind == "morris":
        from SALib.analyze import morris

        res = morris.analyze(
            problem,
            salib_samples(sweep),
            y,
            num_levels=sweep.design.levels,
            seed=sweep.seeds.base,
        )
        pairs = {"mu_star": "mu_star_conf", "sigma": None}
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=False, seed=sweep.seeds.base)
        pairs = {"S1": "S1_conf", "ST": "ST_conf"}
    rows = []
    for i, name in enumerate(problem["names"]):
        for index, conf in pairs.items():
            value = float(res[index][i])
            half = float(res[conf][i]) if conf else np.nan
            rows.append(
                {
                    "parameter": name,
                    "index": index,
                    "value": value,
                    "ci_low": value - half,
                    "ci_high": value + half,
                }
            )
    return pd.DataFrame(rows)


def sobol_sweep(morris_sweep: Sweep, parameters: list[str], size: int) -> Sweep:
    """The Sobol stage: the screening sweep's city and seeds over the given parameters."""
    data = morris_sweep.model_dump(mode="json")
    data["experiment"]["name"] += "-sobol"
    data["parameters"] = {k: v for k, v in data["parameters"].items() if k in parameters}
    data["design"] = {"kind": "sobol", "size": size}
    data["seeds"]["replicates"] = 1
    out = Sweep.model_validate(data)
    out._path = morris_sweep.path
    return out


def compute(book: Book) -> pd.DataFrame:
    """Morris indices of every parameter, then Sobol indices of the top ones, per outcome."""
    screening = book.sweep(SWEEP)
    runs = book.runs(screening)
    morris = pd.concat(
        [indices(screening, runs, o).assign(outcome=o) for o in OUTCOMES], ignore_index=True
    )
    mu = morris[morris["index"] == "mu_star"].pivot(
        index="parameter", columns="outcome", values="value"
    )
    rank = (mu / mu.max()).sum(axis=1).sort_values(ascending=False, kind="stable")
    leaders = [str(mu[o].idxmax()) for o in OUTCOMES]  # each outcome's own leader first
    top = list(dict.fromkeys([*leaders, *rank.index]))[: max(TOP[book.quick], len(set(leaders)))]
    rank = rank.reindex(list(dict.fromkeys([*top, *rank.index])))
    second = sobol_sweep(screening, top, SOBOL_N[book.quick])
    sobol_runs = book.runs(second)
    sobol = pd.concat(
        [indices(second, sobol_runs, o).assign(outcome=o) for o in OUTCOMES], ignore_index=True
    )
    table = pd.concat(
        [morris.assign(method="morris"), sobol.assign(method="sobol")], ignore_index=True
    )
    table["rank"] = table.parameter.map({p: i + 1 for i, p in enumerate(rank.index)})
    columns = ["method", "outcome", "rank", "parameter", "index", "value", "ci_low", "ci_high"]
    return table[columns].sort_values(["method", "outcome", "rank", "index"], kind="stable")


def _short(key: str) -> str:
    return key.rsplit(".", maxsplit=1)[-1].replace("_", " ")


def draw(table: pd.DataFrame, stem: Path) -> None:
    """Row 1: Morris mu* of every parameter; row 2: Sobol S1 and ST of the top ones."""
    params = list(table[table.method == "morris"].sort_values("rank").parameter.unique())
    top = list(table[table.method == "sobol"].sort_values("rank").parameter.unique())
    with style.figure(
        2,
        len(OUTCOMES),
        "Which parameters matter? Morris screening (top), Sobol indices of the leaders (bottom)"
        "\nbars: 95 % bootstrap intervals",
        sharey="row",
    ) as (fig, axes):
        handles = []
        for col, (outcome, label) in enumerate(OUTCOMES.items()):
            ax = axes[0, col]
            rows = (
                table[
                    (table.method == "morris")
                    & (table.outcome == outcome)
                    & (table["index"] == "mu_star")
                ]
                .set_index("parameter")
                .reindex(params)
            )
            y = np.arange(len(params))
            ax.barh(
                y,
                rows.value,
                xerr=[rows.value - rows.ci_low, rows.ci_high - rows.value],
                color=style.COLOURS[0],
                capsize=3,
            )
            ax.set_title(label, fontsize=14)
            ax.set_xlabel("Morris mu* (outcome's units)", fontsize=12)
            ax.set_xlim(left=0)
            ax = axes[1, col]
            y = np.arange(len(top))
            for i, index in enumerate(("S1", "ST")):
                rows = (
                    table[
                        (table.method == "sobol")
                        & (table.outcome == outcome)
                        & (table["index"] == index)
                    ]
                    .set_index("parameter")
                    .reindex(top)
                )
                handles.append(
                    ax.barh(
                        y + (i - 0.5) * 0.38,
                        rows.value,
                        height=0.38,
                        xerr=[rows.value - rows.ci_low, rows.ci_high - rows.value],
                        color=style.COLOURS[1 + i],
                        capsize=3,
                    )
                )
            ax.set_xlabel("share of the outcome's variance", fontsize=12)
            sobol = table[(table.method == "sobol") & (table.outcome == outcome)]
            ax.set_xlim(min(0.0, sobol.ci_low.min()), max(1.0, sobol.ci_high.max()) + 0.05)
            style.zero_line(ax, "x")
        axes[0, 0].set_yticks(range(len(params)), [_short(p) for p in params], fontsize=11)
        axes[0, 0].invert_yaxis()
        axes[1, 0].set_yticks(range(len(top)), [_short(p) for p in top])
        axes[1, 0].invert_yaxis()
        style.legend_below(
            fig, handles[:2], ["S1: the parameter alone", "ST: with its interactions"]
        )
        style.save(fig, stem)


def answer(table: pd.DataFrame) -> str:
    """Each outcome's leading parameter (Morris) and the share of its variance it carries (ST)."""
    parts = []
    for outcome, short in SHORT.items():
        mu = table[
            (table.method == "morris") & (table.outcome == outcome) & (table["index"] == "mu_star")
        ]
        leader = mu.loc[mu.value.idxmax(), "parameter"]
        st = table[
            (table.method == "sobol")
            & (table.outcome == outcome)
            & (table["index"] == "ST")
            & (table.parameter == leader)
        ]
        share = (
            f" (Sobol ST {st.value.iloc[0]:.2f}, 95 % CI {st.ci_low.iloc[0]:.2f} to "
            f"{st.ci_high.iloc[0]:.2f})"
            if not st.empty
            else ""
        )
        parts.append(f"{short} is moved most by {_short(leader)}{share}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + " (Morris mu*)."
