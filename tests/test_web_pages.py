"""HTML pages on the bundled report: content from the registry, JSON twins, escaping, and no inline code."""

from __future__ import annotations

import re
from html import escape

import pytest
from fastapi.testclient import TestClient

from rihub.hub import Hub

pytest_plugins = ["web_fixtures"]

PAGES = [
    "/",
    "/regions",
    "/regions/EUR",
    "/regions/ARB",
    "/initiatives",
    "/initiatives?region=AFR",
    "/initiatives/EUR1",
    "/initiatives/AMS4",
    "/initiatives/ARB5",
    "/initiatives/EUR1/results/3",
    "/compare",
    "/compare?codes=EUR4,ASP5,AMS4,AFR3,CIS3",
    "/search",
    "/search?q=cybersecurity",
    "/search?q=cyber*&region=ARB",
    "/sources",
    "/sources/1",
    "/sources/1?hl=150-170",
    "/sources/1/findings",
    "/findings",
    "/docs",
    "/nowhere",
]


def html(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_home_shows_the_cycle(web_client: TestClient, demo_hub: Hub) -> None:
    page = html(web_client, "/")
    stats = demo_hub.stats()
    for region in stats.regions:
        assert f'href="/regions/{region.region}"' in page
        assert escape(region.name) in page
    assert page.count('class="dot dot-') == stats.meetings
    assert f'<dd><a href="/findings">{stats.findings}</a></dd>' in page
    assert f"<dd>{stats.expected_results}</dd>" in page
    for source in demo_hub.source_documents():
        assert f'href="/sources/{source.id}"' in page


def test_region_page(web_client: TestClient, demo_hub: Hub) -> None:
    page = html(web_client, "/regions/eur")
    meeting = demo_hub.meeting("EUR")
    for officer in meeting.officers:
        assert escape(officer.name) in page
    chair = next(o for o in meeting.officers if o.role == "chair")
    assert page.index(escape(chair.name)) < page.index("Vice-chairs")
    for doc in meeting.documents_reviewed:
        assert f"Doc {doc.number}</span> {escape(doc.description)}" in page
    assert escape(meeting.contributions) in page
    for item in demo_hub.initiatives(region="EUR", nested=False):
        assert f'href="/initiatives/{item.code}"' in page


def test_initiative_page(web_client: TestClient, demo_hub: Hub) -> None:
    item = demo_hub.initiative("EUR1")
    page = html(web_client, "/initiatives/EUR1")
    assert f'<h1 id="init-title">{escape(item.title)}</h1>' in page
    assert escape(item.objective) in page
    assert page.count('<li id="result-') == len(item.expected_results)
    for r in item.expected_results:
        assert escape(r.text) in page
        span = r.span
        assert f'href="/sources/{span.source_id}?hl={span.start}-{span.end}#L{span.start}"' in page
    assert page.count('class="prov prov-document"') >= len(item.alignments)


def test_sub_items_and_footnotes_are_shown(web_client: TestClient, demo_hub: Hub) -> None:
    for code in ("AMS4", "AMS1"):
        page = html(web_client, f"/initiatives/{code}")
        for r in demo_hub.initiative(code).expected_results:
            for sub in r.sub_items:
                assert f'<span class="label">{sub.label})</span> {escape(sub.text)}' in page
            for note in r.footnotes:
                assert f"<sup>{escape(note.marker)}</sup> {escape(note.text)}" in page


def test_result_page(web_client: TestClient, demo_hub: Hub) -> None:
    item = demo_hub.initiative("EUR1")
    page = html(web_client, "/initiatives/EUR1/results/3")
    assert escape(item.expected_results[2].text) in page
    assert 'href="/initiatives/EUR1/results/2"' in page and 'href="/initiatives/EUR1/results/4"' in page
    html(web_client, "/initiatives/EUR1/results/99", 404)
    html(web_client, "/initiatives/EUR1/results/three", 404)


def test_source_page_anchors_every_span(web_client: TestClient, demo_hub: Hub) -> None:
    page = html(web_client, "/sources/1")
    anchors = set(re.findall(r'id="L(\d+)"', page))
    blocks = demo_hub.source_document(1).blocks
    assert {str(b.loc) for b in blocks} <= anchors
    spans = (
        [i.span for i in demo_hub.initiatives()]
        + [r.span for i in demo_hub.initiatives() for r in i.expected_results]
        + [o.span for m in demo_hub.meetings() for o in m.officers]
    )
    missing = {s.start for s in spans if str(s.start) not in anchors}
    assert not missing, f"spans pointing at lines with no anchor: {sorted(missing)}"


def test_source_page_highlights_the_span(web_client: TestClient, demo_hub: Hub) -> None:
    span = demo_hub.initiative("EUR4").span
    page = html(web_client, f"/sources/1?hl={span.start}-{span.end}")
    lit = re.findall(r'<li id="L(\d+)" class="block block-\w+ hl">', page)
    blocks = [b for b in demo_hub.source_document(1).blocks if b.loc <= span.end and b.end_loc >= span.start]
    assert [int(n) for n in lit] == [b.loc for b in blocks]
    assert escape(demo_hub.initiative("EUR4").expected_results[0].text) in page


def test_findings_pages(web_client: TestClient, demo_hub: Hub) -> None:
    findings = demo_hub.findings(1)
    page = html(web_client, "/sources/1/findings")
    assert page.count('<tr id="F') == len(findings)
    for f in findings:
        if f.loc:
            assert f'href="/sources/1?hl={f.loc}#L{f.loc}"' in page
    assert html(web_client, "/findings").count('<tr id="F') == len(demo_hub.findings())


def test_compare_page(web_client: TestClient, demo_hub: Hub) -> None:
    codes = ["EUR4", "ASP5", "AMS4", "AFR3", "CIS3"]
    page = html(web_client, "/compare?codes=" + ",".join(codes))
    heads = re.findall(r'<th scope="col" class="region-\w+"><a href="/initiatives/(\w+)">', page)
    assert heads == codes
    total = sum(len(demo_hub.initiative(c).expected_results) for c in codes)
    assert page.count('class="result-no"') == total
    assert 'value="http://testserver/compare?codes=EUR4,ASP5,AMS4,AFR3,CIS3"' in page  # shareable URL
    assert "Copy link" in page


def test_compare_page_explains_bad_choices(web_client: TestClient) -> None:
    assert "between 2 and 6" in html(web_client, "/compare?codes=EUR4", 422)
    assert "no initiative XXX1" in html(web_client, "/compare?codes=EUR4,XXX1", 404)
    assert 'name="codes" value="EUR4"' in html(web_client, "/compare")


def test_search_page(web_client: TestClient) -> None:
    page = html(web_client, "/search?q=cybersecurity")
    listed = re.findall(r'<h3><a href="/initiatives/(\w+)"', page)
    assert set(listed[:5]) == {"EUR4", "ASP5", "AMS4", "AFR3", "CIS3"}
    assert "<mark>cybersecurity</mark>" in page
    assert 'href="/search?q=cybersecurity&amp;region=EUR"' in page  # facet link
    filtered = html(web_client, "/search?q=cybersecurity&region=EUR")
    assert set(re.findall(r'<h3><a href="/initiatives/(\w+)"', filtered)) == {"EUR4"}
    assert "remove filter" in filtered


@pytest.mark.parametrize("q", ["%22unbalanced", "AND+OR", "", "zzqqxx", "%2A"])
def test_search_page_survives_odd_queries(web_client: TestClient, q: str) -> None:
    html(web_client, f"/search?q={q}")


@pytest.mark.parametrize(
    ("page", "api"),
    [
        ("/initiatives/EUR1.json", "/api/initiatives/EUR1"),
        ("/regions/EUR.json", "/api/regions/EUR"),
        ("/initiatives/EUR1/results/3.json", "/api/initiatives/EUR1/results/3"),
        ("/compare.json?codes=EUR4,ASP5", "/api/compare?codes=EUR4,ASP5"),
        ("/search.json?q=digital", "/api/search?q=digital"),
        ("/initiatives.json?region=EUR", "/api/initiatives?region=EUR"),
        ("/sources/1.json", "/api/sources/1"),
        ("/findings.json", "/api/findings"),
        ("/sources/1/findings.json", "/api/sources/1/findings"),
    ],
)
def test_json_twins_match_the_api(web_client: TestClient, page: str, api: str) -> None:
    assert web_client.get(page).json() == web_client.get(api).json()


def test_accept_header_selects_the_json_twin(web_client: TestClient) -> None:
    a = web_client.get("/initiatives/EUR4", headers={"accept": "application/json"}).json()
    assert a == web_client.get("/initiatives/EUR4.json").json()
    assert web_client.get("/?_format=json").json() == web_client.get("/index.json").json()


def test_every_page_links_its_twin(web_client: TestClient) -> None:
    page = html(web_client, "/initiatives/EUR1")
    assert '<link rel="alternate" type="application/json" href="/initiatives/EUR1.json">' in page


@pytest.mark.parametrize("url", PAGES)
def test_no_inline_code_and_no_external_assets(web_client: TestClient, url: str) -> None:
    response = web_client.get(url)
    page = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert "<style" not in page and not re.search(r"\sstyle=", page), "inline style"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"
    for ref in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert ref.startswith(("/", "#", "?")) and not ref.startswith("//"), ref


def test_pages_are_landmarked(web_client: TestClient) -> None:
    for url in ("/", "/initiatives/EUR1", "/search?q=digital"):
        page = html(web_client, url)
        assert '<html lang="en">' in page and '<main id="main"' in page and 'class="skip-link"' in page
        assert page.count("<h1") == 1


def test_markup_in_the_source_is_rendered_inert(evil_client: TestClient, evil_hub: Hub, evil_title: str) -> None:
    assert evil_hub.initiative("EUR1").title == evil_title
    for url in (
        "/initiatives/EUR1",
        "/regions/EUR",
        "/initiatives",
        "/search?q=pwned",
        "/search?q=infrastructure",
        "/compare?codes=EUR1,EUR2",
        "/initiatives/EUR1/results/1",
        "/sources/1",
    ):
        page = html(evil_client, url)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(" in page, url
    snippet = evil_client.get("/api/search?q=pwned").json()["data"][0]["title_html"]
    assert snippet.startswith("&lt;script&gt;alert(&#x27;") or snippet.startswith("&lt;script&gt;alert(&quot;")
    assert "<mark>pwned</mark>" in snippet


def test_error_pages(web_client: TestClient) -> None:
    page = html(web_client, "/nowhere", 404)
    assert "404" in page and 'href="/search"' in page
    assert "invalid value for _size" in html(web_client, "/initiatives?_size=0", 422)
