"""Full-text search over titles, objectives, expected results (with sub-items, footnotes) and contributions.

SQLite uses the FTS5 table ``search_fts`` (porter stemming, bm25 ranking) that migration 0002
creates and keeps in step through triggers; PostgreSQL matches ``to_tsvector('english', …)``
expressions backed by GIN indexes. Both go through one small query language parsed here, so a
person's typing can never produce an FTS syntax error: words, ``"phrases"``, ``prefix*``,
``OR``, ``NOT``/``-word``; anything else is treated as plain text.

Hits are grouped per initiative (or per meeting, for contributions) because people look for
initiatives, not paragraphs: an initiative scores the weighted sum of its matching rows' scores.
Results are data (:class:`rihub.records.SearchResult`): each snippet is plain text with the
offsets of the matched words; the web layer builds the links and the ``<mark>`` HTML.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, Select, select
from sqlalchemy.exc import DBAPIError

from rihub.errors import InputError
from rihub.records import Facet, Marks, SearchHit, SearchMatch, SearchResult, Span
from rihub.store import schema as t

MODES = ("fulltext", "semantic", "hybrid")
"""Search modes: words (FTS), meaning (stored sentence embeddings), or both fused by rank."""
NO_EMBEDDINGS = "meaning-based search needs stored embeddings: run `rihub align` first"

OPEN, CLOSE = "\ue000", "\ue001"  # private-use markers the database puts around matched words
MAX_QUERY_CHARS = 500
MAX_WORDS = 32
MAX_ROWS = 2000
KIND_WEIGHT = {"initiative": 2.0, "result": 1.0, "sub_item": 1.0, "footnote": 0.5, "contribution": 1.0}
ROW_KINDS = {1: "initiative", 2: "result", 3: "sub_item", 4: "footnote", 5: "contribution"}
FACETS = ("region", "kind", "framework")


_PIECE = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Clause:
    """One phrase (a single word is a phrase of one) and how it joins the clause before it."""

    words: tuple[str, ...]
    prefix: bool = False
    op: str = "AND"  # AND | OR | NOT
    alternatives: tuple[tuple[str, ...], ...] = ()  # other spellings: "cyber security" | "cybersecurity"


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]

    @property
    def empty(self) -> bool:
        return not self.clauses

    @property
    def has_prefix(self) -> bool:
        """Whether PostgreSQL needs ``to_tsquery`` (prefix terms and other spellings cannot be websearch)."""
        return any(c.prefix or c.alternatives for c in self.clauses)

    def fts5(self) -> str:
        """The FTS5 MATCH expression: every word quoted, so no user text is ever read as syntax."""
        parts: list[str] = []
        for c in self.clauses:
            phrase = '"' + " ".join(c.words) + '"' + ("*" if c.prefix else "")
            if c.alternatives:
                phrase = "(" + " OR ".join([phrase, *('"' + " ".join(a) + '"' for a in c.alternatives)]) + ")"
            parts.append(phrase if not parts else f"{c.op} {phrase}")
        return " ".join(parts)

    def tsquery(self) -> str:
        """The same query for PostgreSQL's ``to_tsquery`` (used when a prefix term needs ``:*``)."""
        out = ""
        for c in self.clauses:
            words = list(c.words)
            if c.prefix:
                words[-1] += ":*"
            phrase = " | ".join("(" + " <-> ".join(w) + ")" for w in [words, *c.alternatives])
            phrase = f"({phrase})" if c.alternatives else phrase
            joiner = {"AND": " & ", "OR": " | ", "NOT": " & !"}[c.op]
            out = phrase if not out else out + joiner + phrase
        return out

    def websearch(self) -> str:
        """The same query for PostgreSQL's ``websearch_to_tsquery`` (no prefix terms)."""
        parts: list[str] = []
        for c in self.clauses:
            phrase = '"' + " ".join(c.words) + '"' if len(c.words) > 1 else c.words[0]
            if parts and c.op == "OR":
                parts.append("or")
            parts.append("-" + phrase if c.op == "NOT" else phrase)
        return " ".join(parts)


