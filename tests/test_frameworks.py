"""Vocabulary completeness: the codes stored with alignments must all exist and be well formed."""

from __future__ import annotations

import re

import pytest

from rihub.align.lexicon import get_lexicon
from rihub.frameworks import FRAMEWORKS, FrameworkItem, all_items, goals, load, version, wsis_sdg_prior

TARGET_COUNTS = {
    "1": 7,
    "2": 8,
    "3": 13,
    "4": 10,
    "5": 9,
    "6": 8,
    "7": 5,
    "8": 12,
    "9": 8,
    "10": 10,
    "11": 10,
    "12": 11,
    "13": 5,
    "14": 10,
    "15": 12,
    "16": 12,
    "17": 19,
}


def test_sdg_has_17_goals_and_169_targets() -> None:
    items = load("SDG")
    assert [g.code for g in goals("SDG")] == [str(i) for i in range(1, 18)]
    targets = [t for t in items if t.parent is not None]
    assert len(targets) == 169
    for goal, count in TARGET_COUNTS.items():
        assert sum(t.parent == goal for t in targets) == count, goal


def test_sdg_target_codes_are_valid() -> None:
    for t in load("SDG"):
        if t.parent is None:
            continue
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2}|[a-d])", t.code)
        assert m, t.code
        assert m.group(1) == t.parent
    codes = [t.code for t in load("SDG")]
    assert len(codes) == len(set(codes))


def test_wsis_and_gdc_codes() -> None:
    assert [i.code for i in goals("WSIS")] == [f"C{i}" for i in range(1, 12)]
    assert [i.code for i in goals("GDC")] == ["1", "2", "3", "4", "5"]
    for item in load("GDC"):
        assert item.parent is None or item.code.startswith(f"{item.parent}.")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_item_is_described(framework: str) -> None:
    assert version(framework)
    for item in load(framework):
        assert isinstance(item, FrameworkItem)
        assert item.framework == framework
        assert item.title.strip() and item.description.strip()
        assert item.keywords, item.code
        assert isinstance(item.keywords, tuple)


def test_all_items_and_case_insensitive_load() -> None:
    assert len(all_items()) == sum(len(load(fw)) for fw in FRAMEWORKS)
    assert load("sdg") == load("SDG")
    with pytest.raises(KeyError):
        load("MDG")


def test_wsis_sdg_prior_points_at_real_goals() -> None:
    prior = wsis_sdg_prior()
    sdgs = {g.code for g in goals("SDG")}
    assert set(prior) == {f"C{i}" for i in range(1, 12)}
    for line, targets in prior.items():
        assert targets and set(targets) <= sdgs, line


def test_lexicon_covers_every_top_level_label() -> None:
    labels = {label for labels in get_lexicon().terms.values() for label in labels}
    for fw in FRAMEWORKS:
        for g in goals(fw):
            assert (fw, g.code) in labels
