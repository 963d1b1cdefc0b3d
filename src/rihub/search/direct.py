"""Hits a person names directly: initiative codes, expected-result keys, people, places, framework items.

Full text indexes prose; people also type identifiers. "AMS3", "eur 1", "AFR1.16" name one
initiative (or one of its results), "Vári" or "Nairobi" a meeting through its officers and venue,
"SDG 9", "C5", "GDC 3" a framework item through the links to it. These are looked up in the tables
that hold them and ranked before the word hits, so the thing named comes first. Names and places
are compared with diacritics folded, so "Vari" finds "Vári".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from typing import Any

from sqlalchemy import Connection, select

from rihub.records import Marks, SearchHit, SearchMatch, Span
from rihub.search.fulltext import current_heads
from rihub.store import schema as t

_CODE = re.compile(r"^([A-Za-z]{2,4})\s*-?\s*(\d{1,2})(?:\.(\d{1,3}))?$")
_FRAMEWORK = re.compile(r"^(SDG|WSIS|GDC)?\s*-?\s*(C\s*\d{1,2}|\d{1,2})$", re.IGNORECASE)
_RI = re.compile(r"\b(?:ri|regional\s+initiative)\s*-?\s*(\d{1,2})\b")
_FILLER = {"of", "for", "in", "the"}
_MONTHS = {m.lower(): n for n, m in enumerate(calendar.month_name) if m} | {
    m.lower(): n for n, m in enumerate(calendar.month_abbr) if m
}
_DATE = re.compile(
    r"^(?:(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?\s+)?([a-z]{3,9})\.?(?:\s+(\d{4}))?$|^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$"
)
_PROVENANCE_ORDER = {"document": 0, "person": 1, "model": 2}
MAX_MEETINGS = 2000


def fold(value: str) -> str:
    """Lower case without diacritics: how names and places are compared."""
    if value.isascii():
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def direct_hits(conn: Connection, q: str, cycle_id: int | None) -> list[SearchHit]:
    """The initiatives, results, meetings or linked initiatives ``q`` names, best first (often none)."""
    q = q.strip()
    if not q or len(q) > 200:
        return []
    return (
        _code_hits(conn, q, cycle_id)
        or _framework_hits(conn, q, cycle_id)
        or _meeting_hits(conn, q, cycle_id)
        or _date_hits(conn, q, cycle_id)
    )


def _span(row: Any) -> Span:
    return Span(source_id=row.source_id, start=row.span_start, end=row.span_end)


def _initiatives(conn: Connection, cycle_id: int | None) -> Any:
    query = current_heads()
    return query.where(t.initiatives.c.conference_id == cycle_id) if cycle_id is not None else query


def _hit(init: Any, matches: list[SearchMatch], frameworks: list[str], score: float = 1.0) -> SearchHit:
    return SearchHit(
        type="initiative",
        code=init.code,
        cycle=init.cycle,
        region=init.region_code,
        region_name=init.region_name,
        kind=init.kind,
        title=init.title,
        title_marks=[],
        frameworks=frameworks,
        score=score,
        matches=matches,
    )


def _code_hits(conn: Connection, q: str, cycle_id: int | None) -> list[SearchHit]:
    """ "AMS3", "ams 3", "EUR-1": that initiative; "AFR1.16": that initiative at its result 16."""
    from rihub.search.fulltext import frameworks_of

    found = _CODE.match(q)
    code = named_code(conn, q)
    if code is None:
        return []
    rows = list(conn.execute(_initiatives(conn, cycle_id).where(t.initiatives.c.code == code)))
    frameworks = frameworks_of(conn, [r.id for r in rows])
    hits = []
    for init in rows:
        matches = []
        if found and found.group(3):
            r = t.expected_results
            result = conn.execute(
                select(r.c.number, r.c.text, r.c.source_id, r.c.span_start, r.c.span_end).where(
                    r.c.initiative_id == init.id, r.c.number == int(found.group(3)), r.c.status == "current"
                )
            ).first()
            if result is None:
                continue
            matches.append(
                SearchMatch(
                    field="result",
                    label=f"Expected result {result.number}",
                    number=result.number,
                    text=result.text,
                    marks=[],
                    span=_span(result),
                )
            )
        hits.append(_hit(init, matches, sorted(frameworks[init.id])))
    return hits


def named_code(conn: Connection, q: str) -> str | None:
    """The initiative code ``q`` is ("AMS3", "eur 1", "AFR1.16", "AFR RI 1"), or None."""
    found = _CODE.match(q.strip())
    return f"{found.group(1).upper()}{int(found.group(2))}" if found else _regional_initiative(conn, q)


def _regional_initiative(conn: Connection, q: str) -> str | None:
    """The code "AFR RI 1", "RI 1 Africa", "Regional Initiative 1 for Europe" name (a region's code
    or name around "RI n"), or None."""
    folded = fold(q)
    found = _RI.search(folded)
    if not found:
        return None
    place = _words(folded[: found.start()] + " " + folded[found.end() :])
    for code, name in conn.execute(select(t.regions.c.code, t.regions.c.name)):
        if place and place in (code.lower(), _words(fold(name))):
            return f"{code}{int(found.group(1))}"
    return None


def _words(value: str) -> str:
    return " ".join(w for w in re.findall(r"\w+", value) if w not in _FILLER)


def _framework_hits(conn: Connection, q: str, cycle_id: int | None) -> list[SearchHit]:
    """ "SDG 9", "WSIS C5", "C5", "GDC 3": the initiatives linked to that item, document links first."""
    from rihub.search.fulltext import frameworks_of

    found = _FRAMEWORK.match(q)
    if not found or (found.group(1) is None and not found.group(2).upper().startswith("C")):
        return []
    item = found.group(2).upper().replace(" ", "")
    framework = (found.group(1) or "WSIS").upper()
    a, r = t.alignments, t.expected_results
    links = conn.execute(
        select(a.c.initiative_id, a.c.provenance, a.c.status, a.c.label, r.c.number, r.c.text)
        .outerjoin(r, r.c.id == a.c.result_id)
        .where(a.c.framework == framework, a.c.code == item, a.c.status != "rejected")
    ).all()
    if not links:
        return []
    heads = {
        row.id: row
        for row in conn.execute(
            _initiatives(conn, cycle_id).where(t.initiatives.c.id.in_({link.initiative_id for link in links}))
        )
    }
    frameworks = frameworks_of(conn, heads)
    grouped: dict[int, list[Any]] = {}
    for link in links:
        if link.initiative_id in heads:
            grouped.setdefault(link.initiative_id, []).append(link)

    def rank(owner: int) -> tuple[int, str]:
        return (min(_PROVENANCE_ORDER.get(x.provenance, 3) for x in grouped[owner]), heads[owner].code)

    hits = []
    for owner in sorted(grouped, key=rank):
        init = heads[owner]
        matches = []
        for link in sorted(grouped[owner], key=lambda x: (_PROVENANCE_ORDER.get(x.provenance, 3), x.number or 0)):
            where = f"expected result {link.number}" if link.number is not None else "the initiative"
            label = f"{framework} {item} — {link.provenance} link ({link.status}) to {where}"
            matches.append(
                SearchMatch(
                    field="link",
                    label=label,
                    number=link.number,
                    text=link.text or link.label or init.title,
                    marks=[],
                    span=_span(init),
                )
            )
        hits.append(_hit(init, matches, sorted(frameworks[owner])))
    return hits


def _meetings(conn: Connection, cycle_id: int | None) -> list[Any]:
    """The meetings of the cycle (of every cycle when None, at most ``MAX_MEETINGS``) with their region."""
    m = t.meetings
    query = (
        select(
            m.c.id,
            m.c.region_code,
            m.c.city,
            m.c.country,
            m.c.start_date,
            m.c.end_date,
            m.c.source_id,
            m.c.span_start,
            m.c.span_end,
            t.regions.c.name.label("region_name"),
            t.conferences.c.code.label("cycle"),
        )
        .join(t.regions, t.regions.c.code == m.c.region_code)
        .join(t.conferences, t.conferences.c.id == m.c.conference_id)
        .order_by(m.c.start_date, m.c.id)
        .limit(MAX_MEETINGS)
    )
    return list(conn.execute(query.where(m.c.conference_id == cycle_id) if cycle_id is not None else query))


def _meeting_hit(meeting: Any, matches: list[SearchMatch]) -> SearchHit:
    return SearchHit(
        type="meeting",
        code=f"RPM-{meeting.region_code}",
        cycle=meeting.cycle,
        region=meeting.region_code,
        region_name=meeting.region_name,
        kind="meeting",
        title=f"Regional Preparatory Meeting for {meeting.region_name}",
        title_marks=[],
        frameworks=[],
        score=1.0,
        matches=matches,
    )


def _meeting_hits(conn: Connection, q: str, cycle_id: int | None) -> list[SearchHit]:
    """Meetings whose venue (city, country) or officers (names, countries) hold every word of ``q``."""
    words = [w for w in re.findall(r"\w+", fold(q)) if len(w) > 2]  # "of", "de" name no one
    if not words or len(words) > 6:
        return []
    o = t.officers
    meetings = _meetings(conn, cycle_id)
    officers: dict[int, list[Any]] = {}
    if meetings:
        rows = conn.execute(
            select(o.c.meeting_id, o.c.role, o.c.honorific, o.c.name, o.c.country, o.c.source_id)
            .add_columns(o.c.span_start, o.c.span_end)
            .where(o.c.meeting_id.in_([x.id for x in meetings]))
            .order_by(o.c.meeting_id, o.c.position)
        )
        for row in rows:
            officers.setdefault(row.meeting_id, []).append(row)
    hits = []
    for meeting in meetings:
        places = [("venue", "Venue", ", ".join(p for p in (meeting.city, meeting.country) if p), _span(meeting))]
        for x in officers.get(meeting.id, []):
            person = " ".join(p for p in (x.honorific, x.name) if p) + (f" ({x.country})" if x.country else "")
            places.append(("officer", x.role.capitalize(), person, _span(x)))
        matches = [_found(field, label, value, span, words) for field, label, value, span in places]
        kept = [match for match in matches if match is not None]
        every = set().union(*(set(re.findall(r"\w+", fold(match.text))) for match in kept)) if kept else set()
        if kept and all(w in every for w in words):
            hits.append(_meeting_hit(meeting, kept))
    return hits


def _when(meeting: Any) -> str:
    """The meeting's dates as the report writes them: "4-5 February 2025"."""
    start, end = meeting.start_date, meeting.end_date or meeting.start_date
    if start.month != end.month:
        return f"{start.day} {calendar.month_name[start.month]} - {end.day} {calendar.month_name[end.month]} {end.year}"
    days = f"{start.day}-{end.day}" if end.day != start.day else str(start.day)
    return f"{days} {calendar.month_name[start.month]} {start.year}"


