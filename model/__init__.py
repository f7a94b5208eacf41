"""arrival-city: an agent-based model of cities receiving migrants and displaced people.

The public interface: ``ArrivalCity`` (the Mesa model), ``Scenario`` (its parameters) and
``simulate`` (run one scenario and get a ``RunResult``).
"""

import hashlib
from functools import cache
from pathlib import Path

from model.city import ArrivalCity
from model.metrics import OUTCOME_NAMES, OUTCOMES, Outcome
from model.scenario import Scenario, ScenarioError
from model.simulate import RunResult, simulate

__version__ = "0.1.0"


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
