"""Every route with hostile ids and parameters: never a 500, never a traceback, HEAD like GET."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rihub.hub import Hub
from rihub.web.app import create_app

pytest_plugins = ["web_fixtures"]

HOSTILE = [
    "%C2%B2",  # superscript two: str.isdigit() says yes, int() says no
    "%D9%A3",  # Arabic-Indic three
    "9223372036854775808",  # 2**63: past a 64-bit column
    "99999999999999999999999",
    "-1",
    "0",
    "1e3",
    "0x10",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "%3Cscript%3E",
    "a" * 300,
    "EUR1.json",
    "1.csv",
]


@pytest.fixture(scope="module")
def writable_hub(demo_hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> Hub:
    from web_fixtures import copy_hub

    return copy_hub(demo_hub, tmp_path_factory.mktemp("hostile") / "rihub.db")


@pytest.fixture(scope="module")
def writable(writable_hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(writable_hub, read_only=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def reviewer_auth(writable_hub: Hub) -> dict[str, str]:
    from web_fixtures import bearer

    return bearer(writable_hub, "hostile-reviewer", "reviewer")


def _routes(client: TestClient) -> list[tuple[str, set[str]]]:
    """Every route of the app, walking included routers (pages are hidden from OpenAPI)."""
    found: list[tuple[str, set[str]]] = []

    def walk(routes: list[object], prefix: str = "") -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                found.append((prefix + r.path, set(r.methods or ())))
            router = getattr(r, "original_router", None)
            if router is not None:
                walk(list(router.routes), prefix + getattr(router, "prefix", ""))

    walk(list(client.app.routes))  # type: ignore[attr-defined]
    return found


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_route_with_hostile_ids_answers_without_a_500(writable: TestClient) -> None:
    checked = 0
    for path, methods in _routes(writable):
        if "{" not in path:
            continue
        for value in HOSTILE:
            url = _fill(path, value)
            for method in sorted(methods & {"GET", "POST"}):
                response = writable.request(method, url)
                assert response.status_code < 500, (method, url, response.status_code, response.text[:200])
                assert "Traceback" not in response.text
                checked += 1
            if "GET" in methods:
                head = writable.head(url)
                assert head.status_code == writable.get(url).status_code and head.content == b""
    assert checked > 200


def test_hostile_query_parameters(writable: TestClient) -> None:
    for query in [
        "/initiatives/EUR1?reviewed=accepted&alignment=%C2%B2",
        "/initiatives/EUR1?reviewed=accepted&alignment=99999999999999999999999",
        "/initiatives/EUR1?cycle=%C2%B2",
        "/initiatives/EUR1?cycle=" + "W" * 200,
        "/api/initiatives?_page=99999999999999999999&_size=5",
        "/api/initiatives?offset=9223372036854775808",
        "/sources/1?hl=99999999-1",
        "/diff?from=%C2%B2&to=1",
        "/api/diff?from=1&to=9223372036854775808",
        "/search?q=%00%C2%B2&_page=0",
    ]:
        response = writable.get(query)
        assert response.status_code < 500, (query, response.status_code)


def test_writes_without_a_credential_are_refused_before_parsing(writable: TestClient) -> None:
    for url in ["/api/alignments/1/review", "/api/initiatives/EUR1/alignments", "/api/lineage/1/review"]:
        response = writable.post(url, content=b"{not json", headers={"content-type": "application/json"})
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_links_never_come_from_the_host_header(writable: TestClient) -> None:
    headers = {"host": "evil.example"}
    index = writable.get("/api", headers=headers).json()
    assert all(not url.startswith("http") for url in index["endpoints"].values())
    listed = writable.get("/api/initiatives?_size=2", headers=headers).json()
    assert listed["next"].startswith("/api/initiatives?")


def test_failed_tokens_are_throttled(writable: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    body = {"action": "accept", "reason": "y"}
    codes = [
        writable.post("/api/alignments/1/review", json=body, headers={"Authorization": "Bearer wrong"}).status_code
        for _ in range(14)
    ]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
    assert "rejected API token" in caplog.text
    assert writable.get("/initiatives/EUR1").headers["cache-control"] == "no-store"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
def test_generated_ids_never_500(writable: TestClient, segment: str) -> None:
    from urllib.parse import quote

    value = quote(segment, safe="")
    for template in ["/alignments/{}", "/sources/{}", "/api/sources/{}/blocks", "/initiatives/{}/results/{}"]:
        response = writable.get(template.replace("{}", value))
        assert response.status_code < 500, (template, segment)


def test_trusted_hosts_are_configurable(demo_hub: Hub) -> None:
    with TestClient(create_app(demo_hub, allowed_hosts=["rihub.example.org", "127.0.0.1"])) as client:
        assert client.get("/api/stats", headers={"host": "rihub.example.org"}).status_code == 200
        assert client.get("/api/stats", headers={"host": "evil.example"}).status_code == 400


def test_request_bodies_are_bounded(writable: TestClient, reviewer_auth: dict[str, str]) -> None:
    headers = reviewer_auth | {"content-type": "application/json"}
    big = b'{"action": "accept", "reason": "' + b"y" * 200_000 + b'"}'
    response = writable.post("/api/alignments/1/review", content=big, headers=headers)
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b'{"reason": "'
        for _ in range(100):
            yield b"z" * 10_000

    chunked = writable.post("/api/alignments/1/review", content=chunks(), headers=headers)
    assert chunked.status_code in (413, 422) and chunked.status_code < 500


def test_a_route_may_take_a_larger_body(demo_hub: Hub, tmp_path: Path) -> None:
    """``body_limits`` lifts the 64 KB limit under one prefix only (an upload route)."""
    from web_fixtures import bearer, copy_hub

    hub = copy_hub(demo_hub, tmp_path / "rihub.db")
    headers = bearer(hub, "uploader", "reviewer") | {"content-type": "application/json"}
    big = b'{"action": "accept", "reason": "' + b"y" * 200_000 + b'"}'
    app = create_app(hub, read_only=False, body_limits={"/api/alignments/": 1024 * 1024})
    with TestClient(app, raise_server_exceptions=False) as client:
        parsed = client.post("/api/alignments/999999/review", content=big, headers=headers)
        assert parsed.status_code == 422 and "reason" in parsed.text, "read and validated, not refused for its size"
        assert client.post("/api/lineage/1/review", content=big, headers=headers).status_code == 413
