"""Plain text → blocks.

Two shapes of text reach us: the Word "save as text" export (one paragraph per line,
table cells as tab-indented lines, a blank line after each table row) and text as a
PDF extractor gives it (hard-wrapped lines, running page headers and footers). The
second is detected and rejoined here so the structure parser sees paragraphs either way.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import defaultdict

from rihub.errors import InputError
from rihub.ingest import limits
from rihub.ingest.layouts import contents_title, is_label
from rihub.ingest.regions import CODE_ALTERNATION
from rihub.model import Block

ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
ZERO_WIDTH = re.compile(r"[\u200b-\u200d\ufeff]")
SPACES = re.compile(r"[ \t]+")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
PIPE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")

# What may open a paragraph in wrapped text: list markers, bullets, codes, headings, labels.
PARAGRAPH_START = re.compile(
    r"""^(
        \(?\d{1,2}[.):]\s                           # 1.  1)  (1)  1:
      | \d{1,2}\s+[-–]\s                            # 1 -
      | \(?[a-z]\)\s                               # a)  (a)
      | [·•▪◦\-–—]\s                               # bullets
      | ({codes})\s*[-–]?\s*(RI\s*)?\d{1,2}\b   # EUR1  AMS 1  ARB RI 1
      | RI\s*[-–]?\s*(({codes})\s*)?\d{1,2}\b   # RI 1  RI-CIS1
      | (Draft\s+)?Regional\s+Initiative\s+(No\.?\s*)?\S*\d  # Regional Initiative EUR1
      | \d+(\.\d+)+\.?\s+[A-Z]                     # 2.3 Heading
      | Expected\s+(results?|outputs?|outcomes?|deliverables?)\b
      | Objectives?(\s+of\s+(the|this)\s+(regional\s+)?initiative)?\s*:
      | Title\s*:
      | (WSIS|Global\s+Digital\s+Compact|GDC|SDGs?|Sustainable\s+Development\s+Goals?)[\w\s]{0,20}:\s
      | (Vice[-\s]?)?Chair(s|man|men|person|persons|woman|women)?\s*:
      | Implementation\s+of\s+this\s+Regional\s+Initiative
    )""".replace("{codes}", CODE_ALTERNATION),
    re.IGNORECASE | re.VERBOSE,
)
DASH_ITEM = re.compile(r"^[-–—]\s")
# An initiative code alone on its line ("ASP1", "AFR RI 2", "RI 3"): counts up like a page counter,
# but is structure.
BARE_CODE = re.compile(
    rf"^\s*(?:(?:{CODE_ALTERNATION})\s*[-–]?\s*(?:RI\s*[-–]?\s*)?|RI\s*[-–]?\s*)\d{{1,2}}\s*[:.]?\s*$"
)
PAGE_NUMBER = re.compile(r"^\s*(page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(\s*(of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
PAGE_IN_HEADER = re.compile(r"\bpage\s+\d{1,4}\b", re.IGNORECASE)
FUNCTION_WORDS = frozenset(["and", "or", "to", "of", "the", "in", "for", "with", "on", "by", "as", "at", "nor"])


def clean(text: str) -> str:
    """Normalise odd spaces and collapse runs of white space; the text is otherwise kept."""
    text = ZERO_WIDTH.sub("", ODD_SPACES.sub(" ", text))
    return SPACES.sub(" ", text).strip()


def decode(data: bytes, name: str) -> str:
    """Bytes → str, refusing what is clearly not text."""
    if not data.strip():
        raise InputError(f"{name}: the file is empty; give an RPM outcome report (.txt, .docx or .pdf)")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: this is a binary file, not text; give a .txt, .docx or .pdf report")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 only fails on a handful of bytes
        text = data.decode("latin-1")
    controls = len(text) - len(CONTROL.sub("", text))  # counted without a list of every match
    if controls > max(8, len(text) // 200):
        raise InputError(f"{name}: the file holds binary data, not text; give a .txt, .docx or .pdf report")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_to_blocks(text: str) -> list[Block]:
    """Split text into paragraph and table-row blocks, rejoining hard-wrapped lines if needed."""
    limits.check_paragraphs(text.count("\n") + 1, "lines")  # counted before the lines are made
    lines = text.split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    limits.check_paragraph(len(lines[longest]), f"line {longest + 1}")  # before any regex reads it
    if looks_wrapped(lines):
        marks = drop_page_furniture(lines)
        return _with_furniture(_wrapped_blocks(marks), lines, marks)
    return _line_blocks(restore_cells(lines))


def _with_furniture(blocks: list[Block], lines: list[str], marks: list[str | None]) -> list[Block]:
    """The running headers, footers and page numbers dropped, back as blocks marked "furniture":
    kept out of the structure, but counted and shown with the source."""
    furniture = [
        Block("para", clean(line), number, end_loc=number, role="furniture")
        for number, (line, mark) in enumerate(zip(lines, marks, strict=True), start=1)
        if mark is None and line.strip()
    ]
    return sorted([*blocks, *furniture], key=lambda b: b.loc) if furniture else blocks


# A line that is not a table cell: a list item, a bullet, a label or an initiative code opens text.
NOT_A_CELL = re.compile(
    rf"""^\s*(?:\(?\d{{1,2}}[.)]\s|\(?[a-z]\)\s|[·•▪◦*\-–—]\s
      |(?:{CODE_ALTERNATION})\s*[-–]?\s*\d{{1,2}}\b|RI\s*[-–]?\s*\d{{1,2}}\b
      |Expected\s+results?\b|Objectives?\s*:)""",
    re.IGNORECASE | re.VERBOSE,
)
CELL_WIDTH = 300  # characters: a flattened row's cells are this short (the report's longest is 120)


def _cell_like(line: str) -> bool:
    return bool(line.strip()) and len(line.strip()) <= CELL_WIDTH and not NOT_A_CELL.match(line)


def _groups(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of non-blank lines; the text's blank lines separate them."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for index, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = index
        elif not line.strip() and start is not None:
            out.append((start, index))
            start = None
    return out


def restore_cells(lines: list[str]) -> list[str]:
    """Tables whose tabs were lost (expanded to spaces, or stripped), given their tab back.

    Word's text export writes one paragraph per line and a blank line after each table row only;
    an editor or mail client may turn the cells' tab into spaces or drop it. Where at least two
    blank-line-separated groups in a row are each two or more short cell-like lines, they are
    rows: each line is a cell, except that in a row whose cells keep some indentation an
    unindented line continues the cell before it (as under a tab). The first row (often the
    header) has no blank line before it: it is the indented tail of the paragraph lines above,
    or, with no indentation at all, as many of their last lines as the next row has cells.
    Text whose paragraphs are separated by blank lines has one-line groups and is left alone.
    """
    groups = _groups(lines)
    rows = [
        end - start >= 2
        and not any(lines[i].startswith("\t") for i in range(start, end))
        and all(_cell_like(lines[i]) for i in range(start, end))
        for start, end in groups
    ]
    out = list(lines)
    index = 0
    while index < len(groups):
        run = index
        while run < len(groups) and rows[run]:
            run += 1
        if run - index >= 2:
            _retab(out, groups[index:run])
            _retab_first_row(out, groups[index - 1] if index else None, groups[index])
        index = max(run, index + 1)
    return out


def _retab(out: list[str], groups: list[tuple[int, int]]) -> None:
    for start, end in groups:
        indented = any(out[i][:1] == " " for i in range(start, end))
        for i in range(start, end):
            if i == start or not indented or out[i][:1] == " ":
                out[i] = "\t" + out[i].strip()


def _retab_first_row(out: list[str], before: tuple[int, int] | None, first: tuple[int, int]) -> None:
    if before is None:
        return
    start, end = before
    tail = end
    while tail > start and out[tail - 1][:1] == " " and _cell_like(out[tail - 1]):
        tail -= 1
    if tail == end:  # no indentation to go by: at most as many last lines as the next row has cells
        tail = max(start + 1, end - (first[1] - first[0]))
        while tail < end and not (_cell_like(out[tail]) and not out[tail].rstrip().endswith(":")):
            tail += 1
        if end - tail < 2 or not all(_cell_like(out[i]) for i in range(tail, end)):
            return
    for i in range(tail, end):
        out[i] = "\t" + out[i].strip()


def _line_blocks(lines: list[str]) -> list[Block]:
    """One paragraph per line; tab-indented lines are table cells (a cell may span lines)."""
    blocks: list[Block] = []
    rows: list[Row] = []
    row: Row | None = None
    for number, raw in enumerate(lines, start=1):
        limits.tick(len(blocks))
        line = raw.replace("\f", "")
        if not line.strip() and not (row is not None and line.startswith("\t")):
            row = None  # a blank line ends the row; a lone tab inside a row is an empty cell
            continue
        if line.startswith("\t") or row is not None:
            row = _table_line(blocks, rows, row, number, line)
            continue
        if PIPE_ROW.match(line):
            if not PIPE_RULE.match(line):  # Markdown table: one row per line, "|---|" rules skipped
                cells = [clean(c) for c in line.strip().strip("|").split("|")]
                blocks.append(Block("row", " | ".join(cells), number, cells=cells, end_loc=number))
            continue
        blocks.append(paragraph(line, number))
    _finish_rows(rows)
    return blocks


def paragraph(line: str, number: int) -> Block:
    """A paragraph block; Markdown headings ("## 2.2 Europe Region") and bold markers are read too."""
    text = clean(line).replace("**", "").replace("__", "")
    heading = MD_HEADING.match(text)
    if heading:
        return Block("heading", heading.group(2), number, level=len(heading.group(1)), end_loc=number)
    return Block("para", text, number, end_loc=number)


class Row:
    """A table row being read line by line.

    Each cell keeps its lines in a list and the row's cells and text are joined once, when the
    text is read (:func:`_finish_rows`): re-joining the whole row on every line would grow with
    the square of its length.
    """

    def __init__(self, blocks: list[Block], rows: list[Row], number: int) -> None:
        self.block = Block("row", "", number, cells=[], end_loc=number)
        self.lines: list[list[str]] = []
        self.size = 0
        blocks.append(self.block)
        rows.append(self)

    def add(self, number: int, line: str) -> None:
        text = clean(line)
        if line.startswith("\t") or not self.lines:
            self.lines.append([text])
        else:
            self.lines[-1].append(text)  # an untabbed line continues the last cell
        self.size += len(text) + 3
        limits.check_paragraph(self.size, f"table row at line {self.block.loc}")
        self.block.end_loc = number


def _finish_rows(rows: list[Row]) -> None:
    for row in rows:
        row.block.cells = ["\n".join(lines) for lines in row.lines]
        row.block.text = " | ".join(row.block.cells)


def _table_line(blocks: list[Block], rows: list[Row], row: Row | None, number: int, line: str) -> Row:
    """Add a line of a table row: a tab opens a new cell, an untabbed line continues the last one."""
    if row is None:
        row = Row(blocks, rows, number)
    row.add(number, line)
    return row


def looks_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped text has no long lines and many lines that end near one width."""
    lengths = _running_lengths(lines)
    if len(lengths) < 20:
        return False
    width = max(lengths)
    if width > 130:
        return False
    full = sum(1 for n in lengths if n >= 0.7 * width)
    return full >= 0.3 * len(lengths)


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", clean(line).lower())


