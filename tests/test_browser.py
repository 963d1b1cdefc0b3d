"""A real Chromium (Debian's) walks the site: navigation, search, compare, keyboard, print, console and CSP.

Screenshots land in test-output/screenshots/; with RIHUB_DOCS_SCREENSHOTS=<dir> the home, initiative
and compare shots are also written there (that is how docs/screenshots/ is refreshed).
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rihub.hub import Hub

pytest_plugins = ["web_fixtures"]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
SECURITY = ["EUR4", "ASP5", "AMS4", "AFR3", "CIS3"]

pytestmark = pytest.mark.browser
if not Path(CHROMIUM).exists():  # pragma: no cover - only on machines without the Debian package
    warnings.warn(f"browser tests SKIPPED: {CHROMIUM} is missing (apt-get install chromium)", stacklevel=1)
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")]


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
        )
        yield ctx
        ctx.close()


class Watched:
    """A page plus what it complained about: console errors, page errors, CSP violations, failed requests."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request: Any) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # a later navigation cancelled it: not a fault
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"HTTP {response.status} for {response.url}")


@pytest.fixture()
def watched(context: Any) -> Iterator[Watched]:
    page = context.new_page()
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' "
        "+ e.violatedDirective + ' ' + e.blockedURI));"
    )
    w = Watched(page)
    yield w
    page.close()
    assert not w.problems, w.problems


def shot(page: Any, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    docs = os.environ.get("RIHUB_DOCS_SCREENSHOTS")
    if docs and name in ("home", "initiative", "compare", "review"):
        Path(docs).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(docs) / f"{name}.png")


def test_walk_home_region_initiative_source(watched: Watched, live_server: str, demo_hub: Hub) -> None:
    page = watched.page
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Regional Initiatives at a glance"
    assert page.locator("ol.meetings > li").count() == demo_hub.stats().meetings
    assert page.locator("figure.timeline svg circle").count() == demo_hub.stats().meetings
    shot(page, "home")

    page.get_by_role("link", name="Europe", exact=True).click()
    page.wait_for_url(re.compile(r"/regions/EUR$"))
    meeting = demo_hub.meeting("EUR")
    people = page.locator("ul.people").all_inner_texts()
    chair = next(o for o in meeting.officers if o.role == "chair")
    assert chair.name in people[0]
    assert all(o.name in people[1] for o in meeting.officers if o.role == "vice-chair")
    shot(page, "region")

    item = demo_hub.initiative("EUR1")
    page.locator("ol.initiative-list a[href='/initiatives/EUR1']").click()
    page.wait_for_url(re.compile(r"/initiatives/EUR1$"))
    assert page.locator("h1").inner_text() == item.title
    assert page.locator("ol.results > li").count() == len(item.expected_results)
    assert page.locator(".prov-document").count() >= len(item.alignments)
    shot(page, "initiative")

    third = item.expected_results[2]
    page.locator("#result-3 a.source-link").click()
    page.wait_for_url(re.compile(rf"/sources/1\?hl={third.span.start}-{third.span.end}#L\d+$"))
    target = page.locator(f"#L{third.span.start}")
    assert "hl" in (target.get_attribute("class") or "")
    assert third.text in target.inner_text()
    assert target.is_visible() and target.bounding_box()["y"] < page.viewport_size["height"]
    shot(page, "source", full_page=False)


def test_search_from_the_header(watched: Watched, live_server: str, demo_hub: Hub) -> None:
    page = watched.page
    page.goto(live_server + "/")
    page.get_by_role("searchbox", name="Search initiatives").fill("cybersecurity")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=cybersecurity"))
    codes = page.locator("ol.hit-list > li h3 .code").all_inner_texts()
    assert set(codes[:5]) == set(SECURITY)
    assert page.locator("ol.hit-list mark").count() >= 5
    shot(page, "search")
    page.locator("a.facet", has_text="EUR").first.click()
    page.wait_for_url(re.compile(r"region=EUR"))
    expected = [h.code for h in demo_hub.search("cybersecurity", region="EUR").data]
    assert "EUR4" in expected
    assert page.locator("ol.hit-list > li h3 .code").all_inner_texts() == expected

    page.goto(live_server + "/search?q=cyber*")
    titles = page.locator("ol.hit-list > li h3").all_inner_texts()
    assert any("ARB5" in t and "Advancing Cyber Resilience in the Arab World" in t for t in titles)

    for odd in ('"unbalanced', "AND OR"):
        page.goto(live_server + "/search?q=" + odd.replace(" ", "+").replace('"', "%22"))
        assert page.locator("h1").inner_text() == "Search"


