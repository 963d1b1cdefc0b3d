"""Markdown → blocks: the same block model the text, Word and PDF readers hand to ``rihub.ingest.itu``.

``#`` headings become heading blocks with their level; list items become paragraphs with their
marker in the text ("· text" for bullets, "3. text" for numbered items), as the Word reader
writes them; an indented paragraph inside a list item ("    a) text") is a paragraph of its own;
a paragraph is one line, as converters of this report family write it, unless the text is
hard-wrapped (pandoc's default: then its lines are joined, detected as the text reader does);
pipe-table rows become row blocks (``<br>`` is a line break inside a cell); ``[^1]`` footnote
references and ``[^1]: body`` definitions become the ``[footnoteRef:1]`` / ``[1: body]`` markers
of Word's text export. Inline markup (emphasis, code, links, images, backslash escapes) is
reduced to its text. A block keeps the line it starts on, so provenance points at the source.
"""

from __future__ import annotations

import re

from rihub.ingest import limits
from rihub.ingest.text import clean, looks_wrapped
from rihub.model import Block

BULLET_MARK = "·"
HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
RULE = re.compile(r"^ {0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BULLET_ITEM = re.compile(r"^\s*[-*+]\s+(?P<text>.*)$")
NUMBER_ITEM = re.compile(r"^\s*(?P<num>\d{1,9})(?P<delim>[.)])\s+(?P<text>.*)$")
FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^(?P<label>[^\]\s]+)\]:\s*(?P<text>.*)$")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
TABLE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
ESCAPABLE = r"\\`*_{}\[\]()#+\-.!|<>~"
ESCAPE = re.compile(rf"\\([{ESCAPABLE}])")
PRIVATE = 0xE000  # escaped characters are parked in the private-use area while markup is removed
FOOTNOTE_REF = re.compile(r"\[\^(?P<label>[^\]\s]+)\]")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")
CODE = re.compile(r"`+([^`]*)`+")
STRONG = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


class Reader:
    """Paragraphs gathered line by line; a blank line or a block marker ends the current one."""

    def __init__(self, wrapped: bool) -> None:
        self.wrapped = wrapped  # lines continue the paragraph above them (else a line is a paragraph)
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.start = 0
        self.end = 0
        self.note: int | None = None  # the footnote whose definition is being read
        self.footnotes: dict[str, int] = {}  # label → the number shown, in order of first reference

    def flush(self) -> None:
        if self.lines:
            text = self.inline(" ".join(self.lines))
            if self.note is not None:  # a body holds no brackets: "[1: …]" ends at the first "]"
                text = f"[{self.note}: {text.replace('[', '(').replace(']', ')')}]"
            if text:
                self.blocks.append(Block("para", text, self.start, end_loc=self.end))
        self.lines, self.note = [], None

    def open(self, text: str, number: int, note: int | None = None) -> None:
        self.flush()
        self.lines, self.start, self.end, self.note = [text], number, number, note

    def number_of(self, label: str) -> int:
        return self.footnotes.setdefault(label, len(self.footnotes) + 1)

    def inline(self, text: str, cell: bool = False) -> str:
        """Markup → text; escaped characters survive every step as private-use stand-ins."""
        text = ESCAPE.sub(lambda m: chr(PRIVATE + ord(m.group(1))), COMMENT.sub("", text))
        text = FOOTNOTE_REF.sub(lambda m: f"[footnoteRef:{self.number_of(m.group('label'))}]", text)
        text = LINK.sub(lambda m: m.group("text"), IMAGE.sub("", text))
        text = CODE.sub(lambda m: m.group(1), text)
        text = EMPHASIS.sub(lambda m: m.group(1) or m.group(2), STRONG.sub("", text))
        text = BREAK.sub("\n" if cell else " ", text)
        text = re.sub("[\ue000-\ue0ff]", lambda m: chr(ord(m.group(0)) - PRIVATE), text)
        return "\n".join(clean(line) for line in text.split("\n")) if cell else clean(text)

    def row(self, line: str, number: int) -> None:
        self.flush()
        if TABLE_RULE.match(line):
            return
        cells = [self.inline(c, cell=True) for c in CELL_SEPARATOR.split(line.strip()[1:-1])]
        self.blocks.append(Block("row", " | ".join(cells), number, cells=cells, end_loc=number))

    def line(self, raw: str, number: int) -> None:
        line = raw.rstrip()
        if not line.strip():
            self.flush()
            return
        heading, setext = HEADING.match(line), SETEXT.match(line)
        if setext and self.lines and not BULLET_ITEM.match(self.lines[0]):
            text = self.inline(" ".join(self.lines))
            self.lines = []
            level = 1 if setext.group(1).startswith("=") else 2
            self.blocks.append(Block("heading", text, self.start, level=level, end_loc=number))
        elif RULE.match(line):
            self.flush()
        elif heading:
            self.flush()
            text = self.inline(heading.group(2) or "")
            if text:
                self.blocks.append(Block("heading", text, number, level=len(heading.group(1)), end_loc=number))
        elif TABLE_ROW.match(line):
            self.row(line, number)
        elif footnote := FOOTNOTE_DEF.match(line):
            self.open(footnote.group("text"), number, note=self.number_of(footnote.group("label")))
        elif bullet := BULLET_ITEM.match(line):
            self.open(f"{BULLET_MARK} {bullet.group('text')}", number)
        elif numbered := NUMBER_ITEM.match(line):
            self.open(f"{numbered.group('num')}{numbered.group('delim')} {numbered.group('text')}", number)
        elif self.lines and self.wrapped:
            self.lines.append(line.strip())
            self.end = number
        else:
            self.open(line.strip(), number)


def markdown_to_blocks(text: str) -> list[Block]:
    """Split Markdown into blocks; fenced code is kept line by line as paragraphs."""
    limits.check_paragraphs(text.count("\n") + 1, "lines")
    lines = text.split("\n")
    prose = [line for line in lines if not (TABLE_ROW.match(line) or HEADING.match(line))]  # never wrapped
    reader = Reader(looks_wrapped(prose))
    fence: str | None = None
    for number, raw in enumerate(lines, start=1):
        limits.tick(len(reader.blocks))
        opened = FENCE.match(raw)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            elif raw.strip():
                reader.blocks.append(Block("para", clean(raw), number, end_loc=number))
            continue
        if opened:
            reader.flush()
            fence = opened.group(1)
            continue
        reader.line(raw, number)
    reader.flush()
    return reader.blocks
