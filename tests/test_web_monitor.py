"""The monitoring web and API: anonymous reading, authenticated writing, CSRF, roles, conflicts,
dashboards and the audit trail, on a private copy of the demo registry per test."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from monitor_web import People, csrf_of, form_of, monitored, sign_in, writable_app
from rihub.hub import Hub

pytest_plugins = ["web_fixtures"]


@pytest.fixture()
def site(demo_hub: Hub, tmp_path: Path) -> Iterator[tuple[Hub, People, TestClient]]:
    hub, people = monitored(demo_hub, tmp_path)
    with TestClient(writable_app(hub)) as client:
        yield hub, people, client


def bearer(people: People, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {people.token(username)}"}


PROJECT = {
    "title": "Early warning pilots",
    "partners": ["WMO"],
    "countries": ["KE"],
    "budget": 1000,
    "currency": "USD",
    "status": "on-track",
    "results": ["AFR1.16"],
}


def planned(client: TestClient, auth: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Project on AFR1.16, an indicator (baseline 10 in 2025) and a 2026 period (target 50), by API."""
    project = client.post("/api/projects", json=PROJECT, headers=auth)
    assert project.status_code == 201, project.text
    result_id = project.json()["results"][0]["result_id"]
    indicator = client.post(
        "/api/indicators",
        json={
            "project_id": project.json()["id"],
            "result_id": result_id,
            "title": "Countries with a warning system",
            "unit": "countries",
            "baseline_year": 2025,
            "baseline_value": 10,
        },
        headers=auth,
    )
    assert indicator.status_code == 201, indicator.text
    period = client.post(
        "/api/periods",
        json={
            "indicator_id": indicator.json()["id"],
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "target": 50,
        },
        headers=auth,
    )
    assert period.status_code == 201, period.text
    return project.json(), indicator.json(), period.json()


# --- reading and refusing -------------------------------------------------------------------------


def test_anonymous_reads_and_every_write_without_credentials_is_refused(site: tuple[Hub, People, TestClient]) -> None:
    hub, people, client = site
    project, indicator, period = planned(client, bearer(people, people.contributor))
    for url in ("/projects", f"/projects/{project['id']}", f"/indicators/{indicator['id']}", "/inbox", "/activity"):
        assert client.get(url).status_code == 200, url
        assert client.get(url.rstrip("/") + ".json" if "?" not in url else url).status_code == 200
    for url in ("/api/projects", "/api/indicators", "/api/updates", f"/api/periods?indicator={indicator['id']}"):
        assert client.get(url).json()["count"] >= 1 or url == "/api/updates"
    writes = [
        ("post", "/api/projects", PROJECT),
        ("put", f"/api/projects/{project['id']}", PROJECT | {"version": 1}),
        ("patch", f"/api/indicators/{indicator['id']}", {"version": 1, "title": "x"}),
        ("post", "/api/updates", {"period_id": period["id"], "value": 20}),
        ("post", "/api/updates/1/approve", {"version": 1}),
    ]
    for method, url, body in writes:
        response = client.request(method, url, json=body)
        assert response.status_code == 401, (method, url, response.text)
    forms = ["/projects/new", f"/projects/{project['id']}/edit", f"/periods/{period['id']}/updates/new"]
    for url in forms:
        assert client.post(url, data={"title": "x"}).status_code == 401, url
        assert client.get(url, follow_redirects=False).status_code == 303  # to the sign-in page
    assert hub.projects() and len(hub.projects()) == 1  # nothing was written


