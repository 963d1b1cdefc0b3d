"""Every format and layout of the bundled report ingests to the same data.

The Word file, the PDF rendered from it, a hard-wrapped text with page furniture and a
text with other code/heading/list layouts are generated from the bundled text export
(tests/variants.py) and parsed; the normalised outlines must equal the plain text's.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from rihub.errors import InputError
from rihub.ingest import parse_bytes, parse_file, read_blocks
from rihub.ingest.docx import docx_to_blocks, format_number
from rihub.ingest.lint import lint_outline
from rihub.model import Outline

sys.path.insert(0, str(Path(__file__).parent))
from variants import (
    REGION_HEADINGS,
    W_NS,
    _Lists,
    flattened_tables,
    initiatives_as_tables,
    mappings_as_lines,
    markdown_text,
    meetings_in_prose,
    month_first_dates,
    relabelled_text,
    renamed_regions_text,
    renumbered_text,
    set_numbering,
    spelled_out_text,
    wrapped_text,
    write_docx,
    write_html_pdf,
    write_pdf,
)

REPORT = Path(__file__).resolve().parents[1] / "src" / "rihub" / "data" / "rpm-coordination-wtdc25.txt"


# --- the normalised view two parses are compared on --------------------------------------------


def summary(outline: Outline) -> dict[str, Any]:
    """Everything a reader of the report cares about, without provenance spans (they differ by format)."""
    conference = outline.conference
    return {
        "conference": conference
        and (conference.code, conference.city, conference.country, conference.start_date, conference.end_date),
        "meetings": [
            {
                "region": m.region,
                "dates": (m.start_date, m.end_date),
                "place": (m.city, m.country),
                "links": (m.report_label, m.video_label),
                "contributions": m.contributions,
                "officers": [(o.role, o.honorific, o.name, o.country) for o in m.officers],
                "documents": [(d.number, d.description) for d in m.documents_reviewed],
            }
            for m in outline.meetings
        ],
        "initiatives": [
            {
                "code": i.code,
                "region": i.region,
                "kind": i.kind,
                "stage": i.stage,
                "title": i.title,
                "objective": (i.objective_kind, i.objective),
                "lead_in": i.results_lead_in,
                "results": [
                    (
                        r.number,
                        r.text,
                        [(s.label, s.text) for s in r.sub_items],
                        [(f.marker, f.text) for f in r.footnotes],
                    )
                    for r in i.expected_results
                ],
                "alignments": [(a.framework, a.code, a.label) for a in i.alignments],
            }
            for i in outline.initiatives
        ],
    }


def counts(outline: Outline) -> dict[str, Any]:
    return {
        "meetings": [m.region for m in outline.meetings],
        "officers": [len(m.officers) for m in outline.meetings],
        "documents": [[d.number for d in m.documents_reviewed] for m in outline.meetings],
        "results": {i.code: [r.number for r in i.expected_results] for i in outline.initiatives},
        "sub_items": {
            f"{i.code}.{r.number}": [s.label for s in r.sub_items]
            for i in outline.initiatives
            for r in i.expected_results
            if r.sub_items
        },
    }


def assert_same(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """Equality with a readable first difference instead of a 200-line dict diff."""
    for key in expected:
        left, right = expected[key], actual[key]
        if isinstance(left, list):
            assert len(left) == len(right), f"{key}: {len(left)} vs {len(right)}"
            for index, (a, b) in enumerate(zip(left, right, strict=True)):
                assert a == b, f"{key}[{index}] differs"
        else:
            assert left == right, f"{key} differs"


# --- generated files, built once per run -------------------------------------------------------


@pytest.fixture(scope="session")
def plain() -> Outline:
    return parse_file(REPORT)


@pytest.fixture(scope="session")
def pdf_outline(pdf_path: Path) -> Outline:
    return parse_file(pdf_path)


def test_the_plain_text_is_the_known_report(plain: Outline) -> None:
    """Guards the comparisons below against agreeing on an empty or broken parse."""
    assert [m.region for m in plain.meetings] == ["ARB", "EUR", "ASP", "AMS", "AFR", "CIS"]
    assert plain.officer_count == 25
    assert sum(len(m.documents_reviewed) for m in plain.meetings) == 42
    codes = [i.code for i in plain.initiatives]
    assert codes[:6] == [f"ARB{n}" for n in range(1, 7)] and len(codes) == 31
    assert plain.expected_result_count == 167
    by_code = {i.code: i for i in plain.initiatives}
    assert [s.label for s in by_code["AMS4"].expected_results[0].sub_items] == ["a", "b"]
    assert by_code["AMS1"].expected_results[0].footnotes[0].text.startswith("These include")
    assert all(by_code[f"EUR{n}"].alignments for n in range(1, 6))


# --- Word --------------------------------------------------------------------------------------


def test_generated_docx_uses_real_word_structures(docx_path: Path) -> None:
    """The generator must not cheat: numbers, bullets and footnotes live in Word's parts, not the text."""
    document = docx.Document(str(docx_path))
    body = document.element.body
    numbered = body.findall(f".//{{{W_NS}}}numPr")
    assert len(numbered) > 200
    texts = [p.text for p in document.paragraphs if not (p.style and p.style.name.startswith("Heading"))]
    assert not [t for t in texts if t[:3] in ("1. ", "2. ", "a) ", "b) ") or t.startswith("·")]
    assert not [t for t in texts if "[footnoteRef" in t or "[1:" in t]
    assert body.findall(f".//{{{W_NS}}}footnoteReference")
    assert len(document.tables) == 6
    assert [p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")][:3] == [
        "1. Introduction",
        "2. Conclusions from the Regional Preparatory Meetings for WTDC-25",
        "2.1 Arab States Region",
    ]


