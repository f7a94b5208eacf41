"""Parameter spaces derived from the scenario schema, for sweeps, SALib and EMA Workbench.

A *group* is a top-level section of the scenario schema (``behaviour``, ``labour``,
``governance``...; see ``arrival-city parameters``). :func:`space` turns a group, a dotted key or
a list of both into one :class:`Dimension` per parameter: its type (real, integer, categorical),
its range and its unit. A numeric range is the schema's default ± ``spread`` (relative), clipped
to the schema's bounds; a share whose default is 0 ranges over ``[min, min + spread·(max-min)]``.
Parameters that cannot vary alone are left out, each with the reason (see :func:`space`).

SALib and EMA Workbench draw real numbers; the scenario is strict and refuses ``10.0`` or a numpy
integer for an integer parameter. :func:`typed` rounds a drawn value to the parameter's type and
clips it into its range, which is what :func:`experiments.sweep.levels` does for every design.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

from model.scenario import Scenario, ScenarioError

DEFAULT_SPREAD = 0.5
#: schema sections that are not model parameters (the horizon, the scale) or not one value
NOT_VARIED = ("run", "partners")
#: a zero default with a range wider than this is not a share: there is no natural range
SHARE_WIDTH = 1.0


@dataclass(frozen=True)
class Dimension:
    """One parameter as an axis of an experiment.

    Attributes:
        key: the dotted scenario key.
        kind: "real", "integer" or "categorical".
        low: lower end of the range (numbers), else None.
        high: upper end of the range (numbers), else None.
        choices: the allowed values (categorical), else ().
        default: the schema's default.
        unit: the parameter's unit.
        meaning: one line from the schema.
    """

    key: str
    kind: Literal["real", "integer", "categorical"]
    low: float | None
    high: float | None
    choices: tuple[Any, ...]
    default: Any
    unit: str
    meaning: str


@functools.cache
def schema_rows() -> dict[str, dict[str, Any]]:
    """Every parameter of ``Scenario.describe()`` by dotted key."""
    return {row["key"]: row for row in Scenario.describe()}


def groups() -> tuple[str, ...]:
    """The schema's sections whose parameters can be varied (``behaviour``, ``labour``...)."""
    seen = dict.fromkeys(key.split(".")[0] for key in schema_rows())
    return tuple(name for name in seen if name not in NOT_VARIED)


def _numeric_range(row: dict[str, Any], spread: float) -> tuple[float, float] | str:
    """The range of a number parameter around its default, or the reason it has none."""
    default, lo, hi = row["default"], row["min"], row["max"]
    if lo is None or hi is None:
        return "the schema gives it no bounds"
    if default == 0:
        if hi - lo > SHARE_WIDTH:
            return "its default is 0 and its range is not a share: give it a range yourself"
        return float(lo), lo + spread * (hi - lo)
    ends = sorted((default * (1 - spread), default * (1 + spread)))
    return max(lo, ends[0]), min(hi, ends[1])


def _dimension(row: dict[str, Any], spread: float) -> Dimension | str:
    """The parameter's dimension, or the reason it has none."""
    key, default = row["key"], row["default"]
    common = {"default": default, "unit": row["unit"], "meaning": row["meaning"]}
    if row["choices"]:
        return Dimension(key, "categorical", None, None, tuple(row["choices"]), **common)
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        return "not a number or a set of choices"
    found = _numeric_range(row, spread)
    if isinstance(found, str):
        return found
    low, high = found
    if isinstance(default, int):
        low, high = math.ceil(low), math.floor(high)
    if not high > low:
        return "no room around its default within its bounds"
    kind: Literal["real", "integer"] = "integer" if isinstance(default, int) else "real"
    cast = int if kind == "integer" else float
    return Dimension(key, kind, cast(low), cast(high), (), **common)


def space(
    spec: str | list[str], spread: float = DEFAULT_SPREAD, categorical: bool = True
) -> tuple[list[Dimension], dict[str, str]]:
    """The dimensions of a group, a key, or a list of groups and keys.

    Args:
        spec: ``"behaviour"``, ``"governance.resources"`` or a list of such.
        spread: relative half-width of a numeric range around the default (0.5: ±50 %).
        categorical: keep categorical parameters (True/False switches, named choices).

    Returns:
        The dimensions in schema order, and the parameters left out with the reason: a
        share of a mix that must add up to 1, no bounds, a zero default with no natural range,
        a categorical one when ``categorical`` is False.

    Raises:
        ScenarioError: an unknown group or key.
    """
    if not 0 < spread <= 1:
        raise ScenarioError("parameters", "spread", f"got {spread}: must be above 0 and at most 1")
    names = [spec] if isinstance(spec, str) else list(spec)
    rows = schema_rows()
    wanted: list[str] = []
    for name in names:
        members = [k for k in rows if k.startswith(name + ".")] if name in groups() else []
        if not members and name not in rows:
            raise ScenarioError(
                "parameters",
                "group",
                f"unknown group or key {name!r} (groups: {', '.join(groups())}; keys: "
                "arrival-city parameters)",
            )
        wanted += [k for k in members or [name] if k not in wanted]
    base = Scenario()
    dims: list[Dimension] = []
    left_out: dict[str, str] = {}
    for key in wanted:
        found = _dimension(rows[key], spread)
        if isinstance(found, str):
            left_out[key] = found
            continue
        if found.kind == "categorical" and not categorical:
            left_out[key] = "categorical"
            continue
        ends = found.choices or (found.low, found.high)
        try:
            for value in ends:
                base.with_overrides({key: value})
        except ScenarioError as exc:
            left_out[key] = f"cannot vary alone ({exc.reason})"
            continue
        dims.append(found)
    return dims, left_out


def typed(key: str, value: Any, low: float | None = None, high: float | None = None) -> Any:
    """A drawn value as the scenario takes it: integers rounded and clipped, numpy as Python.

    Args:
        key: the dotted scenario key.
        value: the value drawn by SALib, EMA Workbench or scipy (a float, a numpy number).
        low: lower end of the range the value was drawn in (integers are clipped to it).
        high: upper end of that range.
    """
    row = schema_rows().get(key)
    default = row["default"] if row else None
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int):
        whole = round(float(value))
        if low is not None:
            whole = max(whole, math.ceil(low))
        if high is not None:
            whole = min(whole, math.floor(high))
        return int(whole)
    if isinstance(default, float):
        return float(value)
    return value.item() if hasattr(value, "item") else value


def typed_overrides(names: list[str], row: Any) -> dict[str, Any]:
    """One SALib sample row as scenario overrides, e.g. ``simulate(p, overrides=...)``."""
    return {name: typed(name, value) for name, value in zip(names, row, strict=True)}
