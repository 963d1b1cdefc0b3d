"""Reports on the bundled WTDC-25 report: every format's content, the Word and Markdown round trip,
the CLI verb and the web downloads."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rihub.hub import Hub

pytest_plugins = ["web_fixtures"]

# Provenance and identity, which a re-ingest cannot reproduce: ids, spans and source ids, times,
# and the facts of the file itself (its name, format, size and hash).
PROVENANCE = {"id", "span", "source_id", "ingested_at", "updated_at", "filename", "format", "sha256", "size"}
PROVENANCE |= {"supersedes_id"}


def without_provenance(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_provenance(v) for k, v in value.items() if k not in PROVENANCE}
    if isinstance(value, list):
        return [without_provenance(v) for v in value]
    return value


@pytest.fixture(scope="module")
def reports(demo_hub: Hub) -> dict[str, bytes]:
    """The consolidated report of the bundled data in every format, written once."""
    return {fmt: demo_hub.report("consolidated", format=fmt) for fmt in ("docx", "pdf", "html", "md", "xlsx")}


def squeezed(text: str) -> str:
    """Text without white space: line breaks and hyphenation of the PDF layout do not matter."""
    return re.sub(r"\s+", "", text)


# --- round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_report_ingests_back_to_the_same_registry(
    fmt: str, reports: dict[str, bytes], demo_hub: Hub, tmp_path: Path
) -> None:
    path = tmp_path / f"consolidated.{fmt}"
    path.write_bytes(reports[fmt])
    fresh = Hub(f"sqlite:///{tmp_path / 'fresh.db'}")
    outcome = fresh.ingest([path])[0]
    assert outcome.initiatives == 31 and outcome.expected_results == 167
    original, again = demo_hub.export_json(), fresh.export_json()
    assert again["source_documents"][0]["format"] == ("docx" if fmt == "docx" else "markdown")
    assert without_provenance(again) == without_provenance(original)


def test_proposals_are_kept_apart_and_do_not_come_back_as_document_links(aligned_hub: Hub, tmp_path: Path) -> None:
    text = aligned_hub.report("consolidated", format="md").decode()
    assert "| model | proposed |" in text  # the model's proposals are shown, in their own table
    path = tmp_path / "aligned.md"
    path.write_text(text, encoding="utf-8")
    fresh = Hub(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.ingest([path])

    def document_links(hub: Hub) -> list[tuple[str, str, str, str]]:
        found = [(i.code, a.framework, a.code, a.provenance) for i in hub.initiatives() for a in i.alignments]
        return sorted(link for link in found if link[3] == "document")

    assert document_links(fresh) == document_links(aligned_hub)
    assert {a.provenance for i in fresh.initiatives() for a in i.alignments} == {"document"}


# --- formats -----------------------------------------------------------------------------------


def test_pdf_holds_every_code_and_expected_result(reports: dict[str, bytes], demo_hub: Hub) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(reports["pdf"]))
    text = squeezed("\n".join(page.extract_text() for page in pdf.pages))
    items = demo_hub.initiatives()
    assert len(items) == 31
    missing = [i.code for i in items if i.code not in text]
    assert not missing
    results = [(i.code, r.number, r.text) for i in items for r in i.expected_results]
    assert len(results) == 167
    assert [key[:2] for key in results if squeezed(key[2]) not in text] == []
    assert len(pdf.pages) > 10
    assert "Page2of" in squeezed(pdf.pages[1].extract_text())  # the @page footer


def test_word_report_uses_real_styles_lists_tables_and_fields(reports: dict[str, bytes]) -> None:
    import docx

    document = docx.Document(io.BytesIO(reports["docx"]))
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert headings["2.2 Europe Region"] == "Heading 2"
    assert headings["EUR1: Digital infrastructure development"] == "Heading 3"
    assert headings["3 Cross-regional synthesis"] == "Heading 1"
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(numbered) == 167 + 6  # every expected result and the six ARB priorities
    assert all(p._p.pPr.numPr is not None for p in numbered)
    bullets = [p.text for p in document.paragraphs if p.style.name.startswith("List Bullet")]
    assert "Chair: Dr Péter Vári (Hungary)" in bullets
    assert document.tables[0].rows[0].cells[0].text == "Region" and len(document.tables[0].rows) == 7
    xml = zipfile.ZipFile(io.BytesIO(reports["docx"])).read("word/document.xml").decode()
    assert "TOC \\o" in xml and "txbxContent" not in xml  # a contents field, no text boxes
    assert "word/footnotes.xml" in zipfile.ZipFile(io.BytesIO(reports["docx"])).namelist()
    assert "word/media/" in " ".join(zipfile.ZipFile(io.BytesIO(reports["docx"])).namelist())  # PNG charts


def test_workbook_has_one_filtered_sheet_per_table(reports: dict[str, bytes], demo_hub: Hub) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(reports["xlsx"]))
    stats = demo_hub.stats()
    expected = {
        "Meetings": stats.meetings,
        "Officers": stats.officers,
        "Initiatives": stats.initiatives + stats.priorities,
        "Expected results": stats.expected_results,
        "Alignments": stats.alignments,
        "Coverage": 6 * (len(demo_hub.themes().themes) + 17 + 11),
        "Overlaps": len(demo_hub.overlaps().shared),
        "Gaps": sum(len(g.columns) for g in demo_hub.matrix(by="theme").gaps),
        "Findings": stats.findings,
    }
    assert book.sheetnames == list(expected)
    for name, rows in expected.items():
        sheet = book[name]
        assert sheet.max_row - 1 == rows, name
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    officers = [row for row in book["Officers"].iter_rows(min_row=2, values_only=True) if row[1] == "EUR"]
    assert officers[0][3:6] == ("chair", "Dr", "Péter Vári")


def test_html_report_marks_document_links_and_draws_charts(reports: dict[str, bytes], demo_hub: Hub) -> None:
    page = reports["html"].decode()
    assert all(f'id="{i.code}"' in page for i in demo_hub.initiatives())
    assert page.count("<svg") == 3  # theme, SDG and WSIS coverage heat maps, inline
    eur1 = page[page.index('id="EUR1"') : page.index('id="EUR2"')]
    assert 'class="links document"' in eur1 and "stated in the source" in eur1 and "C1, C2, C6, C11" in eur1
    assert "links other" not in page  # no model has run: nothing proposed to show
    assert 'doubled honorific "Mr. Mr"' in html.unescape(page)  # the annex lists the source's defects
    assert 'href="#fn1"' in page and 'id="fn1"' in page  # AMS1's footnote


def test_markdown_report_is_laid_out_as_the_report_family(reports: dict[str, bytes]) -> None:
    text = reports["md"].decode()
    assert "## 2.1 Arab States Region" in text and "### CIS5: Development" in text
    assert "| WSIS Action Lines | C1, C2, C6, C11 |" in text
    assert re.search(r"^\[\^1\]:", text, re.MULTILINE)
    assert text.index("# 3 Cross-regional synthesis") > text.index("### CIS5")


def test_coverage_counts_agreed_links_per_region(demo_hub: Hub) -> None:
    from rihub.report.model import build_report

    report = build_report(demo_hub, "consolidated")
    sdg = next(p for p in report.synthesis if p.key == "coverage-sdg")
    row = next(r for r in sdg.rows if r[0] == "SDG 9")
    linked = {i.region for i in demo_hub.initiatives() for a in i.alignments if (a.framework, a.code) == ("SDG", "9")}
    for region, cell in zip(sdg.columns[2:], row[2:], strict=True):
        count = sum(
            1
            for i in demo_hub.initiatives(region=region)
            if any((a.framework, a.code, a.status) == ("SDG", "9", "accepted") for a in i.alignments)
        )
        assert cell == (str(count) if count else "–")
        assert (count > 0) == (region in linked)


def test_synthesis_shows_themes_overlaps_and_gaps_as_the_matrix_and_clusters_do(aligned_hub: Hub) -> None:
    """The report's cross-regional parts read the same Hub methods as /matrix and /overlaps."""
    from rihub.report.model import build_report

    report = build_report(aligned_hub, "consolidated")
    assert [p.key for p in report.synthesis] == ["coverage-theme", "coverage-sdg", "coverage-wsis", "overlaps", "gaps"]
    themes = report.synthesis[0]
    assert themes.chart is not None and themes.chart.rows == list(aligned_hub.matrix().regions)
    cyber = next(r for r in themes.rows if r[0] == "cybersecurity")
    assert all(cell != "–" for cell in cyber[2:])  # every region, ARB through its priority
    matrix = aligned_hub.matrix(by="theme")
    for r, region in enumerate(themes.chart.rows):
        for c, column in enumerate(matrix.columns):
            cell = matrix.cell(region, column.code)
            assert themes.chart.values[r][c] == cell.by_kind["document"].initiatives, (region, column.code)
    clusters = aligned_hub.overlaps().shared
    overlaps = report.synthesis[3]
    assert len(overlaps.rows) == len(clusters) > 0
    assert overlaps.rows[0][1] == clusters[0].representative
    gaps = report.synthesis[4]
    assert len(gaps.rows) == sum(len(g.columns) for g in matrix.gaps)
    sdg = report.synthesis[1]
    nine = next(r for r in sdg.rows if r[0] == "SDG 9")
    assert any("(+" in cell for cell in nine[2:])  # proposals shown apart, never added to the agreed count