def _date_hits(conn: Connection, q: str, cycle_id: int | None) -> list[SearchHit]:
    """Meetings held on the date ``q`` writes: "2025", "May 2025", "4-5 February", "2025-04-08".

    A year, a month (of any year, or of the year given) and days are each compared with the
    meeting's first to last day, so "5 February" finds a meeting of 4-5 February."""
    found = _DATE.match(fold(q.strip()).replace(",", ""))
    if not found:
        return []
    first, last, month_name, year, iso_year, iso_month, iso_day = found.groups()
    if iso_year:
        year, month = iso_year, int(iso_month) if iso_month else None
        first = iso_day
    else:
        month = _MONTHS.get(month_name or "")
        if month is None:
            return []
    days = {int(d) for d in (first, last) if d}
    hits = []
    for meeting in _meetings(conn, cycle_id):
        if meeting.start_date is None:
            continue
        end = meeting.end_date or meeting.start_date
        held = [meeting.start_date + dt.timedelta(days=n) for n in range((end - meeting.start_date).days + 1)]
        if any(_on(d, year, month, days) for d in held):
            when = _when(meeting)
            match = SearchMatch(
                field="dates", label="Dates", number=None, text=when, marks=[(0, len(when))], span=_span(meeting)
            )
            hits.append(_meeting_hit(meeting, [match]))
    return hits


