"""The eight-panel overview of one run, written by ``arrival-city run``."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from model.codes import SECTORS
from model.simulation import RunResult


def overview(result: RunResult, path: str | Path, subtitle: str = "") -> Path:  # noqa: PLR0915 - eight panels drawn one after the other
    """Eight panels a person can read.

    Newcomers, work, waits, the city's money; housing, needs and access, cohesion, and
    coordination (referrals and partners).

    Args:
        result: the run.
        path: the PNG file to write.
        subtitle: what was layered on the city (overlays, ``--set`` values), shown in the title.
    """
    ts = result.timeseries
    month = ts["month"]
    fig, axes = plt.subplots(2, 4, figsize=(20, 8.5), constrained_layout=True)
    title = (
        f"{result.scenario.city.name} — {result.scenario.inflow.pattern} inflow, seed {result.seed}"
    )
    if subtitle:
        title += f"\n{subtitle}"
    fig.suptitle(title, fontsize=14)

    ax = axes[0, 0]
    ax.plot(month, ts["migrants_present"], label="newcomers present", color="C0")
    ax.bar(month, ts["arrivals"], label="arrivals / month", color="C1", alpha=0.6)
    ax.bar(month, -ts["departures"], label="departures / month", color="C3", alpha=0.6)
    ax.set_title("Newcomers (adults)")
    ax.legend(fontsize=8)

    ax = axes[0, 1]
    ax.plot(month, 100 * ts["migrant_employment_rate"], label="newcomers, any work")
    ax.plot(month, 100 * ts["migrant_formal_employment_rate"], label="newcomers, formal work")
    ax.plot(month, 100 * ts["host_unemployment_rate"], label="host unemployment", ls="--")
    ax.set_title("Work (%)")
    ax.legend(fontsize=8)

    ax = axes[0, 2]
    for sector in SECTORS:
        ax.plot(month, ts[f"mean_wait_months_{sector}"], label=sector.replace("_", " "), lw=1)
    ax.plot(month, ts["mean_wait_months"], label="all sectors", color="k", lw=2)
    ax.set_title("Waiting time for services (months)")
    ax.legend(fontsize=7, ncol=2)

    ax = axes[0, 3]
    ax.plot(month, ts["city_funding"], label="money (own revenue + transfers)")
    ax.plot(month, ts["city_mandate"], label="mandate (services, policies, partners)")
    ax.fill_between(
        month,
        ts["city_funding"],
        ts["city_mandate"],
        where=ts["city_mandate"] > ts["city_funding"],
        color="C3",
        alpha=0.2,
        label="budget gap",
    )
    ax.set_title("The city's money (a month; gap = mandate - money)")
    ax.legend(fontsize=8)

    ax = axes[1, 0]
    ax.plot(month, 100 * ts["overcrowding_rate_migrants"], label="overcrowded, newcomers")
    ax.plot(month, 100 * ts["overcrowding_rate_hosts"], label="overcrowded, hosts")
    ax.plot(month, 100 * ts["informal_housing_share_migrants"], label="informal, newcomers")
    ax2 = ax.twinx()
    ax2.plot(month, ts["mean_rent"], color="grey", ls=":", label="mean rent")
    ax2.set_ylabel("mean rent / month")
    ax.set_title("Housing (%)")
    ax.legend(fontsize=8, loc="upper left")

    ax = axes[1, 1]
    ax.plot(month, 100 * ts["unmet_need_rate_migrants"], label="unmet need, newcomers")
    ax.plot(month, 100 * ts["unmet_need_rate_irregular"], label="unmet need, irregular")
    ax.plot(month, 100 * ts["service_uptake_irregular"], label="service uptake, irregular")
    ax.set_title("Needs and access (%)")
    ax.legend(fontsize=8)

    ax = axes[1, 2]
    for name in (
        "host_attitude_mean",
        "trust_mean",
        "integration_index",
        "dissimilarity_index",
        "tension_index",
    ):
        ax.plot(month, ts[name], label=name.replace("_", " "))
    ax.set_title("Cohesion and integration")
    ax.legend(fontsize=8)

    ax = axes[1, 3]
    ax.plot(month, ts["referrals_made"], label="referrals made between sectors")
    ax.plot(month, ts["referrals_lost"], label="referrals lost between sectors")
    ax.plot(month, ts["partner_capacity"], label="partner capacity (cases)", ls="--")
    ax.set_title("Coordination and partners (a month)")
    ax.legend(fontsize=8)

    for ax in axes.flat:
        ax.set_xlabel("month")
        ax.grid(alpha=0.3)
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
