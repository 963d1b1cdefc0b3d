"""The documents of the family from other cycles: web pages, RI pages, numbered initiatives, booklets.

Each fixture (tests/family.py) is written in a layout ITU uses for the initiatives adopted at a
WTDC and says what must come out of it; the bundled report's coverage is pinned paragraph by
paragraph, on the report and on its generated variants.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rihub.hub import Hub
from rihub.ingest import parse_bytes, parse_file
from rihub.ingest.lint import lint_outline
from rihub.model import UNKNOWN_CYCLE, Outline
from rihub.web.app import create_app

sys.path.insert(0, str(Path(__file__).parent))
from family import BOOKLET, CYCLE_BODY, CYCLE_PHRASES, LAYOUTS, NUMBERED_PAGE, WEB_PAGE, Expected
from variants import (
    flattened_tables,
    initiatives_as_tables,
    markdown_text,
    relabelled_text,
    wrapped_text,
    write_docx,
    write_pdf,
)


def read(text: str, name: str = "page.txt") -> Outline:
    return parse_bytes(text.encode("utf-8"), name)


def check(outline: Outline, expected: Expected) -> None:
    """The outline holds what the fixture says, and nothing invented."""
    assert (outline.conference.code if outline.conference else None) == expected.cycle
    initiatives = outline.initiatives
    assert [i.code for i in initiatives] == expected.codes
    assert {i.region for i in initiatives} == {expected.region}
    assert [i.title for i in initiatives] == expected.titles
    for initiative, objective in zip(initiatives, expected.objectives, strict=True):
        if objective is None:
            assert initiative.objective is None
        else:
            assert initiative.objective is not None and initiative.objective.startswith(objective)
    assert [len(i.expected_results) for i in initiatives] == expected.results
    assert [len(i.achieved_results) for i in initiatives] == (expected.achieved or [0] * len(initiatives))
    assert all(i.code_derived == expected.derived for i in initiatives)
    truncated = [i.code for i in initiatives for r in i.expected_results if r.truncated]
    assert truncated == ([expected.truncated] if expected.truncated else [])
    assert outline.meetings == []  # a page of adopted initiatives tells of no meeting
    assert outline.officer_count == 0
    for initiative in initiatives:  # achieved results are never expected results
        stated = {r.text for r in initiative.expected_results}
        assert not stated & {a.text for a in initiative.achieved_results}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_layout_in_text(layout: str) -> None:
    text, expected = LAYOUTS[layout]
    check(read(text), expected)


@pytest.fixture(scope="module")
def word_and_pdf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """The web-page and the numbered-initiative layouts as Word files and the PDFs LibreOffice makes."""
    out = tmp_path_factory.mktemp("family")
    files = {}
    for layout in ("web-page", "numbered"):
        source = out / f"{layout}.txt"
        source.write_text(LAYOUTS[layout][0], encoding="utf-8")
        docx_path = write_docx(source, out / f"{layout}.docx", header="ITU-D Regional Initiatives")
        files[layout] = (docx_path, write_pdf(docx_path, out))
    return files


@pytest.mark.parametrize("layout", ["web-page", "numbered"])
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_layouts_through_word_and_pdf(word_and_pdf: dict[str, tuple[Path, Path]], layout: str, fmt: str) -> None:
    docx_path, pdf_path = word_and_pdf[layout]
    outline = parse_file(docx_path if fmt == "docx" else pdf_path)
    check(outline, LAYOUTS[layout][1])
    text = read(LAYOUTS[layout][0])
    assert [[r.text for r in i.expected_results] for i in outline.initiatives] == [
        [r.text for r in i.expected_results] for i in text.initiatives
    ]


@pytest.mark.parametrize("phrase", list(CYCLE_PHRASES))
def test_the_cycle_is_read_from_the_text(phrase: str) -> None:
    outline = read(f"{phrase}\n{CYCLE_BODY}")
    code = CYCLE_PHRASES[phrase]
    assert (outline.conference.code if outline.conference else None) == code
    unknown = [f for f in lint_outline(outline) if f.code == "unknown-cycle"]
    assert len(unknown) == (0 if code else 1)


def test_a_document_naming_no_cycle_goes_to_the_unknown_cycle(empty_hub: Hub) -> None:
    outcome = empty_hub.ingest_bytes(f"{list(CYCLE_PHRASES)[-1]}\n{CYCLE_BODY}".encode(), "no-cycle.txt")
    assert outcome.cycle == UNKNOWN_CYCLE  # never guessed from today's date


def test_contents_confirm_the_booklet_and_never_become_titles() -> None:
    outline = read(BOOKLET)
    assert outline.contents == ["ARB1", "ARB2"]
    assert not any(i.title.rstrip().endswith(".") or ".." in i.title for i in outline.initiatives)
    assert next(b.text for b in outline.blocks if b.role == "contents") == "Contents"
    cut = BOOKLET[: BOOKLET.index("ARB2: Digital skills for young people\nObjectives")]
    findings = lint_outline(read(cut))
    assert [f.message for f in findings if f.code == "contents-mismatch"] == [
        "the contents list ARB2, which the body does not hold"
    ]


def test_sections_after_the_results_end_the_list() -> None:
    numbered = {i.code: i for i in read(NUMBERED_PAGE).initiatives}
    assert not any("course" in r.text for r in numbered["EUR2"].expected_results)
    booklet = {i.code: i for i in read(BOOKLET).initiatives}
    assert not any("Twinning" in r.text for r in booklet["ARB1"].expected_results)
    assert booklet["ARB1"].expected_results[-1].text == "Awareness campaigns in schools."


def test_a_truncated_last_item_is_kept_and_flagged() -> None:
    outline = read(NUMBERED_PAGE)
    last = outline.initiatives[-1].expected_results[-1]
    assert last.text == "A study of the digital divid" and last.truncated
    assert any(f.code == "truncated" and f.message.startswith("EUR3:") for f in lint_outline(outline))
    # the same page ending with a complete item: nothing flagged
    whole = read(NUMBERED_PAGE.replace("digital divid", "digital dividend."))
    assert not any(r.truncated for i in whole.initiatives for r in i.expected_results)


def test_page_furniture_is_removed_and_counted() -> None:
    outline = read(WEB_PAGE)
    furniture = [b.text for b in outline.blocks if b.role == "furniture"]
    assert furniture[0] == "Committed to connecting the world" and "Share this page" in furniture
    assert outline.coverage().furniture == 7
    assert outline.coverage().unassigned == []  # everything else landed in a field
    running = read(LAYOUTS["ri-page"][0])
    assert [b.text for b in running.blocks if b.role == "furniture"].count("Regional Initiatives 2023-2025") == 2


# --- coverage of the bundled report ---------------------------------------------------------------

# Every paragraph of the bundled report the reader assigns to no field, each one an introduction or
# a report heading that carries no registry data (a person reading them would agree).
BUNDLED_UNASSIGNED = [
    "RPM Coordination meeting looked at the results of the six RPMs that took place as follows:",
    "The RPM outcomes follow a consistent structure and are presented below by region, in the chronological",
    *[
        f"RPM-{region} reviewed all input documents and elaborated on the draft Regional Initiatives for the"
        for region in ("ARB", "EUR")
    ],
    "RPM-EUR agreed on the following draft Regional Initiatives:",
    *[
        line
        for region in ("ASP", "AMS", "AFR", "CIS")
        for line in (
            f"RPM-{region} reviewed all input documents and elaborated on the draft Regional Initiatives for the",
            f"RPM-{region} agreed on the following draft Regional Initiatives:",
        )
    ],
]


def unassigned(outline: Outline) -> list[str]:
    return [b.text[: len(p)] for b, p in zip(outline.coverage().unassigned, BUNDLED_UNASSIGNED, strict=False)]


def test_the_bundled_reports_unassigned_paragraphs_are_pinned(outline: Outline) -> None:
    coverage = outline.coverage()
    assert len(coverage.unassigned) == len(BUNDLED_UNASSIGNED)
    assert unassigned(outline) == BUNDLED_UNASSIGNED
    assert coverage.furniture == 0
    assert 0.97 < coverage.share < 0.98  # measured: 97.3 % of the characters land in a field
    # none of them looks like registry data: lint lists them as information, not warnings
    listed = [f for f in lint_outline(outline) if f.code == "unassigned"]
    assert len(listed) == len(BUNDLED_UNASSIGNED) and {f.severity for f in listed} == {"info"}


VARIANTS: dict[str, Any] = {
    "wrapped": wrapped_text,
    "relabelled": relabelled_text,
    "tables": initiatives_as_tables,
    "wide-tables": lambda t: initiatives_as_tables(t, wide=True),
    "markdown": markdown_text,
    "flattened-spaces": lambda t: flattened_tables(t, "        "),
    "flattened-bare": flattened_tables,
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variants_leave_the_same_paragraphs_unassigned(report_text: str, variant: str) -> None:
    outline = read(VARIANTS[variant](report_text), f"{variant}.txt")
    assert unassigned(outline) == BUNDLED_UNASSIGNED
    assert len(outline.coverage().unassigned) == len(BUNDLED_UNASSIGNED)


def test_word_and_pdf_leave_the_same_paragraphs_unassigned(docx_path: Path, pdf_path: Path) -> None:
    for path in (docx_path, pdf_path):
        outline = parse_file(path)
        assert unassigned(outline) == BUNDLED_UNASSIGNED, path.suffix


# --- the registry: achieved results, roles, the source page ---------------------------------------


def test_achieved_results_and_coverage_are_stored_and_shown(empty_hub: Hub) -> None:
    outcome = empty_hub.ingest_bytes(NUMBERED_PAGE.encode(), "wtdc10-europe.txt")
    assert (outcome.cycle, outcome.stage, outcome.meetings) == ("WTDC-10", "adopted", 0)
    assert outcome.unassigned == 2 and 0.9 < outcome.coverage < 1.0
    item = empty_hub.initiative("EUR1", "WTDC-10")
    assert next(a.text for a in item.achieved_results) == "Two reviews of telecommunication law were delivered"
    assert len(item.expected_results) == 2
    detail = empty_hub.source_document(outcome.source_id)
    assert detail.coverage.unassigned == 2
    with TestClient(create_app(empty_hub)) as client:
        page = client.get(f"/sources/{outcome.source_id}").text
        assert page.count('class="block block-para unassigned"') == 2
        assert "Training activities:" in page
        data = client.get(f"/sources/{outcome.source_id}.json").json()
        assert [b["role"] for b in data["blocks"]].count("") == 2
        assert "Achieved results" in client.get("/initiatives/EUR1?cycle=WTDC-10").text


def test_achieved_results_are_in_the_open_data_export(empty_hub: Hub, tmp_path: Path) -> None:
    import csv

    outcome = empty_hub.ingest_bytes(NUMBERED_PAGE.encode(), "wtdc10-europe.txt")
    stored = [a.text for a in empty_hub.initiative("EUR1", "WTDC-10").achieved_results]
    exported = next(i for i in empty_hub.export_json()["initiatives"] if i["code"] == "EUR1")
    assert [a["text"] for a in exported["achieved_results"]] == stored and stored
    assert {a["source_id"] for a in exported["achieved_results"]} == {outcome.source_id}
    assert not {r["text"] for r in exported["expected_results"]} & set(stored)
    written = {p.name: p for p in empty_hub.export_csv(tmp_path)}
    with written["achieved_results.csv"].open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["text"] for r in rows if r["initiative"] == "EUR1"] == stored
    assert "span_start" not in rows[0]  # positions only in the full export


def test_lint_lists_unassigned_paragraphs_and_warns_on_data_like_ones() -> None:
    findings = [f for f in lint_outline(read(NUMBERED_PAGE)) if f.code == "unassigned"]
    assert [(f.severity, f.excerpt) for f in findings] == [
        ("info", "Training activities:"),
        ("warning", "• A course for planners was held twice a year"),
    ]
    assert (
        findings[1].message
        == "read into no field, though it looks like a result: “• A course for planners was held twice a year”"
    )
    assert [f.loc for f in findings] == [18, 19]


def test_a_short_title_that_says_what_the_document_is_stays() -> None:
    outline = read("Implementation report\n" + WEB_PAGE)
    assert outline.blocks[0].role != "furniture"
    assert outline.source.stage == "report"


def test_a_word_table_of_contents_is_contents(tmp_path: Path) -> None:
    """Word's own contents (TOC styles, the leader a tab stop): never initiatives, still the list."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    toc = document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    for line in BOOKLET.split("\n"):
        entry = line.split(" .......... ")
        if len(entry) == 2:
            document.add_paragraph(f"{entry[0]}\t{entry[1]}", style=toc)
        else:
            document.add_paragraph(line)
    document.save(str(tmp_path / "booklet.docx"))
    outline = parse_file(tmp_path / "booklet.docx")
    check(outline, LAYOUTS["booklet"][1])
    assert outline.contents == ["ARB1", "ARB2"]
    assert sum(b.role == "contents" for b in outline.blocks) == 4


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_layout_as_a_pdf_extractor_gives_it(layout: str) -> None:
    """Hard-wrapped, with a running header: the labels that recur with every initiative stay labels,
    and a contents line ends at its page number."""
    text, expected = LAYOUTS[layout]
    wrapped = wrapped_text(text, width=60, header_every=30, header="Regional Initiatives — page {page}")
    outline = read(wrapped, f"{layout}-wrapped.txt")
    check(outline, expected)
    assert [[r.text for r in i.expected_results] for i in outline.initiatives] == [
        [r.text for r in i.expected_results] for i in read(text).initiatives
    ]
