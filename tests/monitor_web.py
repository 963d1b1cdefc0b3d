"""Helpers for the monitoring web tests and the browser test: a writable app over a private copy
of the demo registry with people of every role, signing in, and reading form fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rihub.hub import Hub
from rihub.web import create_app
from web_fixtures import PASSWORD, copy_hub

__all__ = ["PASSWORD"]


@dataclass(frozen=True)
class People:
    """Usernames of the accounts made for one test, and their API tokens."""

    contributor: str = "carla"
    other: str = "omar"  # a contributor assigned to nothing
    reviewer: str = "rita"
    tokens: tuple[tuple[str, str], ...] = ()

    def token(self, username: str) -> str:
        return dict(self.tokens)[username]


def monitored(demo_hub: Hub, folder: Path) -> tuple[Hub, People]:
    """A private copy of the demo registry with a contributor, another contributor and a reviewer,
    each with a password and an API token (made through the accounts Hub methods)."""
    hub = copy_hub(demo_hub, folder / "monitor.db")
    names = People()
    tokens = []
    for username, role in (
        (names.contributor, "contributor"),
        (names.other, "contributor"),
        (names.reviewer, "reviewer"),
    ):
        hub.user_add(username, role, password=PASSWORD)
        tokens.append((username, hub.user_token(username, "tests").secret))
    return hub, People(tokens=tuple(tokens))


def writable_app(hub: Hub) -> FastAPI:
    return create_app(hub, read_only=False)


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return unescape(match.group(1))


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in form, as a person does (its CSRF token when it has one)."""
    page = client.get("/login").text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    data = {"username": username, "password": password, "next": "/"}
    if found:
        data["csrf"] = unescape(found.group(1))
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


def form_of(client: TestClient, url: str) -> tuple[str, dict[str, str]]:
    """A form page's CSRF token and hidden fields (version, …)."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    return csrf_of(page.text), {k: unescape(v) for k, v in hidden.items()}