def parse_query(q: str) -> ParsedQuery:
    """Read words, "phrases", prefix*, OR, NOT and -word; drop stray operators and punctuation."""
    clauses: list[Clause] = []
    pending = "AND"
    budget = MAX_WORDS
    for match in _PIECE.finditer(q[:MAX_QUERY_CHARS]):
        phrase, raw = match.group(1), match.group(2)
        prefix = False
        if raw is not None:
            if raw in ("AND", "OR", "NOT"):
                if clauses:
                    pending = raw if raw != "AND" or pending == "AND" else pending
                continue
            if raw.startswith("-") and len(raw) > 1:
                pending = "NOT"
            words = _WORD.findall(raw)
            prefix = raw.endswith("*") and bool(words)
        else:
            words = _WORD.findall(phrase)
        words = words[:budget]
        if not words:
            continue
        if not clauses and pending == "NOT":  # a query cannot start with an exclusion
            pending = "AND"
            continue
        clauses.append(Clause(tuple(words), prefix, pending if clauses else "AND"))
        budget -= len(words)
        pending = "AND"
        if budget <= 0:
            break
    return ParsedQuery(tuple(clauses))


def unmark(value: str | None) -> tuple[str, Marks]:
    """Text the database marked (``OPEN``/``CLOSE`` around matched words) as plain text and offsets."""
    plain: list[str] = []
    marks: Marks = []
    at, start = 0, None
    for piece in re.split(f"([{OPEN}{CLOSE}])", value or ""):
        if piece == OPEN:
            start = at
        elif piece == CLOSE:
            if start is not None and at > start:
                marks.append((start, at))
            start = None
        else:
            plain.append(piece)
            at += len(piece)
    return "".join(plain), marks


def _empty(q: str, mode: str, error: str | None = None) -> SearchResult:
    return SearchResult(
        query=q, mode=mode, match=None, count=0, data=[], facets={name: [] for name in FACETS}, error=error
    )


def search(
    conn: Connection,
    q: str,
    region: str | None = None,
    kind: str | None = None,
    framework: str | None = None,
    limit: int = 20,
    offset: int = 0,
    mode: str = "fulltext",
    embed: Callable[[str], Any] | None = None,
    cycle: str | None = None,
    literal: bool = False,
) -> SearchResult:
    """Ranked hits (initiatives and meetings) with marked snippets and facet counts.

    A query that cannot run (empty, only punctuation, or refused by the database) gives an
    empty result with ``error`` set rather than an exception, so pages never fail on input.
    ``semantic`` and ``hybrid`` embed the query (``embed``, by default the MiniLM model, loaded
    on first use); without stored embeddings they say so instead of loading anything.
    """
    if mode not in MODES:
        raise InputError(f"unknown search mode {mode!r}; available: {', '.join(MODES)}")
    q = q or ""
    if mode == "fulltext":
        parsed, hits, error, corrected = fulltext_hits(conn, q, cycle, literal)
        if error is not None or parsed.empty:
            return _empty(q, mode, error)
        match: str | None = parsed.fts5()
    else:
        from rihub.search import semantic

        if not q.strip():
            return _empty(q, mode)
        if not semantic.has_embeddings(conn):
            return _empty(q, mode, NO_EMBEDDINGS)
        vector = (embed or semantic.embed_query)(q[:MAX_QUERY_CHARS])
        cycle_id = conn.scalar(select(t.conferences.c.id).where(t.conferences.c.code == cycle)) if cycle else None
        hits = semantic.semantic_hits(conn, vector, cycle_id)
        match, corrected = None, None
        if mode == "hybrid":
            parsed, words, _, corrected = fulltext_hits(conn, q, cycle, literal)
            hits = semantic.fuse(words, hits)
            match = None if parsed.empty else parsed.fts5()
    wanted = {
        "region": (region or "").upper() or None,
        "kind": kind or None,
        "framework": (framework or "").upper() or None,
    }
    facets = _facets(hits, wanted)
    kept = [h for h in hits if all(_has(h, name, value) for name, value in wanted.items())]
    data = kept[offset : offset + limit]
    opens = _opens(conn, q, kept) if mode != "semantic" else None
    return SearchResult(
        query=q,
        mode=mode,
        match=match,
        count=len(kept),
        data=data,
        facets=facets,
        error=None,
        corrected=corrected,
        opens=opens,
    )


