"""Blocks → the ITU structure of an RPM outcome report.

Format parsers (text, Word, PDF) all hand over the same kind of blocks, so the
knowledge of how ITU writes these reports lives here once: region sections, the
meetings table, officers, documents reviewed, initiatives with objectives, expected
results, sub-items and footnotes, and the document's own framework mappings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from rihub.errors import InputError
from rihub.ingest.people import CHAIR_LABEL, VICE_LABEL, parse_officers
from rihub.ingest.regions import CODE_ALTERNATION, RPM_REFERENCE, region_of_heading
from rihub.ingest.text import clean
from rihub.model import (
    Block,
    Conference,
    DocumentAlignment,
    ExpectedResult,
    Footnote,
    Initiative,
    Meeting,
    Outline,
    ReviewedDocument,
    SourceDocument,
    SubItem,
    cycle_year,
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

BULLET = re.compile(r"^[·•▪◦‣∙*]\s*|^[-–—]\s+")
# "Regional Initiative EUR1:", "Draft regional initiative No. 3 –": a spelled-out label before the code.
_RI_LABEL = r"(?i:(?:draft\s+)?regional\s+initiative\s*(?:no\.?\s*)?[:‐–-]?\s*)"
CODE_LINE = re.compile(
    rf"""^(?:
        {_RI_LABEL}?(?:RI\s*[-‐–]?\s*)?(?P<reg>{CODE_ALTERNATION})\s*[-‐–]?\s*(?:RI\s*[-‐–]?\s*)?(?P<num>\d{{1,2}})
      | {_RI_LABEL}?(?:(?P<reg2>{CODE_ALTERNATION})\s+)?RI\s*[-‐–]?\s*(?P<num2>\d{{1,2}})
      | {_RI_LABEL}(?P<num3>\d{{1,2}})
    )(?![\d.]\d)\s*(?:[:.\-–—]\s*|\s+|$)(?P<rest>.*)$""",
    re.VERBOSE,
)
RESULTS_HEADER = re.compile(
    r"^expected\s+(?:results?|outputs?|outcomes?|deliverables?)\b\s*:?\s*(?P<rest>.*)$", re.IGNORECASE
)
OBJECTIVE_LABEL = re.compile(
    r"^(?:objectives?(?:\s+of\s+(?:the|this)\s+(?:regional\s+)?initiative)?|rationale)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
TITLE_LABEL = re.compile(r"^(?:title|name)(?:\s+of\s+(?:the|this)\s+(?:regional\s+)?initiative)?\s*:\s*", re.I)
OBJECTIVE_INLINE = re.compile(r"^(?P<title>.+?)\s*[:.–—-]\s+(?P<objective>Objectives?\b.*)$")
NUMBERED = re.compile(r"^\(?(?P<num>\d{1,2})(?:\s*[.):](?!\d)|\s+[-–](?=\s))\s*(?P<text>.*)$")  # 1. 1) (1) 1: 1 -
# A numbered section of the report ("6 Closing of the meeting", "6.1 The Chair closed …"): the
# initiatives are over.
REPORT_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]")
SUB_ITEM = re.compile(r"^\(?(?P<label>[a-z]|[ivx]{1,4})\)\s*(?P<text>.+)$|^(?P<label2>[a-h])\.\s+(?P<text2>.+)$")
# The mapping written as labelled lines instead of a table: "WSIS Action Lines: C1, C2", "SDGs: 4, 9"
MAPPING_LINE = re.compile(
    r"^(?P<label>WSIS(?:\s+Action\s+Lines?)?|Global\s+Digital\s+Compact(?:\s+objectives?)?|GDC(?:\s+objectives?)?"
    r"|Sustainable\s+Development\s+Goals?|SDGs?)\s*[:–—-]\s*(?P<value>\S.*)$",
    re.IGNORECASE,
)
CONTRIBUTES = re.compile(r"^implementation of this regional initiative will contribute", re.IGNORECASE)
FOOTNOTE_REF = re.compile(r"\s?\[footnoteRef:(?P<n>\d+)\]")
# Linear by construction: white space is taken from its start only, and a body stops at the next
# "[" (Word's export and the Word reader write bodies without brackets), so an unclosed "[1:"
# repeated is not rescanned to the end of the text by every later one.
FOOTNOTE_BODY = re.compile(r"(?<!\s)\s*\[(?P<n>\d+):\s*(?P<text>[^\][]*)\]")
# "Document 2 on …", "Doc. 5: …", "Document RPM-EUR25/2 – …" (the meeting's own document series)
DOCUMENT_REF = re.compile(
    r"^Doc(?:ument)?s?\.?\s+(?:RPM[-‐–]?[A-Z]{3}[-‐–]?\d{0,4}\s*/\s*)?(?P<num>\d{1,6})\b[\s,:–-]*(?P<desc>.*)$",
    re.IGNORECASE,
)
CONFERENCE_CODE = re.compile(r"\b(WTDC)[-‑–\s]?(\d{2,4})\b")


@dataclass
class Section:
    region: str
    heading: Block
    blocks: list[Block] = field(default_factory=list)


def section_blocks(blocks: list[Block]) -> tuple[list[Block], list[Section]]:
    """Cut the document at its region headings; what precedes the first one is the preamble."""
    preamble: list[Block] = []
    sections: list[Section] = []
    for block in blocks:
        region = region_of_heading(block.text) if block.kind != "row" else None
        if region:
            sections.append(Section(region, block))
        elif sections and block.kind == "heading" and block.level <= sections[-1].heading.level:
            # A Word heading at the same depth that names no region closes the section.
            preamble.append(block)
            sections.append(Section("", block))
        elif sections:
            sections[-1].blocks.append(block)
        else:
            preamble.append(block)
    found = _reopen_sections(sections)
    region = None if found or not blocks else single_region(blocks)
    if region is not None:
        # The report of one RPM may have no region heading at all: its body is that region's section.
        return blocks[:1], [Section(region, blocks[0], blocks[1:])]
    return preamble, found


def _reopen_sections(sections: list[Section]) -> list[Section]:
    """Region sections, each with the headed parts that follow it when its initiatives are there.

    A Word heading at the region heading's depth closes the section ("3. Next steps"), but in the
    report of one RPM the region is the title (a Heading 1) and the report's own Heading 1 parts
    ("1 Opening", "5 Regional Initiatives") follow it: when the region section holds no initiative
    code and those parts do, they belong to it.
    """
    out: list[Section] = []
    for index, section in enumerate(sections):
        if not section.region:
            continue
        out.append(section)
        following: list[Section] = []
        for later in sections[index + 1 :]:
            if later.region:
                break
            following.append(later)
        if not _has_codes(section.blocks, section.region) and any(
            _has_codes(later.blocks, section.region) for later in following
        ):
            for later in following:
                section.blocks += [later.heading, *later.blocks]
    return out


def _has_codes(blocks: list[Block], region: str) -> bool:
    """Whether some block opens an initiative of ``region`` (a code without region counts)."""
    for block in blocks:
        code = CODE_LINE.match(strip_bullet(block.text)) if block.kind != "row" else None
        if code and (code.group("reg") or code.group("reg2") or region) == region:
            return True
    return False


def single_region(blocks: list[Block]) -> str | None:
    """The one region a report without region headings is about, if its RPM references
    ("RPM-EUR") and initiative codes ("EUR1") clearly point at one."""
    votes: Counter[str] = Counter()
    for block in blocks:
        votes.update(m.group(1) for m in RPM_REFERENCE.finditer(block.text))
        code = CODE_LINE.match(strip_bullet(block.text)) if block.kind != "row" else None
        if code and (code.group("reg") or code.group("reg2")):
            votes[code.group("reg") or code.group("reg2")] += 1
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and 2 * ranked[1][1] > ranked[0][1]):
        return None
    return ranked[0][0]


def strip_bullet(text: str) -> str:
    return BULLET.sub("", text).strip()


# --- conference and meetings table -------------------------------------------------------------


_RANGE = r"\s*(?:-|–|—|to|and)\s*"
_M = rf"(?:{MONTH})(?![a-z])"  # "Mar" but not "Marketing"
# "26 to 27 January 2021", "28 February - 1 March 2025", "January 26-27, 2021", "February 28 - March 1, 2025"
DATE_RANGE = re.compile(
    rf"""(?:
        (?P<d1>\d{{1,2}})(?:\s+(?P<m1>{_M}))?(?:{_RANGE}(?P<d2>\d{{1,2}}))?\s+(?P<m2>{_M})
      | (?P<md1>{_M})\s+(?P<dd1>\d{{1,2}})(?:{_RANGE}(?:(?P<md2>{_M})\s+)?(?P<dd2>\d{{1,2}}))?
    )(?!\d)(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?""",
    re.IGNORECASE | re.VERBOSE,
)
PLACE_AFTER = re.compile(r"^\s*,?\s+in\s+(?P<city>[^,.;()]+?)\s*(?:,|\()\s*(?P<country>[^.;()]+?)\)?\s*(?:[.;]|$)")
PLACE_BEFORE = re.compile(
    r"\bin\s+(?P<city>[A-Z][^,.;()]*?)\s*(?:,|\()\s*(?P<country>[A-Z][^.;(),]*?)\)?\s*,?\s+(?:from|on)?\s*$"
)


DateRange = tuple[dt.date | None, dt.date | None, re.Match[str]]


def date_range(text: str, default_year: int | None = None) -> DateRange | None:
    """The first date or date range in ``text`` (day or month first), with the match."""
    for found in DATE_RANGE.finditer(text):
        year = int(found.group("y")) if found.group("y") else default_year
        if year is None:
            continue
        if found.group("d1"):
            m2 = MONTHS[found.group("m2").lower().rstrip(".")]
            m1 = MONTHS[found.group("m1").lower().rstrip(".")] if found.group("m1") else m2
            d1, d2 = int(found.group("d1")), int(found.group("d2") or found.group("d1"))
        else:
            m1 = MONTHS[found.group("md1").lower().rstrip(".")]
            m2 = MONTHS[found.group("md2").lower().rstrip(".")] if found.group("md2") else m1
            d1, d2 = int(found.group("dd1")), int(found.group("dd2") or found.group("dd1"))
        return _date(year, m1, d1), _date(year, m2, d2), found
    return None


FUTURE = re.compile(r"(?:will\s+(?:take\s+place|be\s+held)|to\s+be\s+held|takes\s+place|is\s+scheduled)\b", re.I)
HELD = re.compile(r"\b(?:was|were)\s+held\b|\btook\s+place\b", re.IGNORECASE)


def when_where(text: str) -> tuple[dt.date | None, dt.date | None, str | None, str | None] | None:
    """ "from 17 to 28 November 2025 in Baku, Azerbaijan" → (start, end, city, country).

    The venue may also come first ("in Amman, Jordan, on 4-5 February 2025") or in brackets
    ("in Amman (Jordan)"); the date may be written month first ("February 4-5, 2025").
    """
    found = date_range(text)
    if found is None:
        return None
    start, end, match = found
    # The venue said before the dates sits right before them: a bounded window keeps the search linear.
    before = text[max(0, match.start() - 400) : match.start()]
    place = PLACE_AFTER.match(text[match.end() :]) or PLACE_BEFORE.search(before)
    city = place.group("city").strip() if place else None
    country = place.group("country").strip() if place else None
    return start, end, city, country


# "for WTDC-25", "preparation for the WTDC-25", "towards WTDC-25": the cycle a report prepares.
PREPARES = re.compile(r"\b(?:for|towards|to)\s+(?:the\s+)?$", re.IGNORECASE)


def _conference_code(digits: str) -> str:
    # "WTDC 2025" and "WTDC-25" name the same conference; other numbers are kept as written.
    return f"WTDC-{digits[2:]}" if len(digits) == 4 and digits[:2] in ("19", "20") else f"WTDC-{digits}"


def parse_conference(blocks: list[Block]) -> Conference | None:
    """The WTDC the report prepares; its dates only where the text says when it *will* take place.

    A report cites earlier cycles too ("the WTDC-22 Kigali Action Plan"): a mention that the text
    prepares ("for WTDC-25") wins, else the latest cycle mentioned.
    """
    mentions: list[tuple[bool, int, str, Block, re.Match[str]]] = []
    for block in blocks:
        for match in CONFERENCE_CODE.finditer(block.text):
            code = _conference_code(match.group(2))
            prepared = bool(PREPARES.search(block.text[max(0, match.start() - 40) : match.start()]))
            mentions.append((prepared, cycle_year(code) or 0, code, block, match))
    if not mentions:
        return None
    code = max(mentions, key=lambda m: (m[0], m[1]))[2]
    conference = Conference(code=code, title="World Telecommunication Development Conference")
    for _, _, mentioned, block, match in mentions:
        future = FUTURE.search(block.text, match.end()) if mentioned == code else None
        found = when_where(block.text[future.end() :]) if future else None
        if found:
            conference.start_date, conference.end_date, conference.city, conference.country = found
            break
    return conference


def meeting_from_text(blocks: list[Block], meeting: Meeting) -> None:
    """Dates and venue of a meeting said in prose ("RPM-EUR was held from 26 to 27 January 2021 in …")."""
    for block in blocks:
        held = HELD.search(block.text)
        if held is None or "coordination" in block.text.lower():
            continue
        found = when_where(block.text[held.start() :])
        if found and found[0] is not None:
            meeting.start_date, meeting.end_date = found[0], found[1]
            meeting.city = meeting.city or found[2]
            meeting.country = meeting.country or found[3]
            meeting.span = meeting.span.union(block.span) if meeting.span else block.span
            return


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_dates(text: str, default_year: int | None) -> tuple[dt.date | None, dt.date | None]:
    """ "4-5 February", "28 February - 1 March 2025", "February 4-5" → (start, end)."""
    text = clean(text.replace("\n", " "))
    year_match = re.search(r"\b(19|20)\d{2}\b", text)
    found = date_range(text, int(year_match.group(0)) if year_match else default_year)
    return (found[0], found[1]) if found else (None, None)


def _column(header: list[str], *words: str) -> int | None:
    for index, cell in enumerate(header):
        if any(word in cell.lower() for word in words):
            return index
    return None


YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def parse_meetings_table(blocks: list[Block]) -> dict[str, Meeting]:
    """The table of RPMs (region, dates, venue, report, video) → one Meeting per region.

    The columns come from the header row ("Region | Dates (2025) | City and Host country | …");
    a table that lost its header (a converter kept only the data rows) is read from the rows
    themselves: a region cell first, the first cell that holds a date range, the venue after it,
    with the year from the last one the text gave before the table.
    """
    rows = [b for b in blocks if b.kind == "row"]
    for index, header in enumerate(rows):
        cells = [c.lower() for c in header.cells]
        if any("region" in c or c.strip() == "rpm" for c in cells) and any("date" in c for c in cells):
            year_match = YEAR.search(" ".join(header.cells))
            columns = _MeetingColumns(
                region=_column(header.cells, "region", "rpm") or 0,
                dates=_column(header.cells, "date"),
                place=_column(header.cells, "city", "venue", "host", "place", "location"),
                report=_column(header.cells, "report"),
                video=_column(header.cells, "video"),
            )
            meetings = _meeting_rows(rows[index + 1 :], columns, int(year_match.group(0)) if year_match else None)
            if meetings:
                return meetings
    return _headerless_meetings(blocks)


@dataclass
class _MeetingColumns:
    region: int
    dates: int | None
    place: int | None
    report: int | None
    video: int | None


def _meeting_rows(rows: list[Block], columns: _MeetingColumns, year: int | None) -> dict[str, Meeting]:
    meetings: dict[str, Meeting] = {}
    for row in rows:
        region = _region_of_cell(row.cells[columns.region]) if columns.region < len(row.cells) else None
        if region is None:
            break
        meeting = Meeting(region=region, span=row.span)
        cell = {
            name: row.cells[i] if i is not None and i < len(row.cells) else None for name, i in vars(columns).items()
        }
        if cell["dates"] is not None:
            meeting.start_date, meeting.end_date = parse_dates(cell["dates"], year)
        if cell["place"] is not None:
            city, _, country = clean(cell["place"].replace("\n", " ")).partition(",")
            meeting.city, meeting.country = city.strip() or None, country.strip() or None
        meeting.report_label = clean(cell["report"] or "") or None
        meeting.video_label = clean(cell["video"] or "") or None
        meetings.setdefault(region, meeting)
    return meetings


def _headerless_meetings(blocks: list[Block]) -> dict[str, Meeting]:
    """Meetings from the first run of rows that each open with an RPM and hold a date range."""
    year: int | None = None
    for index, block in enumerate(blocks):
        if block.kind != "row":
            year = next((int(y) for y in reversed(YEAR.findall(block.text))), year)
            continue
        first = block.cells[0] if block.cells else ""
        dates = next((i for i, c in enumerate(block.cells) if i and date_range(c, year or 2000)), None)
        if dates is None or not RPM_REFERENCE.search(first):
            continue
        rest = block.cells[dates + 1 :]
        columns = _MeetingColumns(
            region=0,
            dates=dates,
            place=dates + 1 if rest and "," in rest[0] else None,
            report=next((dates + 1 + i for i, c in enumerate(rest) if "report" in c.lower()), None),
            video=next((dates + 1 + i for i, c in enumerate(rest) if "video" in c.lower()), None),
        )
        return _meeting_rows([b for b in blocks[index:] if b.kind == "row"], columns, year)
    return {}


def _region_of_cell(text: str) -> str | None:
    match = RPM_REFERENCE.search(text)
    if match:
        return match.group(1)
    return region_of_heading(text + " Region")


# --- region sections ----------------------------------------------------------------------------


REVIEWED = re.compile(r"\b(?:reviewed|considered|examined)\b", re.IGNORECASE)
DOCUMENTS = re.compile(r"\bdocuments?\b", re.IGNORECASE)
AGREED = re.compile(r"\b(agreed|adopted|identified|endorsed|approved)\b", re.IGNORECASE)
PRIORITIES = re.compile(r"\bpriorit", re.IGNORECASE)


def _then(first: re.Pattern[str], second: re.Pattern[str], text: str) -> bool:
    """Whether ``second`` occurs after ``first`` in ``text``: ``first.*second`` in linear time (the
    regex backtracks over the rest of the text at every occurrence of ``first``)."""
    found = first.search(text)
    return found is not None and second.search(text, found.end()) is not None


def parse_section(section: Section, meeting: Meeting, footnotes: dict[str, Footnote]) -> list[Initiative]:
    """Fill the meeting from the section's highlights and return its initiatives."""
    blocks = unroll_initiative_tables(section.blocks)
    first_code = next((i for i, b in enumerate(blocks) if _code_of(b, section.region)), len(blocks))
    highlights = blocks[:first_code]
    in_documents = False
    for block in highlights:
        text = strip_bullet(block.text)
        elected = re.search(r"\belected\b", text, re.IGNORECASE) and re.search(r"\bchair", text, re.IGNORECASE)
        if elected or CHAIR_LABEL.match(text) or VICE_LABEL.match(text):
            meeting.officers.extend(parse_officers(text, block.span))
            in_documents = False
            continue
        if _then(REVIEWED, DOCUMENTS, text) and not re.search(r"\ball input documents\b", text, re.IGNORECASE):
            in_documents = True
            continue
        doc = DOCUMENT_REF.match(text)
        if doc and in_documents:
            description = re.sub(r"^(on|about|regarding)\s+", "", doc.group("desc"))
            description = re.sub(r"(,|;|\.)?\s*(and)?\s*$", "", description).strip()
            meeting.documents_reviewed.append(ReviewedDocument(int(doc.group("num")), description, block.span))
            continue
        in_documents = False
        if re.search(r"\bcontributions?\b", text, re.IGNORECASE) and meeting.contributions is None:
            meeting.contributions = text
    initiatives = [
        parse_initiative(chunk, section.region, footnotes)
        for chunk in _initiative_chunks(blocks[first_code:], section.region)
    ]
    if not initiatives:
        initiatives = parse_priorities(highlights, section.region)
    return initiatives


# (stage, pattern) tried in order on the document's title area: the stage a document states
# about itself. The first blocks only: a body that cites "the Kigali Action Plan" is not one.
STAGE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("report", re.compile(r"\b(?:implementation|progress|annual) report\b|\breport on the implementation\b", re.I)),
    (
        "adopted",
        re.compile(
            r"\baction plan\b|\bfinal report of (?:the )?(?:WTDC|World Telecommunication Development Conference)"
            r"|\badopted (?:by|at) (?:the )?(?:WTDC|World Telecommunication Development Conference)",
            re.I,
        ),
    ),
    ("consolidated", re.compile(r"\bcoordination meeting\b|\bconsolidated (?:report|outcomes?)\b", re.I)),
)
TITLE_AREA = 3  # blocks


