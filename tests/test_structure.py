"""The code's structure: each policy read where it acts, no import circle in model/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from model.codes import SECTORS, Sector, names
from model.policies import POLICIES
from model.scenario import PoliciesParams

MODEL = Path(__file__).resolve().parent.parent / "model"


def attributes_read(path: Path) -> set[str]:
    return {n.attr for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Attribute)}


def test_every_policy_lever_is_declared_once():
    assert {p.key for p in POLICIES} | {"targeted_share"} == set(PoliciesParams.model_fields)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.key)
def test_a_policy_is_read_by_exactly_the_processes_it_acts_in(policy):
    readers = {
        path.stem
        for path in (MODEL / "processes").glob("*.py")
        if policy.key in attributes_read(path)
    }
    assert readers == set(policy.acts_in)
    outside = [
        path.name
        for path in MODEL.glob("*.py")
        if path.name not in ("scenario.py", "policies.py") and policy.key in attributes_read(path)
    ]
    assert outside == [], f"{policy.key} is read outside its processes: {outside}"


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("model"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("model"))
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(MODEL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_model_has_no_import_circle_and_never_imports_experiments():
    files = {module_name(p): p for p in MODEL.rglob("*.py")}
    graph = {
        name: {m for m in imports_of(path) if m in files and m not in (name, "model")}
        for name, path in files.items()
        if name != "model"
    }
    for path in MODEL.rglob("*.py"):
        assert "experiments" not in path.read_text().replace("experiments/", ""), path
    state: dict[str, int] = {}

    def visit(node: str, trail: tuple[str, ...]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != 1, "import circle: " + " -> ".join((*trail, node, nxt))
            if nxt not in state:
                visit(nxt, (*trail, node))
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, ())


def test_city_is_the_schedule_only():
    assert len((MODEL / "city.py").read_text().splitlines()) <= 300


def test_vocabularies_come_from_the_enums():
    assert (
        names(Sector)
        == SECTORS
        == (
            "health",
            "education",
            "housing_assistance",
            "employment_skills",
            "reception",
            "legal_aid",
        )
    )


def test_odd_outcome_table_is_the_registry():
    from experiments.cli import outcome_table

    odd = (MODEL.parent / "docs" / "ODD.md").read_text()
    start = odd.index("<!-- outcomes:start -->") + len("<!-- outcomes:start -->")
    assert odd[start : odd.index("<!-- outcomes:end -->")].strip() == outcome_table()


def test_outcomes_command_lists_every_outcome_with_its_unit(capsys):
    from experiments.cli import main
    from model.metrics import OUTCOMES

    assert main(["outcomes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(OUTCOMES)
    for line, outcome in zip(lines, OUTCOMES, strict=True):
        assert line.split()[:2] == [outcome.name, outcome.unit.split()[0]]
