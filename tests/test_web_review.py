"""Reviewing framework links on the web: pages show proposals with evidence; forms and API change them.

Every test that writes works on its own copy of the aligned registry (``review_hub``).
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rihub import frameworks
from rihub.hub import Hub
from rihub.records import AlignmentRecord
from rihub.store import schema as t
from rihub.web import create_app

pytest_plugins = ["web_fixtures"]


def first_proposal(hub: Hub, code: str = "EUR1", result: bool = False) -> AlignmentRecord:
    return next(
        a
        for a in hub.alignments(status="proposed", code=code)
        if a.provenance == "model" and (a.result is not None) == result
    )


def document_link(hub: Hub, code: str = "EUR1") -> AlignmentRecord:
    return next(a for a in hub.alignments(code=code) if a.provenance == "document")


def events(hub: Hub, alignment_id: int) -> list[Any]:
    with hub.engine.connect() as conn:
        query = select(t.alignment_events).where(t.alignment_events.c.alignment_id == alignment_id)
        return list(conn.execute(query.order_by(t.alignment_events.c.id)))


def form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` (as a browser would send them)."""
    match = re.search(rf'<form[^>]*action="{re.escape(action)}">(.*?)</form>', page, re.S)
    assert match, f"no form for {action}"
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', match.group(1))
    }


# --- pages show the links --------------------------------------------------------------------------


def test_proposals_appear_with_evidence(aligned_client: TestClient, aligned_hub: Hub) -> None:
    link = first_proposal(aligned_hub, "EUR1", result=True)
    page = aligned_client.get(f"/initiatives/EUR1/results/{link.result}").text
    block = re.search(rf'<li class="link link-proposed" id="alignment-{link.id}">(.*?)</li>', page, re.S)
    assert block, "the proposal is drawn as a proposal"
    body = unescape(block.group(1))
    evidence = link.evidence
    assert f"{link.framework} {link.code}" in body
    assert f"{round(link.score * 100)}%" in body
    assert evidence["nearest"]["text"] in body and f"{link.framework} {evidence['nearest']['code']}" in body
    assert evidence["sentence"] in body
    assert all(term in body for term in evidence["terms"])
    assert f'href="/alignments/{link.id}"' in block.group(1)


def test_sdg_evidence_names_the_wsis_lines_it_came_through(aligned_client: TestClient, aligned_hub: Hub) -> None:
    """The prior view is explained: an SDG proposal says which WSIS action line(s) serve that SDG."""
    from rihub.frameworks import load, wsis_sdg_prior

    links = [a for a in aligned_hub.alignments(provenance="model") if a.framework == "SDG"]
    through = [a for a in links if a.evidence.get("via_wsis")]
    assert through and len(through) < len(links)  # a signal on some proposals, not a label on all
    prior = wsis_sdg_prior()
    for link in through:
        assert all(link.code in prior[v["code"]] and 0.15 <= v["share"] <= 1 for v in link.evidence["via_wsis"])
    link = through[0]
    page = unescape(aligned_client.get(f"/alignments/{link.id}").text)
    line = link.evidence["via_wsis"][0]
    title = next(i.title for i in load("WSIS") if i.code == line["code"])
    assert "Through WSIS" in page and f"{line['code']}</span> {title}" in page
    assert f"{int(line['share'] * 100)} % of the text's WSIS profile" in page


def test_links_are_grouped_by_framework_and_kinds_are_distinct(aligned_client: TestClient, aligned_hub: Hub) -> None:
    page = aligned_client.get("/initiatives/EUR1").text
    section = page[page.index('id="alignments"') :]
    heads = re.findall(r'<h4 class="fw-name">(\w+)</h4>', section)
    present = {a.framework for a in aligned_hub.initiative("EUR1").alignments}
    assert heads == [f for f in ("SDG", "WSIS", "GDC") if f in present]
    assert 'class="link link-document"' in section and 'class="link link-proposed"' in section


