"""The figure book at --quick, half of it (the other half in test_figures_quick_b, so that
``pytest -n 2 --dist loadfile`` runs the halves side by side): each figure's CSV is byte-identical
to its committed reference."""

from __future__ import annotations

import pytest
from figure_check import check_figure


@pytest.mark.parametrize("name", ["decentralisation", "policy-tradeoffs", "inflow-shape"])
def test_quick_figure_reproduces_its_reference(name, figure_db, tmp_path):
    check_figure(name, figure_db, tmp_path)
