"""The levers a trainer can move, read from the scenario schema (``model/scenario.py``).

Each lever is one scenario key with the unit, range and one-line meaning the schema declares; the
groups are the schema's own sections (inflow shape and total, national rules, governance dials,
policies, partners). Nothing here is retyped: a key added to the schema shows up on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from model.scenario import (
    GovernanceParams,
    InflowParams,
    NationalParams,
    PartnerParams,
    PoliciesParams,
    Scenario,
    ScenarioError,
    _choices,
)

Widget = Literal["switch", "select", "slider", "number"]
SLIDER_SPAN = 2.0  # a float lever whose range is at most this wide gets a slider
SLIDER_STEPS = 40  # notches of a float slider
INT_SLIDER_SPAN = 120  # an integer lever whose range is at most this wide gets a slider

# the schema's sections that hold levers, in the order of the page; partners are a list
GROUPS: dict[str, type[BaseModel]] = {
    "inflow": InflowParams,
    "national": NationalParams,
    "governance": GovernanceParams,
    "policies": PoliciesParams,
    "partners": PartnerParams,
}
# partner fields a trainer moves (the label and kind name the partner)
PARTNER_LEVERS = ("capacity", "funding", "funding_end_month", "engagement_level")


@dataclass(frozen=True)
class Lever:
    """One scenario key as a control.

    Attributes:
        key: dotted scenario key (``partners.0.capacity`` for the first partner's capacity).
        group: the schema section it belongs to.
        name: the field's name in its section.
        unit: the schema's unit ("" for switches and choices).
        meaning: the schema's one-line meaning.
        widget: switch, select, slider or number.
        lo: lowest allowed value (None where the schema sets none).
        hi: highest allowed value (None where the schema sets none).
        step: the slider's step.
        choices: the allowed values of a switch or select.
    """

    key: str
    group: str
    name: str
    unit: str
    meaning: str
    widget: Widget
    lo: float | None = None
    hi: float | None = None
    step: float = 1.0
    choices: tuple[Any, ...] = ()

    @property
    def is_int(self) -> bool:
        """Whether the lever takes whole numbers."""
        return self.widget in ("slider", "number") and float(self.step).is_integer()


def _bounds(field: Any) -> tuple[float | None, float | None]:
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def _lever(section: type[BaseModel], group: str, name: str, key: str) -> Lever | None:
    """A lever for a scalar field; None for tables, lists and free text."""
    field = section.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    unit, meaning = str(extra.get("unit", "")), field.description or ""
    choices = _choices(field.annotation)
    if field.annotation is bool:
        return Lever(key, group, name, "", meaning, "switch", choices=(True, False))
    if choices:
        return Lever(key, group, name, "", meaning, "select", choices=tuple(choices))
    lo, hi = _bounds(field)
    if field.annotation is int and lo is not None and hi is not None:
        widget: Widget = "slider" if hi - lo <= INT_SLIDER_SPAN else "number"
        return Lever(key, group, name, unit, meaning, widget, lo, hi, 1)
    if field.annotation is float and lo is not None and hi is not None:
        if hi - lo <= SLIDER_SPAN:
            step = (hi - lo) / SLIDER_STEPS
            return Lever(key, group, name, unit, meaning, "slider", lo, hi, step)
        return Lever(key, group, name, unit, meaning, "number", lo, hi, 0.5)
    return None  # lists, nested tables, names


def levers(scenario: Scenario) -> dict[str, list[Lever]]:
    """The levers of a scenario, by group; partners as the scenario has them (none: no group).

    Args:
        scenario: the scenario whose partners are listed (the other groups are the schema's).

    Returns:
        Group name -> its levers, in the schema's order.
    """
    out: dict[str, list[Lever]] = {}
    for group, section in GROUPS.items():
        if group == "partners":
            continue
        found = (_lever(section, group, name, f"{group}.{name}") for name in section.model_fields)
        out[group] = [lever for lever in found if lever is not None]
    partner_levers = [
        lever
        for i, _ in enumerate(scenario.partners)
        for name in PARTNER_LEVERS
        if (lever := _lever(PartnerParams, "partners", name, f"partners.{i}.{name}")) is not None
    ]
    if partner_levers:
        out["partners"] = partner_levers
    return out


def value_of(scenario: Scenario, key: str) -> Any:
    """The value a scenario gives a lever's key."""
    node: Any = scenario
    for part in key.split("."):
        node = node[int(part)] if part.isdigit() else getattr(node, part)
    return node


def apply(scenario: Scenario, overrides: dict[str, Any], source: str = "levers") -> Scenario:
    """A copy of a scenario with lever values set (``partners.0.capacity`` reaches a partner).

    Raises:
        ScenarioError: an unknown key or a value the schema refuses, naming the key.
    """
    if not overrides:
        return scenario
    plain = {k: v for k, v in overrides.items() if not k.startswith("partners.")}
    listed = {k: v for k, v in overrides.items() if k.startswith("partners.")}
    out = scenario.with_overrides(plain, source) if plain else scenario
    if not listed:
        return out
    data = out.to_dict()
    for key, value in listed.items():
        _, index, name = key.split(".", 2)
        if not index.isdigit() or int(index) >= len(data["partners"]):
            raise ScenarioError(source, key, f"no partner {index} in this scenario")
        data["partners"][int(index)][name] = value
    return Scenario.from_dict(data, source)
