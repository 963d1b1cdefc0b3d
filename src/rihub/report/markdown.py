"""The report as Markdown (CommonMark with pipe tables and footnotes), readable and re-ingestible.

Drawn from :func:`rihub.report.layout.elements`, like the Word report, so ``rihub ingest
report.md`` reads back the registry it was written from (``rihub.ingest.markdown``). Charts are
left out: their numbers are the table that follows each of them.
"""

from __future__ import annotations

import re

from rihub.report import layout
from rihub.report.model import Report

MEDIA_TYPE = "text/markdown; charset=utf-8"
SUFFIX = "md"
SPECIAL = re.compile(r"([\\`*_\[\]<|])")
LINE_START = re.compile(r"^([#>+\-~])")


def escape(text: str) -> str:
    """Text that stays text: markup characters escaped, and a list or heading marker at its start."""
    return LINE_START.sub(r"\\\1", SPECIAL.sub(r"\\\1", text))


def _lead(text: str) -> str:
    """A plain paragraph must not start like a numbered item ("2025. …"): its dot is escaped."""
    return re.sub(r"^(\d{1,9})([.)])(\s)", r"\1\\\2\3", text)


def cell(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def table(element: layout.Table) -> list[str]:
    lines = ["| " + " | ".join(cell(c) for c in element.header) + " |"]
    lines.append("|" + "|".join("---" for _ in element.header) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in element.rows]
    if element.caption:
        lines += ["", f"*{escape(element.caption)}*"]
    return lines


def write(report: Report) -> bytes:
    out: list[str] = []
    notes: list[tuple[int, str]] = []
    previous: object = None
    for element in layout.elements(report):
        tight = any(
            isinstance(element, kind) and isinstance(previous, kind) for kind in (layout.Bullet, layout.Numbered)
        )
        if out and not tight:
            out.append("")
        out.extend(render(element, notes))
        previous = element
    if notes:
        out.append("")
        out += [f"[^{number}]: {escape(text)}" for number, text in notes]
    return ("\n".join(line for line in _squeeze(out)) + "\n").encode("utf-8")


def render(element: layout.Element, notes: list[tuple[int, str]]) -> list[str]:
    """One element as Markdown lines."""
    if isinstance(element, layout.Heading):
        return [f"{'#' * element.level} {escape(element.text)}"]
    if isinstance(element, layout.Para):
        text = _lead(escape(element.text))
        if element.style == "title":
            return [f"# {escape(element.text)}"]
        if element.style in ("note", "caption", "subtitle"):
            return [f"*{text}*"] if text else []
        return [f"**{escape(element.label)}** {text}".rstrip() if element.label else text]
    if isinstance(element, layout.Bullet):
        return [f"{'  ' * element.level}- {escape(element.text)}"]
    if isinstance(element, layout.Numbered):
        notes.extend(element.notes)
        refs = "".join(f"[^{number}]" for number, _ in element.notes)
        return [f"{element.number}. {escape(element.text)}{refs}"]
    if isinstance(element, layout.Lettered):
        return [f"    {escape(element.label)}) {escape(element.text)}"]
    if isinstance(element, layout.Table):
        return table(element)
    return []  # charts, contents and page breaks have no Markdown form


def _squeeze(lines: list[str]) -> list[str]:
    """No runs of blank lines (an element without Markdown form leaves none behind)."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out