def test_docx_gives_the_same_data_as_text(plain: Outline, docx_path: Path) -> None:
    outline = parse_file(docx_path)
    assert outline.source.format == "docx"
    assert_same(summary(plain), summary(outline))


def test_docx_blocks_keep_word_headings_and_paragraph_numbers(docx_path: Path) -> None:
    blocks = docx_to_blocks(docx_path.read_bytes(), docx_path.name)
    headings = [(b.level, b.text) for b in blocks if b.kind == "heading"]
    assert headings[0] == (1, "1. Introduction") and (2, "2.6 Commonwealth of Independent States Region") in headings
    locs = [b.loc for b in blocks]
    assert locs == sorted(locs) and locs[0] == 1
    assert any(b.text.startswith("[1: These include") for b in blocks)


# --- text layouts ------------------------------------------------------------------------------


def test_wrapped_text_with_page_furniture_gives_the_same_data(plain: Outline) -> None:
    text = wrapped_text(REPORT.read_text(encoding="utf-8"))
    assert max(len(line) for line in text.split("\n") if not line.startswith("\t")) < 130
    assert text.count("ITU-D RPM Coordination Meeting — report — page") >= 10
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "wrapped.txt")))


def test_relabelled_text_gives_the_same_data(plain: Outline) -> None:
    text = relabelled_text(REPORT.read_text(encoding="utf-8"))
    for layout in ("EUR1 Digital", "AMS 1 - ", "RI 1: ", "AFR RI 1: ", "EUROPE REGION", "1) ", "- Study"):
        assert layout in text, layout
    assert "\nObjective:\n" in text and "\nExpected results\n" in text
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "relabelled.txt")))


def test_spelled_out_labels_give_the_same_data(plain: Outline) -> None:
    text = spelled_out_text(REPORT.read_text(encoding="utf-8"))
    layouts = ("Regional Initiative EUR1: ", "Draft regional initiative No. 4 – ", "RI-CIS1: ", "\nASP2\nTitle: ")
    for layout in (*layouts, "\nObjective of the initiative: To "):
        assert layout in text, layout
    assert "\nExpected outputs:" in text and "\nExpected outcomes:" in text
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "spelled-out.txt")))
    wrapped = wrapped_text(text, width=72, header_every=40)
    assert_same(summary(plain), summary(parse_bytes(wrapped.encode(), "spelled-out-wrapped.txt")))


