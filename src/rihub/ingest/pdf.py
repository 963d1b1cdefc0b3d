"""PDF → blocks.

A PDF has no paragraphs, only positioned glyphs. This module rebuilds lines from words,
reads ruled tables as rows, drops running headers, footers and page numbers, and rejoins
lines into paragraphs from the geometry (vertical gaps, lines that end short) plus the
same paragraph-opening markers the plain-text rejoiner uses. Headings are told by font
size, footnote references by raised small digits, footnote bodies by the small type at
the foot of the page; both become the ``[footnoteRef:N]`` / ``[N: body]`` markers.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rihub.errors import InputError
from rihub.ingest import limits
from rihub.ingest.text import PAGE_NUMBER, Joiner, clean, join_wrapped, opens_paragraph
from rihub.model import Block

# A cell line that opens a new paragraph inside a table cell (GDC objectives, list items).
CELL_PARAGRAPH = re.compile(
    r"^(Objective\s+\d|SDG\s*\d|C\d{1,2}\b|\(?\d{1,2}[.):]\s|\(?[a-z]\)\s|\(?[ivx]{1,4}\)\s|[·•▪◦\-–—]\s)"
)
FOOTNOTE_NUMBER = re.compile(r"^(?:\[footnoteRef:(?P<ref>\d{1,3})\]|(?P<num>\d{1,3}))[.)]?\s*(?P<text>.*)$")
# A list label drawn with a narrow tab stop touches its text ("16.Support"); part them again.
LABEL_GLUED = re.compile(r"^(\d{1,2}[.)]|\(?[a-z]\)|[·•▪◦])(?=[A-Za-z(])")


@dataclass
class Line:
    """One visual line of running text, or one table row (``cells`` set)."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    first_word: float = 0.0  # width of the first word: would it have fitted on the line above?
    cells: list[str] | None = None
    words: list[dict[str, Any]] = field(default_factory=list, repr=False)


def pdf_to_blocks(data: bytes, name: str) -> list[Block]:
    """Read a PDF with a text layer into paragraph, heading and table-row blocks.

    The page count is checked from the page tree's ``/Count`` before any page is read, and the
    pages are then taken one at a time, so a PDF whose ``/Count`` lies is stopped at the limit too.
    """
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for one cause: a file it cannot read
        raise InputError(_open_error(name, exc)) from exc
    opened: list[Any] = []
    try:
        limits.check_pages(_declared_pages(pdf.doc))
        pages, heights, lines = [], [], 0
        for page in _pages(pdf, opened):
            limits.tick(lines)
            pages.append(_page_lines(page, page.page_number))
            heights.append(float(page.height))
            lines += len(pages[-1])
    except InputError:
        raise
    except Exception as exc:
        raise InputError(_open_error(name, exc)) from exc
    finally:
        for page in opened:
            page.close()
        pdf.flush_cache()
    if not any(line.text.strip() or line.cells for page in pages for line in page):
        raise InputError(f"{name}: this PDF has no text layer (scanned?); run OCR first or give the .docx")
    pages = _drop_furniture(pages, heights)
    return _paragraphs(pages)


def _declared_pages(doc: Any) -> int:
    """The page count the page tree declares (``/Root /Pages /Count``), read without parsing a page."""
    from pdfminer.pdftypes import resolve1

    tree = resolve1(doc.catalog.get("Pages"))
    count = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
    return count if isinstance(count, int) and count > 0 else 0


def _pages(pdf: Any, opened: list[Any]) -> Iterator[Any]:
    """The pages one by one (pdfplumber's ``pdf.pages`` builds them all first), never past the limit."""
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    limit = limits.current().settings.max_pdf_pages
    doctop = 0.0
    for number, raw in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        if number > limit:
            limits.check_pages(number)
        page = Page(pdf, raw, page_number=number, initial_doctop=doctop)
        opened.append(page)
        doctop += float(page.height)
        yield page


def _open_error(name: str, exc: BaseException) -> str:
    chain: list[str] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 5:
        chain.append(f"{type(cause).__name__} {cause}")
        cause = cause.__cause__ or cause.__context__
    text = " ".join(chain).lower()
    if "password" in text or "encrypt" in text:
        return f"{name}: the PDF is encrypted (password-protected); remove the protection or give the .docx"
    return f"{name}: not a readable PDF file (damaged or truncated); re-export it from the source or give the .docx"


# --- lines and rows from one page --------------------------------------------------------------


