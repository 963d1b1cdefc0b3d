"""The conference a document prepares or names, and the meetings it tells of (table or prose).

Part of the structure reader (rihub.ingest.itu): dates ("28 February - 1 March 2025", "February
4-5"), venues, the table of RPMs with or without its header row, and the WTDC a text names by its
code, its city or its cycle (the cities and years are data, in rihub.ingest.layouts).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rihub.ingest.layouts import CITY, PERIOD, conference_of_city, conference_of_period
from rihub.ingest.links import link_cell
from rihub.ingest.regions import RPM_REFERENCE, region_of_heading
from rihub.ingest.text import clean
from rihub.model import Block, Conference, Meeting, cycle_year

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

CONFERENCE_CODE = re.compile(r"\b(WTDC)[-‑–\s]?(\d{2,4})\b")

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


def conference_mentions(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    """Each conference a text names: by code ("WTDC-14", "WTDC 2025"), by its city ("held in Dubai",
    "(Kigali, 2022)", "Buenos Aires Action Plan") or by its cycle ("the 2023-2025 cycle")."""
    for match in CONFERENCE_CODE.finditer(text):
        yield _conference_code(match.group(2)), match
    for match in CITY.finditer(text):
        code = conference_of_city(text, match)
        if code:
            yield code, match
    if "cycle" in text or "period" in text or "Cycle" in text or "Period" in text:
        for match in PERIOD.finditer(text):
            code = conference_of_period(text, match)
            if code:
                yield code, match


def parse_conference(blocks: list[Block]) -> Conference | None:
    """The WTDC the report prepares; its dates only where the text says when it *will* take place.

    A report cites earlier cycles too ("the WTDC-22 Kigali Action Plan"): a mention that the text
    prepares ("for WTDC-25") wins, else the latest cycle mentioned. A text that names none has an
    unknown cycle: it is never guessed from today's date.
    """
    mentions: list[tuple[bool, int, str, Block, re.Match[str]]] = []
    for block in blocks:
        for code, match in conference_mentions(block.text):
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
            block.role = block.role or "meeting"
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
            year = int(year_match.group(0)) if year_match else None
            meetings = _meeting_rows(rows[index + 1 :], columns, year, header.cells)
            if meetings:
                header.role = "label"
                return meetings
    return _headerless_meetings(blocks)


@dataclass
class _MeetingColumns:
    region: int
    dates: int | None
    place: int | None
    report: int | None
    video: int | None


def _meeting_rows(
    rows: list[Block], columns: _MeetingColumns, year: int | None, headings: list[str] | None = None
) -> dict[str, Meeting]:
    """One meeting per row until a row names no region. Without ``headings`` (a table that lost its
    header row) a report or video column was found by its cells' own word, which then names a link."""
    meetings: dict[str, Meeting] = {}
    for row in rows:
        region = _region_of_cell(row.cells[columns.region]) if columns.region < len(row.cells) else None
        if region is None:
            break
        meeting = Meeting(region=region, span=row.span)
        row.role = "meeting"
        cell = {
            name: row.cells[i] if i is not None and i < len(row.cells) else None for name, i in vars(columns).items()
        }
        if cell["dates"] is not None:
            meeting.start_date, meeting.end_date = parse_dates(cell["dates"], year)
        if cell["place"] is not None:
            city, _, country = clean(cell["place"].replace("\n", " ")).partition(",")
            meeting.city, meeting.country = city.strip() or None, country.strip() or None
        for name in ("report", "video"):
            col = getattr(columns, name)
            if col is not None and col < len(row.cells):
                heading = headings[col] if headings is not None and col < len(headings) else name
                label, url, placeholder = link_cell(heading, row, col)
                setattr(meeting, f"{name}_label", label)
                setattr(meeting, f"{name}_url", url)
                setattr(meeting, f"{name}_placeholder", placeholder)
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