def document_stage(blocks: list[Block], regions: int) -> str:
    """The process stage a report states in its title area; else consolidated when it covers
    several regions, draft (one RPM's outcome) when it covers one."""
    head = " ".join(b.text for b in blocks[:TITLE_AREA])
    for stage, pattern in STAGE_RULES:
        if pattern.search(head):
            return stage
    return "consolidated" if regions > 1 else "draft"


def _cell_role(text: str) -> str | None:
    """What a table cell labels: "code", "title", "objective" or "results" (None: not a label)."""
    text = text.strip().rstrip(":").strip()
    if re.fullmatch(r"(?i)(?:code|ri|no\.?|(?:regional\s+)?initiative(?:\s+code)?)", text):
        return "code"
    if re.fullmatch(r"(?i)(?:title|name)(?:\s+of\s+(?:the\s+)?(?:regional\s+)?initiative)?", text):
        return "title"
    if OBJECTIVE_LABEL.match(text + ":"):
        return "objective"
    if RESULTS_HEADER.fullmatch(text):
        return "results"
    return None


def unroll_initiative_tables(blocks: list[Block]) -> list[Block]:
    """Initiatives laid out as tables, rewritten as the paragraphs a prose report would have.

    Two layouts: one table per initiative with label rows ("EUR1 | Title", "Objective | …",
    "Expected results | 1. … 2. …"), and one wide table with a row per initiative under a header
    row ("Code | Title | Objective | Expected results"). Other rows (the WSIS/GDC/SDG mapping
    tables) stay rows. Every paragraph keeps its row's location, so provenance still points at it.
    """
    out: list[Block] = []
    header: list[str | None] | None = None

    def para(text: str, row: Block) -> None:
        if text.strip():
            out.append(Block("para", text.strip(), row.loc, end_loc=row.end_loc))

    def labelled(role: str | None, value: str, row: Block) -> None:
        if role == "title":
            para(f"Title: {value}", row)
        elif role == "objective":
            para(f"Objective: {value}", row)
        elif role == "results":
            para("Expected results:", row)
            for line in value.split("\n"):
                para(line, row)

    for block in blocks:
        cells = [c.strip() for c in block.cells]
        if block.kind != "row" or not cells:
            out.append(block)  # the wide table's header holds for the section: prose may interrupt it
            continue
        roles = [_cell_role(c) for c in cells]
        code = CODE_LINE.match(cells[0]) if len(cells[0]) <= 120 else None
        if sum(r is not None for r in roles) >= 2 and code is None:
            header = roles  # the header row of a wide table
        elif header is not None and code is not None:
            para(cells[0], block)
            for role, value in zip(header[1:], cells[1:], strict=False):
                labelled(role, value, block)
        elif code is not None and len(cells) >= 2 and not code.group("rest"):
            para(f"{cells[0]}: {cells[1]}", block)
        elif code is not None and len(cells) == 1:
            para(cells[0], block)
        elif roles[0] is not None and roles[0] != "code" and len(cells) >= 2:
            labelled(roles[0], "\n".join(cells[1:]), block)
        else:
            out.append(block)
    return out