@pytest.mark.parametrize("style", ["(1)", "1 -", "1:"])
def test_other_result_markers_give_the_same_data(plain: Outline, style: str) -> None:
    text = renumbered_text(REPORT.read_text(encoding="utf-8"), style)
    assert f"\n{style.replace('1', '3')} " in text
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "renumbered.txt")))
    wrapped = wrapped_text(text, width=72, header_every=40)
    assert_same(summary(plain), summary(parse_bytes(wrapped.encode(), "renumbered-wrapped.txt")))


def test_lettered_results_are_results_not_sub_items(plain: Outline) -> None:
    text = renumbered_text(REPORT.read_text(encoding="utf-8"), "a)")
    assert "\nq) " in text and "\nii) " in text  # AFR1's 17th result; AMS4's second sub-item

    def results(outline: Outline) -> list[tuple[str, list[tuple[int, str, list[str]]]]]:
        return [
            (i.code, [(r.number, r.text, [s.text for s in r.sub_items]) for r in i.expected_results])
            for i in outline.initiatives
        ]

    parsed = parse_bytes(text.encode(), "lettered.txt")
    assert results(parsed) == results(plain)
    ams4 = next(i for i in parsed.initiatives if i.code == "AMS4")
    assert [s.label for s in ams4.expected_results[0].sub_items] == ["i", "ii"]
    assert [f for f in lint_outline(parsed) if f.code == "numbering"] == []


def test_meetings_told_in_prose_give_the_same_meetings(plain: Outline) -> None:
    text = meetings_in_prose(REPORT.read_text(encoding="utf-8"))
    assert "\tRPM-EUR\n" not in text and "RPM-EUR was held in Budapest, Hungary, on 25-26 February 2025." in text
    assert "RPM-ASP was held on March 20-21, 2025, in Bangkok (Thailand)." in text
    parsed = summary(parse_bytes(text.encode(), "prose.txt"))

    def when_where(s: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(m["region"], m["dates"], m["place"], m["officers"]) for m in s["meetings"]]

    assert when_where(parsed) == when_where(summary(plain))
    assert_same({"initiatives": summary(plain)["initiatives"]}, {"initiatives": parsed["initiatives"]})


def test_month_first_dates_in_the_meetings_table(plain: Outline) -> None:
    text = month_first_dates(REPORT.read_text(encoding="utf-8"))
    assert "\tFebruary 4-5\n" in text
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "month-first.txt")))


def test_region_headings_worded_otherwise_give_the_same_data(plain: Outline) -> None:
    text = renamed_regions_text(REPORT.read_text(encoding="utf-8"))
    for heading in REGION_HEADINGS.values():
        assert f" {heading}\n" in text, heading
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "regions.txt")))


def test_mappings_written_as_labelled_lines_give_the_same_links(plain: Outline) -> None:
    text = mappings_as_lines(REPORT.read_text(encoding="utf-8"))
    assert "\nWSIS Action Lines: C1, C2, C6, C11\n" in text and "\tWSIS Action Lines" not in text
    assert "\nSDGs: SDG9\n" in text
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "mapping-lines.txt")))
    wrapped = wrapped_text(text, width=72, header_every=40)
    assert_same(summary(plain), summary(parse_bytes(wrapped.encode(), "mapping-lines-wrapped.txt")))


