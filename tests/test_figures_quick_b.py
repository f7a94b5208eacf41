"""The figure book at --quick, the other half (see test_figures_quick_a)."""

from __future__ import annotations

import pytest
from figure_check import check_figure


@pytest.mark.parametrize("name", ["coherence", "partners", "data-quality", "sensitivity"])
def test_quick_figure_reproduces_its_reference(name, figure_db, tmp_path):
    check_figure(name, figure_db, tmp_path)
