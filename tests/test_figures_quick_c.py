"""The figure book at --quick: the evidence figure (every fact at its quick seeds), on its own
file so that `--dist loadfile` runs it beside the other two halves."""

from __future__ import annotations

from figure_check import check_figure


def test_quick_evidence_figure_reproduces_its_reference(figure_db, tmp_path):
    check_figure("evidence", figure_db, tmp_path)
