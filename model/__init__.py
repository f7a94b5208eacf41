"""arrival-city: an agent-based model of cities receiving migrants and displaced people.

The public interface: ``ArrivalCity`` (the Mesa model), ``Scenario`` (its parameters) and
``simulate`` (run one scenario and get a ``RunResult``).
"""

from __future__ import annotations

import hashlib
import importlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.scenario import Scenario, ScenarioError

if TYPE_CHECKING:
    from model.city import ArrivalCity
    from model.metrics import OUTCOME_NAMES, OUTCOMES, Outcome
    from model.simulation import RunResult, simulate

__version__ = "0.1.0"

# names loaded on first use, so that a command that only reads a scenario or prints its help
# does not pay for importing Mesa and the processes (about a second)
_LAZY = {
    "ArrivalCity": "model.city",
    "OUTCOMES": "model.metrics",
    "OUTCOME_NAMES": "model.metrics",
    "Outcome": "model.metrics",
    "RunResult": "model.simulation",
    "simulate": "model.simulation",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'model' has no attribute {name!r}")


@cache
def code_version() -> str:
    """The release plus a hash of the model's source: any change to the model changes it."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


__all__ = [
    "OUTCOMES",
    "OUTCOME_NAMES",
    "ArrivalCity",
    "Outcome",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "code_version",
    "simulate",
]
