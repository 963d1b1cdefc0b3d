"""The Markdown reader: '#' headings, lists, pipe tables and footnotes → the block model of the others."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from rihub.hub import Hub
from rihub.ingest import parse_bytes
from rihub.ingest.formats import sniff
from rihub.ingest.markdown import markdown_to_blocks

SMALL_REPORT = """\
# Outcomes of the Regional Preparatory Meeting for WTDC-25

## 2.2 Europe Region

- Chair: Dr Ada Lovelace (United Kingdom)
- Vice-Chairs: Mr Alan Turing (United Kingdom), Ms Grace Hopper (United States)
- RPM-EUR reviewed the following documents:
  - Document 2 on the implementation of the *WTDC-22* Kigali Action Plan

### EUR1: Digital infrastructure \\*development\\*

**Objective:** To connect everyone, everywhere.

**Expected results:**

1. Broadband mapping[^a] in every country.
2. Rebuilding networks after disasters:

    a) early warning;

    b) recovery.

Implementation of this Regional Initiative will contribute to WSIS, GDC, SDGs:

| Process | Focus Area |
|---|---|
| WSIS Action Lines | C2, C6 |
| Sustainable Development Goals | SDG 9, SDG 11 |

*Links not stated in the source.*

[^a]: The mapping [of ITU] is public.
"""


def test_blocks_keep_structure_and_lines() -> None:
    blocks = markdown_to_blocks(SMALL_REPORT)
    kinds = [(b.kind, b.level, b.text) for b in blocks]
    assert ("heading", 2, "2.2 Europe Region") in kinds
    assert ("heading", 3, "EUR1: Digital infrastructure *development*") in kinds  # escapes are text
    assert ("para", 0, "Objective: To connect everyone, everywhere.") in kinds
    assert ("para", 0, "· Document 2 on the implementation of the WTDC-22 Kigali Action Plan") in kinds
    assert ("para", 0, "1. Broadband mapping[footnoteRef:1] in every country.") in kinds
    assert ("para", 0, "a) early warning;") in kinds
    rows = [b.cells for b in blocks if b.kind == "row"]
    assert rows == [
        ["Process", "Focus Area"],
        ["WSIS Action Lines", "C2, C6"],
        ["Sustainable Development Goals", "SDG 9, SDG 11"],
    ]
    assert blocks[-1].text == "[1: The mapping (of ITU) is public.]"
    heading = next(b for b in blocks if b.text == "2.2 Europe Region")
    assert heading.loc == 3  # provenance: the line the block starts on


def test_cells_breaks_escaped_pipes_links_and_code() -> None:
    blocks = markdown_to_blocks(
        "| a \\| b | [ITU](https://itu.int)<br>`C1` |\n|---|---|\n\nSee ![chart](x.png) __now__\n"
    )
    assert blocks[0].cells == ["a | b", "ITU\nC1"]
    assert blocks[1].text == "See now"


def test_setext_headings_rules_and_fences() -> None:
    text = "Europe Region\n-------------\n\n***\n\n```\n# not a heading\n```\nText\n"
    blocks = markdown_to_blocks(text)
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("heading", 2, "Europe Region"),
        ("para", 0, "# not a heading"),
        ("para", 0, "Text"),
    ]


def test_a_markdown_report_is_read_as_the_others() -> None:
    assert sniff(b"# title", "report.md") == "markdown" and sniff(b"# title", "report.txt") == "text"
    outline = parse_bytes(SMALL_REPORT.encode(), "small.md")
    assert outline.source.format == "markdown"
    (item,) = outline.initiatives
    assert (item.code, item.title, item.objective) == (
        "EUR1",
        "Digital infrastructure *development*",
        "To connect everyone, everywhere.",
    )
    assert [r.text for r in item.expected_results] == [
        "Broadband mapping in every country.",
        "Rebuilding networks after disasters:",
    ]
    assert [(s.label, s.text) for s in item.expected_results[1].sub_items] == [
        ("a", "early warning;"),
        ("b", "recovery."),
    ]
    assert [(n.marker, n.text) for n in item.expected_results[0].footnotes] == [
        ("1", "The mapping (of ITU) is public.")
    ]
    assert sorted((a.framework, a.code) for a in item.alignments) == [
        ("SDG", "11"),
        ("SDG", "9"),
        ("WSIS", "C2"),
        ("WSIS", "C6"),
    ]
    (meeting,) = outline.meetings
    assert [(o.role, o.honorific, o.name, o.country) for o in meeting.officers] == [
        ("chair", "Dr", "Ada Lovelace", "United Kingdom"),
        ("vice-chair", "Mr", "Alan Turing", "United Kingdom"),
        ("vice-chair", "Ms", "Grace Hopper", "United States"),
    ]
    assert [d.number for d in meeting.documents_reviewed] == [2]


def test_ingest_of_a_markdown_file(empty_hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "small.md"
    path.write_text(SMALL_REPORT, encoding="utf-8")
    outcome = empty_hub.ingest([path])[0]
    assert (outcome.initiatives, outcome.expected_results) == (1, 2)
    assert empty_hub.source_documents()[0].format == "markdown"


def test_hard_wrapped_markdown_reads_as_the_unwrapped(demo_hub: Hub) -> None:
    """pandoc wraps paragraphs and list items at 72 columns: the lines are joined back."""
    unwrapped = demo_hub.report("consolidated", format="md").decode()
    wrapped = []
    for line in unwrapped.split("\n"):
        item = re.match(r"^(\s*(?:\d+\.|-)\s)", line)
        if line.startswith(("|", "#")) or len(line) <= 72:
            wrapped.append(line)
        else:
            indent = " " * len(item.group(1)) if item else ""
            wrapped.append(textwrap.fill(line, 72, subsequent_indent=indent, break_on_hyphens=False))
    text = "\n".join(wrapped)
    assert max(len(line) for line in text.split("\n") if not line.startswith(("|", "#"))) <= 72
    plain, folded = parse_bytes(unwrapped.encode(), "a.md"), parse_bytes(text.encode(), "b.md")
    assert [(i.code, i.title, i.objective) for i in folded.initiatives] == [
        (i.code, i.title, i.objective) for i in plain.initiatives
    ]
    assert [r.text for i in folded.initiatives for r in i.expected_results] == [
        r.text for i in plain.initiatives for r in i.expected_results
    ]
