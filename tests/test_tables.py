"""The meetings table, placeholders never shown as data, and CSV files people open in Excel."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from rihub.hub import Hub
from rihub.ingest.links import link_cell
from rihub.model import REGIONS, Block
from rihub.records import Officer
from rihub.web.app import create_app
from variants import link_cells

pytest_plugins = ["web_fixtures"]

BOM = b"\xef\xbb\xbf"
SPAN_COLUMNS = {"span_source_id", "span_start", "span_end"}  # where a row was read (web CSVs)
POSITIONS = {"source_id", "span_start", "span_end"}  # the same in the export's tables


def read_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def page_text(body: str) -> str:
    """What a reader sees: tags dropped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def person(o: Officer) -> str:
    return " ".join(p for p in (o.honorific, o.name) if p) + (f" ({o.country})" if o.country else "")


# --- the meetings table --------------------------------------------------------------------------


def test_regions_page_is_the_meetings_table_with_officers(web_client: TestClient, demo_hub: Hub) -> None:
    body = web_client.get("/regions").text
    table = body[body.index('<table class="meetings-table">') : body.index("</table>")]
    assert "<div" not in table  # nothing but the table: it pastes into Word as one
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S)
    meetings = demo_hub.meetings()
    assert len(rows) == len(meetings) == 6
    for row, m in zip(rows, sorted(meetings, key=lambda m: list(REGIONS).index(m.region)), strict=True):
        text = page_text(row)
        assert f"({m.region})" in text and f"{m.city}, {m.country}" in text
        chairs = [o for o in m.officers if o.role == "chair"]
        vices = [o for o in m.officers if o.role == "vice-chair"]
        assert chairs and len(vices) >= 2
        for o in chairs + vices:
            assert person(o) in text
    assert "Dr Péter Vári (Hungary)" in page_text(table)
    assert 'href="/api/officers.csv"' in body and 'href="/regions.csv"' in body


def test_regions_csv_is_one_readable_row_per_meeting(web_client: TestClient, demo_hub: Hub) -> None:
    rows = read_csv(web_client.get("/regions.csv").content)
    by_region = {r["region"]: r for r in rows}
    assert set(by_region) == set(REGIONS)
    for m in demo_hub.meetings():
        row = by_region[m.region]
        assert row["venue"] == f"{m.city}, {m.country}"
        assert m.start_date is not None and row["start_date"] == m.start_date.isoformat()
        assert row["chairs"] == "; ".join(person(o) for o in m.officers if o.role == "chair")
        assert row["vice_chairs"] == "; ".join(person(o) for o in m.officers if o.role == "vice-chair")
    assert by_region["EUR"]["chairs"] == "Dr Péter Vári (Hungary)"
    assert by_region["EUR"]["vice_chairs"].count("; ") == 2
    officers = read_csv(web_client.get("/api/officers.csv").content)
    assert len(officers) == demo_hub.stats().officers
    assert {"region", "role", "honorific", "name", "country"} <= set(officers[0])


def test_regions_json_keeps_the_officers_as_records(web_client: TestClient, demo_hub: Hub) -> None:
    data = web_client.get("/regions.json").json()["data"]
    eur = next(r for r in data if r["region"] == "EUR")
    meeting = demo_hub.meeting("EUR")
    assert meeting is not None
    assert eur["chairs"] == [o.model_dump(mode="json") for o in meeting.officers if o.role == "chair"]


# --- placeholders -------------------------------------------------------------------------------


def _pages(client: TestClient, hub: Hub) -> Iterator[str]:
    yield from ("/", "/regions", "/initiatives", "/sources", "/search?q=report")
    yield from (f"/regions/{r}" for r in REGIONS)
    yield from (f"/initiatives/{i.code}" for i in hub.initiatives(nested=False))


def test_no_page_shows_a_placeholder_as_data(web_client: TestClient, demo_hub: Hub) -> None:
    for url in _pages(web_client, demo_hub):
        response = web_client.get(url)
        assert response.status_code == 200, url
        text = page_text(response.text)
        for word in ("Report", "Video"):
            assert not re.search(rf"\b{word}s?\s*:?\s*{word}\b", text), (url, word)
    region = web_client.get("/regions/EUR").text
    assert "The source names a report and a video of this meeting but gives no address." in page_text(region)


def test_the_source_words_stay_recoverable(web_client: TestClient, report_text: str) -> None:
    meeting = web_client.get("/api/regions/EUR").json()["meeting"]
    assert (meeting["report_label"], meeting["report_url"], meeting["report_placeholder"]) == ("Report", None, True)
    assert (meeting["video_label"], meeting["video_url"], meeting["video_placeholder"]) == ("Video", None, True)
    assert "\tReport\n" in report_text  # what the flag is about: the text export names the link only


def _row(*cells: str, links: list[str | None] | None = None) -> Block:
    return Block("row", " | ".join(cells), 1, cells=list(cells), links=links or [])