def _code_of(block: Block, region: str) -> tuple[str, int, str] | None:
    if block.kind == "row":
        return None
    match = CODE_LINE.match(strip_bullet(block.text))
    if not match:
        return None
    reg = match.group("reg") or match.group("reg2") or region
    num = int(match.group("num") or match.group("num2") or match.group("num3"))
    return reg, num, match.group("rest").strip()


def _initiative_chunks(blocks: list[Block], region: str) -> Iterator[list[Block]]:
    chunk: list[Block] = []
    for block in blocks:
        if _code_of(block, region) and chunk:
            yield chunk
            chunk = []
        chunk.append(block)
    if chunk:
        yield chunk


def parse_initiative(chunk: list[Block], region: str, footnotes: dict[str, Footnote]) -> Initiative:
    head = chunk[0]
    code_info = _code_of(head, region)
    assert code_info is not None
    reg, number, rest = code_info
    body = chunk[1:]
    if not rest and body and not RESULTS_HEADER.match(body[0].text):
        rest, body = body[0].text, body[1:]
    title, objective, objective_kind = TITLE_LABEL.sub("", rest, count=1), None, None
    inline = OBJECTIVE_INLINE.match(title)
    if inline:
        title, objective, objective_kind = inline.group("title"), _unlabel(inline.group("objective")), "objective"
    initiative = Initiative(code=f"{reg}{number}", region=reg, title=title.strip().rstrip(":").strip(), span=head.span)
    state = "objective"
    current: ExpectedResult | None = None
    lettered = False
    # Texts continued over many blocks are joined once at the end (joining on every block would
    # grow with the square of their length).
    objective_parts: list[str] = [objective] if objective is not None else []
    continued: dict[int, tuple[ExpectedResult | SubItem, list[str]]] = {}

    def continue_text(item: ExpectedResult | SubItem, text: str) -> None:
        continued.setdefault(id(item), (item, [item.text]))[1].append(text)

    for block in body:
        text = strip_bullet(block.text) if block.kind != "row" else block.text
        if _ends_initiatives(block, text):
            break
        initiative.span = initiative.span.union(block.span)
        if block.kind == "row":
            initiative.alignments.extend(parse_alignment_row(block))
            state = "alignment"
            continue
        if CONTRIBUTES.match(text):
            state = "alignment"
            continue
        mapping = MAPPING_LINE.match(text) if state != "objective" else None
        if mapping:
            row = Block("row", text, block.loc, [mapping.group("label"), mapping.group("value")], end_loc=block.end_loc)
            initiative.alignments.extend(parse_alignment_row(row))
            state = "alignment"
            continue
        header = RESULTS_HEADER.match(text)
        if header and state == "objective":
            state = "results"
            lead = header.group("rest").strip()
            if lead:
                initiative.results_lead_in = lead
            continue
        if state == "objective":
            label = OBJECTIVE_LABEL.match(text)
            piece = label.group("rest") if label else text
            if not objective_parts:
                # "Objective:" alone on its line labels the paragraph that follows it.
                if label or objective_kind is None:
                    objective_kind = "objective" if label else "rationale"
                if piece:
                    objective_parts.append(piece)
            elif piece:
                objective_parts.append(piece)
            continue
        if state != "results":
            continue
        numbered = NUMBERED.match(block.text.strip())
        sub = SUB_ITEM.match(text)
        if numbered and numbered.group("text"):
            current = ExpectedResult(int(numbered.group("num")), numbered.group("text"), block.span)
            initiative.expected_results.append(current)
        elif sub and (current is None or lettered) and _next_letter(sub, len(initiative.expected_results)):
            # results lettered a), b) ... (no numbers): each letter is a result, not a sub-item
            lettered = True
            item_text = sub.group("text") or sub.group("text2")
            current = ExpectedResult(len(initiative.expected_results) + 1, item_text, block.span)
            initiative.expected_results.append(current)
        elif sub and current is not None and not BULLET.match(block.text):
            label_text = sub.group("label") or sub.group("label2")
            item_text = sub.group("text") or sub.group("text2")
            current.sub_items.append(SubItem(label_text, item_text, block.span))
            current.span = current.span.union(block.span)
        elif BULLET.match(block.text):
            current = ExpectedResult(len(initiative.expected_results) + 1, text, block.span)
            initiative.expected_results.append(current)
        elif current is None and text.endswith(":") and initiative.results_lead_in is None:
            initiative.results_lead_in = text
        elif current is not None and not current.sub_items:
            continue_text(current, text)
            current.span = current.span.union(block.span)
        elif current is not None:
            continue_text(current.sub_items[-1], text)
            current.span = current.span.union(block.span)
    for item, parts in continued.values():
        item.text = " ".join(parts)
    objective = " ".join(objective_parts)
    if objective:
        initiative.objective, initiative.objective_kind = objective.strip(), objective_kind
    for result in initiative.expected_results:
        result.text = _detach_footnotes(result.text, result, footnotes)
        for item in result.sub_items:
            item.text = _detach_footnotes(item.text, result, footnotes)
    return initiative