@pytest.mark.parametrize("indent", ["        ", "    ", ""], ids=["tab-as-8-spaces", "tab-as-4-spaces", "no-indent"])
@pytest.mark.parametrize("header", [True, False], ids=["header", "no-header"])
def test_tables_flattened_without_tabs_give_the_same_data(plain: Outline, indent: str, header: bool) -> None:
    """Cells whose tab became spaces or vanished: the six meetings and EUR1-EUR5's 39 links still read."""
    text = flattened_tables(REPORT.read_text(encoding="utf-8"), indent, header=header)
    assert "\t" not in text
    outline = parse_bytes(text.encode("utf-8"), "flattened.txt")
    expected, actual = summary(plain), summary(outline)
    assert_same({"meetings": expected["meetings"]}, {"meetings": actual["meetings"]})
    assert all(m["dates"][0] and m["place"][0] for m in actual["meetings"])
    links = [a for i in outline.initiatives if i.region == "EUR" for a in i.alignments]
    assert len(links) == 39
    if header:
        assert_same(expected, actual)
    else:  # only the mapping tables' "Process | Focus Area" header is gone, which carries no data
        assert_same({"initiatives": expected["initiatives"]}, {"initiatives": actual["initiatives"]})


def test_initiatives_laid_out_as_tables_give_the_same_data(plain: Outline, tmp_path: Path) -> None:
    """One table per initiative ("EUR1 | title", "Objective | …", "Expected results | 1. …"), as text
    rows and as real Word tables with a paragraph per result."""
    text = initiatives_as_tables(REPORT.read_text(encoding="utf-8"))
    assert "\tObjective\n\tTo promote an enabling environment" in text and "\tExpected results\n" in text
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "tables.txt")))
    source = tmp_path / "tables.txt"
    source.write_text(text, encoding="utf-8")
    docx_file = write_docx(source, tmp_path / "tables.docx")
    assert_same(summary(plain), summary(parse_file(docx_file)))


@pytest.mark.slow
def test_initiative_tables_survive_a_pdf(plain: Outline, tmp_path: Path) -> None:
    """LibreOffice's PDF of the table layout: cells wrap, and rows break across pages (a page's first
    row then has an empty first cell and continues the row before)."""
    source = tmp_path / "tables.txt"
    source.write_text(initiatives_as_tables(REPORT.read_text(encoding="utf-8")), encoding="utf-8")
    pdf = write_pdf(write_docx(source, tmp_path / "tables.docx"), tmp_path)
    _, blocks = read_blocks(pdf.read_bytes(), pdf.name)
    assert sum(b.kind == "row" and b.cells[0] == "Expected results" for b in blocks) == 25
    expected, parsed = summary(plain), summary(parse_file(pdf))
    assert_same({"initiatives": expected["initiatives"]}, {"initiatives": parsed["initiatives"]})


def test_initiatives_in_one_wide_table_per_region_give_the_same_data(plain: Outline) -> None:
    """ "Code | Title | Objective | Expected results" with a row per initiative."""
    text = initiatives_as_tables(REPORT.read_text(encoding="utf-8"), wide=True)
    assert "\tCode\n\tTitle\n\tObjective\n\tExpected results\n" in text
    expected, parsed = summary(plain), summary(parse_bytes(text.encode(), "wide.txt"))
    for item in (*expected["initiatives"], *parsed["initiatives"]):
        item["objective"] = item["objective"][1]  # a rationale sits in the Objective column here
    assert_same(expected, parsed)


def test_relabelled_and_wrapped_text_gives_the_same_data(plain: Outline) -> None:
    text = wrapped_text(relabelled_text(REPORT.read_text(encoding="utf-8")), width=72, header_every=40)
    assert_same(summary(plain), summary(parse_bytes(text.encode(), "both.txt")))


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_from_docx_gives_the_same_counts(plain: Outline, pdf_outline: Outline) -> None:
    outline = pdf_outline
    assert outline.source.format == "pdf"
    assert counts(outline) == counts(plain)
    assert [i.code for i in outline.initiatives] == [i.code for i in plain.initiatives]


def test_pdf_from_docx_gives_the_same_texts(plain: Outline, pdf_outline: Outline) -> None:
    """Stronger than the counts: geometry-based rejoining restores every paragraph and the footnote."""
    assert_same(summary(plain), summary(pdf_outline))