def _number(digits: str) -> int:
    """A page counter's value; a run of digits too long to be one compares as the largest."""
    return int(digits) if len(digits) <= 18 else 10**18


def drop_page_furniture(lines: list[str]) -> list[str | None]:
    """Mark running headers/footers and page numbers as ``None``, keeping line numbers stable.

    A line is furniture when it is a bare page number, the first line of a page (after a form
    feed) naming its page number, or when its digit-blind form recurs
    at least three times and either its numbers change (page counters) or it recurs at a
    steady interval (a header without a counter). Structural labels such as "Expected
    results:" recur too, but irregularly and without counters, so they survive.
    """
    positions: dict[str, list[int]] = defaultdict(list)
    counters: dict[str, list[tuple[int, ...]]] = defaultdict(list)
    for index, line in enumerate(lines):
        if line.strip() and not line.startswith("\t") and not BARE_CODE.match(line) and not is_label(line):
            key = _furniture_key(line)
            positions[key].append(index)
            counters[key].append(tuple(_number(n) for n in re.findall(r"\d+", line)))
    furniture: set[str] = set()
    for key, where in positions.items():
        if len(where) < 3 or len(key) > 120:
            continue
        numbers = counters[key]
        if "#" in key and len(set(numbers)) >= 2 and numbers == sorted(numbers):
            # A page counter: the numbers change and only go up ("Document 4 on …" recurring
            # in every region section keeps its number and is text).
            furniture.add(key)
            continue
        gaps = [b - a for a, b in itertools.pairwise(where)]
        if len(gaps) >= 2 and statistics.pstdev(gaps) <= 2 and min(gaps) >= 10:
            furniture.add(key)
    out: list[str | None] = []
    for line in lines:
        stripped = line.replace("\f", "")
        # The first line of a page that names its page number is its running header, even in a
        # document too short for the header to recur.
        header = line.startswith("\f") and len(stripped) <= 120 and PAGE_IN_HEADER.search(stripped)
        if stripped.strip() and (header or PAGE_NUMBER.match(stripped) or _furniture_key(stripped) in furniture):
            out.append(None)
        else:
            out.append(stripped)
    # Blank lines that only pad the furniture must not split the paragraph it interrupts.
    # Decide on the unmodified marks: dropping one padding line must not cascade into a
    # run of real blank lines (they end table rows and paragraphs).
    marks = list(out)
    for index, mark in enumerate(marks):
        if mark is not None and not mark.strip():
            before = marks[index - 1] if index else ""
            after = marks[index + 1] if index + 1 < len(marks) else ""
            if before is None or after is None:
                out[index] = None
    return out


