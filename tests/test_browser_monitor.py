"""A real Chromium (Debian's) walks the monitoring workflow through the forms, without scripts:
a contributor adds a project to AFR1 result 16, an indicator with a baseline, a period with a
target and an update, and submits it; a reviewer approves it from the inbox; the dashboard shows
the progress and the activity feed every step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor_web import PASSWORD, monitored, writable_app
from rihub.hub import Hub
from test_browser import ARGS, CHROMIUM, Watched, shot
from web_fixtures import serving

pytest_plugins = ["web_fixtures"]
pytestmark = pytest.mark.browser
if not Path(CHROMIUM).exists():  # pragma: no cover - only on machines without the Debian package
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")]


@pytest.fixture()
def page(tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", java_script_enabled=False
        )
        watched = Watched(context.new_page())
        yield watched.page
        assert not watched.problems, watched.problems
        browser.close()


@pytest.fixture()
def monitor_server(demo_hub: Hub, tmp_path: Path) -> Iterator[tuple[str, Hub]]:
    hub, _ = monitored(demo_hub, tmp_path)
    with serving(writable_app(hub)) as url:
        yield url, hub


def sign_in(page: Any, base: str, username: str, back: str) -> None:
    page.goto(base + back)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(back) + "$"))


def test_contributor_reports_and_reviewer_approves(page: Any, monitor_server: tuple[str, Hub]) -> None:
    base, hub = monitor_server
    sign_in(page, base, "carla", "/initiatives/AFR1/results/16")
    assert "No project serves this expected result yet." in page.inner_text("#monitoring")
    page.get_by_role("link", name="Add a project to this result").click()
    assert page.get_by_label("Expected results it serves").input_value() == "WTDC-25/AFR1/16"
    page.get_by_label("Title").fill("Early warning for all in the Sahel")
    page.get_by_label("Partners").fill("WMO\nUNDRR")
    page.get_by_label("Budget").fill("250000")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("Status").select_option("on-track")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/projects/\d+\?saved=project$"))
    assert "Project saved." in page.inner_text("p.flash")

    page.get_by_role("link", name="Add an indicator").click()
    page.get_by_label("Title").fill("Countries with a multi-hazard warning system")
    page.get_by_label("Unit").fill("countries")
    page.get_by_label("Baseline year").fill("2025")
    page.get_by_label("Baseline value").fill("10")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/indicators/\d+\?saved=indicator$"))
    indicator_url = page.url.split("?")[0]

    page.get_by_role("link", name="Add a period").click()
    page.get_by_label("Period starts").fill("2026-01-01")
    page.get_by_label("Period ends").fill("2026-12-31")
    page.get_by_label("Target", exact=True).fill("50")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/indicators/\d+\?saved=period$"))

    page.get_by_role("link", name="Report progress").click()
    page.get_by_label("Value reached").fill("30")
    page.get_by_label("Narrative").fill("Twenty more countries run a warning system.")
    page.get_by_label("Progress status").select_option("on-track")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/updates/\d+\?saved=update$"))
    update_url = page.url.split("?")[0]
    assert page.get_by_role("button", name="Approve").count() == 0  # a contributor cannot approve
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/updates/\d+\?saved=submit$"))
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "rita", "/inbox")
    page.locator(f'a[href="{update_url.removeprefix(base)}"]').click()
    page.get_by_label("Comment (optional)").fill("Checked against the WMO register.")
    shot(page, "monitor-review", full_page=False)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r"/updates/\d+\?saved=approve$"))
    assert "approved" in page.inner_text(".eyebrow")

    page.goto(base + "/initiatives/AFR1/progress")
    row = page.locator("tr", has=page.locator('a[href$="/results/16#monitoring"]'))
    assert "50 %" in row.inner_text()
    assert "not reported" in page.locator("tr", has=page.locator('a[href$="/results/15#monitoring"]')).inner_text()
    assert page.locator("figure.chart svg circle.pt-actual").count() == 1
    shot(page, "monitor-dashboard")
    page.goto(indicator_url)
    assert "50 %" in page.inner_text("main")

    page.goto(base + "/activity")
    feed = page.inner_text("ol.audit")
    for step in ("create project", "create indicator", "create period", "create update", "submit update"):
        assert step in feed, step
    assert "approve update" in feed and "by rita" in feed and "by carla" in feed
    actions = [e.action for e in hub.activity(limit=100)[0]]
    assert {"create", "submit", "approve"} <= set(actions)
