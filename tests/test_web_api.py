"""The JSON API: envelopes and paging, CSV, records, search, compare, errors and security headers."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from rihub.hub import Hub
from rihub.records import InitiativeNested, InitiativeSummary
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
    assert get(web_client, "/api/initiatives")["count"] == stats.initiatives + stats.priorities
    assert get(web_client, "/api/expected-results")["count"] == stats.expected_results
    assert get(web_client, "/api/officers")["count"] == stats.officers
    assert get(web_client, "/api/meetings")["count"] == stats.meetings
    assert get(web_client, "/api/alignments")["count"] == stats.alignments
    assert get(web_client, "/api/findings")["count"] == stats.findings
    assert get(web_client, "/api/stats") == stats.model_dump(mode="json")


def test_following_next_walks_every_row_once(web_client: TestClient, demo_hub: Hub) -> None:
    expected = [i.code for i in demo_hub.initiatives(nested=False)]
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
    assert body["count"] == next(r.expected_results for r in demo_hub.stats().regions if r.region == "AFR")
    assert "region=afr" in body["next"]
    assert {r["region"] for r in body["data"]} == {"AFR"}


@pytest.mark.parametrize("url", ["/api/initiatives?_format=csv", "/api/initiatives.csv", "/initiatives.csv"])
def test_csv_download_holds_every_row(web_client: TestClient, demo_hub: Hub, url: str) -> None:
    response = web_client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = demo_hub.initiatives(nested=False)
    assert [r["code"] for r in rows] == [i.code for i in expected]
    assert [r["title"] for r in rows] == [i.title for i in expected]
    assert "span_start" not in rows[0] and "field_sources_title" not in rows[0]  # source positions: export --full


def test_nested_lists_become_readable_text_in_csv(web_client: TestClient, demo_hub: Hub) -> None:
    body = web_client.get("/api/expected-results?_format=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == demo_hub.stats().expected_results
    with_subs = [r for r in rows if r["sub_items"]]
    ams4 = demo_hub.initiative("AMS4").expected_results[0]
    assert [(r["initiative"], r["number"]) for r in with_subs] == [("AMS4", "1")]
    assert with_subs[0]["sub_items"] == "; ".join(f"{s.label}) {s.text}" for s in ams4.sub_items)
    assert with_subs[0]["sub_items"].startswith("a) ")


def test_records(web_client: TestClient, demo_hub: Hub) -> None:
    record = get(web_client, "/api/initiatives/eur1")
    history = {k: record.pop(k) for k in ("versions", "lineage", "other_cycles", "themes")}
    assert record == demo_hub.initiative("EUR1").model_dump(mode="json")
    assert [v["filename"] for v in history["versions"]] == ["rpm-coordination-wtdc25.txt"]
    assert history["lineage"] == history["other_cycles"] == []
    assert history["themes"][0]["theme"] == "connectivity"
    third = get(web_client, "/api/initiatives/EUR1/results/3")
    assert third["result"] == demo_hub.initiative("EUR1").expected_results[2].model_dump(mode="json")
    assert (third["previous"], third["next"]) == (2, 4)
    region = get(web_client, "/api/regions/EUR")
    meeting = demo_hub.meeting("EUR")
    assert meeting is not None and region["meeting"] == meeting.model_dump(mode="json")
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
        numbers = [r["number"] for row in body["rows"] for r in row["cells"][col]]
        numbers += [r["number"] for r in body["unmatched"][col]]
        assert sorted(numbers) == [r.number for r in demo_hub.initiative(code).expected_results]
    assert all(len(row["cells"]) == len(codes) for row in body["rows"])
    assert body["rows"], "the five security initiatives share at least one cluster"
    assert all(sum(1 for c in row["cells"] if c) >= 2 for row in body["rows"])
    assert all(0 < row["similarity"] <= 1 and row["explanation"] for row in body["rows"])
    assert body["note"].startswith("Lexical only")  # demo registry: no embeddings


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


# --- response models: what /openapi.json declares is what is served ---------------------------------

PATH_VALUES = {"code": "EUR1", "number": "3", "alignment_id": "1", "source_id": "1"}
SAMPLE_URLS = {
    "/api/regions/{code}": "/api/regions/EUR",
    "/api/diff": "/api/diff?from=1&to=1",
    "/api/compare": "/api/compare?codes=EUR4,ASP5",
    "/api/search": "/api/search?q=cybersecurity",
}


def _api_routes(client: TestClient) -> list[APIRoute]:
    from rihub.web.api import router

    return [r for r in router.routes if isinstance(r, APIRoute) and r.include_in_schema and "GET" in r.methods]


def test_every_api_operation_declares_a_response_model(web_client: TestClient) -> None:
    spec = get(web_client, "/openapi.json")
    schemas = spec["components"]["schemas"]
    for route in _api_routes(web_client):
        assert route.response_model is not None, route.path
        ok = spec["paths"][route.path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in ok and ok["$ref"].rsplit("/", 1)[-1] in schemas, route.path
        assert spec["paths"][route.path]["get"]["responses"]["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
    assert {"InitiativeView", "InitiativeSummary", "ExpectedResult", "Span", "SearchPage", "Stats"} <= set(schemas)
    page = schemas["Page_SourceDocument_"]
    assert page["properties"]["data"]["items"] == {"$ref": "#/components/schemas/SourceDocument"}
    assert schemas["SourceDocument"]["properties"]["ingested_at"]["format"] == "date-time"
    assert "from" in schemas["DiffView"]["properties"] and "from_" not in schemas["DiffView"]["properties"]


def test_every_api_answer_is_exactly_its_response_model(web_client: TestClient) -> None:
    """Each GET answer validates against the declared model and dumps back to the same JSON: no
    field served that the schema does not describe, none described that is not served."""
    routes = _api_routes(web_client)
    assert len(routes) >= 20
    for route in routes:
        url = SAMPLE_URLS.get(route.path) or route.path.format(**PATH_VALUES)
        body = get(web_client, url)
        adapter: TypeAdapter[object] = TypeAdapter(route.response_model)
        assert adapter.dump_python(adapter.validate_python(body), mode="json", by_alias=True) == body, url


def test_nested_initiatives_validate_as_nested(web_client: TestClient) -> None:
    body = get(web_client, "/api/initiatives?nested=true&_size=3")
    rows = TypeAdapter(list[InitiativeNested | InitiativeSummary]).validate_python(body["data"])
    assert all(isinstance(r, InitiativeNested) for r in rows)


def test_docs_show_response_schemas_and_render_inline_code(web_client: TestClient) -> None:
    html = web_client.get("/docs").text
    assert "`" not in re.sub(r"<code>[^<]*</code>", "", html), "no raw Markdown backticks"
    assert "<code>_size</code>/<code>_page</code>" in html  # the API description's `code`
    assert 'id="schema-InitiativeView"' in html and 'href="#schema-InitiativeView"' in html
    initiative = html[html.index('id="get-api-initiatives-code"') :]
    initiative = initiative[: initiative.index("</section>")]
    assert '<a href="#schema-InitiativeView"><code>InitiativeView</code></a>' in initiative
    assert '<a href="#schema-ErrorBody"><code>ErrorBody</code></a>' in initiative
    schema = html[html.index('id="schema-ExpectedResult"') :]
    schema = schema[: schema.index("</section>")]
    for field in ("number", "text", "sub_items", "alignments", "span"):
        assert f"<code>{field}</code>" in schema
    assert 'list of <a href="#schema-SubItem">' in schema


def test_docs_escape_before_they_format() -> None:
    from rihub.web.docs import inline_code

    expected = "use <code>&lt;b&gt;x&lt;/b&gt;</code> or &lt;i&gt;y&lt;/i&gt;"
    assert str(inline_code("use `<b>x</b>` or <i>y</i>")) == expected
    assert str(inline_code("``nested=true``")) == "<code>nested=true</code>"
    assert str(inline_code("a ` lone tick")) == "a ` lone tick"


def test_search_hits_get_links_and_mark_html_in_the_web_layer(web_client: TestClient) -> None:
    body = get(web_client, "/api/search?q=cybersecurity")
    hit = body["data"][0]
    assert hit["url"] == f"/initiatives/{hit['code']}"
    for m in hit["matches"]:
        words = [m["text"][a:b] for a, b in m["marks"]]
        assert all(f"<mark>{w}</mark>" in m["snippet"] for w in words)
        assert m["url"].startswith(hit["url"])
    meeting = next(h for h in get(web_client, "/api/search?q=gender&_size=100")["data"] if h["type"] == "meeting")
    assert meeting["url"] == f"/regions/{meeting['region']}#contributions"


def test_marked_html_escapes_the_text_around_and_inside_marks() -> None:
    from rihub.web.data import marked_html

    assert marked_html("<a> & <b>", [(0, 3), (6, 9)]) == "<mark>&lt;a&gt;</mark> &amp; <mark>&lt;b&gt;</mark>"
    assert marked_html("plain", []) == "plain"
