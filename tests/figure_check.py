"""Regenerate a figure at --quick and compare its CSV with the committed quick reference."""

from __future__ import annotations

from pathlib import Path

from experiments.cli import main

REFERENCES = Path(__file__).resolve().parent / "figures_quick"
REFRESH = "refresh the references with `make figures-quick` when the model changed on purpose"


def check_figure(name: str, db: str, out: Path) -> None:
    """Make figure ``name`` at --quick into ``out`` and assert its CSV equals the reference."""
    assert main(["figure", name, "--quick", "--out", str(out), "--db", db]) == 0
    for suffix in (".png", ".svg", ".csv", ".json"):
        assert (out / f"{name}{suffix}").stat().st_size > 0
    made = (out / f"{name}.csv").read_bytes()
    reference = (REFERENCES / f"{name}.csv").read_bytes()
    assert made == reference, f"{name}.csv differs from tests/figures_quick/{name}.csv; {REFRESH}"