def test_read_only_app_draws_no_forms(aligned_client: TestClient) -> None:
    for url in ("/initiatives/EUR1", "/initiatives/EUR1/results/1"):
        page = aligned_client.get(url).text
        assert "<form" not in page.split("<main", 1)[1].replace('<form class="search-form"', "")
        assert "rihub_session" not in aligned_client.get(url).headers.get("set-cookie", "")
    assert aligned_client.post("/initiatives/EUR1/alignments", data={}).status_code == 405
    assert aligned_client.post("/api/alignments/1/review", json={}).status_code == 405


def test_only_reviewers_get_forms_and_may_post_them(review_hub: Hub) -> None:
    from web_fixtures import PASSWORD, sign_in

    link = first_proposal(review_hub)
    action = f"/initiatives/EUR1/alignments/{link.id}/review"
    review_hub.user_add("cy", "contributor", password=PASSWORD)
    with TestClient(create_app(review_hub, read_only=False)) as client:
        page = client.get("/initiatives/EUR1").text
        assert action not in page and 'href="/login?next=/initiatives/EUR1"' in page
        for url in ("/", "/initiatives/EUR1.json", "/api/initiatives/EUR1", f"/alignments/{link.id}"):
            assert client.get(url).status_code == 200, f"anonymous visitors read {url}"
        assert client.post(action, data={"action": "accept", "reason": "x"}).status_code == 401
        sign_in(client, "cy")
        page = client.get("/initiatives/EUR1").text
        assert action not in page and "cy (contributor)" in page
        csrf = form_fields(page, "/logout")["csrf"]
        response = client.post(action, data={"action": "accept", "reason": "x", "csrf": csrf})
        assert response.status_code == 403 and "needs the role reviewer or admin" in response.text
    assert review_hub.alignment(link.id).status == "proposed"


def test_history_page_and_twin(aligned_client: TestClient, aligned_hub: Hub) -> None:
    link = first_proposal(aligned_hub)
    body = aligned_client.get(f"/alignments/{link.id}.json").json()
    assert body["alignment"]["id"] == link.id and body["alignment"]["badge"] == "proposed"
    assert [e["action"] for e in body["history"]] == ["propose"]
    assert aligned_client.get(f"/api/alignments/{link.id}").json() == body
    page = aligned_client.get(f"/alignments/{link.id}").text
    assert "<h1" in page and "rihub-align" in page and "proposed" in page
    assert aligned_client.get("/alignments/999999").status_code == 404


# --- forms -----------------------------------------------------------------------------------------


