"""Search over many cycles and what else a person types: regional-initiative numbers, meeting dates,
documents reviewed, typos of venues and names, and the "Open AMS3" link of a code query."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rihub.hub import Hub, demo_report_bytes
from rihub.records import SearchResult
from rihub.search import semantic
from rihub.search.rows import cycle_spans
from rihub.store import schema as t
from web_fixtures import copy_hub

pytest_plugins = ["web_fixtures"]


def codes(found: SearchResult) -> list[str]:
    return [hit.code for hit in found.data]


def held_on(hub: Hub, test: object) -> set[str]:
    """The meetings (``RPM-<region>``) one of whose days passes ``test``."""
    out = set()
    for m in hub.meetings():
        assert m.start_date is not None
        end = m.end_date or m.start_date
        days = [m.start_date + dt.timedelta(days=n) for n in range((end - m.start_date).days + 1)]
        if any(test(d) for d in days):  # type: ignore[operator]
            out.add(f"RPM-{m.region}")
    return out


@pytest.mark.parametrize(
    ("query", "code"),
    [("AFR RI 1", "AFR1"), ("RI 1 Africa", "AFR1"), ("Regional Initiative 3 for Europe", "EUR3"), ("eur ri-2", "EUR2")],
)
def test_the_ri_number_of_a_region_names_its_initiative(demo_hub: Hub, query: str, code: str) -> None:
    found = demo_hub.search(query)
    assert codes(found)[0] == code and found.opens == code


def test_a_topic_query_names_no_initiative(demo_hub: Hub) -> None:
    assert demo_hub.search("digital skills").opens is None
    assert demo_hub.search("RI 1").opens is None  # which region's?


def test_meeting_dates_find_their_meetings(demo_hub: Hub) -> None:
    meetings = demo_hub.meetings()
    first = min(meetings, key=lambda m: m.start_date or dt.date.max)
    assert first.start_date is not None
    year, month = first.start_date.year, first.start_date.month
    in_year = held_on(demo_hub, lambda d: d.year == year)
    in_month = held_on(demo_hub, lambda d: (d.year, d.month) == (year, month))
    assert in_month < in_year or len(in_year) == 1
    assert set(codes(demo_hub.search(str(year)))[: len(in_year)]) == in_year
    month_name = calendar.month_name[month]
    assert set(codes(demo_hub.search(f"{month_name} {year}"))[: len(in_month)]) == in_month
    end = first.end_date or first.start_date
    written = f"{first.start_date.day}-{end.day} {month_name}"  # as the meetings table writes it
    found = demo_hub.search(written)
    assert codes(found)[0] == f"RPM-{first.region}"
    assert found.data[0].matches[0].field == "dates" and written in found.data[0].matches[0].text
    assert codes(demo_hub.search(first.start_date.isoformat()))[0] == f"RPM-{first.region}"


def test_documents_a_meeting_reviewed_are_searched(demo_hub: Hub) -> None:
    meeting = next(m for m in demo_hub.meetings() if m.documents_reviewed)
    words = " ".join(meeting.documents_reviewed[-1].description.split()[-4:])
    found = demo_hub.search(words, limit=100)
    hit = next(h for h in found.data if h.code == f"RPM-{meeting.region}")
    reviewed = [m for m in hit.matches if m.field == "reviewed"]
    assert reviewed and reviewed[0].marks and reviewed[0].label.startswith("Document")


@pytest.mark.parametrize(("typed", "meeting", "field"), [("Nairbi", "AFR", "venue"), ("Vrai", "EUR", "officer")])
def test_typos_of_venues_and_names_are_corrected(demo_hub: Hub, typed: str, meeting: str, field: str) -> None:
    found = demo_hub.search(typed)
    assert found.corrected is not None and found.corrected.lower() != typed.lower()
    assert codes(found)[0] == f"RPM-{meeting}" and found.data[0].matches[0].field == field
    assert demo_hub.search(typed, literal=True).count == 0


def test_a_code_query_links_to_the_initiative_and_the_json_says_so(web_client: TestClient) -> None:
    page = web_client.get("/search?q=AMS3").text
    assert 'href="/initiatives/AMS3"' in page and "Open AMS3" in page
    twin = web_client.get("/search.json?q=AMS3").json()
    assert twin["opens"] == "AMS3" and twin["opens_url"] == "/initiatives/AMS3"
    assert 'class="notice opens"' not in web_client.get("/search?q=digital").text
    assert web_client.get("/search.json?q=digital").json()["opens"] is None


@pytest.fixture(scope="module")
def two_cycles(demo_hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """The bundled report and a copy of it as a later cycle (WTDC-29): the same words twice."""
    hub = copy_hub(demo_hub, tmp_path_factory.mktemp("cycles") / "rihub.db")
    path = tmp_path_factory.mktemp("copy") / "rpm-report-WTDC-29.txt"
    path.write_text(demo_report_bytes().decode("utf-8").replace("WTDC-25", "WTDC-29"), encoding="utf-8")
    hub.ingest([path])
    return hub


@pytest.mark.parametrize("query", ["emergency telecommunications", "digital skills", "cybersecuirty", "Nairobi"])
def test_each_cycle_finds_its_own_rows_and_the_same_hits(two_cycles: Hub, query: str) -> None:
    old, new = two_cycles.search(query, cycle="WTDC-25", limit=100), two_cycles.search(query, cycle="WTDC-29")
    assert codes(old)[:20] == codes(new) and old.count == new.count > 0
    assert {h.cycle for h in old.data} == {"WTDC-25"} and {h.cycle for h in new.data} == {"WTDC-29"}


def test_cycle_spans_bound_every_row_of_the_cycle(two_cycles: Hub) -> None:
    with two_cycles.engine.connect() as conn:
        cycle = conn.scalar(select(t.conferences.c.id).where(t.conferences.c.code == "WTDC-25"))
        spans = {k: (lo, hi) for k, lo, hi in cycle_spans(conn, cycle)}
        ids = conn.execute(select(t.initiatives.c.id).where(t.initiatives.c.conference_id == cycle)).scalars().all()
        results = conn.execute(
            select(t.expected_results.c.id).where(t.expected_results.c.initiative_id.in_(ids))
        ).scalars()
    assert all(spans[1][0] <= i * 8 + 1 <= spans[1][1] for i in ids)
    assert all(spans[2][0] <= i * 8 + 2 <= spans[2][1] for i in results)


def test_meaning_search_compares_one_cycle_only(aligned_hub: Hub, tmp_path: Path) -> None:
    with aligned_hub.engine.connect() as conn:
        vectors = semantic.stored_vectors(conn)
        cycle = int(vectors.cycles[0])
        query = vectors.matrix[0]
        found = semantic.semantic_search(conn, query, limit=None, cycle_id=cycle)
        assert found and {r.conference_id for r in found} == {cycle}
        assert semantic.semantic_search(conn, query, cycle_id=cycle + 1000) == []
        assert len(found) == int(np.sum(vectors.cycles == cycle))