def _ends_initiatives(block: Block, text: str) -> bool:
    """A report section after the last initiative ("6 Closing of the meeting"), or a Word heading
    that is none of an initiative's own labels."""
    if block.kind == "row":
        return False
    labels = (RESULTS_HEADER, OBJECTIVE_LABEL, CONTRIBUTES, MAPPING_LINE, TITLE_LABEL)
    if block.kind == "heading":
        return not any(label.match(text) for label in labels) and _cell_role(text) is None
    return bool(REPORT_SECTION.match(text)) and not NUMBERED.match(text)


def _next_letter(sub: re.Match[str], count: int) -> bool:
    """Whether a "x)" marker is the letter that would follow ``count`` lettered results."""
    label = sub.group("label") or sub.group("label2")
    return count < 26 and label == chr(ord("a") + count)


def _unlabel(text: str) -> str:
    label = OBJECTIVE_LABEL.match(text)
    return label.group("rest") if label else text


def _detach_footnotes(text: str, result: ExpectedResult, footnotes: dict[str, Footnote]) -> str:
    for marker in FOOTNOTE_REF.finditer(text):
        note = footnotes.get(marker.group("n"))
        result.footnotes.append(note if note else Footnote(marker.group("n"), "", result.span))
    return FOOTNOTE_REF.sub("", text).strip()


