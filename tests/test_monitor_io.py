"""Monitoring import and export: the CSV and XLSX round trip updates in place, and a file with one
bad row changes nothing and names the row and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from monitor_support import CLI, copy_of, planned, team
from rihub.errors import ImportRowsError
from rihub.hub import Hub
from rihub.monitor.io import NAMES
from rihub.records import PeriodInput

FORMATS = ["csv", "xlsx"]


def table(data: bytes, format: str) -> list[dict[str, Any]]:
    """A file of the layout as rows of text (as a person's spreadsheet program would show them)."""
    if format == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Monitoring"]
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [{h: ("" if v is None else v) for h, v in zip(header, r, strict=True)} for r in body]


def file_of(rows: list[dict[str, Any]], format: str, path: Path) -> Path:
    """Rows written back the way a spreadsheet program saves them."""
    target = path.with_suffix(f".{format}")
    if format == "csv":
        with target.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(NAMES))
            writer.writeheader()
            writer.writerows(rows)
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Monitoring"
        sheet.append(list(NAMES))
        for r in rows:
            sheet.append([r.get(n) if r.get(n) != "" else None for n in NAMES])
        book.save(target)
    return target


@pytest.fixture()
def hub(demo_hub: Hub, tmp_path: Path) -> Hub:
    """A copy of the bundled registry with one project: an indicator with two yearly periods."""
    hub = copy_of(demo_hub, tmp_path / "io.db")
    people = team(hub)
    _, indicator, _ = planned(hub, people.contributor)
    hub.period_add(
        people.contributor,
        PeriodInput(
            indicator_id=indicator.id, start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31), target=70
        ),
    )
    return hub


@pytest.mark.parametrize("format", FORMATS)
def test_round_trip_updates_in_place(hub: Hub, tmp_path: Path, format: str) -> None:
    rows = table(hub.monitor_export(format), format)
    assert [r["period_end"] for r in rows] == ["2026-12-31", "2027-12-31"]
    assert hub.monitor_import(file_of(rows, format, tmp_path / "same"), CLI).model_dump(exclude={"rows"}) == {
        "projects_created": 0,
        "projects_updated": 0,
        "links_added": 0,
        "indicators_created": 0,
        "indicators_updated": 0,
        "periods_created": 0,
        "periods_updated": 0,
    }
    [project] = hub.projects()
    for row in rows:  # a person renames the project (on each of its rows) and raises one target
        row["project_title"] = "Early warning for all"
    rows[1]["target"] = 80
    new_period = dict(rows[1], period_id="", period_version="", period_start="2028-01-01", period_end="2028-12-31")
    other = {n: "" for n in NAMES} | {
        "project_title": "Spectrum capacity",
        "cycle": "WTDC-25",
        "initiative": "EUR1",
        "result": 2,
        "indicator_title": "Regulators trained",
        "unit": "regulators",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "target": 12,
    }
    summary = hub.monitor_import(file_of([*rows, new_period, other], format, tmp_path / "edited"), CLI)
    assert summary.rows == 4
    assert (summary.projects_updated, summary.projects_created, summary.links_added) == (1, 1, 1)
    assert (summary.indicators_updated, summary.indicators_created) == (0, 1)
    assert (summary.periods_updated, summary.periods_created) == (1, 2)
    same = hub.project(project.id)
    assert (same.title, same.version) == ("Early warning for all", project.version + 1)
    [indicator] = hub.indicators(project_id=project.id)
    assert [(p.end_date.year, p.target) for p in hub.periods(indicator.id)] == [(2026, 50), (2027, 80), (2028, 80)]
    [added] = [p for p in hub.projects() if p.id != project.id]
    assert [str(r) for r in added.results] == ["EUR1.2"]
    with pytest.raises(ImportRowsError, match="row 2, column project_version: project #") as stale:
        hub.monitor_import(file_of(rows, format, tmp_path / "stale"), CLI)  # exported before the change
    assert "changed by someone else" in stale.value.errors[0][2]


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("target", "lots", "not a number ('lots')"),
        ("period_end", "31/12/2027", "not a date"),
        ("result", 99, "is AFR1.16 of WTDC-25 now, the row says AFR1.99 of WTDC-25"),  # id and key disagree
        ("result_id", "", "AFR1 of WTDC-25 has no current expected result 99"),
        ("period_end", "2026-06-30", "ends (2026-06-30) before it starts"),
        ("countries", "Kenya", "not an ISO 3166-1 alpha-2 code"),
    ],
)
def test_one_bad_row_changes_nothing(
    hub: Hub, tmp_path: Path, format: str, column: str, value: Any, message: str
) -> None:
    before = hub.monitor_export("csv")
    rows = table(hub.monitor_export(format), format)
    for row in rows:
        row["project_title"] = "Renamed first"  # valid edits on every row, written before the bad one
    rows[0]["target"] = 55
    rows[1][column] = value
    if column == "result_id":
        rows[1]["result"] = 99
        column = "result"
    if column == "countries":
        rows[0][column] = value  # project fields must agree across the project's rows
    with pytest.raises(ImportRowsError) as raised:
        hub.monitor_import(file_of(rows, format, tmp_path / "bad"), CLI)
    expected_row = 2 if column == "countries" else 3
    assert raised.value.errors[0][:2] == (expected_row, column)
    assert message in raised.value.errors[0][2]
    assert str(raised.value).startswith(f"row {expected_row}, column {column}: ")
    assert hub.monitor_export("csv") == before


