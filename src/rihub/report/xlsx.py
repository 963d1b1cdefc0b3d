"""The report's tables as an Excel workbook (openpyxl): one sheet per table, a frozen header row
and an autofilter on each, so a secretariat officer can sort and filter without preparing anything.

Sheets: Meetings, Officers, Initiatives, Expected results, Alignments, Coverage, Findings — one row
per record of the registry (per framework item and region for Coverage).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment as CellAlignment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from rihub.records import Meeting
from rihub.report import layout
from rihub.report.model import Report
from rihub.safe import csv_cell

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIX = "xlsx"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
WIDEST = 80  # characters: longer texts wrap in their cell

Cell = str | int | float | None


def sheet(book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    ws = book.create_sheet(title)
    ws.append(list(header))
    widths = [len(h) for h in header]
    for row in rows:
        # Text that Excel would run as a formula ("=…", "+…") is neutralised, as in the CSV exports.
        ws.append([csv_cell(v) if isinstance(v, str) else v for v in row])
        widths = [max(w, min(WIDEST, len(str(v or "")))) for w, v in zip(widths, row, strict=False)]
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width + 2
        if width >= WIDEST:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = CellAlignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])  # the default empty sheet
    cycle = report.cycle.code if report.cycle else None
    items = report.initiatives
    sheet(
        book,
        "Meetings",
        ["cycle", "region", "start_date", "end_date", "city", "country", "chair", "vice_chairs", "report", "video"],
        (meeting_cells(cycle, m) for m in report.meetings),
    )
    sheet(
        book,
        "Officers",
        ["cycle", "region", "position", "role", "honorific", "name", "country"],
        (
            [cycle, m.region, position, o.role, o.honorific, o.name, o.country]
            for m in report.meetings
            for position, o in enumerate(m.officers, start=1)
        ),
    )
    sheet(
        book,
        "Initiatives",
        ["cycle", "region", "code", "kind", "stage", "title", "objective", "objective_kind", "expected_results"],
        (
            [cycle, i.region, i.code, i.kind, i.stage, i.title, i.objective, i.objective_kind, len(i.expected_results)]
            for i in items
        ),
    )
    sheet(
        book,
        "Expected results",
        ["cycle", "initiative", "number", "text", "sub_items", "footnotes"],
        (
            [
                cycle,
                i.code,
                r.number,
                r.text,
                "\n".join(f"{s.label}) {s.text}" for s in r.sub_items),
                "\n".join(n.text for n in r.footnotes),
            ]
            for i in items
            for r in i.expected_results
        ),
    )
    sheet(
        book,
        "Alignments",
        ["cycle", "initiative", "result", "framework", "code", "label", "provenance", "status", "score"],
        (
            [cycle, i.code, number, a.framework, a.code, a.label, a.provenance, a.status, a.score]
            for i in items
            for number, links in [(None, i.alignments), *((r.number, r.alignments) for r in i.expected_results)]
            for a in links
        ),
    )
    sheet(book, "Coverage", ["by", "column", "title", "region", "agreed", "proposed_only"], coverage_rows(report))
    for part in report.synthesis:
        if part.chart is None:  # the tables of the synthesis without a chart: overlaps, gaps
            sheet(book, part.key.capitalize(), [c.lower().replace(" ", "_") for c in part.columns], part.rows)
    sheet(
        book,
        "Findings",
        ["source", "line", "severity", "check", "message", "excerpt", "suggestion"],
        ([f.filename, f.loc, f.severity, f.code, f.message, f.excerpt, f.suggestion] for f in report.findings),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def meeting_cells(cycle: str | None, m: Meeting) -> list[Cell]:
    dates = [str(d) if d else None for d in (m.start_date, m.end_date)]
    return [cycle, m.region, *dates, m.city, m.country, *layout.meeting_row(m)[3:]]


def coverage_rows(report: Report) -> Iterable[list[Cell]]:
    """One row per synthesis chart cell (themes, SDG, WSIS × region): initiatives agreed, proposed only."""
    for part in report.synthesis:
        chart = part.chart
        if chart is None:
            continue
        for c, column in enumerate(chart.columns):
            for r, region in enumerate(chart.rows):
                yield [
                    part.key.removeprefix("coverage-"),
                    column,
                    part.rows[c][1],
                    region,
                    chart.values[r][c],
                    chart.extra[r][c],
                ]