def test_accept_through_the_form(review_client: TestClient, review_hub: Hub) -> None:
    link = first_proposal(review_hub, "EUR1", result=True)
    page_url = f"/initiatives/EUR1/results/{link.result}"
    page = review_client.get(page_url)
    action = f"/initiatives/EUR1/alignments/{link.id}/review"
    fields = form_fields(page.text, action)
    assert fields["back"] == page_url
    sent = fields | {"action": "accept", "reason": "matches the result"}
    response = review_client.post(action, data=sent, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{page_url}?reviewed=accepted&alignment={link.id}#alignment-{link.id}"
    assert review_hub.alignment(link.id).status == "accepted"
    last = events(review_hub, link.id)[-1]
    assert (last.actor, last.action, last.reason) == ("ana", "accept", "matches the result")
    assert last.before["status"] == "proposed" and last.after["status"] == "accepted"
    after = review_client.get(response.headers["location"]).text
    assert f"{link.framework} {link.code} on EUR1 expected result {link.result}: accepted." in after
    assert f'class="link link-confirmed" id="alignment-{link.id}"' in after


def test_reject_through_the_form(review_client: TestClient, review_hub: Hub) -> None:
    link = first_proposal(review_hub, "EUR2")
    page = review_client.get("/initiatives/EUR2").text
    action = f"/initiatives/EUR2/alignments/{link.id}/review"
    sent = form_fields(page, action) | {"action": "reject", "reason": "too broad"}
    assert review_client.post(action, data=sent, follow_redirects=False).status_code == 303
    assert review_hub.alignment(link.id).status == "rejected"
    assert events(review_hub, link.id)[-1].reason == "too broad"


def test_add_through_the_form(review_client: TestClient, review_hub: Hub) -> None:
    taken = {(a.framework, a.code) for a in review_hub.alignments(code="EUR3") if a.result == 2}
    framework, code = next((f, i.code) for f in ("GDC", "SDG") for i in frameworks.goals(f) if (f, i.code) not in taken)
    page = review_client.get("/initiatives/EUR3").text
    assert f'<option value="{framework}:{code}">' in page
    fields = form_fields(page, "/initiatives/EUR3/alignments")
    sent = fields | {"target": f"{framework}:{code}", "result": "2", "reason": "named in the action plan"}
    response = review_client.post("/initiatives/EUR3/alignments", data=sent, follow_redirects=False)
    assert response.status_code == 303
    added = next(
        a for a in review_hub.alignments(code="EUR3") if (a.framework, a.code, a.result) == (framework, code, 2)
    )
    assert added.provenance == "person" and added.status == "accepted" and added.created_by == "ana"
    assert f"alignment={added.id}" in response.headers["location"]
    last = events(review_hub, added.id)[-1]
    assert (last.action, last.before, last.after["status"], last.reason) == (
        "add",
        None,
        "accepted",
        "named in the action plan",
    )


def test_form_without_csrf_or_session_is_refused(review_client: TestClient, review_hub: Hub) -> None:
    link = first_proposal(review_hub)
    page = review_client.get("/initiatives/EUR1").text
    action = f"/initiatives/EUR1/alignments/{link.id}/review"
    good = form_fields(page, action) | {"action": "accept", "reason": "ok"}
    no_csrf = {k: v for k, v in good.items() if k != "csrf"}
    assert review_client.post(action, data=no_csrf, follow_redirects=False).status_code == 403
    response = review_client.post(action, data=good | {"csrf": "forged"}, follow_redirects=False)
    assert response.status_code == 403 and "not sent from this site" in response.text
    session = review_client.cookies["rihub_session"]
    review_client.cookies.clear()  # another browser (a forging site's request carries no session: SameSite=Lax)
    assert review_client.post(action, data=good, follow_redirects=False).status_code == 401
    review_client.cookies.set("rihub_session", session[:-2] + ("AA" if not session.endswith("AA") else "BB"))
    assert review_client.post(action, data=good, follow_redirects=False).status_code == 401, (
        "a tampered cookie is no session"
    )
    assert review_hub.alignment(link.id).status == "proposed"
    assert len(events(review_hub, link.id)) == 1


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(review_hub: Hub) -> None:
    from web_fixtures import PASSWORD, sign_in

    review_hub.user_add("eve", "admin", password=PASSWORD)
    with TestClient(create_app(review_hub, read_only=False)) as client:
        anonymous_csrf = form_fields(client.get("/login").text, "/login")["csrf"]
        login = {"username": "eve", "password": PASSWORD, "csrf": anonymous_csrf, "next": "//evil.example/"}
        response = client.post("/login", data=login, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", "no open redirect"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # plain HTTP here
        page = client.get("/login").text
        assert "Signed in as eve" in page
        csrf = form_fields(page, "/logout")["csrf"]
        assert csrf != anonymous_csrf, "signing in starts a new CSRF token"
        assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
        assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        assert "Signed in as" not in client.get("/login").text
        wrong = {
            "username": "eve",
            "password": "not it",
            "csrf": form_fields(client.get("/login").text, "/login")["csrf"],
        }
        response = client.post("/login", data=wrong)
        assert response.status_code == 401 and "wrong username or password" in response.text
    with TestClient(create_app(review_hub, read_only=False), base_url="https://testserver") as client:
        assert "; secure" in client.get("/login").headers["set-cookie"].lower(), "over HTTPS the cookie is Secure"
        sign_in(client, "eve")


def test_a_disabled_account_loses_its_session_and_its_token(review_client: TestClient, review_hub: Hub) -> None:
    from web_fixtures import bearer

    link = first_proposal(review_hub)
    action = f"/initiatives/EUR1/alignments/{link.id}/review"
    auth = bearer(review_hub, "bot", "reviewer")
    assert action in review_client.get("/initiatives/EUR1").text
    review_hub.user_disable("ana")
    review_hub.user_disable("bot")
    assert action not in review_client.get("/initiatives/EUR1").text
    response = review_client.post(
        f"/api/alignments/{link.id}/review", json={"action": "accept", "reason": "x"}, headers=auth
    )
    assert response.status_code == 401 and "not valid" in response.json()["error"]["detail"]


def test_sign_in_is_throttled(review_hub: Hub) -> None:
    from rihub.accounts import THROTTLE_LIMIT
    from web_fixtures import PASSWORD

    review_hub.user_add("fay", "reviewer", password=PASSWORD)
    with TestClient(create_app(review_hub, read_only=False)) as client:
        csrf = form_fields(client.get("/login").text, "/login")["csrf"]
        for _ in range(THROTTLE_LIMIT):
            assert client.post("/login", data={"username": "fay", "password": "guess", "csrf": csrf}).status_code == 401
        response = client.post("/login", data={"username": "fay", "password": PASSWORD, "csrf": csrf})
        assert response.status_code == 429 and "too many attempts, try again in" in response.text
        assert int(response.headers["retry-after"]) > 0


def test_form_reports_bad_input(review_client: TestClient, review_hub: Hub) -> None:
    page = review_client.get("/initiatives/EUR1").text
    fields = form_fields(page, "/initiatives/EUR1/alignments")
    base = fields | {"reason": "why"}
    response = review_client.post("/initiatives/EUR1/alignments", data=base | {"target": "SDG:99"})
    assert response.status_code == 422 and "SDG 99 is not in the SDG vocabulary" in unescape(response.text)
    response = review_client.post("/initiatives/EUR1/alignments", data=base | {"target": "SDG:9", "reason": " "})
    assert response.status_code == 422 and "reason is required" in response.text
    doc = document_link(review_hub)
    action = f"/initiatives/EUR1/alignments/{doc.id}/review"
    assert action not in page, "document links get no review form"
    response = review_client.post(action, data=base | {"action": "reject"})
    assert response.status_code == 409 and "report's own mapping table" in unescape(response.text)
    assert review_hub.alignment(doc.id).status == "accepted" and events(review_hub, doc.id) == []


# --- JSON API --------------------------------------------------------------------------------------


def test_api_review_and_add(review_client: TestClient, review_hub: Hub, review_auth: dict[str, str]) -> None:
    link = first_proposal(review_hub, "ASP2", result=True)
    body = {"action": "reject", "reason": "not about this"}
    response = review_client.post(f"/api/alignments/{link.id}/review", json=body, headers=review_auth)
    assert response.status_code == 200
    answer = response.json()
    assert answer["alignment"]["status"] == "rejected" and answer["alignment"]["badge"] == "rejected"
    assert answer["history"][-1] | {"at": None, "id": None} == {
        "id": None,
        "alignment_id": link.id,
        "actor": "dee",
        "at": None,
        "action": "reject",
        "before": {"status": "proposed", "provenance": "model", "score": link.score},
        "after": {"status": "rejected", "provenance": "model", "score": link.score},
        "reason": "not about this",
    }
    add = {"framework": "wsis", "code": "C4", "reason": "capacity building"}
    response = review_client.post("/api/initiatives/ASP2/alignments", json=add, headers=review_auth)
    assert response.status_code == 201
    made = response.json()["alignment"]
    assert (made["framework"], made["code"], made["result"], made["status"]) == ("WSIS", "C4", None, "accepted")
    assert response.json()["history"][-1]["actor"] == "dee"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer rih_not-a-token"}, 401),
        ({"Authorization": "Basic YW5hOnBhc3N3b3Jk"}, 401),
        ("contributor", 403),
    ],
)
def test_api_needs_a_reviewer_token(
    review_client: TestClient, review_hub: Hub, headers: dict[str, str] | str, status: int
) -> None:
    """The session cookie of the signed-in reviewer does not count: API writes need a token."""
    from web_fixtures import bearer

    sent = bearer(review_hub, "gus", "contributor") if headers == "contributor" else headers
    assert isinstance(sent, dict)
    link = first_proposal(review_hub)
    body = {"action": "accept", "reason": "x"}
    response = review_client.post(f"/api/alignments/{link.id}/review", json=body, headers=sent)
    assert response.status_code == status and response.json()["error"]["status"] == status
    response = review_client.post("/api/initiatives/EUR1/alignments", json={"nonsense": 1}, headers=sent)
    assert response.status_code == status, "authentication is checked before the body"
    assert review_hub.alignment(link.id).status == "proposed"