def test_compare_view(watched: Watched, live_server: str, demo_hub: Hub) -> None:
    page = watched.page
    page.goto(live_server + "/compare?codes=" + ",".join(SECURITY))
    heads = page.locator("table.compare thead th .code").all_inner_texts()
    assert heads == SECURITY
    total = sum(len(demo_hub.initiative(c).expected_results) for c in SECURITY)
    assert page.locator(".compare-page a.result-no").count() == total  # rows and the unmatched lists
    assert page.locator("table.compare .why-text").count() >= 1
    assert page.locator("button.copy-button").is_visible()  # revealed by the script
    shot(page, "compare-security", full_page=False)

    page.goto(live_server + "/compare")
    page.locator("input[name=codes][value=EUR4]").check()
    page.locator("input[name=codes][value=CIS3]").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url(re.compile(r"/compare\?codes=EUR4&codes=CIS3"))
    assert page.locator("table.compare thead th .code").all_inner_texts() == ["EUR4", "CIS3"]


def test_json_twins_in_the_browser(watched: Watched, live_server: str, demo_hub: Hub) -> None:
    page = watched.page
    response = page.goto(live_server + "/initiatives/EUR1.json")
    assert response is not None and response.headers["content-type"].startswith("application/json")
    twin = response.json()
    assert [v["filename"] for v in twin.pop("versions")] == ["rpm-coordination-wtdc25.txt"]
    assert twin.pop("lineage") == twin.pop("other_cycles") == []
    themes = {t["theme"] for t in twin.pop("themes")}
    assert themes == {t.theme for i in demo_hub.themes().initiatives if i.code == "EUR1" for t in i.themes}
    assert twin == demo_hub.initiative("EUR1").model_dump(mode="json")
    listing = page.request.get(live_server + "/api/initiatives?_size=10").json()
    assert listing["count"] == len(demo_hub.initiatives(nested=False)) and len(listing["data"]) == 10
    assert (
        page.request.get(live_server + listing["next"]).json()["data"][0]["code"]
        == demo_hub.initiatives(nested=False)[10].code
    )


def test_keyboard_reaches_links_with_visible_focus(watched: Watched, live_server: str) -> None:
    page = watched.page
    page.goto(live_server + "/initiatives/EUR4")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent.trim()")
    assert skip == "Skip to main content"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return {tag: e.tagName, text: e.textContent.trim(), style: s.outlineStyle, width: s.outlineWidth}; })()"
        )
        seen.append(info)
        if info["tag"] == "A":
            assert info["style"] != "none" and float(info["width"].rstrip("px")) >= 2, info
    assert any(i["tag"] == "A" and i["text"] == "Initiatives" for i in seen)
    page.keyboard.press("Shift+Tab")
    page.goto(live_server + "/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.locator("body").focus()
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_width_and_print(watched: Watched, live_server: str, context: Any) -> None:
    page = watched.page
    page.set_viewport_size({"width": 375, "height": 740})
    for url in (
        "/",
        "/initiatives/AFR1",
        "/search?q=digital",
        "/regions",
        "/regions/AFR",
        "/docs",
        "/matrix",
        "/overlaps",
    ):
        page.goto(live_server + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (url, overflow)
    shot(page, "home-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/initiatives/EUR1")
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("a.source-link").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "EUR1 prints on one page"


def test_injected_markup_stays_text(watched: Watched, evil_server: str, evil_hub: Hub) -> None:
    page = watched.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in ("/initiatives/EUR1", "/search?q=pwned", "/regions/EUR", "/compare?codes=EUR1,EUR2"):
        page.goto(evil_server + url)
        page.wait_for_load_state("load")
    page.goto(evil_server + "/initiatives/EUR1")
    assert page.locator("h1").inner_text() == evil_hub.initiative("EUR1").title
    assert page.locator("main script, main img").count() == 0
    assert dialogs == []


@pytest.fixture()
def review_server(aligned_hub: Hub, tmp_path: Path) -> Iterator[tuple[str, Hub]]:
    """A writable server (`rihub serve --writable`) over a private copy of the aligned registry,
    with a reviewer ``ana`` and a contributor ``cy``."""
    from rihub.web.app import create_app
    from web_fixtures import PASSWORD, copy_hub, serving

    hub = copy_hub(aligned_hub, tmp_path / "review.db")
    hub.user_add("ana", "reviewer", password=PASSWORD, display_name="Ana Editor")
    hub.user_add("cy", "contributor", password=PASSWORD)
    with serving(create_app(hub, read_only=False)) as url:
        yield url, hub


def sign_in_page(page: Any, base: str, username: str, back: str) -> None:
    """Sign in through the header's link, as a person does; ends back on ``back``."""
    from web_fixtures import PASSWORD

    page.goto(base + back)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(back) + "$"))


