"""The in-domain set rolled up per initiative, as the EUR hold-out is scored."""

from __future__ import annotations

import numpy as np
import pytest

from rihub.align.calibrate import initiative_figures


def test_parts_are_rolled_up_by_noisy_or_against_the_union_of_their_labels() -> None:
    raw = np.array([[0.9, 0.1, 0.1], [0.1, 0.5, 0.1], [0.2, 0.3, 0.6], [0.2, 0.3, 0.6]])
    gold = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0]], dtype=bool)
    figures = initiative_figures(raw, gold, ["X", "X", "Y", "Y"], ["A", "B", "C"], "GDC")
    # X: A 0.91, B 0.55, C 0.19 -> top-1 hit, gold at ranks 1 and 2; Y: C 0.84 first, A 0.36 third.
    assert figures["initiatives"] == 2
    assert figures["top1"] == pytest.approx(0.5)
    assert figures["map"] == pytest.approx((1.0 + 1 / 3) / 2, abs=1e-4)


def test_structural_lines_stay_out_of_the_ranking_and_the_gold() -> None:
    raw = np.array([[0.99, 0.4, 0.6], [0.99, 0.2, 0.0]])
    gold = np.array([[1, 0, 1], [1, 0, 0]], dtype=bool)
    figures = initiative_figures(raw, gold, ["X", "X"], ["C1", "C2", "C3"], "WSIS")
    assert figures["initiatives"] == 1  # C1 is structural: out of the gold and the ranking
    assert figures["map"] == pytest.approx(1.0)  # C3 0.6 beats C2 0.52 once C1 is gone
    structural_gold = np.array([[1, 0, 0], [1, 0, 0]], dtype=bool)
    only_structural = initiative_figures(raw, structural_gold, ["X", "X"], ["C1", "C2", "C3"], "WSIS")
    assert only_structural["initiatives"] == 0 and np.isnan(only_structural["map"])