def parse_alignment_row(row: Block) -> list[DocumentAlignment]:
    """A row of the "will contribute to WSIS, GDC, SDGs" table → document alignments."""
    if len(row.cells) < 2:
        return []
    label, value = row.cells[0].lower(), "\n".join(row.cells[1:])
    found: list[DocumentAlignment] = []
    if "wsis" in label or "action line" in label:
        for code in re.findall(r"\bC\s?(\d{1,2})\b", value):
            found.append(DocumentAlignment("WSIS", f"C{int(code)}", "", row.span))
    elif "digital compact" in label or "gdc" in label:
        for match in re.finditer(
            r"Objective\s+(\d)\.?\s*(?P<label>.*?)(?=\s*\bObjective\s+\d|$)", value, re.IGNORECASE | re.DOTALL
        ):
            found.append(DocumentAlignment("GDC", match.group(1), clean(match.group("label")), row.span))
    elif "sustainable development" in label or "sdg" in label:
        for code in re.findall(r"\bSDGs?\s?(\d{1,2})\b|(?<=,)\s*(\d{1,2})\b", value):
            number = next(c for c in code if c)
            found.append(DocumentAlignment("SDG", str(int(number)), "", row.span))
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in found:
        if (item.framework, item.code) not in seen:
            seen.add((item.framework, item.code))
            unique.append(item)
    return unique


