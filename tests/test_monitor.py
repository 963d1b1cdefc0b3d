"""Monitoring writes on the bundled report: the review workflow, permissions, stale versions and
the audit trail — on SQLite and on PostgreSQL (the same library code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor_support import CLI, Team, assign, copy_of, person, planned, team
from rihub.errors import ConflictError, ImportRowsError, InputError, NotFoundError, PermissionDenied
from rihub.hub import Hub
from rihub.records import IndicatorInput, PeriodInput, ProjectInput, UpdateInput


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(request: pytest.FixtureRequest, demo_hub: Hub, tmp_path: Path) -> Iterator[Hub]:
    """A writable registry holding the bundled report, on each database."""
    if request.param == "sqlite":
        yield copy_of(demo_hub, tmp_path / "monitor.db")
        return
    server: str = request.getfixturevalue("postgres_url")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS rihub_monitor"))
        conn.execute(text("CREATE DATABASE rihub_monitor"))
    admin.dispose()
    pg = Hub(server.rsplit("/", 1)[0] + "/rihub_monitor")
    pg.ingest_demo()
    try:
        yield pg
    finally:
        pg.engine.dispose()


@pytest.fixture()
def people(hub: Hub) -> Team:
    return team(hub)


def test_contributor_reports_and_a_reviewer_approves(hub: Hub, people: Team) -> None:
    project, _, period = planned(hub, people.contributor)
    assert project.assignees == ["carla"]  # the contributor who creates a project is assigned to it
    assert [str(r) for r in project.results] == ["AFR1.16"]
    assert project.results[0].text == hub.initiative("AFR1").expected_results[15].text
    draft = hub.update_add(
        people.contributor,
        UpdateInput(period_id=period.id, value=30, narrative="Kenya and Senegal", evidence_name="r.pdf"),
        evidence=b"%PDF-1.4 minutes",
    )
    assert (draft.status, draft.created_by, draft.evidence_size) == ("draft", "carla", 16)
    assert hub.update_evidence(draft.id).data == b"%PDF-1.4 minutes"
    submitted = hub.update_submit(people.contributor, draft.id, draft.version)
    assert submitted.status == "submitted" and submitted.submitted_at is not None
    assert [u.id for u in hub.updates(status="submitted")] == [draft.id]
    with pytest.raises(PermissionDenied, match="only reviewers"):
        hub.update_approve(people.contributor, draft.id, submitted.version)
    approved = hub.update_approve(people.reviewer, draft.id, submitted.version, "checked against minutes")
    assert (approved.status, approved.reviewed_by, approved.review_comment) == (
        "approved",
        "rita",
        "checked against minutes",
    )
    after = hub.period(period.id)
    assert (after.actual, after.actual_text, after.version) == (30, "Kenya and Senegal", period.version + 1)
    steps = [(e.actor, e.action) for e in hub.audit_history("update", draft.id)]
    assert steps == [("carla", "create"), ("carla", "submit"), ("rita", "approve")]
    assert [e.action for e in hub.audit_history("period", period.id)] == ["create", "actual"]
    assert [e.action for e in hub.audit_history("project", project.id)] == ["create", "assign", "link"]
    entry = hub.audit_history("update", draft.id)[-1]
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == ("submitted", "approved")
    assert "evidence" not in entry.after  # file bodies are named, never copied into the trail


def test_contributors_write_only_on_their_projects(hub: Hub, people: Team) -> None:
    project, _, period = planned(hub, people.contributor)
    with pytest.raises(PermissionDenied, match="not assigned"):
        hub.update_add(people.other, UpdateInput(period_id=period.id, value=1))
    with pytest.raises(PermissionDenied, match="not assigned"):
        hub.project_update(people.other, project.id, project.version, ProjectInput(title="Taken over"))
    assign(hub, people.other, project.id)
    mine = hub.update_add(people.other, UpdateInput(period_id=period.id, value=2))
    with pytest.raises(PermissionDenied, match="not yours"):
        hub.update_submit(people.contributor, mine.id, mine.version)
    assert hub.project(project.id).assignees == ["carla", "omar"]
    assert [p.id for p in hub.projects(assignee="omar")] == [project.id]
    with pytest.raises(PermissionDenied, match="author account"):
        hub.update_add(CLI, UpdateInput(period_id=period.id, value=3))


def test_reviewers_never_approve_their_own_and_return_with_a_comment(hub: Hub, people: Team) -> None:
    _, _, period = planned(hub, people.reviewer)
    own = hub.update_add(people.reviewer, UpdateInput(period_id=period.id, value=20))
    own = hub.update_submit(people.reviewer, own.id, own.version)
    with pytest.raises(PermissionDenied, match="your own"):
        hub.update_approve(people.reviewer, own.id, own.version)
    with pytest.raises(InputError, match="comment is required"):
        hub.update_return(people.second_reviewer, own.id, own.version, "  ")
    returned = hub.update_return(people.second_reviewer, own.id, own.version, "Which countries?")
    assert (returned.status, returned.review_comment) == ("returned", "Which countries?")
    assert hub.period(period.id).actual is None  # a returned update sets nothing
    with pytest.raises(InputError, match="only submitted"):
        hub.update_approve(people.second_reviewer, own.id, returned.version)
    edited = hub.update_edit(
        people.reviewer, own.id, returned.version, UpdateInput(period_id=period.id, value=22, narrative="KE, SN")
    )
    again = hub.update_submit(people.reviewer, own.id, edited.version)
    hub.update_approve(people.second_reviewer, own.id, again.version)
    assert hub.period(period.id).actual == 22


def test_a_stale_save_is_a_conflict_that_carries_the_current_row(hub: Hub, people: Team) -> None:
    project, indicator, period = planned(hub, people.contributor)
    form = IndicatorInput(**indicator.model_dump(include=set(IndicatorInput.model_fields)))
    first = hub.indicator_update(
        people.reviewer, indicator.id, indicator.version, form.model_copy(update={"baseline_value": 12.0})
    )
    assert first.version == indicator.version + 1
    with pytest.raises(ConflictError, match="changed by someone else") as raised:
        hub.indicator_update(
            people.contributor, indicator.id, indicator.version, form.model_copy(update={"unit": "states"})
        )
    assert raised.value.current == hub.indicator(indicator.id)
    assert hub.indicator(indicator.id).baseline_value == 12.0 and hub.indicator(indicator.id).unit == "countries"
    stale = PeriodInput(indicator_id=indicator.id, start_date=period.start_date, end_date=period.end_date, target=60)
    hub.period_update(people.contributor, period.id, period.version, stale)
    with pytest.raises(ConflictError):
        hub.period_update(people.contributor, period.id, period.version, stale)
    with pytest.raises(ConflictError):
        hub.project_update(people.contributor, project.id, project.version + 5, ProjectInput(title="x"))
    assert [e.action for e in hub.audit_history("indicator", indicator.id)] == ["create", "update"]


def test_disabled_accounts_and_bad_input_write_nothing(hub: Hub, people: Team) -> None:
    gone = person(hub, "dora", "admin", disabled=True)
    with pytest.raises(PermissionDenied, match="disabled"):
        hub.project_add(gone, ProjectInput(title="Nope"))
    with pytest.raises(NotFoundError, match="AFR1 of WTDC-25 has no expected result 99"):
        hub.project_add(people.contributor, ProjectInput(title="Nope"), results=["AFR1.99"])
    with pytest.raises(InputError, match="ends"):
        hub.project_add(
            people.contributor,
            ProjectInput(title="Nope", start_date=dt.date(2027, 1, 1), end_date=dt.date(2026, 1, 1)),
        )
    assert hub.projects() == []
    assert hub.activity()[1] == 0
    project, indicator, period = planned(hub, people.contributor)
    with pytest.raises(InputError, match="already has a period"):
        hub.period_add(
            people.contributor,
            PeriodInput(indicator_id=indicator.id, start_date=period.start_date, end_date=period.end_date),
        )
    with pytest.raises(InputError, match="has indicators"):
        hub.project_unlink(people.contributor, project.id, "AFR1.16")
    linked = hub.project_link(people.contributor, project.id, "WTDC-25/AFR2/1")
    assert [str(r) for r in linked.results] == ["AFR1.16", "AFR2.1"]
    assert [str(r) for r in hub.project_unlink(people.contributor, project.id, "AFR2.1").results] == ["AFR1.16"]
    assert [p.id for p in hub.projects(region="AFR")] == [project.id]
    assert hub.projects(region="EUR") == []


def _monitored(hub: Hub, people: Team) -> dict[int, tuple[str, str]]:
    """Projects on EUR1 results 1, 2 and 3 with an approved update each: result id → (key, text)."""
    eur1 = hub.initiative("EUR1")
    for number in (1, 2, 3):
        _, _, period = planned(hub, people.contributor, result=f"EUR1.{number}")
        update = hub.update_add(people.contributor, UpdateInput(period_id=period.id, value=20 + number))
        update = hub.update_submit(people.contributor, update.id, update.version)
        hub.update_approve(people.reviewer, update.id, update.version)
    return {r.id: (f"EUR1.{r.number}", r.text) for r in eur1.expected_results[:3]}


def _attachments(hub: Hub) -> list[tuple[int, list[int], int, int, float | None, str]]:
    """Every project with its result ids, its indicator's result and period, and the approved value."""
    out = []
    for project in hub.projects():
        [indicator] = hub.indicators(project_id=project.id)
        [period] = hub.periods(indicator.id)
        [update] = hub.updates(period_id=period.id)
        out.append(
            (
                project.id,
                [r.result_id for r in project.results],
                indicator.result_id,
                period.id,
                period.actual,
                update.status,
            )
        )
    return out


