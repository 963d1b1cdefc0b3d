"""The JSON API: envelopes and paging, CSV, records, search, compare, errors and security headers."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from rihub.hub import Hub
from rihub.web.app import create_app

pytest_plugins = ["web_fixtures"]

LISTS = [
    "/api/regions",
    "/api/meetings",
    "/api/officers",
    "/api/initiatives",
    "/api/expected-results",
    "/api/alignments",
    "/api/sources",
    "/api/sources/1/findings",
    "/api/sources/1/blocks",
    "/api/findings",
    "/api/initiatives/AFR1/results",
]


def get(client: TestClient, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    return response.json()


@pytest.mark.parametrize("url", LISTS)
def test_every_list_has_the_envelope(web_client: TestClient, url: str) -> None:
    body = get(web_client, url)
    assert set(body) >= {"data", "count", "next"}
    assert isinstance(body["data"], list) and body["count"] >= len(body["data"]) > 0
    if body["count"] > 50:
        assert len(body["data"]) == 50 and body["next"]
    else:
        assert body["next"] is None


def test_counts_match_the_registry(web_client: TestClient, demo_hub: Hub) -> None:
    stats = demo_hub.stats()
    assert get(web_client, "/api/initiatives")["count"] == stats["initiatives"] + stats["priorities"]
    assert get(web_client, "/api/expected-results")["count"] == stats["expected_results"]
    assert get(web_client, "/api/officers")["count"] == stats["officers"]
    assert get(web_client, "/api/meetings")["count"] == stats["meetings"]
    assert get(web_client, "/api/alignments")["count"] == stats["alignments"]
    assert get(web_client, "/api/findings")["count"] == stats["findings"]
    assert get(web_client, "/api/stats") == stats


def test_following_next_walks_every_row_once(web_client: TestClient, demo_hub: Hub) -> None:
    expected = [i["code"] for i in demo_hub.initiatives(nested=False)]
    seen: list[str] = []
    url: str | None = "/api/initiatives?_size=7"
    while url:
        body = get(web_client, url)
        assert body["count"] == len(expected)
        seen += [i["code"] for i in body["data"]]
        url = body["next"]
    assert seen == expected


@pytest.mark.parametrize(
    ("page", "offset"), [("_size=5&_page=3", "limit=5&offset=10"), ("_size=10&_page=1", "limit=10&offset=0")]
)
def test_both_paging_styles_agree(web_client: TestClient, page: str, offset: str) -> None:
    a = get(web_client, f"/api/expected-results?{page}")
    b = get(web_client, f"/api/expected-results?{offset}")
    assert a["data"] == b["data"] and a["count"] == b["count"]
    assert "offset=" in b["next"] and "_page=" in a["next"]


def test_filters_keep_their_place_in_next(web_client: TestClient, demo_hub: Hub) -> None:
    body = get(web_client, "/api/expected-results?region=afr&_size=10")
    assert body["count"] == next(r["expected_results"] for r in demo_hub.stats()["regions"] if r["region"] == "AFR")
    assert "region=afr" in body["next"]
    assert {r["region"] for r in body["data"]} == {"AFR"}


@pytest.mark.parametrize("url", ["/api/initiatives?_format=csv", "/api/initiatives.csv", "/initiatives.csv"])
def test_csv_download_holds_every_row(web_client: TestClient, demo_hub: Hub, url: str) -> None:
    response = web_client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = demo_hub.initiatives(nested=False)
    assert [r["code"] for r in rows] == [i["code"] for i in expected]
    assert rows[0]["span_start"] == str(expected[0]["span"]["start"])


def test_nested_lists_become_json_cells_in_csv(web_client: TestClient, demo_hub: Hub) -> None:
    rows = list(csv.DictReader(io.StringIO(web_client.get("/api/expected-results?_format=csv").text)))
    assert len(rows) == demo_hub.stats()["expected_results"]
    with_subs = [r for r in rows if r["sub_items"] != "[]"]
    assert len(with_subs) == sum(1 for r in rows if r["initiative"] == "AMS4" and r["number"] == "1")


def test_records(web_client: TestClient, demo_hub: Hub) -> None:
    record = get(web_client, "/api/initiatives/eur1")
    history = {k: record.pop(k) for k in ("versions", "lineage", "other_cycles")}
    assert record == demo_hub.initiative("EUR1")
    assert [v["filename"] for v in history["versions"]] == ["rpm-coordination-wtdc25.txt"]
    assert history["lineage"] == history["other_cycles"] == []
    third = get(web_client, "/api/initiatives/EUR1/results/3")
    assert third["result"] == demo_hub.initiative("EUR1")["expected_results"][2]
    assert (third["previous"], third["next"]) == (2, 4)
    region = get(web_client, "/api/regions/EUR")
    assert region["meeting"] == demo_hub.meeting("EUR")
    assert [i["code"] for i in region["initiatives"]] == ["EUR1", "EUR2", "EUR3", "EUR4", "EUR5"]
    source = get(web_client, "/api/sources/1")
    assert len(source["blocks"]) == get(web_client, "/api/sources/1/blocks")["count"]


def test_search_endpoint(web_client: TestClient) -> None:
    body = get(web_client, "/api/search?q=cybersecurity")
    assert {h["code"] for h in body["data"][:5]} == {"EUR4", "ASP5", "AMS4", "AFR3", "CIS3"}
    assert body["facets"]["region"] and body["mode"] == "fulltext"
    assert "ARB5" in [h["code"] for h in get(web_client, "/api/search?q=cyber*&_size=100")["data"]]
    paged = get(web_client, "/api/search?q=digital&_size=5")
    assert len(paged["data"]) == 5 and paged["count"] > 5 and "_page=2" in paged["next"]


@pytest.mark.parametrize("q", ["%22unbalanced", "AND+OR", "NOT", "%2A%2A", "%28", "cyber+AND"])
def test_search_syntax_errors_are_not_500(web_client: TestClient, q: str) -> None:
    body = get(web_client, f"/api/search?q={q}")
    assert isinstance(body["data"], list)


def test_unknown_search_mode_is_422(web_client: TestClient) -> None:
    body = get(web_client, "/api/search?q=digital&mode=bogus", 422)
    assert "fulltext" in body["error"]["detail"]


def test_compare_aligns_every_result_once(web_client: TestClient, demo_hub: Hub) -> None:
    codes = ["EUR4", "ASP5", "AMS4", "AFR3", "CIS3"]
    body = get(web_client, "/api/compare?codes=" + ",".join(codes))
    assert [c["code"] for c in body["columns"]] == codes
    for col, code in enumerate(codes):
        numbers = [row["cells"][col]["number"] for row in body["rows"] if row["cells"][col]]
        assert sorted(numbers) == [r["number"] for r in demo_hub.initiative(code)["expected_results"]]
    assert all(len(row["cells"]) == len(codes) for row in body["rows"])
    shared = [row for row in body["rows"] if row["similarity"] is not None]
    assert shared, "the five security initiatives share at least one theme"
    assert all(sum(c is not None for c in row["cells"]) >= 2 for row in shared)
    sims = [row["similarity"] for row in shared]
    assert all(0 < s <= 1 for s in sims)


def test_compare_repeated_codes_parameter(web_client: TestClient) -> None:
    a = get(web_client, "/api/compare?codes=EUR4&codes=ASP5")
    b = get(web_client, "/api/compare?codes=EUR4,ASP5")
    assert a == b


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/compare?codes=EUR4", 422),
        ("/api/compare?codes=EUR1,EUR2,EUR3,EUR4,EUR5,ASP1,ASP2", 422),
        ("/api/compare?codes=EUR4,XXX9", 404),
        ("/api/initiatives/NOPE1", 404),
        ("/api/initiatives/EUR1/results/99", 404),
        ("/api/initiatives/EUR1/results/x", 422),
        ("/api/regions/XYZ", 404),
        ("/api/sources/999", 404),
        ("/api/initiatives?region=XYZ", 422),
        ("/api/initiatives?_size=0", 422),
        ("/api/initiatives?_size=100000", 422),
        ("/api/nowhere", 404),
    ],
)
def test_errors_are_json(web_client: TestClient, url: str, status: int) -> None:
    body = get(web_client, url, status)
    assert body["error"]["status"] == status and body["error"]["detail"]


def test_validation_errors_name_the_parameter(web_client: TestClient) -> None:
    body = get(web_client, "/api/initiatives?_size=0", 422)
    assert body["error"]["errors"][0]["loc"] == ["query", "_size"]


def test_json_clients_get_json_errors_on_page_urls(web_client: TestClient) -> None:
    response = web_client.get("/initiatives/NOPE1", headers={"accept": "application/json"})
    assert response.status_code == 404 and response.json()["error"]["status"] == 404
    html = web_client.get("/initiatives/NOPE1", headers={"accept": "text/html"})
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")


class BrokenHub(Hub):
    """A hub whose reads fail, to see the 500 path."""

    def stats(self) -> dict:
        raise RuntimeError("disk on fire")


def test_server_errors_are_rendered_by_the_same_handler(demo_hub: Hub) -> None:
    broken = BrokenHub(engine=demo_hub.engine, url=demo_hub.url)
    with TestClient(create_app(broken), raise_server_exceptions=False) as client:
        api = client.get("/api/stats")
        assert api.status_code == 500 and api.json()["error"]["status"] == 500
        assert "disk on fire" not in api.text  # internals stay in the log
        page = client.get("/")
        assert page.status_code == 500 and "<h1" in page.text and "disk on fire" not in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    "url", ["/", "/api/initiatives", "/initiatives/EUR1.json", "/static/rihub.css", "/nowhere", "/docs"]
)
def test_security_headers_everywhere(web_client: TestClient, url: str) -> None:
    headers = web_client.get(url).headers
    csp = headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


def test_open_data_may_be_read_cross_origin_but_pages_not(web_client: TestClient) -> None:
    assert web_client.get("/api/initiatives").headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in web_client.get("/").headers


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_read_only(web_client: TestClient, method: str) -> None:
    response = web_client.request(method, "/api/initiatives")
    assert response.status_code == 405
    assert response.json()["error"]["detail"] == "this server is read-only"
    assert "GET" in response.headers["allow"]
    assert web_client.request(method, "/initiatives/EUR1").status_code == 405


def test_openapi_documents_the_api(web_client: TestClient) -> None:
    spec = get(web_client, "/openapi.json")
    paths = spec["paths"]
    for path in ["/api/initiatives", "/api/initiatives/{code}", "/api/search", "/api/compare", "/api/sources"]:
        assert "get" in paths[path], path
    assert not [p for p in paths if not p.startswith("/api")], "pages stay out of the API description"
    names = {p["name"] for p in paths["/api/initiatives"]["get"]["parameters"]}
    assert {"_size", "_page", "limit", "offset", "_format", "region", "kind"} <= names


def test_docs_page_is_self_contained(web_client: TestClient) -> None:
    spec = get(web_client, "/openapi.json")
    html = web_client.get("/docs").text
    for path in spec["paths"]:
        assert f"<code>{path}</code>" in html
    assert "cdn" not in html.lower() and "swagger" not in html.lower()