def parse_priorities(highlights: list[Block], region: str) -> list[Initiative]:
    """Regional priorities without codes ("agreed on six regional priorities … These are:")."""
    for index, block in enumerate(highlights):
        if not _then(AGREED, PRIORITIES, block.text):
            continue
        items: list[Initiative] = []
        for item in highlights[index + 1 :]:
            numbered = NUMBERED.match(item.text.strip())
            text = numbered.group("text") if numbered else strip_bullet(item.text) if BULLET.match(item.text) else None
            if not text:
                break
            items.append(Initiative(f"{region}{len(items) + 1}", region, text.strip(), item.span, kind="priority"))
        if items:
            return items
    return []


def collect_footnotes(blocks: list[Block]) -> dict[str, Footnote]:
    """Lift "[1: …]" footnote bodies out of the blocks (they trail the paragraph that cites them)."""
    notes: dict[str, Footnote] = {}
    for block in blocks:
        for text in block.cells if block.kind == "row" else [block.text]:  # a cell may cite one too
            for match in FOOTNOTE_BODY.finditer(text):
                notes[match.group("n")] = Footnote(match.group("n"), clean(match.group("text")), block.span)
        if block.kind == "row":
            block.cells = [FOOTNOTE_BODY.sub("", c).strip() for c in block.cells]
            block.text = " | ".join(block.cells)
        else:
            block.text = FOOTNOTE_BODY.sub("", block.text).strip()
    return notes