def _inside(word: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (float(word["x0"]) + float(word["x1"])) / 2
    cy = (float(word["top"]) + float(word["bottom"])) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _page_lines(page: Any, number: int) -> list[Line]:
    tables = page.find_tables()
    boxes = [(float(t.bbox[0]), float(t.bbox[1]), float(t.bbox[2]), float(t.bbox[3])) for t in tables]
    words = [
        w
        for w in page.extract_words(x_tolerance=1.5, y_tolerance=3, extra_attrs=["size", "fontname"])
        if not _inside(w, boxes)
    ]
    lines = [_line(group, number) for group in _group_lines(words)]
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            texts = [_cell_text(c or "") for c in cells]
            if any(texts):
                x0, top, x1, bottom = (float(v) for v in row.bbox)
                lines.append(Line(number, top, bottom, x0, x1, " | ".join(texts), 0.0, cells=texts))
    lines.sort(key=lambda line: (line.top, line.x0))
    return lines


def _group_lines(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words → visual lines by vertical overlap, so raised footnote digits stay on their line."""
    groups: list[list[dict[str, Any]]] = []
    spans: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: (float(w["bottom"]), float(w["x0"]))):
        top, bottom = float(word["top"]), float(word["bottom"])
        height = max(bottom - top, 0.1)
        for index in range(len(groups) - 1, max(len(groups) - 4, -1), -1):
            g_top, g_bottom = spans[index]
            overlap = min(bottom, g_bottom) - max(top, g_top)
            if overlap > 0.4 * min(height, g_bottom - g_top):
                groups[index].append(word)
                spans[index] = (min(top, g_top), max(bottom, g_bottom))
                break
        else:
            groups.append([word])
            spans.append((top, bottom))
    return [sorted(group, key=lambda w: float(w["x0"])) for group in groups]


def _line(words: list[dict[str, Any]], page: int) -> Line:
    sizes: Counter[float] = Counter()
    for word in words:
        sizes[round(float(word["size"]), 1)] += len(word["text"])
    size = sizes.most_common(1)[0][0]
    bottom = max(float(w["bottom"]) for w in words if round(float(w["size"]), 1) == size)
    parts: list[str] = []
    previous: dict[str, Any] | None = None
    for word in words:
        text = str(word["text"])
        raised = float(word["size"]) < 0.8 * size and float(word["bottom"]) < bottom - 0.2 * size
        if raised and text.isdigit():
            text = f"[footnoteRef:{text}]"
        gap = float(word["x0"]) - float(previous["x1"]) if previous else 0.0
        if previous is not None and gap > 0.15 * size:
            parts.append(" ")
        parts.append(text)
        previous = word
    first = words[0]
    return Line(
        page=page,
        top=min(float(w["top"]) for w in words),
        bottom=max(float(w["bottom"]) for w in words),
        x0=float(first["x0"]),
        x1=float(words[-1]["x1"]),
        text=LABEL_GLUED.sub(r"\1 ", clean("".join(parts)), count=1),
        size=size,
        first_word=float(first["x1"]) - float(first["x0"]),
        words=words,
    )


def _cell_text(text: str) -> str:
    """Rejoin the wrapped lines of a table cell; a marker line opens a new paragraph in it."""
    pieces: list[Joiner] = []
    for raw in text.split("\n"):
        line = clean(raw)
        if not line:
            continue
        if not pieces or CELL_PARAGRAPH.match(line):
            pieces.append(Joiner(line))
        else:
            pieces[-1].add(line)
    return "\n".join(piece.text() for piece in pieces)


# --- page furniture ----------------------------------------------------------------------------


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _drop_furniture(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Drop running headers/footers and page numbers: text at a page edge recurring on many pages."""
    candidates: list[list[Line]] = []
    for lines, height in zip(pages, heights, strict=True):
        texts = [line for line in lines if line.cells is None]
        edge = [line for line in texts[:2] if line.top < 0.12 * height]
        edge += [line for line in texts[-2:] if line.bottom > 0.88 * height and line not in edge]
        candidates.append(edge)
    seen: defaultdict[str, set[int]] = defaultdict(set)
    for number, edge in enumerate(candidates):
        for line in edge:
            seen[_furniture_key(line.text)].add(number)
    needed = max(2, round(0.3 * len(pages)))
    out: list[list[Line]] = []
    for lines, edge in zip(pages, candidates, strict=True):
        drop = {
            id(line) for line in edge if PAGE_NUMBER.match(line.text) or len(seen[_furniture_key(line.text)]) >= needed
        }
        out.append([line for line in lines if id(line) not in drop])
    return out


# --- paragraphs --------------------------------------------------------------------------------


def _paragraphs(pages: list[list[Line]]) -> list[Block]:
    texts = [line for lines in pages for line in lines if line.cells is None]
    sizes: Counter[float] = Counter()
    for line in texts:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    heading_sizes = sorted({line.size for line in texts if line.size > 1.1 * body}, reverse=True)
    levels = {size: index + 1 for index, size in enumerate(heading_sizes[:6])}
    right = _percentile([line.x1 for line in texts if line.size == body], 0.95)
    gaps = [
        b.top - a.bottom
        for lines in pages
        for a, b in itertools.pairwise(lines)
        if a.cells is None and b.cells is None and a.size == b.size == body and b.top > a.bottom - 1
    ]
    base_gap = _percentile(gaps, 0.25) if gaps else 0.2 * body

    blocks: list[Block] = []
    notes: list[tuple[str, Joiner]] = []
    joined: list[tuple[Block, Joiner]] = []  # paragraphs are joined once, at the end
    current: Block | None = None
    previous: Line | None = None
    for lines in pages:
        limits.tick(len(blocks) + len(notes))
        footnote_from = _footnote_start(lines, body)
        for index, line in enumerate(lines):
            if line.cells is not None:
                last = blocks[-1] if blocks else None
                if index == 0 and last is not None and _continues_row(last, line.cells):
                    _merge_row(last, line.cells)  # the row broke across the page
                else:
                    blocks.append(Block("row", line.text, 0, cells=line.cells))
                current, previous = None, None
                continue
            if index >= footnote_from:
                _add_footnote_line(notes, line)
                continue
            level = levels.get(line.size, 0)
            if (
                current is not None
                and previous is not None
                and not _starts_paragraph(previous, line, current, joined[-1][1].edges, level, right, base_gap, body)
            ):
                joined[-1][1].add(line.text)
            else:
                current = Block("heading" if level else "para", line.text, 0, level=level)
                blocks.append(current)
                joined.append((current, Joiner(line.text)))
            previous = line
    for block, joiner in joined:
        block.text = joiner.text()
    blocks.extend(Block("para", f"[{number}: {joiner.text()}]", 0) for number, joiner in notes)
    for number, block in enumerate(blocks, start=1):
        block.loc = block.end_loc = number
    return blocks


def _continues_row(last: Block, cells: list[str]) -> bool:
    """A page's first row with an empty first cell continues the previous page's last row."""
    return last.kind == "row" and len(last.cells) == len(cells) and not cells[0].strip() and any(cells[1:])


def _merge_row(row: Block, cells: list[str]) -> None:
    for index, text in enumerate(cells):
        if not text:
            continue
        before = row.cells[index]
        first, _, rest = text.partition("\n")
        if not before:
            row.cells[index] = text
        elif CELL_PARAGRAPH.match(first):
            row.cells[index] = f"{before}\n{text}"
        else:  # the sentence cut by the page break goes on
            row.cells[index] = join_wrapped(before, first) + (f"\n{rest}" if rest else "")
    row.text = " | ".join(row.cells)


def _starts_paragraph(
    previous: Line, line: Line, current: Block, edges: str, level: int, right: float, base_gap: float, body: float
) -> bool:
    """Whether ``line`` opens a new paragraph after ``current`` (of which ``edges`` gives the start and end)."""
    if level != current.level or (current.kind == "heading") != bool(level):
        return True
    if previous.page == line.page and line.top - previous.bottom > base_gap + 0.35 * line.size:
        return True
    # A line that stops short ends its paragraph, unless the next word would not have fitted.
    room = right - previous.x1
    if room > 0.1 * (right - previous.x0) and room > line.first_word + 0.3 * body:
        return True
    return not level and opens_paragraph(line.text, edges)


def _footnote_start(lines: list[Line], body: float) -> int:
    """Index of the first footnote line: small type below the last body-size line, opening with a number."""
    last_body = max(
        (i for i, line in enumerate(lines) if line.cells is not None or line.size >= 0.95 * body), default=-1
    )
    for index in range(last_body + 1, len(lines)):
        if lines[index].size < 0.95 * body and FOOTNOTE_NUMBER.match(lines[index].text):
            match = FOOTNOTE_NUMBER.match(lines[index].text)
            if match and (match.group("ref") or match.group("num")) and match.group("text"):
                return index
    return len(lines)


def _add_footnote_line(notes: list[tuple[str, Joiner]], line: Line) -> None:
    match = FOOTNOTE_NUMBER.match(line.text)
    number = (match.group("ref") or match.group("num")) if match else None
    if match and number and match.group("text"):
        notes.append((number, Joiner(match.group("text"))))
    elif notes:
        notes[-1][1].add(line.text)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
