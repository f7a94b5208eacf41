"""Mesa's contract: model.scenario is Mesa's Scenario, and SolaraViz builds and resets the city."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
from conftest import SCENARIOS
from mesa.experimental.scenarios import Scenario as MesaScenario
from mesa.visualization import SolaraViz
from mesa.visualization.solara_viz import ModelController

from model import ArrivalCity, Scenario

SOUTH = Scenario.from_toml(SCENARIOS / "southern_secondary_city.toml").with_overrides(
    {"city.host_households": 1000, "city.grid_size": 8, "inflow.total": 200, "run.months": 12}
)


def test_model_scenario_is_mesas_and_params_is_the_city():
    model = ArrivalCity(SOUTH, seed=1)
    assert isinstance(model.scenario, MesaScenario)
    assert model.scenario.model is model
    assert model.params.city.name == "Southern secondary city"


def test_a_city_scenario_passed_as_mesas_scenario_is_refused_clearly():
    with pytest.raises(TypeError, match="params="):
        ArrivalCity(scenario=SOUTH)


def test_solara_viz_page_builds_for_arrival_city():
    model = ArrivalCity(SOUTH, seed=1)
    inputs = {
        "params": SOUTH,
        "inflow__total": {"type": "SliderInt", "value": 200, "min": 0, "max": 1000, "step": 100},
    }
    solara.render(SolaraViz(model, components=[], model_params=inputs), handle_error=False)


def test_solara_reset_rebuilds_the_chosen_preset_with_the_panel_values():
    model = solara.Reactive(ArrivalCity(SOUTH, seed=1))
    panel = solara.Reactive({"params": SOUTH, "inflow__total": 300})

    @solara.component
    def Page():  # noqa: N802 - a Solara component, named as Solara names them
        ModelController(
            model,
            model_parameters=panel,
            play_interval=solara.Reactive(100),
            render_interval=solara.Reactive(1),
            use_threads=solara.Reactive(False),
        )

    _, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.steps == 1
    rc.find(v.Btn, children=["Reset"]).widget.click()
    rebuilt = model.value
    assert rebuilt.steps == 0
    assert rebuilt.params.city.name == "Southern secondary city"
    assert rebuilt.params.city.host_households == 1000  # the chosen city, not a default one
    assert rebuilt.params.inflow.total == 300  # the panel's value
    rebuilt.step()
    assert rebuilt.latest["month"] == 1