def build_outline(blocks: list[Block], source: SourceDocument) -> Outline:
    """The whole report: conference, one meeting per region section, and its initiatives."""
    footnotes = collect_footnotes(blocks)
    blocks = [b for b in blocks if b.text or b.cells]
    preamble, sections = section_blocks(blocks)
    outline = Outline(source=source, blocks=blocks, conference=parse_conference(blocks))
    table = parse_meetings_table(preamble) or parse_meetings_table(blocks)
    seen: set[str] = set()
    codes: set[str] = set()
    for section in sections:
        if section.region in seen:
            continue
        seen.add(section.region)
        meeting = table.get(section.region) or Meeting(region=section.region)
        meeting.span = meeting.span.union(section.heading.span) if meeting.span else section.heading.span
        if meeting.start_date is None:
            # No meetings table: a single-region report says when and where in its opening.
            meeting_from_text(section.blocks + (preamble if len(sections) == 1 else []), meeting)
        for initiative in parse_section(section, meeting, footnotes):
            if initiative.code in codes:
                outline.duplicates.append(initiative)  # the first one stands; lint tells the editors
            else:
                codes.add(initiative.code)
                outline.initiatives.append(initiative)
        outline.meetings.append(meeting)
    for region, meeting in table.items():
        if region not in seen:
            outline.meetings.append(meeting)
    if not outline.initiatives:
        raise InputError(
            f"{source.filename}: no regional initiatives found; is this an RPM outcome report? "
            'Expected region sections ("2.2 Europe Region") with codes such as "EUR1:"'
        )
    source.stage = document_stage(blocks, len(seen))
    for initiative in outline.initiatives:
        initiative.stage = source.stage
    if outline.conference is not None:
        source.key = source.key or f"{outline.conference.code}:{'+'.join(sorted(seen))}"
    return outline