@pytest.mark.parametrize(
    ("heading", "cell", "link", "expected"),
    [
        ("RPM Report", "Report", None, ("Report", None, True)),
        ("Videos on the Kigali Action Plan implementation", "Video", None, ("Video", None, True)),
        ("Report of the meeting", "Reports", "https://itu.int/r", ("Reports", "https://itu.int/r", True)),
        ("RPM Report", "RPM-EUR/25 (final, 12 pages)", None, ("RPM-EUR/25 (final, 12 pages)", None, False)),
        (
            "RPM Report",
            "https://www.itu.int/md/D22-RPMEUR",
            None,
            ("https://www.itu.int/md/D22-RPMEUR",) * 2 + (False,),
        ),
        ("RPM Report", "Report", "javascript:alert(1)", ("Report", None, True)),
        ("RPM Report", "", None, (None, None, None)),
    ],
)
def test_a_link_cell_is_named_pointed_or_data(
    heading: str, cell: str, link: str | None, expected: tuple[str | None, str | None, bool | None]
) -> None:
    assert link_cell(heading, _row("RPM-EUR", cell, links=[None, link]), 1) == expected


def test_word_hyperlinks_become_links_on_the_region_page(docx_path: Path, tmp_path: Path) -> None:
    """The Word version with its Report cells as hyperlinks and Video cells as HYPERLINK fields."""
    codes = list(REGIONS)
    linked = link_cells(
        docx_path,
        tmp_path / "linked.docx",
        {"Report": [f"https://www.itu.int/rpm/{c}/report" for c in codes], "Video": ["javascript:alert(1)"] * 6},
        field="Video",
    )
    hub = Hub(f"sqlite:///{tmp_path / 'linked.db'}")
    hub.ingest([linked])
    with TestClient(create_app(hub)) as client:
        for code in codes:
            body = client.get(f"/regions/{code}").text
            assert f'<a href="https://www.itu.int/rpm/{code}/report" rel="noopener noreferrer">Report</a>' in body
            assert "javascript:" not in body  # a crafted target is never a link
            assert "The source names a video of this meeting but gives no address." in page_text(body)
        meeting = client.get("/api/regions/ARB").json()["meeting"]
    assert meeting["report_url"] == "https://www.itu.int/rpm/ARB/report" and meeting["report_label"] == "Report"


# --- CSV for Excel ------------------------------------------------------------------------------


def csv_urls(app: FastAPI) -> list[str]:
    """Every CSV route the app serves (walking its included routers), path parameters filled."""
    values = {"code": "AMS4", "source_id": "1", "number": "1"}
    urls: list[str] = []

    def walk(routes: list[object]) -> None:
        for route in routes:
            if isinstance(route, APIRoute) and route.path.endswith(".csv"):  # paths carry their prefix
                urls.append(re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path))
            router = getattr(route, "original_router", None)
            if router is not None:
                walk(list(router.routes))

    walk(list(app.routes))
    return urls


def test_every_csv_opens_in_excel(web_app: FastAPI, web_client: TestClient) -> None:
    urls = csv_urls(web_app)
    assert len(urls) >= 20 and "/regions.csv" in urls and "/api/expected-results.csv" in urls
    for url in urls:
        response = web_client.get(url, params={"q": "cyber"} if "search" in url else None)
        assert response.status_code == 200, url
        assert response.content.startswith(BOM), url
        rows = read_csv(response.content)
        assert not SPAN_COLUMNS & set(rows[0] if rows else {}), url
        for row in rows:
            for column, value in row.items():
                assert not value.startswith(("[", "{")), (url, column, value)
        plain = web_client.get(url, params={"_bom": "0", **({"q": "cyber"} if "search" in url else {})})
        assert plain.content == response.content[len(BOM) :], url


def test_a_bad_bom_value_is_one_clear_error(web_client: TestClient) -> None:
    response = web_client.get("/regions.csv?_bom=maybe")
    assert response.status_code in (400, 422)
    assert "_bom" in response.json()["error"]["detail"]


def test_export_is_for_people_unless_full(demo_hub: Hub, tmp_path: Path) -> None:
    demo_hub.export_csv(tmp_path / "people")
    demo_hub.export_csv(tmp_path / "full", full=True, bom=False)
    for name in ("meetings", "initiatives", "expected_results"):
        people, full = (
            (tmp_path / "people" / f"{name}.csv").read_bytes(),
            (tmp_path / "full" / f"{name}.csv").read_bytes(),
        )
        assert people.startswith(BOM) and not full.startswith(BOM)
        columns, full_columns = read_csv(people)[0].keys(), read_csv(full)[0].keys()
        assert not POSITIONS & set(columns)
        assert set(full_columns) - set(columns) == POSITIONS & set(full_columns) != set()
    evidence = {r["evidence"] for r in read_csv((tmp_path / "people" / "alignments.csv").read_bytes())}
    assert evidence == {"source: the report's own mapping table"}  # readable text, not JSON
    full_evidence = {r["evidence"] for r in read_csv((tmp_path / "full" / "alignments.csv").read_bytes())}
    assert full_evidence == {'{"source": "the report\'s own mapping table"}'}
    meetings = read_csv((tmp_path / "people" / "meetings.csv").read_bytes())
    assert {(m["report_label"], m["report_placeholder"]) for m in meetings} == {("Report", "True")}