HYPHEN_END = re.compile(r"[A-Za-z]-\Z")
DASH_END = re.compile(r"\w[—–]\Z")
FIRST_WORD = re.compile(r"[A-Za-z0-9]+")
TAIL = 8  # characters of a paragraph's end that decide how the next line joins it


def wrap_separator(previous: str, line: str) -> str:
    """What goes between a wrapped line and the next: after a hyphen the word closes up, after an
    unspaced dash the text stays unspaced, everything else gets a space.

    The hyphen is kept ("multi-" + "stakeholder", "Asia-" + "Pacific", "WTDC-" + "25"):
    word processors rarely hyphenate reports automatically, so a hyphen at a line end is
    almost always part of the word. "small- and medium-sized" keeps its space. A dash written
    without spaces stays without them. Only the last characters of ``previous`` are read, so
    a paragraph is never rescanned as it grows.
    """
    tail = previous[-TAIL:]
    if HYPHEN_END.search(tail):
        first = FIRST_WORD.match(line, 0, 64)
        if first and first.group(0).lower() not in FUNCTION_WORDS:
            return ""
    if DASH_END.search(tail) and re.match(r"\w", line):
        return ""  # an unspaced dash ("infrastructure—such", "2025–2028") stays unspaced
    return " "


def join_wrapped(previous: str, line: str) -> str:
    """Rejoin a wrapped line to ``previous`` (see :func:`wrap_separator`)."""
    return previous + wrap_separator(previous, line) + line