def _opens(conn: Connection, q: str, hits: list[SearchHit]) -> str | None:
    """The code of the initiative a code query names, when it is among the hits (the page links to it)."""
    from rihub.search.direct import named_code

    code = named_code(conn, q)
    return code if any(h.type == "initiative" and h.code == code for h in hits[:1]) else None


def fulltext_hits(
    conn: Connection, q: str, cycle: str | None = None, literal: bool = False
) -> tuple[ParsedQuery, list[SearchHit], str | None, str | None]:
    """The parsed query, its grouped hits (of ``cycle`` only, when given: the restriction is in
    the query, before the rows are ranked and capped), a hint when it could not run, and the
    corrected query when unknown words were replaced (never with ``literal``).

    What the query names (a code, a person, a place, a date, a framework item) comes first; then
    the word hits, forgiving unless ``literal`` (see :mod:`rihub.search.forgiving`); then the
    meetings that reviewed a document described by the words."""
    from rihub.search import direct, forgiving

    parsed = parse_query(q)
    if parsed.empty:
        return parsed, [], "type a word or a phrase to search for" if q.strip() else None, None
    corrected = None
    try:
        cycle_id = conn.scalar(select(t.conferences.c.id).where(t.conferences.c.code == cycle)) if cycle else None
        named = direct.direct_hits(conn, q, cycle_id)
        if not literal:
            vocab, names = forgiving.lexicon(conn)
            fixed = forgiving.correct(parsed, vocab, names)
            if fixed != parsed:
                corrected, parsed = forgiving.shown(fixed), fixed
                named = named or direct.direct_hits(conn, corrected, cycle_id)  # "Nairbi": the Nairobi meeting
            parsed = forgiving.compounds(parsed, vocab)
        hits = _run(conn, parsed, cycle_id)
        if not literal:
            either = forgiving.widened(parsed)
            if either != parsed:
                hits = forgiving.partial(hits, _run(conn, either, cycle_id, scored=False))
            hits = forgiving.rank(parsed, hits)
        reviewed = direct.reviewed_hits(conn, q, cycle_id)
        if not reviewed and corrected:
            reviewed = direct.reviewed_hits(conn, corrected, cycle_id)
        hits = forgiving.then(forgiving.named_first(named, hits), reviewed)
    except DBAPIError as exc:
        if conn.dialect.name == "postgresql" and conn.in_transaction():
            conn.rollback()
        return parsed, [], f"the search could not run this query ({type(exc.orig).__name__})", None
    return parsed, hits, None, corrected


def _run(conn: Connection, parsed: ParsedQuery, cycle_id: int | None, scored: bool = True) -> list[SearchHit]:
    """Grouped hits; ``scored=False`` leaves bm25 out where that is cheaper (SQLite: each row
    scores 1, so a hit scores the kind-weighted count of its rows)."""
    from rihub.search.rows import postgres_rows, sqlite_rows

    if conn.dialect.name == "postgresql":
        return _group(conn, postgres_rows(conn, parsed, cycle_id))
    return _group(conn, sqlite_rows(conn, parsed, cycle_id, scored))


def _values(hit: SearchHit, facet: str) -> list[str]:
    return hit.frameworks if facet == "framework" else [hit.region if facet == "region" else hit.kind]


def _has(hit: SearchHit, facet: str, value: str | None) -> bool:
    return value is None or value in _values(hit, facet)