def test_accept_and_add_through_the_forms(watched: Watched, review_server: tuple[str, Hub]) -> None:
    base, hub = review_server
    page = watched.page
    link = next(a for a in hub.alignments(status="proposed", code="EUR4") if a.result is not None)
    result_page = f"/initiatives/EUR4/results/{link.result}"
    sign_in_page(page, base, "cy", result_page)
    assert page.locator(f"#alignment-{link.id} summary", has_text="Review").count() == 0, "contributors do not review"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/")
    sign_in_page(page, base, "ana", result_page)
    assert "ana (reviewer)" in page.locator(".account-nav").inner_text()
    item = page.locator(f"#alignment-{link.id}")
    assert "link-proposed" in (item.get_attribute("class") or "")
    assert item.locator("details.evidence").get_attribute("open") is not None  # evidence shown on the result page
    item.locator("summary", has_text="Review").click()
    item.get_by_label("Reason").fill("the result is about this")
    shot(page, "review", full_page=False)
    item.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(rf"reviewed=accepted&alignment={link.id}#alignment-{link.id}$"))
    assert "accepted" in page.locator("p.flash").inner_text()
    assert "link-confirmed" in (page.locator(f"#alignment-{link.id}").get_attribute("class") or "")
    assert hub.alignment(link.id).status == "accepted"
    assert hub.alignment_history(link.id)[-1].actor == "ana"

    page.goto(f"{base}/initiatives/EUR4")
    taken = {(a.framework, a.code) for a in hub.alignments(code="EUR4") if a.result is None}
    target = next(f"{f}:{c}" for f, c in [("GDC", str(n)) for n in range(1, 6)] if (f, c) not in taken)
    box = page.locator("details.add-box")
    box.locator("summary").click()
    box.get_by_label("Framework item").select_option(target)
    box.get_by_label("Reason").fill("stated in the action plan")
    box.get_by_role("button", name="Add link").click()
    page.wait_for_url(re.compile(r"/initiatives/EUR4\?reviewed=added&alignment=\d+#alignment-\d+$"))
    framework, code = target.split(":")
    added = next(a for a in hub.alignments(code="EUR4") if (a.framework, a.code, a.result) == (framework, code, None))
    assert added.provenance == "person" and added.status == "accepted"
    assert page.locator(f"#alignment-{added.id}").is_visible()
    shot(page, "review-added", full_page=False)

    page.locator(f"#alignment-{added.id} a.history-link").click()
    page.wait_for_url(re.compile(rf"/alignments/{added.id}$"))
    assert "stated in the action plan" in page.locator("table.history").inner_text()


def test_semantic_search_in_the_browser(watched: Watched, review_server: tuple[str, Hub]) -> None:
    base, hub = review_server
    page = watched.page
    page.goto(base + "/search?q=keeping+kids+safe+on+the+internet&mode=fulltext&literal=1")
    assert page.locator("ol.hit-list > li").count() == 0  # no passage holds all these words
    page.get_by_label("Match by").select_option("semantic")
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_url(re.compile(r"mode=semantic"))
    expected = [h.code for h in hub.search("keeping kids safe on the internet", mode="semantic").data]
    assert page.locator("ol.hit-list > li h3 .code").all_inner_texts() == expected
    shot(page, "search-semantic", full_page=False)