def _on(day: dt.date, year: str | None, month: int | None, days: set[int]) -> bool:
    same_year = year is None or day.year == int(year)
    return same_year and (month is None or day.month == month) and (not days or day.day in days)


def reviewed_hits(conn: Connection, q: str, cycle_id: int | None) -> list[SearchHit]:
    """Meetings that reviewed a document whose description holds every word of ``q`` (diacritics
    and case folded; words of three letters or more). These follow the word hits rather than
    lead them: a description is prose, so a topic query would otherwise put meetings first."""
    words = [w for w in re.findall(r"\w+", fold(q)) if len(w) > 2]
    if not words or len(words) > 6:
        return []
    meetings = {x.id: x for x in _meetings(conn, cycle_id)}
    d = t.reviewed_documents
    found: dict[int, list[SearchMatch]] = {}
    if meetings:
        rows = conn.execute(
            select(d.c.meeting_id, d.c.number, d.c.description, d.c.source_id, d.c.span_start, d.c.span_end)
            .where(d.c.meeting_id.in_(list(meetings)))
            .order_by(d.c.meeting_id, d.c.position)
        )
        for row in rows:
            if not set(re.findall(r"\w+", fold(row.description))).issuperset(words):
                continue
            match = _found("reviewed", f"Document {row.number} reviewed", row.description, _span(row), words)
            if match is not None:
                found.setdefault(row.meeting_id, []).append(match)
    return [_meeting_hit(meetings[i], matches) for i, matches in found.items()]


def _found(field: str, label: str, value: str, span: Span, words: list[str]) -> SearchMatch | None:
    """``value`` as a match, its words equal (diacritics folded) to a query word marked; None if none."""
    marks: Marks = []
    for token in re.finditer(r"\w+", value):
        if fold(token.group()) in words:
            marks.append((token.start(), token.end()))
    if not marks:
        return None
    return SearchMatch(field=field, label=label, number=None, text=value, marks=marks, span=span)
