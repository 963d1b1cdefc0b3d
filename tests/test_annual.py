"""The annual progress report per region and per initiative, in Word and PDF."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from monitor_support import copy_of, planned, team
from rihub.cli import app
from rihub.errors import InputError
from rihub.hub import Hub
from rihub.records import UpdateInput

YEAR = 2026


@pytest.fixture(scope="module")
def monitored(demo_hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """AFR1.16 measured by one indicator whose 2026 update (30 of 10 → 50) is approved."""
    hub = copy_of(demo_hub, tmp_path_factory.mktemp("annual") / "annual.db")
    people = team(hub)
    _, _, period = planned(hub, people.contributor)
    update = hub.update_add(people.contributor, UpdateInput(period_id=period.id, value=30))
    update = hub.update_submit(people.contributor, update.id, update.version)
    hub.update_approve(people.reviewer, update.id, update.version)
    return hub


def word_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(data))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return [p.text for p in document.paragraphs], tables


def test_region_report_in_word(monitored: Hub) -> None:
    paragraphs, tables = word_text(monitored.annual_report("region", "afr", YEAR))
    assert paragraphs[0] == f"Annual progress report {YEAR}: Africa Region"
    assert "Overall progress: 50 % (1 initiatives reporting," in paragraphs[paragraphs.index("1 Summary") + 1]
    summary = {row[0]: row for row in tables[0][1:]}
    assert set(summary) == {i.code for i in monitored.region_progress("AFR").initiatives}
    assert (
        summary["AFR1"][2] == "50 %"
        and summary["AFR1"][4] == f"1 of {len(monitored.initiative('AFR1').expected_results)}"
    )
    assert summary["AFR2"][2] == "not reported"  # never 0 %
    periods = next(t for t in tables if t[0][0] == "Result" and t[0][1] == "Indicator")
    assert periods[1][:8] == [
        "16",
        "Countries with a multi-hazard early warning system (countries)",
        "Early warning pilots",
        f"{YEAR}-01-01 – {YEAR}-12-31",
        "10 (2025)",
        "50",
        "30",
        "50 %",
    ]


def test_initiative_report_in_pdf_and_the_cli(monitored: Hub, tmp_path: Path) -> None:
    from pypdf import PdfReader

    data = monitored.annual_report("initiative", "AFR1", YEAR, format="pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert f"Annual progress report {YEAR}: AFR1 (AFR)" in text
    assert "Early warning pilots" in text and "50 %" in text
    out = tmp_path / "afr1.docx"
    args = ["--db", str(monitored.url), "report", "annual", "initiative", "AFR1", "--year", str(YEAR), "-o", str(out)]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert word_text(out.read_bytes())[0][0] == f"Annual progress report {YEAR}: AFR1 (AFR)"
    bad = CliRunner().invoke(app, ["--db", str(monitored.url), "report", "annual", "region"])
    assert bad.exit_code != 0 and "rihub report annual region AFR" in str(bad.exception)
    with pytest.raises(InputError, match="has not begun"):
        monitored.annual_report("region", "AFR", dt.date.today().year + 1)
    with pytest.raises(InputError, match="docx or pdf"):
        monitored.annual_report("region", "AFR", YEAR, format="md")