def test_hybrid_search_right_after_start_up(
    watched: Watched, aligned_hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server starts loading the model; a search meanwhile is answered by words, at once."""
    import threading
    import time

    from rihub.align import embed
    from rihub.web.app import create_app
    from web_fixtures import serving

    real, release = embed.get_embedder(), threading.Event()

    class TenSecondLoad(embed.Embedder):  # what a cold MiniLM load costs on a small machine
        def load(self) -> None:
            release.wait(timeout=10)
            real.load()
            self._model = real._model

    monkeypatch.setattr(embed, "_INSTANCE", TenSecondLoad())
    hub = Hub(str(aligned_hub.url))
    try:
        with serving(create_app(hub, load_model=True)) as base:
            page = watched.page
            start = time.perf_counter()
            page.goto(base + "/search?q=cybersecurity&mode=hybrid")
            took = time.perf_counter() - start
            # the load is held for 10 s: an answer well inside that did not wait for it (a tighter
            # wall-clock bound measured the machine, and failed at 1.4 s on a clean-clone CI run)
            assert took < 5.0 and not release.is_set(), f"the search waited {took:.1f} s for the model"
            assert "meaning search is still loading; showing word matches" in page.locator("p.notice").inner_text()
            words = [h.code for h in hub.search("cybersecurity", mode="fulltext").data]
            assert page.locator("ol.hit-list > li h3 .code").all_inner_texts() == words
            assert page.get_by_label("Match by").input_value() == "hybrid"
            release.set()
            assert hub._model_loader is not None
            hub._model_loader.join(timeout=30)
            page.get_by_role("button", name="Search", exact=True).click()
            page.wait_for_load_state()
            assert "words and meaning" in page.locator("#hits-title").inner_text()
            assert page.locator("p.notice").count() == 0
    finally:
        release.set()


def test_search_page_on_a_phone(watched: Watched, live_server: str) -> None:
    page = watched.page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server + "/search?q=digital")
    assert page.locator("#site-q").count() == 0, "one search box on the search page"
    box, mode, form = (page.locator(s).bounding_box() for s in ("#q", "#mode", "form.search-form"))
    assert box and mode and form
    assert box["width"] >= 0.7 * form["width"], box
    assert mode["y"] >= box["y"] + box["height"], "the mode selector sits below the box"
    page.locator("#q").focus()
    for _ in range(3):  # the Search button, the mode selector, then the skip link
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to the results"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "hits"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('ol.hit-list') !== null"), "next stop: the first result"
    shot(page, "search-phone", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_diff_redline_in_the_browser(watched: Watched, two_cycle_server: str, next_cycle_files: Any) -> None:
    page = watched.page
    page.goto(two_cycle_server + "/initiatives/EUR1")
    page.get_by_role("link", name="WTDC-25").first.click()
    page.wait_for_url(re.compile(r"/initiatives/EUR1\?cycle=WTDC-25$"))
    assert "WTDC-25" in page.locator("p.eyebrow").inner_text()
    page.goto(two_cycle_server + "/diff?from=WTDC-25&to=WTDC-29&cycles=1")
    renamed = next_cycle_files[2]["initiatives"]["renamed"][0]
    assert f"{renamed['from']} → {renamed['to']}" in page.locator("dl.diff-summary").inner_text()
    inserted = page.locator("p.redline ins").first
    assert inserted.is_visible()
    shot(page, "diff")
    page.emulate_media(media="print")
    styles = page.evaluate(
        "() => [getComputedStyle(document.querySelector('p.redline ins')).textDecorationLine,"
        " document.querySelector('del') ? getComputedStyle(document.querySelector('del')).textDecorationLine : ''"
        "]"
    )
    assert styles[0] == "underline" and styles[1] in ("line-through", "")
    page.emulate_media(media="screen")


EMERGENCY = ["EUR1", "EUR2", "ASP1", "ASP5", "AMS1", "AFR1"]
"""The six initiatives with emergency-telecommunication or disaster results (issue #10's compare)."""

CELL_OVERFLOW = """() => {
  const bad = [];
  for (const cell of document.querySelectorAll('table.compare td, table.compare th')) {
    const box = cell.getBoundingClientRect();
    for (const child of cell.querySelectorAll('*')) {
      const b = child.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) continue;
      if (b.left < box.left - 1 || b.right > box.right + 1) bad.push([child.tagName, child.textContent.slice(0, 40)]);
    }
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def aligned_server(aligned_hub: Hub) -> Iterator[str]:
    from rihub.web.app import create_app
    from web_fixtures import serving

    with serving(create_app(aligned_hub)) as url:
        yield url


def test_compare_six_fits_1280_and_prints_landscape(watched: Watched, aligned_server: str) -> None:
    page = watched.page
    page.goto(aligned_server + "/compare?codes=" + ",".join(EMERGENCY))
    assert page.locator("table.compare thead th .code").all_inner_texts() == EMERGENCY
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    wrap = page.evaluate(
        "(() => { const w = document.querySelector('.compare-wrap'); return [w.clientWidth, w.scrollWidth]; })()"
    )
    assert wrap[1] <= wrap[0], "the table scrolls sideways: a column is clipped"
    assert page.evaluate(CELL_OVERFLOW) == []
    # The emergency results of EUR2, ASP5, AMS1 and AFR1 share one row, and it says why in words.
    rows = page.locator("tbody.cluster-row")
    emergency = [r for r in rows.all() if "EUR2.3" in r.inner_text()]
    assert len(emergency) == 1 and all(f"{c}." in emergency[0].inner_text() for c in ("ASP5", "AMS1", "AFR1"))
    assert "early warning" in emergency[0].locator(".why-text").inner_text()
    shot(page, "compare", full_page=False)
    page.emulate_media(media="print")
    assert page.evaluate(CELL_OVERFLOW) == []
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(float(w) > float(h) for w, h in boxes), "every page is landscape"
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 6
