"""The model as an EMA Workbench ``Model``, its parameters generated from the scenario schema.

Needs the optional extra ``ema`` (``pip install -e '.[ema]'``; ``make`` installs it)::

    from ema_workbench import perform_experiments
    from experiments.ema import model

    m = model("northern_midsize_asylum", uncertainties=["behaviour"],
              levers=["governance.resources", "policies.one_stop_shop"], months=36)
    experiments, outcomes = perform_experiments(m, scenarios=20, policies=4)

Uncertainties and levers are groups of the schema (``"behaviour"``, ``"labour"``...) or dotted
keys, as in :func:`experiments.parameters.space`: a real parameter becomes a ``RealParameter``, an
integer one an ``IntegerParameter``, a switch or a named choice a ``CategoricalParameter``; the
range is the schema's default ± ``spread``, clipped to the schema's bounds. EMA names are the
dotted keys with ``__`` for the dots (``governance__resources``), the spelling
:func:`model.simulate` takes as keyword overrides. Outcomes are run summaries
(``ScalarOutcome``) and, if asked, monthly timeseries (``ArrayOutcome``), read from
:meth:`RunResult.outcomes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from experiments.parameters import DEFAULT_SPREAD, Dimension, space, typed

DEFAULT_OUTCOMES = (
    "migrant_employment_rate_end",
    "unmet_need_rate_migrants_mean",
    "tension_index_mean",
    "budget_gap_mean",
)


def ema_name(key: str) -> str:
    """A dotted scenario key as an EMA parameter name (``a.b`` -> ``a__b``)."""
    return key.replace(".", "__")


def _parameter(dim: Dimension) -> Any:
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    name = ema_name(dim.key)
    if dim.kind == "categorical":
        return CategoricalParameter(name, list(dim.choices), default=dim.default)
    if dim.kind == "integer":
        return IntegerParameter(name, int(dim.low), int(dim.high), default=int(dim.default))
    return RealParameter(name, float(dim.low), float(dim.high), default=float(dim.default))


@dataclass
class Run:
    """The function EMA calls: one run of the preset with the drawn values (picklable).

    Attributes:
        preset: a preset name or a scenario file.
        months: the horizon (None: the scenario's).
        seed: the model's seed (the same for every experiment: common random numbers).
        overrides: fixed overrides applied under the drawn values (e.g. a small city).
        keys: EMA name -> dotted key.
        bounds: dotted key -> (low, high), to keep integers in range.
    """

    preset: str
    months: int | None
    seed: int
    overrides: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def __call__(self, **drawn: Any) -> dict[str, Any]:
        """Run the model; return every outcome (EMA keeps the ones the Model declares)."""
        from model import simulate

        values = {
            self.keys[name]: typed(self.keys[name], value, *self.bounds[self.keys[name]])
            for name, value in drawn.items()
        }
        result = simulate(
            self.preset, self.months, self.seed, overrides={**self.overrides, **values}
        )
        return result.outcomes()


def model(  # noqa: PLR0913 - the experiment's settings, all named
    preset: str,
    uncertainties: Sequence[str] = ("behaviour",),
    levers: Sequence[str] = (),
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    timeseries: Sequence[str] = (),
    *,
    months: int | None = None,
    seed: int = 0,
    overrides: dict[str, Any] | None = None,
    spread: float = DEFAULT_SPREAD,
    name: str = "arrivalcity",
) -> Any:
    """An EMA Workbench ``Model`` of a preset.

    Args:
        preset: a preset name (``arrival-city scenarios``) or a scenario file.
        uncertainties: groups and keys drawn as uncertainties.
        levers: groups and keys drawn as levers (policies).
        outcomes: run summaries kept as ``ScalarOutcome`` (``arrival-city outcomes``).
        timeseries: monthly outcomes kept as ``ArrayOutcome`` (one value a month).
        months: the horizon (default: the scenario's).
        seed: the model's seed, the same for every experiment (common random numbers).
        overrides: fixed dotted-key overrides under the drawn values (e.g. a smaller city).
        spread: relative half-width of the ranges around the schema's defaults.
        name: the EMA model's name (letters and digits).

    Raises:
        ScenarioError: an unknown group or key.
        ModuleNotFoundError: EMA Workbench is not installed (the ``ema`` extra).
    """
    from ema_workbench import ArrayOutcome, Model, ScalarOutcome

    unc, _ = space(list(uncertainties), spread) if uncertainties else ([], {})
    lev, _ = space(list(levers), spread) if levers else ([], {})
    taken = {d.key for d in lev}
    unc = [d for d in unc if d.key not in taken]  # a key given as a lever is not also uncertain
    dims = [*unc, *lev]
    function = Run(
        preset,
        months,
        seed,
        dict(overrides or {}),
        keys={ema_name(d.key): d.key for d in dims},
        bounds={d.key: (d.low, d.high) for d in dims},
    )
    ema_model = Model(name, function=function)
    ema_model.uncertainties = [_parameter(d) for d in unc]
    ema_model.levers = [_parameter(d) for d in lev]
    ema_model.outcomes = [ScalarOutcome(o) for o in outcomes] + [
        ArrayOutcome(t) for t in timeseries
    ]
    return ema_model
