"""WSIS action lines are compared by their themes (the uses a line covers), not by one blurred description."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rihub.align import Aligner
from rihub.align.features import LabelSpace, prepare_texts, view_matrices
from rihub.frameworks import goals


@pytest.fixture(scope="module")
def aligner() -> Aligner:
    return Aligner.load()


def _without_themes(space: LabelSpace) -> LabelSpace:
    assert space.target_is_theme is not None
    own = ~space.target_is_theme
    return replace(
        space,
        target_emb=space.target_emb[own],
        target_owner=space.target_owner[own],
        target_codes=tuple(c for c, keep in zip(space.target_codes, own, strict=True) if keep),
        target_texts=tuple(t for t, keep in zip(space.target_texts, own, strict=True) if keep),
        target_is_theme=None,
    )


def test_every_action_line_has_themes_and_they_are_embedded_as_its_targets(aligner: Aligner) -> None:
    space = aligner.spaces["WSIS"]
    assert space.target_is_theme is not None
    for j, line in enumerate(goals("WSIS")):
        assert len(line.themes) >= 2, line.code
        rows = np.flatnonzero((space.target_owner == j) & space.target_is_theme)
        assert [space.target_texts[r] for r in rows] == list(line.themes)
        assert {space.target_codes[r] for r in rows} == {line.code}
    assert aligner.spaces["SDG"].target_is_theme is None and aligner.spaces["GDC"].target_is_theme is None


def test_themes_raise_a_lines_target_view_but_not_its_share_of_the_sdg_prior(aligner: Aligner) -> None:
    """``combined`` (what the WSIS->SDG prior is a soft-max of) compares every line by its own title and
    description: a line with more themes must not take more of each text's distribution."""
    texts = [
        "Development of online services of public administrations for citizens and businesses.",
        "Harmonised conformance testing of terminal equipment and mutual recognition of test results.",
        "A regional platform where regulators share their experience of spectrum auctions.",
    ]
    batch = prepare_texts(texts, aligner.embed, salience=True)
    space = aligner.spaces["WSIS"]
    with_themes = view_matrices(batch, space)
    without = view_matrices(batch, _without_themes(space))
    np.testing.assert_array_equal(with_themes["combined"], without["combined"])
    assert (with_themes["target_max"] >= without["target_max"]).all()
    assert (with_themes["target_max"] > without["target_max"]).any()


@pytest.mark.parametrize(
    ("text", "line", "theme"),
    [
        (
            "Development of online services of public administrations for citizens and businesses.",
            "C7",
            "E-government",
        ),
        (
            "Harmonised conformance testing of terminal equipment and mutual recognition of test results.",
            "C6",
            "Standards, conformance testing",
        ),
    ],
)
def test_a_text_near_one_use_of_a_line_is_proposed_with_that_use_as_evidence(
    aligner: Aligner, text: str, line: str, theme: str
) -> None:
    """Constructed texts that name one use of a line in words of their own: without themes the first
    ranked C1 first (0.64) and C7 under 0.06, and the second scored C6 0.12, under its threshold."""
    fs = aligner.scores([text])["WSIS"]
    j = fs.codes.index(line)
    assert fs.codes[int(fs.scores[0].argmax())] == line and fs.scores[0, j] >= fs.thresholds[j]
    (prop,) = [p for p in aligner.classify([text])[0] if p.framework == "WSIS" and p.code == line]
    nearest = prop.evidence["nearest"]
    assert isinstance(nearest, dict) and str(nearest["text"]).startswith(theme)