def test_contributors_import_only_into_their_projects(hub: Hub, tmp_path: Path) -> None:
    outsider = next(a for a in team_of(hub) if a.username == "omar")
    rows = table(hub.monitor_export("csv"), "csv")
    rows[0]["target"] = 1
    with pytest.raises(ImportRowsError) as raised:
        hub.monitor_import(file_of(rows, "csv", tmp_path / "theirs"), outsider)
    assert raised.value.errors[0][:2] == (2, "project_id")
    assert "not assigned" in raised.value.errors[0][2]


def team_of(hub: Hub) -> list[Any]:
    from rihub.records import Actor
    from rihub.store import monitor as store

    with hub.engine.connect() as conn:
        found = [store.user(conn, username=n) for n in ("carla", "omar", "rita")]
    return [Actor(user_id=u["id"], username=u["username"], role=u["role"]) for u in found if u]


def test_templates_and_bad_files(hub: Hub, tmp_path: Path) -> None:
    assert table(hub.monitor_template("csv"), "csv") == []
    assert hub.monitor_template("csv").decode("utf-8-sig").split("\r\n")[0] == ",".join(NAMES)
    book = openpyxl.load_workbook(io.BytesIO(hub.monitor_template("xlsx")))
    assert book.sheetnames == ["Monitoring", "Notes"]
    assert [c.value for c in book["Monitoring"][1]] == list(NAMES)
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(min_row=2, values_only=True)}
    assert set(notes) == set(NAMES) and "ISO 4217" in notes["currency"]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("project_title,colour\nx,red\n", encoding="utf-8")
    with pytest.raises(ImportRowsError, match="row 1, column colour: unknown column"):
        hub.monitor_import(wrong, CLI)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(Exception, match="formats: csv, xlsx"):
        hub.monitor_import(tmp_path / "notes.txt", CLI)
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    with pytest.raises(Exception, match="not an Excel workbook"):
        hub.monitor_import(tmp_path / "fake.xlsx", CLI)


def test_cli_export_edit_import(hub: Hub, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rihub.cli import app

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, ["--db", str(hub.url), "monitor", *args])

    template = tmp_path / "template.xlsx"
    assert run("template", "-o", str(template)).exit_code == 0
    assert openpyxl.load_workbook(template).sheetnames == ["Monitoring", "Notes"]
    exported = tmp_path / "all.csv"
    assert run("export", "--format", "csv", "-o", str(exported)).exit_code == 0
    rows = table(exported.read_bytes(), "csv")
    rows[0]["target"] = 45
    done = run("import", str(file_of(rows, "csv", tmp_path / "edited")))
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert "2 rows read from" in said and said.endswith(": periods updated: 1")
    [indicator] = hub.indicators()
    assert hub.periods(indicator.id)[0].target == 45
    [entry] = [e for e in hub.audit_history("period", hub.periods(indicator.id)[0].id) if e.action == "update"]
    assert entry.actor.startswith("cli:") and entry.before and entry.before["target"] == 50
    rows = table(exported.read_bytes(), "csv")
    rows[0]["budget"], rows[1]["target"] = "a lot", "more"
    bad = run("import", str(file_of(rows, "csv", tmp_path / "bad")))
    assert bad.exit_code == 1
    assert "Traceback" not in bad.output
    assert "row 2, column budget: not a number ('a lot')" in bad.output
    assert "row 3, column target: not a number ('more')" in bad.output
    assert "nothing was imported" in bad.output
