"""Cells that stood for hyperlinks: what a table cell names, where it points, and whether it is data.

A Word table's "Report" and "Video" cells are hyperlinks; the text version of the same document
keeps only their words. Read naively, a page then shows "Report: Report" as if it were a value.
"""

from __future__ import annotations

import re

from rihub.ingest.text import clean
from rihub.model import Block
from rihub.safe import web_url


def _words(text: str) -> set[str]:
    """Lower-case words, a plural's ``s`` dropped ("Videos" and "Video" are one word)."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in re.findall(r"[^\W\d_]+", text.lower())}


def link_cell(heading: str, row: Block, col: int) -> tuple[str | None, str | None, bool | None]:
    """Column ``col`` of a table row (a report or video cell) under ``heading`` → (label, URL, placeholder).

    In the original the cell is a hyperlink; a text export keeps only its words. Words that merely
    repeat the column's heading ("Report" under "RPM Report", "Video" under "Videos on …") name
    the link and are no value: ``placeholder`` says so, and a page shows the link (when the source
    carries its target) or nothing. A cell whose text is itself a web address is its own target.
    """
    label = clean(row.cells[col].replace("\n", " ")) or None
    url = web_url(row.links[col] if col < len(row.links) else None) or web_url(label)
    if label is None:
        return None, url, None
    words = _words(label)
    return label, url, bool(words) and words <= _words(heading)
