"""The in-domain labelled set (package data ``rihub/data/indomain``) is consistent with the bundled
report, the framework vocabularies and its own labelling guide."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from rihub.frameworks import FRAMEWORKS, load
from rihub.hub import Hub

HELD_OUT_REGION = "EUR"


def _package_text(name: str) -> str:
    return resources.files("rihub.data").joinpath("indomain", name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def labelled() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_package_text("labels.json"))
    return data


@pytest.fixture(scope="module")
def report_texts(demo_hub: Hub) -> dict[str, tuple[str, str]]:
    """Every labellable unit of the bundled report: key → (region, text)."""
    texts: dict[str, tuple[str, str]] = {}
    for summary in demo_hub.initiatives():
        item = demo_hub.initiative(summary.code)
        texts[item.code] = (item.region, item.head_text)
        for result in item.expected_results:
            texts[f"{item.code}.{result.number}"] = (item.region, result.full_text)
    return texts


def test_header_names_its_guide_and_source(labelled: dict[str, Any]) -> None:
    assert labelled["guide"] == "guide.md"
    assert "rpm-coordination-wtdc25.txt" in labelled["source"]
    assert set(labelled["frameworks"]) == set(FRAMEWORKS)
    assert _package_text(labelled["guide"]).startswith("# Labelling guide")


def test_every_key_resolves_to_the_text_it_labels(
    labelled: dict[str, Any], report_texts: dict[str, tuple[str, str]]
) -> None:
    keys = [item["key"] for item in labelled["items"]]
    assert len(keys) == len(set(keys))
    for item in labelled["items"]:
        expected_key = item["initiative"] if item["result"] is None else f"{item['initiative']}.{item['result']}"
        assert item["key"] == expected_key
        assert item["key"] in report_texts, item["key"]
        region, text = report_texts[item["key"]]
        assert region != HELD_OUT_REGION, f"{item['key']}: the held-out region is not labelled"
        assert item["text_start"] == text[:60], item["key"]


def test_initiatives_are_labelled_whole(labelled: dict[str, Any], report_texts: dict[str, tuple[str, str]]) -> None:
    """A partial set is made of whole initiatives: the initiative and every one of its current results."""
    keys = {item["key"] for item in labelled["items"]}
    codes = {item["initiative"] for item in labelled["items"]}
    for code in codes:
        unit = {key for key in report_texts if key == code or key.startswith(f"{code}.")}
        assert unit <= keys, f"{code}: unlabelled {sorted(unit - keys)}"


def test_codes_exist_in_the_vocabularies(labelled: dict[str, Any]) -> None:
    top = {fw: {i.code for i in load(fw) if i.is_top_level} for fw in FRAMEWORKS}
    targets = {i.code: i.parent for i in load("SDG") if not i.is_top_level}
    for item in labelled["items"]:
        assert set(item["labels"]) == set(FRAMEWORKS), item["key"]
        for framework, labels in item["labels"].items():
            codes = [label["code"] for label in labels]
            assert len(codes) == len(set(codes)), f"{item['key']} {framework}: duplicate code"
            assert set(codes) <= top[framework], f"{item['key']} {framework}: {codes}"
            for label in labels:
                for target in label.get("targets", []):
                    assert targets.get(target) == label["code"], f"{item['key']}: {target} not under {label['code']}"


def test_grades_and_reasons_follow_the_guide(labelled: dict[str, Any]) -> None:
    rule_ids = set(re.findall(r"`([SWG]-?[A-Z0-9]+(?:-[A-Z0-9]+)?)`", _package_text("guide.md")))
    for item in labelled["items"]:
        for framework, labels in item["labels"].items():
            if not labels:
                assert item.get("none_reason"), f"{item['key']} {framework}: empty without none_reason"
            for label in labels:
                assert label["grade"] in {1, 2}, item["key"]
                reason = label["reason"].strip()
                assert reason and "\n" not in reason, item["key"]
                assert reason.split(":")[0] in rule_ids, f"{item['key']}: {reason!r} cites no rule of the guide"
        primaries = [label for label in item["labels"]["GDC"] if label["grade"] == 2]
        assert len(primaries) <= 1 and len(item["labels"]["GDC"]) <= 2, f"{item['key']}: one primary GDC objective"


def test_structural_lines_are_not_labelled_by_rule(labelled: dict[str, Any]) -> None:
    """C1 and C11 hold for every initiative by rule; the set labels them only where the text is about them."""
    wsis = [{label["code"] for label in item["labels"]["WSIS"]} for item in labelled["items"]]
    for line in ("C1", "C11"):
        share = sum(line in codes for codes in wsis) / len(wsis)
        assert 0 < share < 0.5, f"{line} on {share:.0%} of items"


@pytest.mark.parametrize(
    ("name", "minimum", "split_of"),
    [
        ("othercycles.json", 50, lambda i: "dev" if i % 2 else "heldout"),
        ("othercycles-2.json", 40, lambda i: "test"),
        ("othercycles-3.json", 40, lambda i: "test"),
        ("othercycles-4.json", 40, lambda i: "test"),
        ("othercycles-5.json", 40, lambda i: "test"),
        ("othercycles-6.json", 40, lambda i: "test"),
    ],
)
def test_the_other_cycles_check_sets_follow_the_guide(name: str, minimum: int, split_of: Callable[[int], str]) -> None:
    """``bench/data/othercycles*.json`` (bench/align_othercycles.py): codes in the vocabularies, rules of
    the guide, one primary GDC objective, the split fixed when the set was written (dev / held-out by
    id parity; the later sets all ``test``), and a ``none_reason`` wherever a framework has no label."""
    path = Path(__file__).resolve().parents[1] / "bench" / "data" / name
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["guide"] == "src/rihub/data/indomain/guide.md" and data["provenance"]
    rule_ids = set(re.findall(r"`([SWG]-?[A-Z0-9]+(?:-[A-Z0-9]+)?)`", _package_text("guide.md")))
    top = {fw: {i.code for i in load(fw) if i.is_top_level} for fw in FRAMEWORKS}
    ids = [item["id"] for item in data["items"]]
    assert len(ids) == len(set(ids)) >= minimum
    for item in data["items"]:
        assert item["split"] == split_of(item["id"])
        assert set(item["labels"]) == set(FRAMEWORKS)
        for framework, labels in item["labels"].items():
            assert labels or item.get("none_reason"), f"{item['id']} {framework}: a label, or the reason for none"
            assert {lab["code"] for lab in labels} <= top[framework], item["id"]
            assert all(lab["rule"] in rule_ids and lab["grade"] in {1, 2} for lab in labels), item["id"]
        assert sum(lab["grade"] == 2 for lab in item["labels"]["GDC"]) <= 1, item["id"]
