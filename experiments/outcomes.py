"""The outcome dictionary: name, unit, kind and definition of every column a user sees.

Monthly outcomes come from the model's registry (``model.metrics.OUTCOMES``); each run summary is
one of them reduced over the months: ``<name>_end`` (the last month), ``<name>_mean`` (the mean
over the months), ``<name>_total`` (a flow summed over the months) and ``mean_wait_months_peak``.
"""

from __future__ import annotations

import functools
from typing import Any

#: summary suffix -> (what it is, how the unit changes)
STATISTICS = {
    "_end": "at the last month",
    "_mean": "mean over the months",
    "_total": "summed over the months",
    "_peak": "highest month",
}


@functools.cache
def _registry() -> dict[str, Any]:
    from model.metrics import OUTCOMES

    return {o.name: o for o in OUTCOMES}


def describe(name: str) -> dict[str, str]:
    """Name, unit, kind and definition of a monthly outcome or a run summary.

    Raises:
        KeyError: neither an outcome of the registry nor one of its summaries.
    """
    registry = _registry()
    if name in registry:
        o = registry[name]
        return {"name": name, "unit": o.unit, "kind": o.kind, "definition": o.definition}
    if name == "months":
        return {"name": name, "unit": "months", "kind": "stock", "definition": "months simulated"}
    for suffix, statistic in STATISTICS.items():
        base = name.removesuffix(suffix)
        if base != name and base in registry:
            o = registry[base]
            unit = o.unit
            if suffix == "_total" and unit.endswith("/month"):
                unit = unit.removesuffix("/month")
            return {
                "name": name,
                "unit": unit,
                "kind": o.kind,
                "definition": f"{o.definition} ({statistic})",
            }
    raise KeyError(name)


def dictionary(names: list[str] | None = None) -> list[dict[str, str]]:
    """The dictionary of the given names (default: every outcome and every summary).

    Names that are not outcomes (identifiers, parameters) are skipped.
    """
    if names is None:
        from experiments.sweep import summary_names, timeseries_names

        names = [*timeseries_names(), *summary_names()]
    out = []
    for name in names:
        try:
            out.append(describe(name))
        except KeyError:
            continue
    return out


def unit_text(name: str) -> str:
    """The unit of an outcome or summary, or "" when it has none in the registry."""
    try:
        return describe(name)["unit"]
    except KeyError:
        return ""
