"""Lint: the defects the bundled report really has, each located, and nothing invented on clean variants."""

from __future__ import annotations

from pathlib import Path

from rihub.hub import Hub
from rihub.ingest import parse_bytes, parse_file
from rihub.ingest.lint import lint_outline
from variants import relabelled_text, wrapped_text


def codes_at(findings: list, report_text: str) -> dict[str, list[tuple[int | None, str]]]:
    out: dict[str, list[tuple[int | None, str]]] = {}
    for f in findings:
        out.setdefault(f.code, []).append((f.loc, f.message))
    return out


def line_of(report_text: str, needle: str, after: str | None = None) -> int:
    """The line number of the first line holding ``needle`` (below the line holding ``after``)."""
    lines = report_text.split("\n")
    start = line_of(report_text, after) if after else 0
    return next(n for n, line in enumerate(lines, start=1) if n > start and needle in line)


def test_defects_named_in_the_issue_are_found_with_their_line(report_path: Path, report_text: str) -> None:
    found = Hub.lint(report_path)
    by = codes_at(found, report_text)
    assert (
        line_of(report_text, "RPM-AMS reviewed several", after="Commonwealth of Independent"),
        "the CIS section names RPM-AMS",
    ) in by["wrong-region"]
    assert by["doubled-honorific"] == [(line_of(report_text, "Mr. Mr David"), 'doubled honorific "Mr. Mr"')]
    assert by["glued-footnote-digit"][0][0] == line_of(report_text, "vulnerable situations3")
    assert by["missing-space"][0][0] == line_of(report_text, "Zhamangulov,from")
    misspelt = {message for _, message in by["misspelling"]}
    assert any('"Terestrial"' in m for m in misspelt)
    wrong = next(f for f in found if f.code == "wrong-region")
    assert wrong.suggestion == "replace RPM-AMS with RPM-CIS"
    assert all(f.suggestion for f in found)


def test_numbering_gaps_and_missing_parts(report_text: str) -> None:
    broken = report_text.replace(
        "3. Development of capacity to review and revise", "4. Development of capacity to review and revise"
    )
    broken = broken.replace("Objective: To promote an enabling environment for a safe and secure connectivity.\n", "")
    cut = broken.index("CIS5: Development")
    broken = broken[:cut] + "CIS5: Development and Implementation of Artificial Intelligence Technologies\n"
    found = lint_outline(parse_bytes(broken.encode(), "broken.txt"))
    numbering = [f for f in found if f.code == "numbering"]
    assert len(numbering) == 1 and numbering[0].message.startswith(
        "ASP3: the numbering of expected results repeats [4]"
    )
    assert any(f.code == "no-objective" and f.message == "AMS4 has no objective" for f in found)
    assert any(f.code == "no-expected-results" and f.message == "CIS5 has no expected results" for f in found)


def _structural(findings: list) -> set[tuple[str, str]]:
    return {(f.code, f.message) for f in findings}


def test_clean_variants_report_nothing_beyond_the_source(report_text: str, outline, docx_path: Path) -> None:
    source = _structural(lint_outline(outline))
    for name, variant in {
        "wrapped": parse_bytes(wrapped_text(report_text).encode(), "wrapped.txt"),
        "relabelled": parse_bytes(relabelled_text(report_text).encode(), "relabelled.txt"),
        "docx": parse_file(docx_path),
    }.items():
        extra = _structural(lint_outline(variant)) - source
        assert not extra, f"{name}: {extra}"