def test_region_report_and_one_page_brief(demo_hub: Hub) -> None:
    from pypdf import PdfReader

    region = demo_hub.report("region", "eur", format="html").decode()
    assert 'id="EUR5"' in region and 'id="ASP1"' not in region
    brief = PdfReader(io.BytesIO(demo_hub.report("initiative", "AFR1", format="pdf")))
    assert len(brief.pages) == 1
    assert "Establish and support Computer Incident Response Teams" in demo_hub.report(
        "initiative", "CIS3", format="md"
    ).decode().replace("\\", "")


# --- CLI and web ---------------------------------------------------------------------------------


def rihub(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RIHUB_DATABASE_URL": db, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "rihub.cli", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_cli_writes_reports_and_refuses_bad_requests_in_one_line(demo_hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "eur.md"
    done = rihub("report", "region", "EUR", "--format", "md", "--output", str(out), db=demo_hub.url)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("# Consolidated report")
    for args, message in [
        (("initiative", "EUR9"), "no initiative 'EUR9'"),
        (("consolidated", "--format", "odt"), "unknown report format 'odt'"),
        (("consolidated", "--output", str(tmp_path / "missing" / "x.docx")), "does not exist"),
        (("region",), "needs a code"),
    ]:
        failed = rihub("report", *args, db=demo_hub.url)
        assert failed.returncode == 1 and message in failed.stderr, failed.stderr
        assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("url", "media", "name"),
    [
        ("/reports/consolidated.docx", "wordprocessingml", "rihub-consolidated-WTDC-25.docx"),
        ("/reports/region/AFR.xlsx?cycle=WTDC-25", "spreadsheetml", "rihub-region-AFR-WTDC-25.xlsx"),
        ("/reports/initiative/eur1.md", "text/markdown", "rihub-initiative-EUR1-WTDC-25.md"),
        ("/reports/consolidated.html", "text/html", "rihub-consolidated-WTDC-25.html"),
    ],
)
def test_web_downloads(web_client: TestClient, url: str, media: str, name: str) -> None:
    response = web_client.get(url)
    assert response.status_code == 200
    assert media in response.headers["content-type"]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert len(response.content) > 1000


def test_web_refuses_unknown_reports_and_pages_link_to_them(web_client: TestClient) -> None:
    assert web_client.get("/reports/initiative/XYZ1.pdf").status_code == 404
    assert web_client.get("/reports/region/EUR.odt").status_code == 422
    assert web_client.get("/reports/summary.pdf").status_code == 404
    assert 'href="/reports/consolidated.pdf"' in web_client.get("/").text
    assert 'href="/reports/region/EUR.docx"' in web_client.get("/regions/EUR").text
    assert 'href="/reports/initiative/EUR1.pdf?cycle=WTDC-25"' in web_client.get("/initiatives/EUR1?cycle=WTDC-25").text
