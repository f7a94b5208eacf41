"""The scenario schema: reading, writing, overrides, extends, and clear errors for bad input."""

from __future__ import annotations

import pytest
from conftest import NORTHERN, SCENARIOS
from hypothesis import given, settings
from hypothesis import strategies as st

from model import Scenario, ScenarioError
from model.presets import list_presets


def test_every_preset_validates():
    names = {p.stem for p in list_presets()}
    assert {
        "northern_midsize_asylum",
        "southern_secondary_city",
        "megacity_mixed_flows",
        "inflow_sudden",
        "inflow_gradual",
        "inflow_waves",
    } <= names
    for path in list_presets():
        Scenario.from_toml(path)


def test_round_trip_through_toml(tmp_path):
    scenario = Scenario.from_toml(SCENARIOS / "southern_secondary_city.toml")
    path = tmp_path / "copy.toml"
    path.write_text(scenario.to_toml())
    assert Scenario.from_toml(path) == scenario
    assert Scenario.from_toml_string(scenario.to_toml()) == scenario


def test_extends_inherits_and_overrides(tmp_path):
    base = Scenario.from_toml(NORTHERN)
    child = tmp_path / "sudden.toml"
    child.write_text(f'extends = "{NORTHERN}"\n[inflow]\npattern = "sudden"\n')
    sudden = Scenario.from_toml(child)
    assert sudden.inflow.pattern == "sudden"
    assert sudden.inflow.total == base.inflow.total
    assert sudden.city == base.city


def test_preset_overlays_do_not_pull_in_a_city():
    # issue 9 item 13: an overlay that extends a city replaces any city it is put on
    from model.presets import is_overlay

    for path in list_presets():
        if is_overlay(path):
            assert "extends" not in path.read_text(), path


def test_with_overrides_sets_dotted_keys_and_validates():
    s = Scenario().with_overrides({"inflow.total": 5000, "national.work_while_pending": False})
    assert s.inflow.total == 5000 and s.national.work_while_pending is False
    with pytest.raises(ScenarioError, match=r"inflow\.total.*allowed range 0 to 1e\+07"):
        Scenario().with_overrides({"inflow.total": -1})


def test_unknown_key_suggests_the_closest_name(tmp_path):
    bad = tmp_path / "typo.toml"
    bad.write_text("[inflow]\ntotl = 5\n")
    with pytest.raises(ScenarioError) as err:
        Scenario.from_toml(bad)
    msg = str(err.value)
    assert str(bad) in msg and "inflow.totl" in msg and "did you mean 'inflow.total'" in msg


def test_out_of_range_names_file_key_and_range(tmp_path):
    bad = tmp_path / "range.toml"
    bad.write_text("[national]\nrecognition_rate = 1.5\n")
    with pytest.raises(ScenarioError) as err:
        Scenario.from_toml(bad)
    assert err.value.key == "national.recognition_rate"
    assert "allowed range 0 to 1 share" in str(err.value)
    assert str(bad) in str(err.value)


def test_wrong_type_is_reported(tmp_path):
    bad = tmp_path / "type.toml"
    bad.write_text('[inflow]\ntotal = "many"\n')
    with pytest.raises(ScenarioError, match=r"inflow\.total: got 'many'"):
        Scenario.from_toml(bad)


def test_missing_malformed_and_cyclic_files(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        Scenario.from_toml(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[city\nname = 1")
    with pytest.raises(ScenarioError, match="malformed TOML"):
        Scenario.from_toml(broken)
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('extends = "b.toml"\n')
    b.write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="cycle of 'extends'"):
        Scenario.from_toml(a)


def test_mixes_must_add_up(tmp_path):
    bad = tmp_path / "mix.toml"
    bad.write_text("[inflow.profile.intention]\ntransit = 0.5\ntemporary = 0.5\nsettle = 0.5\n")
    with pytest.raises(ScenarioError, match="add up to 1"):
        Scenario.from_toml(bad)


def test_describe_lists_every_leaf_with_unit_and_range():
    rows = {r["key"]: r for r in Scenario.describe()}
    assert rows["national.processing_delay_months"]["unit"] == "months"
    assert rows["national.processing_delay_months"]["max"] == 60
    assert all(r["meaning"] for r in rows.values())


RANGED = [r for r in Scenario.describe() if r["max"] is not None]


@settings(max_examples=60, deadline=None)
@given(row=st.sampled_from(RANGED), excess=st.floats(1e-3, 1e6))
def test_fuzzed_out_of_range_values_give_the_clear_error(row, excess):
    value = row["max"] + max(excess, abs(row["max"]) * 1e-3)
    with pytest.raises(ScenarioError) as err:
        Scenario().with_overrides({row["key"]: value}, source="fuzz.toml")
    assert err.value.key == row["key"]
    assert str(err.value).startswith(f"fuzz.toml: {row['key']}: ")
    assert "allowed range" in str(err.value)


JUNK = st.one_of(
    st.text(max_size=5),
    st.lists(st.integers(), max_size=3),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(row=st.sampled_from(Scenario.describe()), value=JUNK)
def test_any_value_for_any_key_is_accepted_or_gets_the_clear_error(row, value):
    try:
        Scenario().with_overrides({row["key"]: value}, source="junk.toml")
    except ScenarioError as err:
        assert str(err).startswith("junk.toml: ")
        assert err.key.split("[")[0].startswith(row["key"].split(".")[0])


# ---------------------------------------------------------------- issue 9: strict and honest
@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('[inflow]\ntotal = "5000"\n', "inflow.total", "got '5000': Input should be a valid"),
        ("[policies]\nlanguage_support = true\n", "policies.language_support", "got True"),
        ("[policies]\none_stop_shop = 1\n", "policies.one_stop_shop", "got 1"),
        ("[national]\nrecognition_rate = nan\n", "national.recognition_rate", "not a number"),
        (
            "[inflow.profile]\nyouth_share = 0.8\nelderly_share = 0.3\n",
            "inflow.profile.elderly_share",
            "youth_share + elderly_share must be at most 1",
        ),
        (
            "[inflow.profile]\nhigh_skill_share = 0.7\nlow_skill_share = 0.5\n",
            "inflow.profile.low_skill_share",
            "high_skill_share + low_skill_share must be at most 1",
        ),
        ("[run]\nscale = 10000.0\n", "run.scale", "leaves 0 newcomer agents"),
        ("[inflow]\nstart_month = 200\n", "inflow.start_month", "after the last month"),
    ],
)
def test_nonsense_is_refused_not_coerced(tmp_path, text, key, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        Scenario.from_toml(path)
    assert err.value.key == key
    assert str(err.value).startswith(f"{path}: {key}: ")
    assert message in err.value.reason


def test_a_missing_extends_base_names_the_file_that_refers_to_it(tmp_path):
    path = tmp_path / "child.toml"
    path.write_text('extends = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match=r"child.toml: extends: 'nowhere.toml': no such"):
        Scenario.from_toml(path)


def test_parameters_describe_defaults_choices_and_units_of_sector_values():
    rows = {row["key"]: row for row in Scenario.describe()}
    assert rows["inflow.pattern"]["choices"] == ["gradual", "sudden", "waves", "series"]
    assert rows["policies.one_stop_shop"]["choices"] == [True, False]
    assert rows["city.service_capacity.health"]["default"] == 30
    assert rows["city.service_capacity.health"]["unit"] == "cases/month per 1,000 residents"
    assert rows["national.entitlements.irregular.health"]["unit"] == "share of full entitlement"