class Joiner:
    """A paragraph rejoined from wrapped lines in linear time: the pieces are kept and joined once.

    ``edges`` stands in for the paragraph wherever only its start and end are read
    (:func:`opens_paragraph`), so nothing rescans the growing text.
    """

    def __init__(self, first: str) -> None:
        self.parts = [first]
        self.head = first[:TAIL]
        self.tail = first[-TAIL:]
        self.size = len(first)

    def add(self, line: str) -> None:
        separator = wrap_separator(self.tail, line)
        self.parts += [separator, line]
        self.size += len(separator) + len(line)
        self.tail = (self.tail + separator + line)[-TAIL:]
        if len(self.head) < TAIL:
            self.head = (self.head + separator + line)[:TAIL]
        limits.check_paragraph(self.size)

    @property
    def edges(self) -> str:
        """The paragraph's first and last characters (the whole paragraph when it is short)."""
        return self.head + self.tail if self.size > 2 * TAIL else self.text()

    def text(self) -> str:
        if len(self.parts) > 1:
            self.parts = ["".join(self.parts)]
        return self.parts[0]


def _running_lengths(lines: list[str] | list[str | None]) -> list[int]:
    """Lengths of the running-text lines: tab-indented table cells and their continuation lines
    (a table cell is never wrapped by the extractor) would skew the wrap width."""
    lengths: list[int] = []
    in_row = False
    for line in lines:
        if line is None:
            continue
        if line.startswith("\t"):
            in_row = True
        elif not line.strip():
            in_row = False
        elif not in_row:
            lengths.append(len(line.rstrip()))
    return lengths


