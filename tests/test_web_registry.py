"""The web over two cycles: latest by default, either on request, the diff page and its twin,
history on the initiative page, and regions without a meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from rihub.hub import Hub, demo_report_bytes
from rihub.web.app import create_app

pytest_plugins = ["web_fixtures"]


def test_pages_and_api_answer_the_latest_cycle_and_either_on_request(
    two_cycle_client: TestClient, two_cycle_hub: Hub
) -> None:
    latest = two_cycle_client.get("/api/initiatives/EUR1").json()
    older = two_cycle_client.get("/api/initiatives/EUR1?cycle=WTDC-25").json()
    assert (latest["conference"], older["conference"]) == ("WTDC-29", "WTDC-25")
    assert latest["other_cycles"] == [{"cycle": "WTDC-25", "url": "/initiatives/EUR1?cycle=WTDC-25"}]
    page = two_cycle_client.get("/initiatives/EUR1")
    assert page.status_code == 200 and 'href="/initiatives/EUR1?cycle=WTDC-25"' in page.text
    old_page = two_cycle_client.get("/initiatives/EUR1?cycle=WTDC-25").text
    assert 'href="/initiatives/EUR1/results/1?cycle=WTDC-25"' in old_page  # links stay in that cycle
    listed = two_cycle_client.get("/api/initiatives?cycle=WTDC-25&_size=5").json()
    assert listed["count"] == 31 and len(listed["data"]) == 5 and "_page=2" in listed["next"]
    assert {i["conference"] for i in listed["data"]} == {"WTDC-25"}
    assert two_cycle_client.get("/api/stats").json()["cycle"] == "WTDC-29"
    assert two_cycle_client.get("/api/initiatives/EUR1?cycle=WTDC-99").status_code == 404
    assert [c["code"] for c in two_cycle_client.get("/api/cycles").json()["data"]] == ["WTDC-29", "WTDC-25"]


def test_diff_page_and_twin(two_cycle_client: TestClient, two_cycle_hub: Hub, next_cycle_files: Any) -> None:
    expected = next_cycle_files[2]
    twin = two_cycle_client.get("/api/diff?from=WTDC-25&to=WTDC-29&cycles=true").json()
    assert twin["diff"] == two_cycle_hub.diff("WTDC-25", "WTDC-29", cycles=True).to_json()
    assert twin["diff"]["initiatives"]["renamed"] == expected["initiatives"]["renamed"]
    page = two_cycle_client.get("/diff?from=WTDC-25&to=WTDC-29&cycles=1")
    assert page.status_code == 200
    (changed_key,) = expected["expected_results"]["changed"]
    assert changed_key in page.text and "<ins>" in page.text
    assert two_cycle_client.get("/diff.json?from=WTDC-25&to=WTDC-29&cycles=1").json() == twin
    sources = {s.conference: s.id for s in two_cycle_hub.source_documents()}
    by_id = two_cycle_client.get(f"/api/diff?from={sources['WTDC-25']}&to={sources['WTDC-29']}").json()
    assert by_id["diff"] == twin["diff"]
    # The web never opens a path: anything but source ids (without cycles) is refused.
    assert two_cycle_client.get("/api/diff?from=/etc/passwd&to=1").status_code == 422
    assert two_cycle_client.get("/diff?from=99999&to=1").status_code == 404


def test_initiative_page_shows_versions_and_lineage(two_cycle_client: TestClient, next_cycle_files: Any) -> None:
    renamed = next_cycle_files[2]["initiatives"]["renamed"][0]
    data = two_cycle_client.get(f"/api/initiatives/{renamed['to']}").json()
    (link,) = [entry for entry in data["lineage"] if entry["relation"] == "continues"]
    assert (link["code"], link["cycle"], link["status"]) == (renamed["from"], "WTDC-25", "proposed")
    assert [v["current"] for v in data["versions"]] == [True]
    page = two_cycle_client.get(f"/initiatives/{renamed['to']}").text
    assert f"{renamed['from']}</span> of WTDC-25" in page and "/diff?" in page


def test_a_region_without_a_meeting_renders(tmp_path: Path) -> None:
    text = demo_report_bytes().decode()
    lines = text.split("\n")
    start = next(n for n, line in enumerate(lines) if line.startswith("2.2 Europe"))
    end = next(n for n, line in enumerate(lines) if line.startswith("2.3 "))
    hub = Hub(f"sqlite:///{tmp_path / 'eur.db'}")
    hub.ingest_bytes("\n".join(["RPM-EUR for WTDC-25", *lines[start:end]]).encode(), "eur.txt")
    with TestClient(create_app(hub)) as client:
        assert [r["region"] for r in client.get("/api/regions").json()["data"]][:2] == ["ARB", "EUR"]
        page = client.get("/regions/ASP")
        assert page.status_code == 200 and "holds no Regional Preparatory Meeting" in page.text
        assert client.get("/api/regions/ASP").json()["meeting"] is None
        assert client.get("/regions/EUR").status_code == 200
        assert client.get("/regions/XYZ").status_code == 404


def test_lineage_is_reviewed_through_the_api(two_cycle_hub: Hub, tmp_path: Path) -> None:
    from web_fixtures import bearer, copy_hub

    hub = copy_hub(two_cycle_hub, tmp_path / "review.db")
    link = hub.lineage(status="proposed")[0]
    auth = bearer(hub, "a.editor", "reviewer")
    with TestClient(create_app(hub, read_only=False)) as client:
        body = {"action": "accept", "reason": "same objective"}
        assert client.post(f"/api/lineage/{link.id}/review", json=body).status_code == 401
        answer = client.post(f"/api/lineage/{link.id}/review", json=body, headers=auth)
        assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    assert [x.status for x in hub.lineage(status="accepted")] == ["accepted"]
    with hub.engine.connect() as conn:
        from sqlalchemy import select

        from rihub.store import schema as t

        events = conn.execute(select(t.lineage_events).where(t.lineage_events.c.link_id == link.id)).all()
    assert [(e.action, e.actor, e.before, e.after) for e in events][-1] == (
        "accept",
        "a.editor",
        {"status": "proposed"},
        {"status": "accepted"},
    )
    [entry] = hub.audit_history("lineage", link.id)  # the registry-wide audit trail holds it too
    assert (entry.action, entry.actor, entry.user_id, entry.comment) == (
        "accept",
        "a.editor",
        hub.user("a.editor").id,
        "same objective",
    )