@pytest.mark.parametrize("version", ["same", "copy", "adopted", "adopted-renumbered"])
def test_monitoring_stays_on_its_expected_results_across_versions(
    hub: Hub, people: Team, report_text: str, version: str
) -> None:
    from test_registry import REWORDED_2, eur_final_report

    before = _monitored(hub, people)
    attached = _attachments(hub)
    if version == "same":
        assert hub.ingest_demo().action == "unchanged"
    elif version == "copy":
        hub.ingest_bytes(report_text.encode(), "rpm-coordination-wtdc25-rev1.txt")
    else:
        renumbered = version == "adopted-renumbered"
        text = eur_final_report(report_text, drop_first_result=renumbered)
        assert hub.ingest_bytes(text.encode(), "rpm-eur-final.txt", stage="adopted").stage == "adopted"
    assert _attachments(hub) == attached  # same rows on the same stable result ids
    result_1, result_2, result_3 = before
    refs = {r.result_id: r for p in hub.projects() for r in p.results}
    shift = 1 if version == "adopted-renumbered" else 0
    assert str(refs[result_2]) == f"EUR1.{2 - shift}" and str(refs[result_3]) == f"EUR1.{3 - shift}"
    if version.startswith("adopted"):
        assert refs[result_2].text.startswith(REWORDED_2)
    assert refs[result_1].status == ("withdrawn" if shift else "current")
    now = hub.result_progress(f"EUR1.{2 - shift}")
    assert [i.indicator.result_id for i in now.indicators] == [result_2]
    assert now.indicators[0].periods[0].period.actual == 22
    assert [p.id for p in hub.projects(result=f"EUR1.{3 - shift}")] == [attached[2][0]]


def test_an_import_is_one_transaction(hub: Hub, people: Team) -> None:
    """On each database: a file whose last row is bad leaves the earlier rows unwritten."""
    import csv
    import io

    planned(hub, people.contributor)
    before = hub.monitor_export("csv")
    rows = list(csv.DictReader(io.StringIO(before.decode("utf-8-sig"))))
    rows[0]["project_title"] = "Renamed"
    new = dict(rows[0], project_id="", project_version="", indicator_id="", indicator_version="", period_id="")
    new |= {"project_title": "Second project", "period_version": "", "target": "many"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([rows[0], new])
    with pytest.raises(ImportRowsError, match="row 3, column target"):
        hub.monitor_import(out.getvalue().encode(), CLI, format="csv")
    assert hub.monitor_export("csv") == before
    del new["target"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([rows[0], new | {"target": "7"}])
    summary = hub.monitor_import(out.getvalue().encode(), CLI, format="csv")
    assert (summary.projects_updated, summary.projects_created, summary.periods_created) == (1, 1, 1)
    assert sorted(p.title for p in hub.projects()) == ["Renamed", "Second project"]
