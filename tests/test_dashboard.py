"""The trainers' page's state, without a browser: levers, lessons, comparisons, budget, labels."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.dashboard import DEFAULT_PRESET, charts, i18n
from experiments.dashboard.compare import THEMES, Runner, budget, run_comparison
from experiments.dashboard.lessons import LESSONS_DIR, lessons, read_lesson
from experiments.dashboard.levers import apply, levers, value_of
from experiments.dashboard.state import (
    LiveCity,
    Setup,
    choose_preset,
    load_lesson,
    presets,
    set_lever,
    set_run,
)
from model import OUTCOME_NAMES, Scenario
from model.policies import POLICIES
from model.scenario import ScenarioError

SMALL = {"city.host_households": 2000, "city.grid_size": 10, "inflow.total": 400}
APP = Path(__file__).resolve().parent.parent / "experiments" / "dashboard" / "app.py"


def small_setup(**changes) -> Setup:
    return Setup(baseline=dict(SMALL), months=12, **changes)


@pytest.fixture(scope="module")
def shop() -> object:
    """A one-stop shop against none, two seeds, small city: a comparison with a real effect."""
    chosen = set_lever(small_setup(seeds=2), "policies.one_stop_shop", True)
    return run_comparison(chosen.base_scenario(), chosen.variant_scenario(), [0, 1])


# ------------------------------------------------------------------ levers
def test_levers_are_the_schemas_groups_with_its_units_and_meanings():
    groups = levers(Scenario())
    assert list(groups) == ["inflow", "national", "governance", "policies"]  # no partners
    by_key = {lever.key: lever for items in groups.values() for lever in items}
    total = by_key["inflow.total"]
    assert (total.unit, total.lo, total.hi) == ("adults", 0, 10_000_000)
    assert total.meaning == "newcomer adults arriving over the horizon"
    assert by_key["policies.one_stop_shop"].widget == "switch"
    assert by_key["inflow.pattern"].choices == ("gradual", "sudden", "waves", "series")
    resources = by_key["governance.resources"]
    assert (resources.widget, resources.lo, resources.hi) == ("slider", 0.0, 2.0)
    described = {row["key"]: row for row in Scenario.describe()}
    for key, lever in by_key.items():  # derived from the schema, never retyped
        assert lever.meaning and lever.meaning in described[key]["meaning"]
        assert lever.unit == (
            described[key]["unit"] if lever.widget not in ("switch", "select") else ""
        )
    assert "inflow.series" not in by_key and "governance.city_sectors" not in by_key


def test_partners_levers_reach_each_partner_and_apply_validates():
    scenario = Scenario.from_files(
        [
            Path("scenarios/northern_midsize_asylum.toml"),
            Path("scenarios/policies/partners_empowered.toml"),
        ]
    )
    keys = [lever.key for lever in levers(scenario)["partners"]]
    assert "partners.3.funding_end_month" in keys and len(keys) == 4 * 4
    changed = apply(scenario, {"partners.1.capacity": 5.0, "governance.resources": 0.5})
    assert value_of(changed, "partners.1.capacity") == 5.0
    assert changed.partners[0].capacity == scenario.partners[0].capacity
    assert changed.governance.resources == 0.5
    with pytest.raises(ScenarioError, match="no partner 9"):
        apply(scenario, {"partners.9.capacity": 1.0})
    with pytest.raises(ScenarioError, match=r"governance.resources.*allowed range 0 to 2"):
        apply(scenario, {"governance.resources": 3.0})


# ------------------------------------------------------------------ setup
def test_setup_moves_the_variant_only_and_refuses_bad_values():
    chosen = small_setup()
    moved = set_lever(chosen, "governance.resources", 0.4)
    assert moved.variant_scenario().governance.resources == 0.4
    assert moved.base_scenario().governance.resources == chosen.base_scenario().governance.resources
    assert moved.base_scenario().run.months == moved.variant_scenario().run.months == 12
    with pytest.raises(ScenarioError, match=r"inflow\.total"):
        set_lever(chosen, "inflow.total", -5)
    with pytest.raises(ScenarioError, match="seeds"):
        set_run(chosen, seeds=0)
    assert set_run(chosen, months=24, seeds=3).base_scenario().run.months == 24


def test_choose_preset_lists_cities_not_overlays_and_clears_the_settings():
    names = presets()
    assert DEFAULT_PRESET in names and "southern_secondary_city" in names
    assert "one_stop_shop" not in names and "inflow_sudden" not in names
    moved = set_lever(Setup(), "policies.one_stop_shop", True)
    south = choose_preset(moved, "southern_secondary_city")
    assert south.variant == {} and south.base_scenario().city.name == "Southern secondary city"
    with pytest.raises(ScenarioError, match="no such city preset"):
        choose_preset(moved, "one_stop_shop")


# ------------------------------------------------------------------ lessons
def test_at_least_four_lessons_each_bilingual_with_two_distinct_arms():
    found = lessons()
    assert len(found) >= 4
    for lesson in found:
        assert set(lesson.title) == set(lesson.text) == set(i18n.LANGUAGES)
        assert all(len(text) > 100 for text in lesson.text.values())  # a text to read out
        base, variant = lesson.scenarios()
        assert base.to_dict() != variant.to_dict(), lesson.key
        assert base.run.months == variant.run.months == lesson.months
        assert set(lesson.themes) == set(THEMES)
        assert set(lesson.themes.values()) <= set(OUTCOME_NAMES)


def test_a_lesson_loads_its_preset_arms_and_labels():
    donor = next(x for x in lessons() if x.key == "2_donor_exit")
    chosen = load_lesson(donor)
    base, variant = chosen.base_scenario(), chosen.variant_scenario()
    assert base.partners[0].funding == "donor" and base.partners[0].funding_end_month == 36
    assert variant.partners[0].funding == "city" and variant.partners[0].funding_end_month == 0
    for lesson in lessons():  # the page runs what the lesson file says
        loaded = load_lesson(lesson)
        on_page = (loaded.base_scenario().to_dict(), loaded.variant_scenario().to_dict())
        assert on_page == tuple(s.to_dict() for s in lesson.scenarios()), lesson.key
    assert chosen.label("variant", "fr") == "La ville prend le relais"
    pulse = load_lesson(next(x for x in lessons() if x.key == "1_sudden_pulse_unfunded"))
    assert pulse.base_scenario().governance.resources == 1.2
    assert pulse.variant_scenario().governance.resources == 0.5
    assert pulse.variant_scenario().inflow.pattern == "sudden"


def test_a_bad_lesson_file_is_one_clear_error(tmp_path):
    good = (LESSONS_DIR / "3_status_blind.toml").read_text(encoding="utf-8")
    cases = {
        "themes": (
            good.replace('"unmet_need_rate_irregular"', '"no_such_outcome"'),
            "unknown outcome",
        ),
        "preset": (good.replace("southern_secondary_city", "atlantis"), "no such scenario"),
        "text": (re.sub(r"(?s)\[text\].*?(\[themes\])", r"\1", good), "text"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ScenarioError, match=message):
            read_lesson(path)


# ------------------------------------------------------------------ comparison
def test_same_scenario_on_the_same_seeds_differs_by_exactly_zero():
    chosen = small_setup(seeds=2)
    same = run_comparison(chosen.base_scenario(), chosen.variant_scenario(), [0, 1])
    for outcome in THEMES.values():
        assert np.all(same.difference(outcome)[["mean", "low", "high"]].to_numpy() == 0)


def test_comparison_difference_is_paired_and_banded(shop):
    outcome = "budget_gap"
    paired = shop.values("variant", outcome) - shop.values("baseline", outcome)
    diff = shop.difference(outcome)
    assert np.allclose(diff["mean"], paired.mean(axis=0))
    assert (diff["low"] <= diff["mean"]).all() and (diff["mean"] <= diff["high"]).all()
    assert (diff["high"] - diff["low"]).max() > 0  # two seeds: a band
    mean, low, high = shop.effect(outcome)
    assert low < mean < high and mean > 0  # the shop costs money every month
    assert shop.months.tolist() == list(range(1, 13))


def test_comparison_csv_has_both_arms_each_seed_and_the_difference(shop):
    table = pd.read_csv(io.BytesIO(shop.to_csv()))
    assert set(table["arm"]) == {"baseline", "variant", "difference"}
    assert set(table["seed"]) == {0, 1} and set(table["outcome"]) == set(THEMES.values())
    assert len(table) == 3 * 2 * 12 * len(THEMES)
    pick = table[(table.outcome == "budget_gap") & (table.seed == 1) & (table.month == 12)]
    values = dict(zip(pick["arm"], pick["value"], strict=True))
    assert values["difference"] == pytest.approx(values["variant"] - values["baseline"])


def test_budget_prices_each_policy_in_force_from_the_policies_module(shop):
    lines = {line.item: line for line in budget(shop)}
    shop_cost = next(p for p in POLICIES if p.key == "one_stop_shop").cost_per_1000
    residents = shop.values("variant", "residents").mean()
    assert lines["one_stop_shop"].baseline == 0
    assert lines["one_stop_shop"].variant == pytest.approx(shop_cost * residents / 1000)
    assert list(lines)[-3:] == ["city_mandate", "city_funding", "budget_gap"]
    gap = lines["budget_gap"]
    assert gap.variant == pytest.approx(shop.values("variant", "budget_gap").mean())


def test_a_cancelled_comparison_returns_nothing():
    chosen = small_setup()
    ticks = []
    done = run_comparison(
        chosen.base_scenario(),
        chosen.variant_scenario(),
        [0],
        ticks.append,
        lambda: len(ticks) >= 3,
    )
    assert done is None and len(ticks) == 3


def test_worker_processes_give_the_same_runs_as_one_process(shop):
    chosen = set_lever(small_setup(seeds=2), "policies.one_stop_shop", True)
    shares = []
    runner = Runner(workers=2)
    try:
        pooled = runner.compare(
            chosen.base_scenario(), chosen.variant_scenario(), [0, 1], shares.append
        )
    finally:
        runner.close()
    assert pooled is not None and shares[-1] == 1.0 and shares == sorted(shares)
    for arm in ("baseline", "variant"):
        assert np.array_equal(pooled.values(arm, "budget_gap"), shop.values(arm, "budget_gap"))


# ------------------------------------------------------------------ live city, figures, labels
def test_live_city_steps_and_reset_rebuilds_the_chosen_scenario():
    chosen = set_lever(small_setup(), "inflow.total", 800)
    city = LiveCity(chosen.variant_scenario())
    assert city.timeseries().empty
    assert city.step() and city.step() and city.month == 2
    first = city.timeseries()["arrivals"].tolist()
    city.reset()
    assert city.month == 0 and city.scenario.inflow.total == 800
    city.step()
    city.step()
    assert city.timeseries()["arrivals"].tolist() == first  # same seed, same months
    layers = charts.block_layers(city.model)
    assert set(layers) == set(charts.MAP_LAYERS) and layers["rent"].shape == (10, 10)
    assert layers["newcomers"].min() >= 0 and layers["newcomers"].max() <= 1
    assert layers["sites"].max() > 0


def test_figures_render_to_png(shop):
    for figure in (
        charts.comparison_figure(shop, ("A", "B"), "fr"),
        charts.live_figure(shop.runs["variant"][0], "en"),
    ):
        assert charts.png(figure)[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_label_has_every_language_and_the_page_uses_only_known_labels():
    assert i18n.missing() == []
    assert i18n.t("tab_lessons", "fr") == "Leçons" and i18n.t("tab_lessons", "xx") == "Lessons"
    used = set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']\s*,""", APP.read_text(encoding="utf-8")))
    assert used and used <= set(i18n.LABELS)
    for theme in THEMES:
        assert f"theme_{theme}" in i18n.LABELS
    for group in ("inflow", "national", "governance", "policies", "partners"):
        assert f"group_{group}" in i18n.LABELS
    with pytest.raises(KeyError):
        i18n.t("no_such_label", "en")


# ------------------------------------------------------------------ the command
def test_dashboard_command_refuses_a_bad_preset_or_port(capsys):
    assert main(["dashboard", "--scenario", "atlantis"]) == 2
    assert "no such city preset" in capsys.readouterr().err
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def test_dashboard_warns_about_a_non_local_host(monkeypatch, capsys):
    from experiments.dashboard import command

    calls = []
    monkeypatch.setattr(command.os, "execve", lambda path, cmd, env: calls.append((cmd, env)))
    assert main(["dashboard", "--host", "0.0.0.0", "--port", "9999"]) == 0
    assert "warning" in capsys.readouterr().err
    cmd, env = calls[0]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0" and "--no-check-version" in cmd
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["ARRIVAL_CITY_DASHBOARD_PRESET"] == DEFAULT_PRESET
    assert main(["dashboard"]) == 0
    assert "warning" not in capsys.readouterr().err