def _wrap_width(lines: list[str | None]) -> int:
    """The wrap width of the running text."""
    return max(_running_lengths(lines), default=80)


def opens_paragraph(line: str, paragraph: str) -> bool:
    """Whether a marker opens ``line`` as a new paragraph after a full line of ``paragraph``.

    A dash is also ordinary punctuation ("'Accessible Europe – ICT for All'" may wrap before
    the dash), so a dash line opens a paragraph only after a sentence end or another dash item.
    """
    if not PARAGRAPH_START.match(line):
        return False
    if DASH_ITEM.match(line):
        return bool(DASH_ITEM.match(paragraph) or paragraph.rstrip("\n")[-1:] in (".", ";", ":", "!", "?"))
    return True


def _wrapped_blocks(lines: list[str | None]) -> list[Block]:
    width = _wrap_width(lines)
    short = 0.6 * width
    blocks: list[Block] = []
    rows: list[Row] = []
    joined: list[tuple[Block, Joiner]] = []
    current: Joiner | None = None
    last_len = 0.0
    row: Row | None = None
    for number, raw in enumerate(lines, start=1):
        limits.tick(len(blocks))
        if raw is None:
            continue
        if not raw.strip() and not (row is not None and raw.startswith("\t")):
            current, row = None, None
            continue
        if raw.startswith("\t") or row is not None:
            current = None
            row = _table_line(blocks, rows, row, number, raw)
            continue
        text = clean(raw)
        # A short line ends its paragraph only if the next word would have fitted on it;
        # otherwise the wrapper moved a long word ("telecommunications/information…") down.
        ended = last_len < short and last_len + 1 + len(text.split(" ", 1)[0]) <= width
        starts_new = current is None or ended or opens_paragraph(text, current.edges)
        if starts_new:
            block = paragraph(text, number)
            blocks.append(block)
            current = Joiner(block.text)
            joined.append((block, current))
        else:
            assert current is not None
            current.add(text)
            joined[-1][0].end_loc = number
        if contents_title(text):
            current = None  # a contents line ("Title ..... 4") ends where its page number is
        last_len = len(raw.rstrip())
    for block, joiner in joined:
        block.text = joiner.text()
    _finish_rows(rows)
    return blocks