def _facets(hits: list[SearchHit], wanted: dict[str, str | None]) -> dict[str, list[Facet]]:
    """Counts per facet value, each facet under the other facets' filters (so choices stay visible)."""
    out: dict[str, list[Facet]] = {}
    for name in FACETS:
        others = {k: v for k, v in wanted.items() if k != name}
        counts: dict[str, int] = defaultdict(int)
        for h in hits:
            if all(_has(h, k, v) for k, v in others.items()):
                for value in _values(h, name):
                    counts[value] += 1
        out[name] = [
            Facet(value=value, count=n, selected=value == wanted[name])
            for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return out


# --- grouping rows into hits -------------------------------------------------------------------


def _by_id(conn: Connection, query: Any, ids: Iterable[int]) -> dict[int, Any]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {r.id: r for r in conn.execute(query(ids))}


def current_heads() -> Select[Any]:
    """The fields a search hit shows of every current initiative (its region's name, its cycle's code)."""
    i = t.initiatives
    return (
        select(
            i.c.id,
            i.c.code,
            i.c.region_code,
            i.c.kind,
            i.c.title,
            i.c.objective,
            i.c.objective_kind,
            i.c.source_id,
            i.c.span_start,
            i.c.span_end,
            t.regions.c.name.label("region_name"),
            t.conferences.c.code.label("cycle"),
        )
        .join(t.regions, t.regions.c.code == i.c.region_code)
        .join(t.conferences, t.conferences.c.id == i.c.conference_id)
        .where(i.c.status == "current")
    )


def initiative_heads(conn: Connection, ids: Iterable[int]) -> dict[int, Any]:
    """The initiative fields a search hit shows, by id (one query for all hits)."""
    return _by_id(conn, lambda v: current_heads().where(t.initiatives.c.id.in_(v)), ids)


def frameworks_of(conn: Connection, initiative_ids: Iterable[int]) -> defaultdict[int, set[str]]:
    """Frameworks each initiative is linked to (rejected links do not count): the framework facet."""
    out: defaultdict[int, set[str]] = defaultdict(set)
    ids = sorted(set(initiative_ids))
    if ids:
        query = select(t.alignments.c.initiative_id, t.alignments.c.framework).where(
            t.alignments.c.initiative_id.in_(ids), t.alignments.c.status != "rejected"
        )
        for owner, name in conn.execute(query):
            out[owner].add(name)
    return out


def _group(conn: Connection, raw: Sequence[tuple[int, str, int, float, str, str]]) -> list[SearchHit]:
    ids: dict[str, set[int]] = defaultdict(set)
    owners: set[int] = set()
    meeting_ids: set[int] = set()
    for rowid, kind, owner, *_ in raw:
        ids[kind].add(rowid // 8)
        (meeting_ids if kind == "contribution" else owners).add(owner)
    r, s, f, m = t.expected_results, t.sub_items, t.footnotes, t.meetings
    initiatives = initiative_heads(conn, owners)
    results = _by_id(
        conn,
        lambda v: select(r.c.id, r.c.number, r.c.source_id, r.c.span_start, r.c.span_end).where(r.c.id.in_(v)),
        ids["result"],
    )
    subs = _by_id(
        conn,
        lambda v: (
            select(s.c.id, s.c.label, r.c.number, s.c.source_id, s.c.span_start, s.c.span_end)
            .join(r, r.c.id == s.c.result_id)
            .where(s.c.id.in_(v))
        ),
        ids["sub_item"],
    )
    notes = _by_id(
        conn,
        lambda v: (
            select(f.c.id, f.c.marker, r.c.number, f.c.source_id, f.c.span_start, f.c.span_end)
            .join(r, r.c.id == f.c.result_id)
            .where(f.c.id.in_(v))
        ),
        ids["footnote"],
    )
    meetings = _by_id(
        conn,
        lambda v: (
            select(
                m.c.id,
                m.c.region_code,
                m.c.city,
                m.c.source_id,
                m.c.span_start,
                m.c.span_end,
                t.regions.c.name.label("region_name"),
                t.conferences.c.code.label("cycle"),
            )
            .join(t.regions, t.regions.c.code == m.c.region_code)
            .join(t.conferences, t.conferences.c.id == m.c.conference_id)
            .where(m.c.id.in_(v))
        ),
        meeting_ids,
    )
    frameworks = frameworks_of(conn, owners)

    hits: dict[tuple[str, int], _Hit] = {}
    for rowid, kind, owner, score, title_marked, body_marked in raw:
        ref = rowid // 8
        if kind == "contribution":
            meeting = meetings.get(owner)
            if meeting is None:
                continue
            title = f"Regional Preparatory Meeting for {meeting.region_name}"
            hit = hits.setdefault(
                ("meeting", owner),
                _Hit(
                    "meeting",
                    f"RPM-{meeting.region_code}",
                    meeting.cycle,
                    meeting.region_code,
                    meeting.region_name,
                    "contribution",
                    title,
                    [],
                    [],
                ),
            )
            span = Span(source_id=meeting.source_id, start=meeting.span_start, end=meeting.span_end)
            hit.matches.append(_marked("contributions", "Contributions", None, body_marked, span))
        else:
            init = initiatives.get(owner)
            if init is None:
                continue
            hit = hits.setdefault(
                ("initiative", owner),
                _Hit(
                    "initiative",
                    init.code,
                    init.cycle,
                    init.region_code,
                    init.region_name,
                    init.kind,
                    init.title,
                    [],
                    sorted(frameworks[owner]),
                ),
            )
            match = _match(kind, ref, body_marked, init, results, subs, notes)
            if kind == "initiative" and OPEN in title_marked:
                hit.title_marks = unmark(title_marked)[1]
                if match is None:
                    span = Span(source_id=init.source_id, start=init.span_start, end=init.span_end)
                    match = _marked("title", "Title", None, title_marked, span)
            if match is not None:
                hit.matches.append(match)
        hit.score += KIND_WEIGHT[kind] * score
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.code))
    return [h.record() for h in ranked]


