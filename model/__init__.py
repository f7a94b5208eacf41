"""arrival-city: an agent-based model of cities receiving migrants and displaced people.

The public interface: ``ArrivalCity`` (the Mesa model), ``Scenario`` (its parameters) and
``simulate`` (run one scenario and get a ``RunResult``).
"""

from model.city import OUTCOMES, ArrivalCity
from model.scenario import Scenario, ScenarioError
from model.simulate import RunResult, simulate

__version__ = "0.1.0"
__all__ = ["OUTCOMES", "ArrivalCity", "RunResult", "Scenario", "ScenarioError", "simulate"]
