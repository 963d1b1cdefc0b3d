"""Label priors (one logit offset per WSIS line / GDC objective, fitted on the in-domain labels) and the
calibration that turns a score into the proposal's one readable probability."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from rihub.align import Aligner
from rihub.align.calibrate import (
    PRIOR_FRAMEWORKS,
    fit_label_priors,
    indomain_figures,
    indomain_items,
)
from rihub.align.combiner import fit_isotonic
from rihub.model import Outline


@pytest.fixture(scope="module")
def aligner() -> Iterator[Aligner]:
    yield Aligner.load()


def _log_loss(p: np.ndarray, y: np.ndarray) -> float:
    q = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).sum())


def test_priors_move_each_label_towards_how_often_it_applies() -> None:
    rng = np.random.default_rng(7)
    n = 400
    raw = rng.uniform(0.05, 0.6, size=(n, 3))
    gold = np.zeros((n, 3), dtype=bool)
    gold[:, 0] = rng.uniform(size=n) < 0.8  # applies far more often than its scores say
    gold[:, 1] = rng.uniform(size=n) < 0.02  # far less often
    gold[:, 2] = rng.uniform(size=n) < raw[:, 2]  # as often as its scores say
    offsets = fit_label_priors(raw, gold)
    assert offsets[0] > 1.0 and offsets[1] < -1.0 and abs(offsets[2]) < 0.3
    for j in range(3):  # each offset lowers that label's log loss against the labels
        adjusted = 1 / (1 + np.exp(-(np.log(raw / (1 - raw)) + offsets)))
        assert _log_loss(adjusted[:, j], gold[:, j]) <= _log_loss(raw[:, j], gold[:, j]) + 1e-9
    # the penalty pulls offsets towards 0; a label with no positive drifts down, boundedly
    assert np.all(np.abs(fit_label_priors(raw, gold, penalty=200.0)) < np.abs(offsets))
    assert -6 < fit_label_priors(raw, np.zeros_like(gold))[0] < 0


def test_shipped_priors_are_applied_to_wsis_and_gdc_and_shown_as_evidence(aligner: Aligner) -> None:
    assert set(aligner.label_priors) == set(PRIOR_FRAMEWORKS) and "SDG" not in aligner.label_priors
    text = "Assistance to Member States in developing broadband infrastructure and closing the connectivity gap."
    with_p, without = aligner.scores([text]), aligner.scores([text], label_priors=False)
    for fw in PRIOR_FRAMEWORKS:
        offsets = np.array([aligner.label_priors[fw][c] for c in with_p[fw].codes])
        assert np.allclose(with_p[fw].lifts["label_prior"][0], offsets)
        assert "label_prior" not in without[fw].lifts
    assert "label_prior" not in with_p["SDG"].lifts
    props = [p for p in aligner.classify([text])[0] if p.framework in PRIOR_FRAMEWORKS]
    assert props, "a connectivity text gets WSIS / GDC proposals"
    for p in props:
        views = p.evidence["views"]
        assert isinstance(views, dict) and views["label_prior"] == pytest.approx(
            aligner.label_priors[p.framework][p.code], abs=1e-3
        )


def test_priors_fitted_out_of_fold_do_not_lower_the_in_domain_figures(aligner: Aligner, outline: Outline) -> None:
    figures = indomain_figures(aligner, indomain_items(outline))
    for fw, key in (("WSIS", "recall_at_3"), ("GDC", "top1")):
        shipped, plain = figures[fw], figures[fw]["without_label_priors"]
        assert shipped["label_priors"].startswith("fitted out of fold")
        assert shipped["map"] >= plain["map"] and shipped[key] >= plain[key]
    assert figures["SDG"]["label_priors"].startswith("none") and "with_label_priors" in figures["SDG"]
    for fw, key in (("SDG", "recall_at_5"), ("WSIS", "recall_at_3"), ("GDC", "top1")):
        rolled = figures[fw]["initiatives_rolled_up"]
        assert rolled["initiatives"] == figures["initiatives"] and 0.5 < rolled[key] <= 1.0


def test_calibration_reads_each_block_with_the_rule_of_succession(aligner: Aligner) -> None:
    """A block of all-correct validation pairs says (n + 1) / (n + 2), not 100 %; order is kept."""
    scores = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9, 0.95])
    labels = np.array([False, False, False, True, False, True, True, True])
    cal = fit_isotonic(scores, labels, "test")
    p = cal.apply(scores)
    assert p[0] == pytest.approx(1 / 5)  # three wrong pairs: (0 + 1) / (3 + 2)
    assert p[-1] == pytest.approx(4 / 5)  # the top block: three right of three
    assert p[3] == pytest.approx(2 / 4)  # the violator pooled with its neighbour: one right of two
    assert np.all(np.diff(p) >= 0) and p.min() > 0 and p.max() < 1
    rng = np.random.default_rng(3)
    raw = rng.uniform(size=2000)
    noisy = fit_isotonic(raw, rng.uniform(size=2000) < raw, "test").apply(np.linspace(0, 1, 101))
    assert np.all(np.diff(noisy) >= 0) and np.abs(noisy - np.linspace(0, 1, 101)).max() < 0.15
    for cal in aligner.combiner.calibration.values():  # the shipped maps never say "always" or "never"
        assert min(cal.y) > 0 and max(cal.y) < 1