def test_markdown_gives_the_same_data(plain: Outline) -> None:
    """Markdown as converters write it: "#" headings, bold codes, pipe tables, "-" bullets."""
    converted = markdown_text(REPORT.read_text(encoding="utf-8"))
    assert "## 2.2 Europe Region" in converted and "**EUR1:**" in converted and "|---|" in converted
    assert_same(summary(plain), summary(parse_bytes(converted.encode(), "report.md")))


@pytest.fixture(scope="session")
def html_pdf_outline(tmp_path_factory: pytest.TempPathFactory) -> Outline:
    return parse_file(write_html_pdf(REPORT, tmp_path_factory.mktemp("weasy") / "report.pdf"))


def test_pdf_from_another_producer_gives_the_same_data(plain: Outline, html_pdf_outline: Outline) -> None:
    """A PDF typeset by WeasyPrint (other fonts, line breaks, CSS footnotes, running header, page numbers).

    A line that ends in "/" is ambiguous in any PDF: "telecommunication/ICT" broken after the slash and
    "telecommunications/ information" broken at the space extract alike; rihub keeps a space, so the
    texts are compared with the space after a slash folded.
    """
    assert counts(html_pdf_outline) == counts(plain)

    def folded(outline: Outline) -> dict[str, Any]:
        return json.loads(json.dumps(summary(outline), default=str).replace("/ ", "/"))

    assert_same(folded(plain), folded(html_pdf_outline))


# --- Word numbering reconstruction -------------------------------------------------------------


def _docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _texts(document: docx.document.Document) -> list[str]:
    return [b.text for b in docx_to_blocks(_docx_bytes(document), "t.docx")]


def test_nested_lists_restart_and_bullets() -> None:
    document = docx.Document()
    lists = _Lists(document)
    first = lists.new_list(1)
    for text, level in [("one", 0), ("sub a", 1), ("sub b", 1), ("two", 0), ("sub again", 1)]:
        set_numbering(document.add_paragraph(text), first, level)
    set_numbering(document.add_paragraph("a bullet"), lists.bullet_num, 0)
    document.add_paragraph("plain text")
    second = lists.new_list(1)
    set_numbering(document.add_paragraph("restarted"), second, 0)
    set_numbering(document.add_paragraph("continued"), second, 0)
    third = lists.new_list(4)
    set_numbering(document.add_paragraph("from four"), third, 0)
    assert _texts(document) == [
        "1. one",
        "a) sub a",
        "b) sub b",
        "2. two",
        "a) sub again",
        "· a bullet",
        "plain text",
        "1. restarted",
        "2. continued",
        "4. from four",
    ]


def _add_abstract(document: docx.document.Document, levels: str, *nums: str) -> None:
    from docx.oxml import parse_xml

    root = document.part.numbering_part.element
    decl = f'xmlns:w="{W_NS}"'
    root.find(f"{{{W_NS}}}num").addprevious(
        parse_xml(f'<w:abstractNum {decl} w:abstractNumId="90">{levels}</w:abstractNum>')
    )
    for num in nums:
        root.append(parse_xml(num.replace("<w:num ", f"<w:num {decl} ")))


def test_formats_start_values_and_sharing_between_instances() -> None:
    document = docx.Document()
    _add_abstract(
        document,
        '<w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="(%2)"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%3"/></w:lvl>',
        '<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num>',
        '<w:num w:numId="91"><w:abstractNumId w:val="90"/></w:num>',
    )
    for text, num, level in [("a", 90, 0), ("b", 90, 1), ("c", 90, 1), ("d", 90, 2), ("e", 91, 0), ("f", 91, 1)]:
        set_numbering(document.add_paragraph(text), num, level)
    # Two instances of one definition without a startOverride continue one sequence, as in Word.
    assert _texts(document) == ["III. a", "(i) b", "(ii) c", "III.1 d", "IV. e", "(i) f"]


