"""Fixtures for the web tests: the app over the demo registry, a TestClient, and a live server.

Imported by the test modules (``from web_fixtures import ...``) so conftest.py stays untouched.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

import backend
from next_cycle import next_cycle_report
from rihub.hub import Hub, demo_report_bytes
from rihub.web.app import create_app

EVIL_TITLE = '<script>alert("pwned")</script> Digital infrastructure development <img src=x onerror=alert(1)>'


@pytest.fixture(scope="session")
def web_app(demo_hub: Hub) -> FastAPI:
    return create_app(demo_hub)


@pytest.fixture(scope="session")
def web_client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as client:
        yield client


@pytest.fixture(scope="session")
def evil_title() -> str:
    return EVIL_TITLE


@pytest.fixture(scope="session")
def evil_hub(tmp_path_factory: pytest.TempPathFactory, database_server: str | None) -> Hub:
    """The demo report with markup injected into EUR1's title: it must come out inert everywhere."""
    hub = Hub(backend.new_url(tmp_path_factory.mktemp("evil"), database_server))
    text = demo_report_bytes().decode("utf-8")
    original = "EUR1: Digital infrastructure development"
    assert original in text
    hub.ingest_bytes(text.replace(original, f"EUR1: {EVIL_TITLE}", 1).encode("utf-8"), "evil-report.txt")
    return hub


@pytest.fixture(scope="session")
def evil_client(evil_hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(evil_hub)) as client:
        yield client


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """uvicorn in a background thread on a free loopback port; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(web_app: FastAPI) -> Iterator[str]:
    with serving(web_app) as url:
        yield url


@pytest.fixture(scope="session")
def evil_server(evil_hub: Hub) -> Iterator[str]:
    with serving(create_app(evil_hub)) as url:
        yield url


PASSWORD = "a-password-for-tests"


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a browser does (its CSRF token first)."""
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf, "the login form carries a CSRF token"
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf": csrf.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def bearer(hub: Hub, username: str, role: str) -> dict[str, str]:
    """The Authorization header of a new API token for a new account."""
    hub.user_add(username, role)
    return {"Authorization": f"Bearer {hub.user_token(username, 'tests').secret}"}


def copy_hub(hub: Hub, path: Path) -> Hub:
    """A private copy of a registry (on the backend of this run: see tests/backend.py)."""
    return backend.copy_hub(hub, path)


@pytest.fixture()
def review_hub(aligned_hub: Hub, tmp_path: Path) -> Hub:
    """A writable copy of the aligned registry for one test."""
    return copy_hub(aligned_hub, tmp_path / "review.db")


@pytest.fixture()
def review_client(review_hub: Hub) -> Iterator[TestClient]:
    """A browser signed in as ``ana``, a reviewer, on a writable app over ``review_hub``."""
    review_hub.user_add("ana", "reviewer", password=PASSWORD)
    with TestClient(create_app(review_hub, read_only=False)) as client:
        sign_in(client, "ana")
        yield client


@pytest.fixture()
def review_auth(review_hub: Hub) -> dict[str, str]:
    """API credentials of ``dee``, a reviewer (a token-only account)."""
    return bearer(review_hub, "dee", "reviewer")


@pytest.fixture(scope="session")
def aligned_client(aligned_hub: Hub) -> Iterator[TestClient]:
    """Read-only app over the aligned registry (proposals, embeddings)."""
    with TestClient(create_app(aligned_hub)) as client:
        yield client


@pytest.fixture(scope="session")
def next_cycle_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """The bundled WTDC-25 report and a generated WTDC-29 copy (known changes) as files."""
    folder = tmp_path_factory.mktemp("cycles")
    old = folder / "wtdc25.txt"
    old.write_bytes(demo_report_bytes())
    text, expected = next_cycle_report(demo_report_bytes().decode(), seed=2, reword=True)
    new = folder / "wtdc29.txt"
    new.write_text(text, encoding="utf-8")
    return old, new, dict(expected)


@pytest.fixture(scope="session")
def two_cycle_hub(
    next_cycle_files: tuple[Path, Path, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
    database_server: str | None,
) -> Hub:
    """A registry holding both cycles (tests must not write to it)."""
    hub = Hub(backend.new_url(tmp_path_factory.mktemp("two"), database_server))
    hub.ingest([next_cycle_files[0]])
    hub.ingest([next_cycle_files[1]])
    return hub


@pytest.fixture(scope="session")
def two_cycle_client(two_cycle_hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(two_cycle_hub)) as client:
        yield client


@pytest.fixture(scope="session")
def two_cycle_server(two_cycle_hub: Hub) -> Iterator[str]:
    with serving(create_app(two_cycle_hub)) as url:
        yield url
