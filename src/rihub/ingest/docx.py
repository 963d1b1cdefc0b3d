"""Word (.docx) → blocks.

Word keeps list numbers out of the paragraph text: "1.", "a)" and bullets are drawn
from the numbering part at render time. The structure parser needs them in the text
("1. text", "a) text", "· text"), so this module replays Word's list counters over the
body in reading order. Footnote references become ``[footnoteRef:N]`` and the footnote
bodies ``[N: body]`` blocks, the same markers Word's own plain-text export writes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from rihub.errors import InputError
from rihub.ingest import limits
from rihub.ingest.text import clean
from rihub.model import Block

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FIELD_HYPERLINK = re.compile(r'^\s*HYPERLINK\s+"([^"]+)"')
BULLET_MARK = "·"
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
# A table of contents Word builds: "TOC 1", "toc 2" paragraphs (its dot leaders are tab stops, not text).
TOC_STYLE = re.compile(r"^toc\s*\d$|^table\s+of\s+figures$", re.IGNORECASE)
# Elements whose text Word does not show in the paragraph (field codes, deleted text,
# duplicate fallbacks of drawings, text boxes anchored in the paragraph, properties).
SKIPPED = frozenset(
    {
        f"{{{W_NS}}}pPr",
        f"{{{W_NS}}}rPr",
        f"{{{W_NS}}}instrText",
        f"{{{W_NS}}}delText",
        f"{{{W_NS}}}del",
        f"{{{W_NS}}}txbxContent",
        f"{{{MC_NS}}}Fallback",
    }
)


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _val(element: etree._Element | None, attr: str = "val") -> str | None:
    if element is None:
        return None
    value = element.get(w(attr))
    return str(value) if value is not None else None


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# --- numbering ---------------------------------------------------------------------------------


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: restart after this 1-based level; 0 = never
    style: str | None = None  # w:pStyle linking a paragraph style to this level


@dataclass
class Numbering:
    """The numbering part: abstract list definitions, their instances and the running counters.

    Counters belong to the abstract definition, as in Word: two list instances (``w:num``)
    of the same definition continue one sequence unless the later one carries a
    ``startOverride``, which is how Word writes "restart numbering".
    """

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    abstract_link: dict[str, str] = field(default_factory=dict)  # abstractNumId → numStyleLink style
    instances: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    overrides: dict[str, dict[int, tuple[int | None, Level | None]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    style_num: dict[str, str] = field(default_factory=dict)  # style → numId (for numStyleLink)

    @classmethod
    def from_xml(cls, root: etree._Element | None) -> Numbering:
        numbering = cls()
        if root is None:
            return numbering
        for abstract in root.iter(w("abstractNum")):
            key = abstract.get(w("abstractNumId"), "")
            numbering.abstract[key] = {_int(lvl.get(w("ilvl"))): _level(lvl) for lvl in abstract.iter(w("lvl"))}
            link = _val(abstract.find(w("numStyleLink")))
            if link:
                numbering.abstract_link[key] = link
        for num in root.iter(w("num")):
            num_id = num.get(w("numId"), "")
            numbering.instances[num_id] = _val(num.find(w("abstractNumId"))) or ""
            overrides: dict[int, tuple[int | None, Level | None]] = {}
            for override in num.iter(w("lvlOverride")):
                start = _val(override.find(w("startOverride")))
                lvl = override.find(w("lvl"))
                overrides[_int(override.get(w("ilvl")))] = (
                    _int(start) if start is not None else None,
                    _level(lvl) if lvl is not None else None,
                )
            numbering.overrides[num_id] = overrides
        return numbering

    def _abstract_of(self, num_id: str) -> str | None:
        abstract = self.instances.get(num_id)
        for _ in range(3):  # numStyleLink → style → its numId → the real definition
            if abstract is None:
                return None
            link = self.abstract_link.get(abstract)
            if not link or link not in self.style_num:
                return abstract
            abstract = self.instances.get(self.style_num[link])
        return abstract

    def level(self, num_id: str, ilvl: int) -> Level | None:
        abstract = self._abstract_of(num_id)
        if abstract is None:
            return None
        start, replaced = self.overrides.get(num_id, {}).get(ilvl, (None, None))
        base = replaced or self.abstract.get(abstract, {}).get(ilvl)
        if base is None:
            return None
        if start is not None:
            return Level(base.fmt, base.text, start, base.restart, base.style)
        return base

    def level_of_style(self, num_id: str, style: str) -> int | None:
        abstract = self._abstract_of(num_id)
        for ilvl, lvl in self.abstract.get(abstract or "", {}).items():
            if lvl.style == style:
                return ilvl
        return None

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter of (list, level) and return the label Word would draw."""
        abstract = self._abstract_of(num_id)
        this = self.level(num_id, ilvl)
        if abstract is None or this is None:
            return None
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for overridden, (start, replaced) in self.overrides.get(num_id, {}).items():
                if start is not None or replaced is not None:
                    for deeper in [k for k in counters if k >= overridden]:
                        del counters[deeper]
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else this.start
        for deeper in [k for k in counters if k > ilvl]:
            lvl = self.level(num_id, deeper)
            restart = lvl.restart if lvl else None
            if restart is None or (restart != 0 and ilvl <= restart - 1):
                del counters[deeper]
        if this.fmt == "bullet":
            return BULLET_MARK
        if this.fmt == "none":
            return ""

        def expand(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            lvl = self.level(num_id, index)
            value = counters.get(index, lvl.start if lvl else 1)
            return format_number(value, lvl.fmt if lvl else "decimal")

        return re.sub(r"%([1-9])", expand, this.text)


def _level(lvl: etree._Element) -> Level:
    restart = _val(lvl.find(w("lvlRestart")))
    return Level(
        fmt=_val(lvl.find(w("numFmt"))) or "decimal",
        text=_val(lvl.find(w("lvlText"))) or "",
        start=_int(_val(lvl.find(w("start"))), 1),
        restart=_int(restart) if restart is not None else None,
        style=_val(lvl.find(w("pStyle"))),
    )


def format_number(value: int, fmt: str) -> str:
    """One counter in a Word number format; unknown formats fall back to decimal."""
    if fmt in ("lowerLetter", "upperLetter"):
        # Word repeats the letter after z: a … z, aa … zz, aaa …
        letter = chr(ord("a") + (max(value, 1) - 1) % 26) * ((max(value, 1) - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    if value <= 0:
        return str(value)
    out = []
    for number, digits in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while value >= number:
            out.append(digits)
            value -= number
    return "".join(out)


# --- styles ------------------------------------------------------------------------------------


@dataclass
class Style:
    name: str
    based_on: str | None
    outline: int | None
    num_id: str | None
    ilvl: int | None


def _styles(root: etree._Element | None) -> dict[str, Style]:
    styles: dict[str, Style] = {}
    if root is None:
        return styles
    for style in root.iter(w("style")):
        if style.get(w("type")) not in (None, "paragraph"):
            continue
        ppr = style.find(w("pPr"))
        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        outline = _val(ppr.find(w("outlineLvl"))) if ppr is not None else None
        styles[style.get(w("styleId"), "")] = Style(
            name=_val(style.find(w("name"))) or "",
            based_on=_val(style.find(w("basedOn"))),
            outline=_int(outline) if outline is not None else None,
            num_id=_val(num_pr.find(w("numId"))) if num_pr is not None else None,
            ilvl=_int(_val(num_pr.find(w("ilvl"))))
            if num_pr is not None and num_pr.find(w("ilvl")) is not None
            else None,
        )
    return styles


def _style_chain(styles: dict[str, Style], style_id: str | None) -> Iterator[tuple[str, Style]]:
    seen: set[str] = set()
    while style_id and style_id in styles and style_id not in seen:
        seen.add(style_id)
        yield style_id, styles[style_id]
        style_id = styles[style_id].based_on


# --- the reader --------------------------------------------------------------------------------


@dataclass
class Reader:
    styles: dict[str, Style]
    numbering: Numbering
    footnotes: dict[str, str]
    cited: dict[str, int] = field(default_factory=dict)  # footnote w:id → shown number
    targets: dict[str, str] = field(default_factory=dict)  # hyperlink relationship id → external URL
    found: list[str] = field(default_factory=list)  # hyperlink targets met since the cell began
    loc: int = 0
    blocks: list[Block] = field(default_factory=list)

    def body(self, container: etree._Element) -> None:
        for child in container:
            if child.tag == w("p"):
                self.paragraph(child)
            elif child.tag == w("tbl"):
                self.table(child)
            elif child.tag in (w("sdt"), w("customXml"), w("ins")):
                content = child.find(w("sdtContent"))
                self.body(content if content is not None else child)

    def paragraph(self, p: etree._Element) -> None:
        limits.tick(len(self.blocks))
        self.loc += 1
        notes: list[str] = []
        text = self.paragraph_text(p, notes)
        kind, level = self.heading_level(p)
        if text:
            role = "contents" if self.in_contents(p) else ""
            self.blocks.append(Block(kind, text, self.loc, level=level, end_loc=self.loc, role=role))
        self.emit_notes(notes)

    def table(self, tbl: etree._Element) -> None:
        for tr in tbl.iterchildren(w("tr")):  # rows of nested tables are read as part of their cell
            limits.tick(len(self.blocks))
            self.loc += 1
            notes: list[str] = []
            cells: list[str] = []
            links: list[str | None] = []
            for tc in tr.iter(w("tc")):
                if next(tc.iterancestors(w("tc")), None) is not None:
                    continue  # a cell of a nested table
                self.found = []
                texts = [self.paragraph_text(p, notes) for p in tc.iter(w("p"))]
                cells.append("\n".join(t for t in texts if t))
                links.append(self.found[0] if self.found else None)
            if any(cells):
                block = Block("row", " | ".join(cells), self.loc, cells=cells, end_loc=self.loc, links=links)
                self.blocks.append(block)
            self.emit_notes(notes)

    def emit_notes(self, notes: list[str]) -> None:
        """Footnote bodies follow the block that cites them, as in Word's text export."""
        for note_id in notes:
            body = self.footnotes.get(note_id, "").replace("[", "(").replace("]", ")")
            self.blocks.append(Block("para", f"[{self.cited[note_id]}: {body}]", self.loc, end_loc=self.loc))

    def properties(self, p: etree._Element) -> tuple[str | None, etree._Element | None]:
        ppr = p.find(w("pPr"))
        if ppr is None:
            return None, None
        return _val(ppr.find(w("pStyle"))), ppr

    def in_contents(self, p: etree._Element) -> bool:
        """Whether the paragraph is an entry of a table of contents Word built."""
        style_id, _ = self.properties(p)
        return any(
            TOC_STYLE.match(style.name) or TOC_STYLE.match(key) for key, style in _style_chain(self.styles, style_id)
        )

    def heading_level(self, p: etree._Element) -> tuple[str, int]:
        style_id, ppr = self.properties(p)
        outline = _val(ppr.find(w("outlineLvl"))) if ppr is not None else None
        if outline is not None and _int(outline, 9) < 9:
            return "heading", _int(outline) + 1
        for key, style in _style_chain(self.styles, style_id or "Normal"):
            match = HEADING_STYLE.match(style.name) or HEADING_STYLE.match(key)
            if match:
                return "heading", int(match.group(1))
            if style.outline is not None:
                return ("heading", style.outline + 1) if style.outline < 9 else ("para", 0)
        return "para", 0

    def list_label(self, p: etree._Element) -> str | None:
        style_id, ppr = self.properties(p)
        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        num_id = _val(num_pr.find(w("numId"))) if num_pr is not None else None
        ilvl_text = _val(num_pr.find(w("ilvl"))) if num_pr is not None else None
        ilvl = _int(ilvl_text) if ilvl_text is not None else None
        if num_id is None:
            for key, style in _style_chain(self.styles, style_id):
                if style.num_id is not None:
                    num_id = style.num_id
                    if ilvl is None:
                        ilvl = style.ilvl if style.ilvl is not None else self.numbering.level_of_style(num_id, key)
                    break
        if num_id is None or num_id == "0":
            return None
        return self.numbering.label(num_id, min(max(ilvl or 0, 0), 8))

    def paragraph_text(self, p: etree._Element, notes: list[str]) -> str:
        parts: list[str] = []
        self.runs(p, parts, notes)
        text = clean("".join(parts))
        label = self.list_label(p)
        if not text:
            return ""
        if label:
            return f"{clean(label)} {text}"
        return text

    def runs(self, element: etree._Element, parts: list[str], notes: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag == w("instrText") and (field_link := FIELD_HYPERLINK.match(child.text or "")):
                self.found.append(field_link.group(1))  # a complex field's code: the target, not text
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag == w("r"):
                rpr = child.find(w("rPr"))
                if rpr is not None and rpr.find(w("vanish")) is not None:
                    continue  # hidden text
            if tag == w("hyperlink") and child.get(f"{{{R_NS}}}id") in self.targets:
                self.found.append(self.targets[child.get(f"{{{R_NS}}}id", "")])
            elif tag == w("fldSimple") and (field_link := FIELD_HYPERLINK.match(child.get(w("instr"), ""))):
                self.found.append(field_link.group(1))
            if tag == w("t"):
                parts.append(child.text or "")
            elif tag in (w("tab"), w("br"), w("cr")):
                parts.append(" ")
            elif tag == w("noBreakHyphen"):
                parts.append("-")
            elif tag == w("footnoteReference"):
                note_id = child.get(w("id"), "")
                if note_id not in self.cited:
                    self.cited[note_id] = len(self.cited) + 1
                    notes.append(note_id)
                parts.append(f"[footnoteRef:{self.cited[note_id]}]")
            elif tag == w("p"):
                continue  # a paragraph nested in a run (text box): not part of this paragraph's text
            else:
                self.runs(child, parts, notes)


def _footnotes(root: etree._Element | None) -> dict[str, str]:
    notes: dict[str, str] = {}
    if root is None:
        return notes
    for note in root.iter(w("footnote")):
        if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        texts = []
        for p in note.iter(w("p")):
            parts = [t.text or "" for t in p.iter(w("t")) if not any(a.tag in SKIPPED for a in t.iterancestors())]
            texts.append(clean("".join(parts)))
        notes[note.get(w("id"), "")] = clean(" ".join(texts))
    return notes


def _related_xml(document: object, reltype: str) -> etree._Element | None:
    part = getattr(document, "part", None)
    for rel in getattr(part, "rels", {}).values():
        if rel.reltype == reltype and not rel.is_external:
            return etree.fromstring(rel.target_part.blob, SAFE_PARSER)
    return None


def _hyperlink_targets(document: object) -> dict[str, str]:
    """The document's external hyperlinks by relationship id (Word keeps the URL out of the text)."""
    part = getattr(document, "part", None)
    return {
        key: str(rel.target_ref)
        for key, rel in getattr(part, "rels", {}).items()
        if rel.reltype == RT_HYPERLINK and rel.is_external
    }


def docx_to_blocks(data: bytes, name: str) -> list[Block]:
    """Read a Word document's body in order: paragraphs, list labels, headings, table rows, footnotes."""
    import docx  # python-docx; imported here so text-only use does not pay for it

    hint = "re-save it from Word (File › Save As › Word Document)"
    check_archive(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        styles_root = document.styles.element
        numbering = Numbering.from_xml(_related_xml(document, RT_NUMBERING))
        footnotes = _footnotes(_related_xml(document, RT_FOOTNOTES))
        targets = _hyperlink_targets(document)
        body = document.element.body
    except Exception as exc:  # python-docx, zipfile and lxml raise many types for one cause: bad input
        reason = _reason(exc)
        raise InputError(f"{name}: not a valid .docx file ({reason}); {hint}") from exc
    styles = _styles(styles_root)
    numbering.style_num = {key: s.num_id for key, s in styles.items() if s.num_id}
    reader = Reader(styles, numbering, footnotes, targets=targets)
    try:
        reader.body(body)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise InputError(f"{name}: the .docx file is damaged ({type(exc).__name__}); {hint}") from exc
    return reader.blocks


EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
CD_ENTRY_MAX = 1024  # bytes of central directory per member allowed (a real entry is under 200)


def _directory_totals(data: bytes) -> tuple[int, int] | None:
    """(members, central directory bytes) from the end record, read before the directory itself."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - EOCD.size - 0xFFFF))
    if end < 0 or end + EOCD.size > len(data):
        return None
    _, _, _, _, members, cd_size, _, _ = EOCD.unpack_from(data, end)
    locator = end - ZIP64_LOCATOR.size
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        offset = ZIP64_LOCATOR.unpack_from(data, locator)[2]
        if offset + ZIP64_EOCD.size <= len(data) and data[offset : offset + 4] == b"PK\x06\x06":
            fields = ZIP64_EOCD.unpack_from(data, offset)
            members, cd_size = max(members, fields[6]), max(cd_size, fields[7])
    return members, cd_size


def check_archive(data: bytes, name: str) -> None:
    """Refuse a zip bomb from its directory, before any member is unpacked.

    The member count comes from the end record, before the directory is parsed (a directory of a
    million entries would cost memory of its own); then every member's declared size, which
    ``zipfile`` enforces while unpacking (a member that unpacks to more fails its check).
    """
    settings = limits.current().settings
    totals = _directory_totals(data)
    most = settings.max_docx_members
    if totals is not None and (totals[0] > most or totals[1] > most * CD_ENTRY_MAX):
        count = max(totals[0], totals[1] // CD_ENTRY_MAX)
        raise InputError(
            f"{name}: {count:,} files inside the .docx is over the {most:,}-member limit (RIHUB_MAX_DOCX_MEMBERS)"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
        reason = _reason(exc)
        raise InputError(f"{name}: not a valid .docx file ({reason}); re-save it from Word") from exc
    if len(members) > most:
        raise InputError(
            f"{name}: {len(members):,} files inside the .docx is over the {most:,}-member limit "
            "(RIHUB_MAX_DOCX_MEMBERS)"
        )
    for member in members:
        if member.file_size > limits.limit_bytes(settings.max_docx_member_mb):
            raise limits.over(
                f"{name}: {member.filename[:80]!r}",
                "per-member unpacked",
                member.file_size,
                settings.max_docx_member_mb,
                "RIHUB_MAX_DOCX_MEMBER_MB",
            )
    total = sum(member.file_size for member in members)
    if total > limits.limit_bytes(settings.max_docx_unpacked_mb):
        raise limits.over(name, "unpacked .docx", total, settings.max_docx_unpacked_mb, "RIHUB_MAX_DOCX_UNPACKED_MB")


def _reason(exc: Exception) -> str:
    text = str(exc).split("\n")[0][:120]
    kind = type(exc).__name__
    if kind == "PackageNotFoundError" or "zip" in text.lower() or kind == "BadZipFile":
        return "the zip archive is damaged or encrypted"
    if kind == "KeyError":
        return f"a required part is missing: {text}"
    if "content type" in text:
        return "the archive holds no Word document"
    return f"{kind}: {text}" if text else kind
