"""Fuzz the command line: any scenario file, sweep file or arguments give exit 0, or exit 2 with
one line naming the file or argument — never a traceback (issue 9)."""

from __future__ import annotations

import contextlib
import io
import tempfile
import traceback
from pathlib import Path

import pytest
import tomli_w
from conftest import NORTHERN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import model
from experiments import cli, figures
from model import Scenario, simulate

WORK = Path(tempfile.mkdtemp(prefix="arrival-city-fuzz-"))
KEYS = [row["key"] for row in Scenario.describe()]
SECTIONS = ["city", "inflow", "national", "governance", "policies", "run", "behaviour", "nonsense"]

JUNK = st.one_of(
    st.integers(-(10**6), 10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=6),
    st.lists(st.integers(-3, 30), max_size=3),
    st.sampled_from(["gradual", "sudden", "waves", "series", "targeted", "donor", "consult"]),
)


def _nest(flat: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in flat.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[parts[-1]] = value
    return out


scenario_texts = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), JUNK, max_size=4).map(
        lambda flat: tomli_w.dumps(_nest(flat))
    ),
    st.builds(
        lambda extends, flat: f'extends = "{extends}"\n' + tomli_w.dumps(_nest(flat)),
        st.sampled_from([str(NORTHERN), "nowhere.toml", "../x.toml"]),
        st.dictionaries(st.sampled_from(KEYS), JUNK, max_size=2),
    ),
    st.builds(
        lambda s, k, v: f"[{s}]\n{k} = {v}\n",
        st.sampled_from(SECTIONS),
        st.sampled_from(["total", "x", "scale", "name"]),
        st.sampled_from(["1", '"a"', "true", "nan", "[1, 2]", "{a = 1}", "=", "1e999"]),
    ),
    st.text(max_size=40),
)

SWEEP_PIECES = {
    "experiment": st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(st.text(max_size=5), st.integers()),
            "scenarios": st.one_of(
                st.just([str(NORTHERN)]),
                st.just([[str(NORTHERN), str(NORTHERN.parent / "inflows" / "inflow_sudden.toml")]]),
                st.lists(st.text(max_size=5), max_size=2),
                st.integers(),
            ),
            "months": st.integers(-5, 700),
        },
    ),
    "seeds": st.fixed_dictionaries(
        {},
        optional={
            "base": st.integers(-5, 10),
            "replicates": st.integers(-1, 3),
            "common_random_numbers": st.one_of(st.booleans(), st.integers(0, 1)),
        },
    ),
    "parameters": st.dictionaries(
        st.sampled_from(
            ["national.work_wait_months", "governance.resources", "policies.delivery", "nope.x"]
        ),
        st.one_of(
            st.lists(JUNK, max_size=3),
            st.fixed_dictionaries(
                {}, optional={"min": st.floats(-2, 30), "max": st.floats(-2, 30), "x": JUNK}
            ),
            JUNK,
        ),
        max_size=2,
    ),
    "design": st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["grid", "list", "lhs", "sobol", "morris", "other"]),
            "size": st.integers(-1, 20),
            "levels": st.integers(0, 6),
        },
    ),
    "outputs": st.fixed_dictionaries(
        {},
        optional={
            "timeseries": st.one_of(
                st.just("all"), st.lists(st.sampled_from(["migrants_present", "bogus"]))
            ),
            "every": st.integers(-1, 200),
        },
    ),
    "storage": st.fixed_dictionaries({}, optional={"url": st.text(max_size=8)}),
}
sweep_texts = st.fixed_dictionaries({}, optional={k: v for k, v in SWEEP_PIECES.items()}).map(
    tomli_w.dumps
)


def _write(text: str, name: str) -> Path:
    path = WORK / name
    path.write_text(text, encoding="utf-8")
    return path


def call(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # pragma: no cover - main returns its codes
            code = exc.code
        except BaseException:
            pytest.fail(f"{argv}: raised\n{traceback.format_exc()}")
    return code, err.getvalue()


def check(argv: list[str], names: list[str]) -> None:
    code, err = call(argv)
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        assert any(name in lines[0] for name in names), (argv, err)


FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(text=scenario_texts)
def test_any_scenario_file(text):
    path = _write(text, "scenario.toml")
    check(["validate", str(path)], [str(path), "nowhere.toml", "x.toml"])


@FAST
@given(data=sweep_texts)
def test_any_sweep_file(data):
    path = _write(data or "[experiment]\n", "sweep.toml")
    check(["validate", str(path)], [str(path)])


@pytest.fixture(scope="module")
def fast_run():
    """simulate and the figure replaced by instant fakes, so `run` can be fuzzed."""
    from conftest import small_scenario

    result = simulate(small_scenario(**{"run.months": 3}), seed=0)
    patches = pytest.MonkeyPatch()
    patches.chdir(WORK)  # a relative --out lands in the fuzz folder, never in the repository
    patches.setattr(model, "simulate", lambda scenario, seed=0, **kw: result)
    patches.setattr(figures, "overview", lambda *a, **k: None)
    yield
    patches.undo()


OPTION_VALUES = st.sampled_from(
    [
        "0",
        "-1",
        "3",
        "601",
        "x",
        "1.5",
        "",
        "99999999999999999999999",
        "inflow.total=5",
        "inflow.totl=5",
        "=",
        "run.months=0",
        "policies.delivery=mainstream",
        "/proc/nope",
    ]
)


@FAST
@given(
    scenario=st.sampled_from(["northern_midsize_asylum", "inflow_sudden", "nope", str(NORTHERN)]),
    options=st.lists(
        st.tuples(
            st.sampled_from(["--months", "--seed", "--set", "--overlay", "--out", "--bogus"]),
            OPTION_VALUES,
        ),
        max_size=3,
    ),
)
def test_any_run_arguments(fast_run, scenario, options):
    argv = ["run", scenario, "--quiet"]
    names = [scenario]
    out_given = False
    for option, value in options:
        argv += [option, value]
        names += [n for n in (option, value, value.split("=")[0]) if n]
        out_given |= option == "--out"
    if not out_given:
        argv += ["--out", str(WORK / "out")]
    check(argv, [*names, "--set", "arrival-city run"])


@FAST
@given(
    command=st.sampled_from(["status", "compare", "export", "sensitivity", "sweep"]),
    db=st.one_of(
        st.sampled_from(["sqlite:///" + str(WORK / "no" / "x.db"), "nonsense", "sqlite://"]),
        st.text(alphabet="abc:/", max_size=8),
    ),
    workers=st.sampled_from([None, "0", "-3", "two", "2"]),
)
def test_any_reading_arguments(command, db, workers):
    argv = [command]
    if command in ("compare", "sensitivity", "export"):
        argv.append("someexp")
    if command == "sweep":
        argv.append(str(WORK / "missing-sweep.toml"))
        if workers is not None:
            argv += ["--workers", workers]
    argv += ["--db", db]
    check(argv, [db, "--db", "--workers", "missing-sweep.toml", "arrival-city", "no database"])
    assert not (WORK / "no").exists()
