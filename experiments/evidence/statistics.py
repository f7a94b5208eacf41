"""Named statistics of the evidence registry: numbers computed from runs.

A fact's ``[protocol.statistic]`` names one of these functions and gives its arguments. A
*single* statistic takes one run (anything with ``.timeseries`` and ``.cohorts`` like
:class:`model.RunResult`); a *paired* statistic takes the baseline and the variant arm's runs of
the same seed (common random numbers), so its value per seed is a paired difference.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd


class Run(Protocol):
    """What a statistic reads of a run: its monthly outcomes and its employment cohorts."""

    timeseries: pd.DataFrame
    cohorts: pd.DataFrame


def _window(run: Run, start: int, end: int | None) -> pd.DataFrame:
    ts = run.timeseries
    last = int(ts.month.max())
    return ts[(ts.month >= start) & (ts.month <= (last if end is None else end))]


def employment_at(
    run: Run, months: int, status: str = "all", formal: bool = False, width: int = 1
) -> float:
    """Employment rate of working-age newcomers ``months`` after their arrival.

    Pooled over months ``months - width`` to ``months + width`` since arrival, weighted by
    person-months (the cohort curve of an IAB-style survey by years since arrival).

    Args:
        run: a run.
        months: months since arrival.
        status: "all" or a legal status of ``model.codes.STATUSES``.
        formal: the formal employment rate instead of any work.
        width: half-width of the pooling window in months.
    """
    c = run.cohorts[run.cohorts.status == status].set_index("months_since_arrival")
    window = c.loc[months - width : months + width]
    rate = window.formal_employment_rate if formal else window.employment_rate
    weights = window.person_months.where(rate.notna(), 0.0)
    if weights.sum() <= 0:
        return float("nan")
    return float((rate.fillna(0.0) * weights).sum() / weights.sum())


def mean_over(run: Run, outcome: str, start: int = 1, end: int | None = None) -> float:
    """Mean of a monthly outcome over months ``start`` to ``end`` (default: the last month)."""
    return float(_window(run, start, end)[outcome].mean())


def value_at(run: Run, outcome: str, month: int) -> float:
    """A monthly outcome at one month."""
    ts = run.timeseries
    return float(ts.loc[ts.month == month, outcome].iloc[0])


def ratio_of_means(
    run: Run, numerator: str, denominator: str, start: int = 1, end: int | None = None
) -> float:
    """Mean of one outcome over a window divided by the mean of another over the same window."""
    window = _window(run, start, end)
    return float(window[numerator].mean() / window[denominator].mean())


def weighted_mean_over(
    run: Run, outcome: str, weight: str, start: int = 1, end: int | None = None
) -> float:
    """Mean of a monthly mean outcome over a window, weighted by a monthly flow.

    E.g. the mean course wait of everyone who started a course in the window: the monthly mean
    wait (``course_wait_months``) weighted by the month's starts (``course_starts``).
    """
    window = _window(run, start, end)
    total = float(window[weight].sum())
    return float((window[outcome] * window[weight]).sum() / total) if total > 0 else 0.0


def ratio_of_totals(
    run: Run, numerator: str, denominator: str, start: int = 1, end: int | None = None
) -> float:
    """Sum of one flow over a window divided by the sum of another (e.g. departures/arrivals)."""
    window = _window(run, start, end)
    return float(window[numerator].sum() / window[denominator].sum())


def informal_work_share(
    run: Run, start: int = 1, end: int | None = None, among: str = "all"
) -> float:
    """Share of employed working-age newcomers whose work is informal, over a window.

    ``among="forced"`` restricts it to the displaced and those without a regular status (the
    ``*_forced`` outcomes), the population surveys of refugees measure.
    """
    if among not in {"all", "forced"}:
        raise ValueError(f"among must be 'all' or 'forced', not {among!r}")
    suffix = "" if among == "all" else "_forced"
    return 1.0 - ratio_of_means(
        run,
        f"migrant_formal_employment_rate{suffix}",
        f"migrant_employment_rate{suffix}",
        start,
        end,
    )


def difference(baseline: Run, variant: Run, of: str, **args: Any) -> float:
    """Variant minus baseline of the single statistic ``of`` (with ``args``), same seed."""
    stat = single(of)
    return stat(variant, **args) - stat(baseline, **args)


def relative_difference(baseline: Run, variant: Run, of: str, **args: Any) -> float:
    """Variant over baseline, minus one, of the single statistic ``of``: a relative effect."""
    stat = single(of)
    return stat(variant, **args) / stat(baseline, **args) - 1.0


def _newcomers_added(baseline: Run, variant: Run, start: int, end: int | None) -> float:
    """Persons in newcomers' households the variant adds (window means; hosts not counted).

    Not the residents added: once hosts can leave in answer to newcomers, the variant's
    residents minus the baseline's is the newcomers less the hosts who left.
    """
    return mean_over(variant, "newcomer_residents", start, end) - mean_over(
        baseline, "newcomer_residents", start, end
    )


def _newcomer_share(run: Run, start: int, end: int | None) -> float:
    """Newcomers' share of the city's residents over a window (ratio of window means)."""
    return mean_over(run, "newcomer_residents", start, end) / mean_over(
        run, "residents", start, end
    )


def per_population_share(
    baseline: Run, variant: Run, outcome: str, start: int = 1, end: int | None = None
) -> float:
    """Change of an outcome (variant minus baseline) per unit of newcomers' population share.

    The share is the newcomers present (persons in their households) over the residents of the
    city they live in, the variant's minus the baseline's: the regressor of Dustmann,
    Vasiljeva & Damm (2019), the refugees' share of the municipal population. With the
    zero-arrival twin as baseline, a share outcome gives percentage points per percentage
    point of newcomers in the population; hosts who leave do not shrink the share's numerator.
    """
    change = mean_over(variant, outcome, start, end) - mean_over(baseline, outcome, start, end)
    share = _newcomer_share(variant, start, end) - _newcomer_share(baseline, start, end)
    return change / share


def elasticity(
    baseline: Run, variant: Run, outcome: str, start: int = 1, end: int | None = None
) -> float:
    """Relative change of an outcome (variant over baseline) per relative newcomer inflow.

    The inflow is the newcomers present (persons in their households) that the variant adds,
    over the baseline's residents: the regressor of Kürschner Rauck & Kvasnicka (2018), the
    county's end-of-year refugee population relative to its initial population. With the
    zero-arrival twin as baseline and ``mean_rent``: the rent change in percent for an inflow of
    1 % of the population (the form of Saiz 2007 and its successors); hosts who leave do not
    move the denominator.
    """
    rel = mean_over(variant, outcome, start, end) / mean_over(baseline, outcome, start, end)
    inflow = _newcomers_added(baseline, variant, start, end) / mean_over(
        baseline, "residents", start, end
    )
    return (rel - 1.0) / inflow


def ratio_of_differences(
    baseline: Run,
    variant: Run,
    numerator: str,
    denominator: str,
    start: int = 1,
    end: int | None = None,
) -> float:
    """Variant-minus-baseline change of one outcome over that of another (window means).

    E.g. the share of the inflow's added city mandate that is not funded:
    ``numerator = "budget_gap"``, ``denominator = "city_mandate"``, twin as baseline.
    """
    num = mean_over(variant, numerator, start, end) - mean_over(baseline, numerator, start, end)
    den = mean_over(variant, denominator, start, end) - mean_over(baseline, denominator, start, end)
    return num / den


SINGLE: dict[str, Callable[..., float]] = {
    f.__name__: f
    for f in (
        employment_at,
        mean_over,
        value_at,
        ratio_of_means,
        ratio_of_totals,
        weighted_mean_over,
        informal_work_share,
    )
}
PAIRED: dict[str, Callable[..., float]] = {
    f.__name__: f
    for f in (
        difference,
        relative_difference,
        per_population_share,
        elasticity,
        ratio_of_differences,
    )
}


def single(name: str) -> Callable[..., float]:
    """The single-run statistic called ``name``.

    Raises:
        ValueError: no such single-run statistic (the message lists them).
    """
    if name not in SINGLE:
        raise ValueError(f"unknown statistic {name!r} (allowed: {', '.join(SINGLE)})")
    return SINGLE[name]


def check_call(name: str, args: dict[str, Any], paired: bool) -> None:
    """Check that statistic ``name`` exists for the protocol's kind and accepts ``args``.

    Raises:
        ValueError: unknown name, a paired statistic without arms (or the reverse), bad args.
    """
    table, other = (PAIRED, SINGLE) if paired else (SINGLE, PAIRED)
    if name not in table:
        hint = (
            " (a paired statistic needs [protocol.arms]; a single one must not have them)"
            if name in other
            else ""
        )
        raise ValueError(f"unknown statistic {name!r}{hint} (allowed: {', '.join(table)})")
    try:
        if paired and "of" in inspect.signature(table[name]).parameters:
            inner = dict(args)
            of = inner.pop("of", None)
            if of is None:
                raise TypeError("missing argument 'of' (the single statistic to compare)")
            inspect.signature(single(of)).bind(None, **inner)
        elif paired:
            inspect.signature(table[name]).bind(None, None, **args)
        else:
            inspect.signature(table[name]).bind(None, **args)
    except TypeError as exc:
        raise ValueError(f"{name}: {exc}") from None


def compute(name: str, args: dict[str, Any], runs: tuple[Run, ...]) -> float:
    """The statistic ``name`` over one run (single) or a (baseline, variant) pair (paired)."""
    if name in PAIRED:
        return float(PAIRED[name](*runs, **args))
    return float(single(name)(*runs, **args))


def mean_and_interval(values: list[float]) -> tuple[float, float, float]:
    """Mean over seeds and its 95 % t-interval (NaN values dropped; a point if only one)."""
    from scipy import stats

    x = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size == 1 or np.allclose(x, mean):
        return mean, mean, mean
    low, high = stats.t.interval(0.95, x.size - 1, loc=mean, scale=stats.sem(x))
    return mean, float(low), float(high)