def test_list_number_style_and_numbering_removed_by_num_id_zero() -> None:
    document = docx.Document()
    document.add_paragraph("first", style="List Number")
    document.add_paragraph("second", style="List Number")
    document.add_paragraph("bullet", style="List Bullet")
    plain = document.add_paragraph("not numbered", style="List Number")
    set_numbering(plain, 0, 0)
    assert _texts(document) == ["1. first", "2. second", "· bullet", "not numbered"]


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [(1, "decimal", "1"), (27, "lowerLetter", "aa"), (4, "upperLetter", "D"), (14, "lowerRoman", "xiv"),
     (7, "decimalZero", "07"), (3, "ordinalText", "3")],
)  # fmt: skip
def test_number_formats(value: int, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown


def test_tables_and_footnote_markers_in_small_docx() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Process"
    table.cell(0, 1).text = "Focus Area"
    table.cell(1, 0).text = "Global Digital Compact"
    table.cell(1, 1).text = "Objective 4. Data"
    table.cell(1, 1).add_paragraph("Objective 5. AI")
    document.add_paragraph("after")
    blocks = docx_to_blocks(_docx_bytes(document), "t.docx")
    assert [(b.kind, b.cells, b.loc) for b in blocks[:2]] == [
        ("row", ["Process", "Focus Area"], 1),
        ("row", ["Global Digital Compact", "Objective 4. Data\nObjective 5. AI"], 2),
    ]
    assert (blocks[2].text, blocks[2].loc) == ("after", 3)


# --- bad input ---------------------------------------------------------------------------------


def _one_line_error(data: bytes, name: str) -> str:
    with pytest.raises(InputError) as info:
        parse_bytes(data, name)
    message = str(info.value)
    assert "\n" not in message and message.startswith(name)
    return message


def test_zip_that_is_not_a_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a Word document")
    assert "not a valid .docx" in _one_line_error(buffer.getvalue(), "report.docx")


def test_zip_with_broken_document_xml() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(_bytes_io(docx.Document())) as source, zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = b"<w:document><unclosed" if item.filename == "word/document.xml" else source.read(item)
            archive.writestr(item, data)
    assert "re-save it from Word" in _one_line_error(buffer.getvalue(), "report.docx")


def _bytes_io(document: docx.document.Document) -> io.BytesIO:
    return io.BytesIO(_docx_bytes(document))


def test_truncated_docx(docx_path: Path) -> None:
    data = docx_path.read_bytes()
    for cut in (len(data) // 2, len(data) - 200, 100):
        assert "not a valid .docx" in _one_line_error(data[:cut], "report.docx")


def test_encrypted_docx_is_refused() -> None:
    # Word saves password-protected files as OLE compound files, not zips.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert "not a valid .docx" in _one_line_error(data, "report.docx")


def _tiny_pdf(text: str | None) -> bytes:
    """A minimal valid PDF by hand: one page, optionally one line of Helvetica text."""
    stream = f"BT /F1 12 Tf 72 700 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_without_text_layer() -> None:
    assert "no text layer" in _one_line_error(_tiny_pdf(None), "scan.pdf")


def test_blank_page_pdf_from_pypdf() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "run OCR first" in _one_line_error(buffer.getvalue(), "blank.pdf")


def test_pdf_with_text_but_no_report() -> None:
    assert "no regional initiatives" in _one_line_error(_tiny_pdf("Hello world"), "hello.pdf")


def test_encrypted_pdf() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_tiny_pdf("Secret text"))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "encrypted" in _one_line_error(buffer.getvalue(), "locked.pdf")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n" + bytes(range(256)) * 8, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF",
     b"%PDF"],
)  # fmt: skip
def test_garbage_pdf(data: bytes) -> None:
    _one_line_error(data, "garbage.pdf")


def test_truncated_pdf_is_refused_or_read(pdf_path: Path) -> None:
    data = pdf_path.read_bytes()
    for cut in (len(data) // 3,):
        try:
            parse_bytes(data[:cut], "cut.pdf")
        except InputError as exc:
            assert "\n" not in str(exc)
