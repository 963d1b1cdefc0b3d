"""IATI activity XML 2.03: the cycle's initiatives as activities, their projects as child activities.

The mapping (docs/monitoring.md has the table):

- every current initiative of the cycle is an ``iati-activity`` (``hierarchy="1"``), identified
  ``{org}-{cycle}-{code}``; its planned dates are the four years after its WTDC;
- each project serving it is a child activity (``hierarchy="2"``, ``{org}-P{id}``): the parent
  lists it with ``related-activity type="2"``, the child names its parent with ``type="1"`` (a
  project serving several initiatives names each);
- each expected result with at least one indicator is a ``result`` (type 2, outcome) of the
  initiative's activity, holding every indicator measuring it — the schema requires a result to
  have an indicator, so results nobody measures yet are left out — with its ``baseline`` and
  ``period``s (``target``; ``actual`` once an update is approved). Results are reported once, on
  the initiative, so nothing is counted twice; the project activities carry dates, status,
  partners and countries.

The reporting organisation comes from settings (``RIHUB_IATI_ORG_REF``, ``_NAME``, ``_TYPE``).
The element order follows the 2.03 activity schema's sequences; tests/test_iati.py checks it
and every required element and attribute explicitly (the schema files are not shipped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from rihub.config import Settings
from rihub.records import IndicatorProgress, InitiativeProgress, PeriodProgress, Project, ResultProgress

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEASURE = {"unit": "1", "percentage": "2", "qualitative": "5"}  # IATI IndicatorMeasure
PROJECT_STATUS = {"not-started": "1", "completed": "3"}  # IATI ActivityStatus; others: 2 implementation
CYCLE_YEARS = 4  # a WTDC cycle: the four years after its conference


def document(
    initiatives: Sequence[InitiativeProgress],
    years: dict[str, int | None],
    settings: Settings,
    generated: dt.datetime,
) -> bytes:
    """The ``iati-activities`` file: initiatives in their order, then every project once."""
    root = ET.Element("iati-activities", {"version": VERSION, "generated-datetime": _stamp(generated)})
    parents: dict[int, list[str]] = {}
    projects: dict[int, Project] = {}
    for item in initiatives:
        ident = f"{settings.iati_org_ref}-{item.cycle}-{item.code}"
        serving = {p.id: p for r in item.results for p in r.projects}
        for project in serving.values():
            parents.setdefault(project.id, []).append(ident)
            projects[project.id] = project
        root.append(_initiative(item, ident, years.get(item.cycle), list(serving.values()), settings, generated))
    for project_id, project in sorted(projects.items()):
        root.append(_project(project, parents[project_id], settings))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _narrative(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    ET.SubElement(element, "narrative").text = text
    return element


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _head(ident: str, title: str, description: str, settings: Settings, updated: dt.datetime | None) -> ET.Element:
    attrs = {XML_LANG: "en", "hierarchy": "1"}
    if updated is not None:
        attrs["last-updated-datetime"] = _stamp(updated)
    activity = ET.Element("iati-activity", attrs)
    ET.SubElement(activity, "iati-identifier").text = ident
    org = ET.SubElement(activity, "reporting-org", {"ref": settings.iati_org_ref, "type": settings.iati_org_type})
    ET.SubElement(org, "narrative").text = settings.iati_org_name
    _narrative(activity, "title", title)
    _narrative(activity, "description", description or title)
    accountable = ET.SubElement(activity, "participating-org", {"ref": settings.iati_org_ref, "role": "2"})
    ET.SubElement(accountable, "narrative").text = settings.iati_org_name
    return activity


def _initiative(
    item: InitiativeProgress,
    ident: str,
    year: int | None,
    projects: list[Project],
    settings: Settings,
    generated: dt.datetime,
) -> ET.Element:
    updated = max((p.updated_at for p in projects), default=None)
    activity = _head(ident, f"{item.code}: {item.title}", item.objective or item.title, settings, updated or generated)
    ET.SubElement(activity, "activity-status", {"code": "2" if projects else "1"})
    first = (year or generated.year) + 1
    ET.SubElement(activity, "activity-date", {"type": "1", "iso-date": dt.date(first, 1, 1).isoformat()})
    end = dt.date(first + CYCLE_YEARS - 1, 12, 31)
    ET.SubElement(activity, "activity-date", {"type": "3", "iso-date": end.isoformat()})
    for project in sorted(projects, key=lambda p: p.id):
        ET.SubElement(activity, "related-activity", {"ref": f"{settings.iati_org_ref}-P{project.id}", "type": "2"})
    for result in item.results:
        if result.indicators:
            activity.append(_result(result))
    return activity


def _result(result: ResultProgress) -> ET.Element:
    element = ET.Element("result", {"type": "2"})
    _narrative(element, "title", f"{result.result.initiative}.{result.result.number}: {result.result.text}")
    for indicator in result.indicators:
        element.append(_indicator(indicator))
    return element


def _indicator(progress: IndicatorProgress) -> ET.Element:
    i = progress.indicator
    element = ET.Element("indicator", {"measure": MEASURE[i.measure], "ascending": "1" if i.ascending else "0"})
    _narrative(element, "title", i.title)
    about = f"{i.description} " if i.description else ""
    _narrative(element, "description", f"{about}Project: {progress.project_title}. Unit: {i.unit or 'n/a'}.")
    if i.baseline_year is not None and i.baseline_value is not None:
        baseline = ET.SubElement(
            element, "baseline", {"year": str(i.baseline_year), "value": _number(i.baseline_value)}
        )
        if i.baseline_comment:
            _narrative(baseline, "comment", i.baseline_comment)
    for point in progress.periods:
        element.append(_period(point))
    return element


def _period(point: PeriodProgress) -> ET.Element:
    p = point.period
    element = ET.Element("period")
    ET.SubElement(element, "period-start", {"iso-date": p.start_date.isoformat()})
    ET.SubElement(element, "period-end", {"iso-date": p.end_date.isoformat()})
    for tag, value, text in (("target", p.target, p.target_text), ("actual", p.actual, p.actual_text)):
        if value is None and not text:
            continue
        measured = ET.SubElement(element, tag, {"value": _number(value) if value is not None else ""})
        if text:
            _narrative(measured, "comment", text)
    return element


def _project(project: Project, parents: list[str], settings: Settings) -> ET.Element:
    ident = f"{settings.iati_org_ref}-P{project.id}"
    activity = _head(ident, project.title, project.description, settings, project.updated_at)
    activity.set("hierarchy", "2")
    if project.currency:
        activity.set("default-currency", project.currency)
    for partner in project.partners:
        ET.SubElement(ET.SubElement(activity, "participating-org", {"role": "4"}), "narrative").text = partner
    ET.SubElement(activity, "activity-status", {"code": PROJECT_STATUS.get(project.status, "2")})
    dates = [("1", project.start_date), ("3", project.end_date)]
    if not any(d for _, d in dates):
        dates = [("1", project.created_at.date())]  # the schema wants one date: when it was recorded
    for kind, day in dates:
        if day is not None:
            ET.SubElement(activity, "activity-date", {"type": kind, "iso-date": day.isoformat()})
    share = round(100 / len(project.countries), 2) if project.countries else None
    for country in project.countries:
        attrs = {"code": country} | ({"percentage": _number(share)} if share and len(project.countries) > 1 else {})
        ET.SubElement(activity, "recipient-country", attrs)
    for parent in parents:
        ET.SubElement(activity, "related-activity", {"ref": parent, "type": "1"})
    return activity