def test_a_forged_form_without_the_csrf_token_is_rejected(site: tuple[Hub, People, TestClient]) -> None:
    hub, people, client = site
    sign_in(client, people.contributor)
    data = {"title": "Forged", "status": "on-track", "results": "AFR1.16"}
    assert client.post("/projects/new", data=data).status_code == 403
    assert client.post("/projects/new", data=data | {"csrf": "not-the-token"}).status_code == 403
    assert hub.projects() == []
    csrf, _ = form_of(client, "/projects/new")
    response = client.post("/projects/new", data=data | {"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and [p.title for p in hub.projects()] == ["Forged"]


def test_a_contributor_cannot_approve_and_a_reviewer_can(site: tuple[Hub, People, TestClient]) -> None:
    hub, people, client = site
    mine = bearer(people, people.contributor)
    _, _, period = planned(client, mine)
    draft = client.post(
        "/api/updates", json={"period_id": period["id"], "value": 30, "progress": "on-track"}, headers=mine
    )
    assert draft.status_code == 201, draft.text
    submitted = client.post(f"/api/updates/{draft.json()['id']}/submit", json={"version": 1}, headers=mine)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    version = submitted.json()["version"]
    refused = client.post(f"/api/updates/{draft.json()['id']}/approve", json={"version": version}, headers=mine)
    assert refused.status_code == 403
    other = client.post(
        f"/api/updates/{draft.json()['id']}/approve", json={"version": version}, headers=bearer(people, people.other)
    )
    assert other.status_code == 403
    approved = client.post(
        f"/api/updates/{draft.json()['id']}/approve", json={"version": version}, headers=bearer(people, people.reviewer)
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert hub.period(period["id"]).actual == 30


def test_a_disabled_accounts_token_stops_working(site: tuple[Hub, People, TestClient]) -> None:
    hub, people, client = site
    auth = bearer(people, people.contributor)
    assert client.post("/api/projects", json=PROJECT, headers=auth).status_code == 201
    hub.user_disable(people.contributor)
    refused = client.post("/api/projects", json=PROJECT, headers=auth)
    assert refused.status_code == 401, refused.text
    assert len(hub.projects()) == 1


def test_a_stale_save_gets_a_conflict_and_keeps_the_input(site: tuple[Hub, People, TestClient]) -> None:
    hub, people, client = site
    _, indicator, _ = planned(client, bearer(people, people.contributor))
    url = f"/indicators/{indicator['id']}/edit"
    sign_in(client, people.contributor)
    csrf, hidden = form_of(client, url)
    assert hidden["version"] == "1"
    base = {
        "csrf": csrf,
        "version": "1",
        "result_id": str(indicator["result_id"]),
        "measure": "unit",
        "ascending": "on",
    }
    first = client.post(url, data=base | {"title": "Warning systems in place"}, follow_redirects=False)
    assert first.status_code == 303
    second = client.post(url, data=base | {"title": "My own better title", "unit": "systems"})
    assert second.status_code == 409
    assert "Someone else saved this" in second.text
    assert 'value="My own better title"' in second.text and 'value="systems"' in second.text  # kept
    assert "Warning systems in place" in second.text  # the current value, beside it
    assert re.search(r'name="version" value="2"', second.text)  # saving again builds on the current
    assert hub.indicator(indicator["id"]).title == "Warning systems in place"
    api = client.put(
        f"/api/indicators/{indicator['id']}",
        json={"project_id": indicator["project_id"], "result_id": indicator["result_id"], "title": "t", "version": 1},
        headers=bearer(people, people.contributor),
    )
    assert api.status_code == 409 and api.json()["current"]["version"] == 2


def test_forms_walk_the_workflow_and_the_audit_trail_shows_it(site: tuple[Hub, People, TestClient]) -> None:
    hub, people, client = site
    sign_in(client, people.contributor)
    csrf, _ = form_of(client, "/projects/new?result=AFR1.16")
    data = {"csrf": csrf, "title": "School connectivity", "status": "on-track", "results": "AFR1.16", "budget": "12.5x"}
    invalid = client.post("/projects/new", data=data)
    assert invalid.status_code == 422 and 'value="School connectivity"' in invalid.text and "a number" in invalid.text
    made = client.post("/projects/new", data=data | {"budget": "5000"}, follow_redirects=False)
    project_id = int(made.headers["location"].split("/")[2].split("?")[0])
    result_id = hub.project(project_id).results[0].result_id
    made = client.post(
        f"/projects/{project_id}/indicators/new",
        data={
            "csrf": csrf,
            "title": "Schools online",
            "result_id": str(result_id),
            "measure": "unit",
            "ascending": "on",
            "baseline_year": "2025",
            "baseline_value": "0",
        },
        follow_redirects=False,
    )
    indicator_id = int(made.headers["location"].split("/")[2].split("?")[0])
    backwards = {"csrf": csrf, "start_date": "2026-01-01", "end_date": "2025-12-31", "target": "100"}
    refused = client.post(f"/indicators/{indicator_id}/periods/new", data=backwards)
    assert refused.status_code == 422 and 'id="f-end_date-err"' in refused.text  # beside the field
    made = client.post(
        f"/indicators/{indicator_id}/periods/new",
        data=backwards | {"end_date": "2026-12-31"},
        follow_redirects=False,
    )
    period_id = hub.periods(indicator_id)[0].id
    upload = {"evidence": ("report.txt", b"forty schools connected", "text/plain")}
    made = client.post(
        f"/periods/{period_id}/updates/new",
        data={"csrf": csrf, "value": "40", "narrative": "Forty schools", "progress": "on-track"},
        files=upload,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    update_id = int(made.headers["location"].split("/")[2].split("?")[0])
    assert client.get(f"/updates/{update_id}/evidence").content == b"forty schools connected"
    page = client.get(f"/updates/{update_id}").text
    assert client.post(f"/updates/{update_id}/submit", data={"csrf": csrf_of(page), "version": "1"}).status_code == 200
    assert client.post(f"/updates/{update_id}/approve", data={"csrf": csrf, "version": "2"}).status_code == 403
    client.cookies.clear()
    sign_in(client, people.reviewer)
    page = client.get("/inbox").text
    assert f'href="/updates/{update_id}"' in page
    page = client.get(f"/updates/{update_id}").text
    approved = client.post(f"/updates/{update_id}/approve", data={"csrf": csrf_of(page), "version": "2"})
    assert approved.status_code == 200 and hub.update(update_id).status == "approved"
    dashboard = client.get("/initiatives/AFR1/progress.json").json()
    row = next(r for r in dashboard["results"] if r["result"]["number"] == 16)
    assert row["rollup"]["progress"] == pytest.approx(40) and row["rollup"]["reported"] == 1
    others = [r for r in dashboard["results"] if r["result"]["number"] != 16]
    assert others and all(r["rollup"]["progress"] is None for r in others)  # not reported, never 0
    assert [c["indicator"]["id"] for c in dashboard["charts"]] == [indicator_id]
    html = client.get("/initiatives/AFR1/progress").text
    assert "not reported" in html and "40 %" in html and "<svg" in html
    region = client.get("/regions/AFR/progress.json").json()
    assert next(i for i in region["initiatives"] if i["code"] == "AFR1")["rollup"]["progress"] == pytest.approx(40)
    report = client.get("/reports/annual/initiative/AFR1.docx?year=2026")
    assert report.status_code == 200 and report.content[:2] == b"PK"
    assert 'href="/reports/annual/initiative/AFR1.docx?year=' in client.get("/initiatives/AFR1/progress").text
    html = client.get("/regions/AFR/progress").text
    assert 'href="/initiatives/AFR1/progress"' in html and "40 %" in html
    html = client.get(f"/indicators/{indicator_id}").text
    assert "<polyline" not in html and 'class="pt-actual"' in html and "40 %" in html  # one actual: a point
    assert client.get("/activity", params={"since": "2026-13-45"}).status_code == 422
    assert client.get("/activity.json", params={"type": "nonsense"}).status_code == 422
    assert client.get("/activity.json", params={"since": "2999-01-01"}).json()["count"] == 0
    feed = client.get("/activity.json", params={"type": "update"}).json()
    assert [e["action"] for e in reversed(feed["data"])] == ["create", "submit", "approve"]
    assert {e["actor"] for e in feed["data"]} == {people.contributor, people.reviewer}
    history = client.get(f"/history/indicator/{indicator_id}.json").json()
    assert history["entries"][0]["action"] == "create" and history["entries"][0]["actor"] == people.contributor
    result_page = client.get("/initiatives/AFR1/results/16.json").json()
    assert [p["title"] for p in result_page["monitoring"]["projects"]] == ["School connectivity"]
    assert result_page["monitoring"]["rollup"]["progress"] == pytest.approx(40)
    html = client.get("/initiatives/AFR1/results/16").text
    assert "School connectivity" in html and "Schools online" in html and "40 %" in html
    assert "not reported" in client.get("/initiatives/AFR1/results/15").text


def test_spreadsheet_round_trip_from_the_web(site: tuple[Hub, People, TestClient]) -> None:
    hub, people, client = site
    _, indicator, period = planned(client, bearer(people, people.contributor))
    template = client.get("/monitoring/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"  # a workbook, before signing in
    exported = client.get("/monitoring/export.csv").content.decode("utf-8-sig")
    header, row = exported.splitlines()[:2]
    columns = next(csv.reader([header]))
    cells = next(csv.reader([row]))
    assert cells[columns.index("target")] in ("50", "50.0")
    sign_in(client, people.contributor)
    csrf, _ = form_of(client, "/monitoring/import")

    def upload(target: str) -> Any:
        changed = list(cells)
        changed[columns.index("target")] = target
        body = io.StringIO()
        csv.writer(body).writerows([columns, changed])
        files = {"file": ("monitoring.csv", body.getvalue().encode(), "text/csv")}
        return client.post("/monitoring/import", data={"csrf": csrf}, files=files)

    bad = upload("lots")
    assert bad.status_code == 422 and "<td>2</td><td><code>target</code></td>" in bad.text
    assert hub.period(period["id"]).target == 50  # nothing changed
    good = upload("60")
    assert good.status_code == 200 and "0 periods added, 1 changed" in good.text
    assert hub.period(period["id"]).target == 60 and hub.indicator(indicator["id"]).version == 1


def test_only_the_update_forms_take_a_large_body_and_the_api_documents_its_schemas(
    site: tuple[Hub, People, TestClient],
) -> None:
    hub, people, client = site
    _, _, period = planned(client, bearer(people, people.contributor))
    sign_in(client, people.contributor)
    csrf, _ = form_of(client, "/projects/new")
    big = b"x" * (200 * 1024)
    refused = client.post("/projects/new", data={"csrf": csrf, "title": "t"}, files={"evidence": ("a.bin", big)})
    assert refused.status_code == 413
    made = client.post(
        f"/periods/{period['id']}/updates/new",
        data={"csrf": csrf, "value": "12"},
        files={"evidence": ("scan.pdf", big, "application/pdf")},
        follow_redirects=False,
    )
    assert made.status_code == 303
    (update,) = hub.updates(period_id=period["id"])
    assert update.evidence_name == "scan.pdf" and update.evidence_size == len(big)
    download = client.get(f"/updates/{update.id}/evidence")
    assert download.headers["content-disposition"] == 'attachment; filename="scan.pdf"'
    assert download.headers["content-type"] == "application/octet-stream"
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/projects", "/api/indicators/{indicator_id}", "/api/updates/{update_id}/{step}"} <= set(paths)
    put = paths["/api/indicators/{indicator_id}"]["put"]
    assert put["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ConflictBody")
    assert paths["/api/projects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "version" in schema["components"]["schemas"]["IndicatorChange"]["required"]