def test_api_refuses_unknown_codes_and_document_links(
    review_client: TestClient, review_hub: Hub, review_auth: dict[str, str]
) -> None:
    add = {"framework": "SDG", "code": "99", "reason": "x"}
    response = review_client.post("/api/initiatives/EUR1/alignments", json=add, headers=review_auth)
    assert response.status_code == 422
    assert "SDG 99 is not in the SDG vocabulary" in response.json()["error"]["detail"]
    response = review_client.post(
        "/api/initiatives/EUR1/alignments", json=add | {"framework": "XYZ"}, headers=review_auth
    )
    assert response.status_code == 422
    response = review_client.post(
        "/api/initiatives/EUR1/alignments", json=add | {"code": "9", "result": 99}, headers=review_auth
    )
    assert response.status_code == 404 and "no expected result 99" in response.json()["error"]["detail"]
    doc = document_link(review_hub)
    body = {"action": "reject", "reason": "x"}
    response = review_client.post(f"/api/alignments/{doc.id}/review", json=body, headers=review_auth)
    assert response.status_code == 409 and "report's own mapping" in response.json()["error"]["detail"]
    assert review_hub.alignment(doc.id).status == "accepted" and events(review_hub, doc.id) == []


def test_openapi_lists_the_review_endpoints_only_when_on(review_client: TestClient, web_client: TestClient) -> None:
    paths = review_client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/alignments/{alignment_id}/review"]
    assert "post" in paths["/api/initiatives/{code}/alignments"]
    assert "/api/alignments/{alignment_id}/review" not in web_client.get("/openapi.json").json()["paths"]


def test_review_pages_keep_the_csp(review_client: TestClient) -> None:
    response = review_client.get("/initiatives/EUR1")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and not re.search(r"\s(style|on[a-z]+)=", page)


def test_each_worker_builds_the_same_writable_app_from_the_environment(
    review_hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rihub serve --workers N`: every worker's app signs with the key in the database, so a
    session made by one is honoured by another."""
    from rihub.web.app import from_env
    from web_fixtures import PASSWORD, sign_in

    review_hub.user_add("ida", "reviewer", password=PASSWORD)
    monkeypatch.setenv("RIHUB_DATABASE_URL", review_hub.url)
    monkeypatch.setenv("RIHUB_WRITABLE", "1")
    monkeypatch.delenv("RIHUB_SECRET_KEY", raising=False)
    first, second = TestClient(from_env()), TestClient(from_env())
    sign_in(first, "ida")
    second.cookies.set("rihub_session", first.cookies["rihub_session"])
    assert "Signed in as ida" in second.get("/login").text
    monkeypatch.delenv("RIHUB_WRITABLE")
    assert TestClient(from_env()).post("/login", data={}).status_code == 405