@dataclass
class _Hit:
    """A hit while its rows are gathered (records are frozen)."""

    type: Literal["initiative", "meeting"]
    code: str
    cycle: str
    region: str
    region_name: str
    kind: str
    title: str
    title_marks: Marks
    frameworks: list[str]
    matches: list[SearchMatch] = field(default_factory=list)
    score: float = 0.0

    def record(self) -> SearchHit:
        return SearchHit(
            type=self.type,
            code=self.code,
            cycle=self.cycle,
            region=self.region,
            region_name=self.region_name,
            kind=self.kind,
            title=self.title,
            title_marks=self.title_marks,
            frameworks=self.frameworks,
            score=round(self.score, 4),
            matches=self.matches,
        )


def _marked(field: str, label: str, number: int | None, marked: str, span: Span) -> SearchMatch:
    text, marks = unmark(marked)
    return SearchMatch(field=field, label=label, number=number, text=text, marks=marks, span=span)


def _match(
    kind: str,
    ref: int,
    body: str,
    init: Any,
    results: dict[int, Any],
    subs: dict[int, Any],
    notes: dict[int, Any],
) -> SearchMatch | None:
    """Where in the initiative the row matched, with its snippet."""
    if kind == "initiative":
        if OPEN not in body:
            return None
        field = init.objective_kind or "objective"
        span = Span(source_id=init.source_id, start=init.span_start, end=init.span_end)
        return _marked(field, field.capitalize(), None, body, span)
    row = {"result": results, "sub_item": subs, "footnote": notes}[kind].get(ref)
    if row is None:
        return None
    label = f"Expected result {row.number}"
    if kind == "sub_item":
        label += f", item {row.label})"
    elif kind == "footnote":
        label += f", footnote {row.marker}"
    return _marked(kind, label, row.number, body, Span(source_id=row.source_id, start=row.span_start, end=row.span_end))
