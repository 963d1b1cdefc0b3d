"""The report as one self-contained HTML page (Jinja templates in ``rihub/report/templates``).

Charts are inline SVG and the style sheet is inline, so the file opens anywhere offline. The
same page, with its print style sheet (``@page``: A4, running header, page numbers), is what
:mod:`rihub.report.pdf` hands to WeasyPrint.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from rihub.report import charts, layout
from rihub.report.model import Heatmap, Report

MEDIA_TYPE = "text/html; charset=utf-8"
SUFFIX = "html"
TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals |= {
        "dates": layout.dates,
        "person": layout.person,
        "meeting_row": layout.meeting_row,
        "document_rows": layout.document_rows,
        "finding_row": layout.finding_row,
        "meeting_columns": layout.MEETING_COLUMNS,
        "finding_columns": layout.FINDING_COLUMNS,
        "contributes": layout.CONTRIBUTES,
        "introduction": layout.introduction,
    }
    env.filters["svg"] = _svg
    env.filters["png_uri"] = _png_uri
    return env


def _svg(chart: Heatmap) -> Markup:
    """matplotlib's own SVG output, trusted markup: every text in it is XML-escaped by matplotlib."""
    return Markup(charts.svg(chart))


def _png_uri(chart: Heatmap) -> str:
    """The chart as a PNG data URI: the print version's picture, which WeasyPrint lays out in a
    fraction of the time its many SVG text elements take (measured in bench/report.py)."""
    return "data:image/png;base64," + base64.b64encode(charts.png(chart)).decode("ascii")


def page(report: Report, *, for_print: bool = False) -> str:
    """The report as an HTML string; ``for_print`` adds the paged-media rules WeasyPrint reads."""
    notes: dict[str, list[tuple[int, str]]] = {}  # "AMS1.1" → its footnotes, numbered 1, 2, … in reading order
    count = 0
    for region in report.regions:
        for part in region.initiatives:
            for r in part.item.expected_results:
                for n in r.footnotes:
                    count += 1
                    notes.setdefault(f"{part.item.code}.{r.number}", []).append((count, n.text))
    template = environment().get_template("report.html")
    return template.render(report=report, notes=notes, for_print=for_print)


def write(report: Report) -> bytes:
    return page(report).encode("utf-8")
