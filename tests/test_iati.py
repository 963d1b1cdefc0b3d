"""`rihub export --format iati`: IATI activity XML 2.03, checked against the schema's structure.

The IATI schemas are CC BY 4.0, but rihub does not ship them (no copy of the XSD is vendored, and
tests never fetch one), so this test states the 2.03 rules the export relies on and checks each:
the order of every sequence used, the elements and attributes the schema requires, the XSD
datatypes of dates and booleans, and that every related activity names an activity in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from monitor_support import copy_of, planned, team
from rihub.cli import app
from rihub.hub import Hub
from rihub.records import PeriodInput, UpdateInput

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# iati-activity's sequence in the 2.03 schema (elements rihub never writes included, for the order).
ACTIVITY = [
    "iati-identifier", "reporting-org", "title", "description", "participating-org", "other-identifier",
    "activity-status", "activity-date", "contact-info", "activity-scope", "recipient-country", "recipient-region",
    "location", "sector", "tag", "country-budget-items", "humanitarian-scope", "policy-marker",
    "collaboration-type", "default-flow-type", "default-finance-type", "default-aid-type", "default-tied-status",
    "budget", "planned-disbursement", "capital-spend", "transaction", "document-link", "related-activity",
    "legacy-data", "conditions", "result", "crs-add", "fss",
]  # fmt: skip
SEQUENCES = {
    "result": ["title", "description", "document-link", "reference", "indicator"],
    "indicator": ["title", "description", "document-link", "reference", "baseline", "period"],
    "period": ["period-start", "period-end", "target", "actual"],
    "baseline": ["location", "dimension", "document-link", "comment"],
    "target": ["location", "dimension", "comment", "document-link"],
    "actual": ["location", "dimension", "comment", "document-link"],
}
AT_LEAST_ONE = {
    "iati-activity": ["iati-identifier", "reporting-org", "title", "description", "participating-org",
                      "activity-status", "activity-date"],
    "result": ["title", "indicator"],
    "indicator": ["title"],
    "period": ["period-start", "period-end"],
    "title": ["narrative"], "description": ["narrative"], "comment": ["narrative"], "reporting-org": ["narrative"],
}  # fmt: skip
ONCE = {"iati-identifier", "reporting-org", "title", "activity-status", "period-start", "period-end", "baseline"}
REQUIRED = {
    "reporting-org": ["ref", "type"],
    "participating-org": ["role"],
    "activity-status": ["code"],
    "activity-date": ["type", "iso-date"],
    "recipient-country": ["code"],
    "related-activity": ["ref", "type"],
    "result": ["type"],
    "indicator": ["measure"],
    "baseline": ["year"],
    "period-start": ["iso-date"],
    "period-end": ["iso-date"],
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_structure(root: ET.Element) -> None:
    """Every rule above, on every element of the file."""
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    assert dt.datetime.fromisoformat(root.attrib["generated-datetime"]).tzinfo is not None
    idents = [a.findtext("iati-identifier") for a in root]
    assert len(idents) == len(set(idents)) and all(idents)
    for activity in root:
        assert activity.tag == "iati-activity" and activity.get(XML_LANG) == "en"
        assert activity.get("hierarchy") in ("1", "2")
        tags = [c.tag for c in activity]
        assert [ACTIVITY.index(t) for t in tags] == sorted(ACTIVITY.index(t) for t in tags), tags
        ref = activity.find("reporting-org")
        assert ref is not None and str(activity.findtext("iati-identifier")).startswith(f"{ref.get('ref')}-")
        for related in activity.iter("related-activity"):
            assert related.get("ref") in idents and related.get("type") in ("1", "2")
    for element in root.iter():
        children = [c.tag for c in element]
        if element.tag in SEQUENCES:
            order = SEQUENCES[element.tag]
            assert [order.index(t) for t in children] == sorted(order.index(t) for t in children), children
        for tag in AT_LEAST_ONE.get(element.tag, []):
            assert tag in children, f"{element.tag} lacks {tag}"
        for tag in ONCE & set(children):
            assert children.count(tag) == 1, f"{element.tag} has {tag} twice"
        for attribute in REQUIRED.get(element.tag, []):
            assert element.get(attribute), f"{element.tag} lacks @{attribute}"
        if "iso-date" in element.attrib:
            assert DATE.match(element.attrib["iso-date"])
        if element.tag == "baseline":
            assert int(element.attrib["year"]) > 0 and "value" in element.attrib
        if element.tag in ("target", "actual"):
            assert "value" in element.attrib
        if element.tag == "indicator":
            assert element.get("ascending") in ("0", "1") and element.get("measure") in ("1", "2", "3", "4", "5")
        if element.tag == "narrative":
            assert (element.text or "").strip()


@pytest.fixture()
def monitored(demo_hub: Hub, tmp_path: Path) -> Hub:
    hub = copy_of(demo_hub, tmp_path / "iati.db")
    people = team(hub)
    project, indicator, period = planned(hub, people.contributor)
    hub.project_link(people.contributor, project.id, "EUR1.2")  # one project serving two initiatives
    hub.period_add(
        people.contributor,
        PeriodInput(indicator_id=indicator.id, start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31)),
    )
    update = hub.update_add(people.contributor, UpdateInput(period_id=period.id, value=30, narrative="KE, SN"))
    update = hub.update_submit(people.contributor, update.id, update.version)
    hub.update_approve(people.reviewer, update.id, update.version)
    return hub


def test_iati_export_maps_initiatives_projects_and_indicators(
    monitored: Hub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RIHUB_IATI_ORG_REF", "XM-EXAMPLE-1")
    root = ET.fromstring(monitored.export_iati())
    check_structure(root)
    by_id = {a.findtext("iati-identifier"): a for a in root}
    initiatives = [a for a in root if a.get("hierarchy") == "1"]
    assert len(initiatives) == monitored.count_initiatives()
    afr1, eur1 = by_id["XM-EXAMPLE-1-WTDC-25-AFR1"], by_id["XM-EXAMPLE-1-WTDC-25-EUR1"]
    [project] = [a for a in root if a.get("hierarchy") == "2"]
    assert project.findtext("iati-identifier") == "XM-EXAMPLE-1-P1"
    parents = {r.get("ref") for r in project.iter("related-activity") if r.get("type") == "1"}
    assert parents == {"XM-EXAMPLE-1-WTDC-25-AFR1", "XM-EXAMPLE-1-WTDC-25-EUR1"}
    for parent in (afr1, eur1):
        assert [(r.get("ref"), r.get("type")) for r in parent.iter("related-activity")] == [("XM-EXAMPLE-1-P1", "2")]
    assert [c.get("code") for c in project.iter("recipient-country")] == ["KE", "SN"]
    assert [n.text for n in project.findall("participating-org[@role='4']/narrative")] == ["WMO", "UNDRR"]
    [result] = afr1.findall("result")  # only the measured result; EUR1.2 has no indicator yet
    assert eur1.findall("result") == []
    assert str(result.findtext("title/narrative")).startswith("AFR1.16: Support member states")
    indicator = result.find("indicator")
    assert indicator is not None
    baseline = indicator.find("baseline")
    assert baseline is not None and (baseline.get("year"), baseline.get("value")) == ("2025", "10")
    periods = [
        (p.find("period-start").get("iso-date"), p.find("target"), p.find("actual"))  # type: ignore[union-attr]
        for p in indicator.findall("period")
    ]
    assert [(s, t.get("value") if t is not None else None) for s, t, _ in periods] == [
        ("2026-01-01", "50"),
        ("2027-01-01", None),  # no target set: no target element
    ]
    actual = periods[0][2]
    assert actual is not None and actual.get("value") == "30" and actual.findtext("comment/narrative") == "KE, SN"
    assert periods[1][2] is None  # nothing approved
    out = tmp_path / "activities.xml"
    done = CliRunner().invoke(app, ["--db", str(monitored.url), "export", "--format", "iati", "-o", str(out)])
    assert done.exit_code == 0, done.output
    check_structure(ET.parse(out).getroot())


def test_a_structural_error_is_caught(monitored: Hub) -> None:
    """The checker is not vacuous: a file with its elements out of order, or a result without an
    indicator, fails it."""
    root = ET.fromstring(monitored.export_iati())
    activity = root[0]
    status = activity.find("activity-status")
    assert status is not None
    activity.remove(status)
    activity.insert(0, status)
    with pytest.raises(AssertionError):
        check_structure(root)
    root = ET.fromstring(monitored.export_iati())
    result = next(root.iter("result"))
    for indicator in result.findall("indicator"):
        result.remove(indicator)
    with pytest.raises(AssertionError, match="result lacks indicator"):
        check_structure(root)
