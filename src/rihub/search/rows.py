"""The full-text backends: the matching rows of one cycle, ranked in the database.

Each returns rows ``(rowid, kind, owner, score, title_marked, body_marked)``; :mod:`rihub.search.fulltext`
groups them into hits. SQLite reads the FTS5 table ``search_fts`` (rowid = id * 8 + k, k the kind
of row), bounded to the cycle's rowid ranges; PostgreSQL matches ``to_tsvector('english', …)``
expressions (the markup characters read as spaces, see ``MARKUP``) backed by GIN indexes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from rihub.search.fulltext import CLOSE, MAX_ROWS, OPEN, ParsedQuery

# Rows of one cycle: an initiative's rows are owned by the initiative, a contribution by its meeting.
_OWNED = "SELECT id FROM initiatives WHERE conference_id = :cycle"
# Per kind of row (the k of rowid = id * 8 + k), the ids a cycle's rows span in their table.
_CYCLE_SPANS = " UNION ALL ".join(
    [
        "SELECT 1, min(id), max(id) FROM initiatives WHERE conference_id = :cycle",
        f"SELECT 2, min(id), max(id) FROM expected_results WHERE initiative_id IN ({_OWNED})",
        "SELECT 3, min(x.id), max(x.id) FROM sub_items x JOIN expected_results r ON r.id = x.result_id"
        f" WHERE r.initiative_id IN ({_OWNED})",
        "SELECT 4, min(x.id), max(x.id) FROM footnotes x JOIN expected_results r ON r.id = x.result_id"
        f" WHERE r.initiative_id IN ({_OWNED})",
        "SELECT 5, min(id), max(id) FROM meetings WHERE conference_id = :cycle",
    ]
)


def cycle_spans(conn: Connection, cycle_id: int) -> list[tuple[int, int, int]]:
    """(k, first rowid, last rowid) of each kind of row a cycle owns in ``search_fts``.

    A report's rows are written together, so a cycle's rows of one table lie in a short run of
    ids: testing these ranges on the rowid costs nothing, where testing the owner reads each
    row, so only the rows in range are read (at 600 cycles, one cycle's rows instead of all of
    them). The ranges are only a bound; the owner test still decides (ids in between may belong
    to another cycle after a superseding copy)."""
    rows = conn.execute(text(_CYCLE_SPANS), {"cycle": cycle_id})
    return [(int(k), int(lo) * 8 + int(k), int(hi) * 8 + int(k)) for k, lo, hi in rows if lo is not None]


_IN_OWNERS = (
    f" AND ((rowid % 8 != 5 AND owner IN ({_OWNED}))"
    " OR (rowid % 8 = 5 AND owner IN (SELECT id FROM meetings WHERE conference_id = :cycle)))"
)
_MARKED = (
    f"highlight(search_fts, 0, '{OPEN}', '{CLOSE}'), snippet(search_fts, 1, '{OPEN}', '{CLOSE}', '…', 24) "
    "FROM search_fts WHERE search_fts MATCH :match"
)


def sqlite_rows(
    conn: Connection, parsed: ParsedQuery, cycle_id: int | None = None, scored: bool = True
) -> list[tuple[int, str, int, float, str, str]]:
    """The matching rows of the cycle, best bm25 first, at most ``MAX_ROWS``.

    Scored, it is one statement, so FTS5 reads each word's document frequency (bm25's IDF, a
    pass over the word's rows in every cycle) once; the cycle's rowid ranges are then tested on
    each matching row. Unscored (the rows holding only some of the words, which rank by the
    words they hold), each kind of row is one ``rowid BETWEEN`` that FTS5 seeks in its doclists,
    so only the cycle's rows are read at all."""
    params: dict[str, Any] = {"match": parsed.fts5(), "limit": MAX_ROWS, "cycle": cycle_id}
    score = "-bm25(search_fts, 4.0, 1.0)" if scored else "1.0"
    head = f"SELECT rowid, kind, owner, {score} AS score, {_MARKED}"
    if cycle_id is None:
        sql = head + (" ORDER BY score DESC" if scored else "") + " LIMIT :limit"
        return _rows(conn.execute(text(sql), params))
    spans = cycle_spans(conn, cycle_id)
    if not spans:
        return []
    params |= {f"lo{k}": lo for k, lo, _ in spans} | {f"hi{k}": hi for k, _, hi in spans}
    if scored:
        ranges = " OR ".join(f"(rowid % 8 = {k} AND rowid BETWEEN :lo{k} AND :hi{k})" for k, _, _ in spans)
        params |= {"lo": min(lo for _, lo, _ in spans), "hi": max(hi for _, _, hi in spans)}
        where = f" AND rowid BETWEEN :lo AND :hi AND ({ranges}){_IN_OWNERS}"
        return _rows(conn.execute(text(f"{head}{where} ORDER BY score DESC LIMIT :limit"), params))
    arms = [f"{head} AND rowid BETWEEN :lo{k} AND :hi{k} AND rowid % 8 = {k}{_IN_OWNERS}" for k, _, _ in spans]
    return _rows(conn.execute(text(" UNION ALL ".join(arms) + " LIMIT :limit"), params))


def _rows(result: Any) -> list[tuple[int, str, int, float, str, str]]:
    return [(int(r[0]), str(r[1]), int(r[2]), float(r[3]), r[4] or "", r[5] or "") for r in result]


_PG_SOURCES = [
    # (k, kind, owner, from, title, body)
    (
        1,
        "initiative",
        "x.id",
        "initiatives x",
        "x.title",
        "coalesce(x.title, '') || ' ' || coalesce(x.objective, '')",
        "coalesce(x.objective, '')",
    ),
    (2, "result", "x.initiative_id", "expected_results x", "''", "x.text", "x.text"),
    (
        3,
        "sub_item",
        "r.initiative_id",
        "sub_items x JOIN expected_results r ON r.id = x.result_id",
        "''",
        "x.text",
        "x.text",
    ),
    (
        4,
        "footnote",
        "r.initiative_id",
        "footnotes x JOIN expected_results r ON r.id = x.result_id",
        "''",
        "x.text",
        "x.text",
    ),
    (5, "contribution", "x.id", "meetings x", "''", "coalesce(x.contributions, '')", "coalesce(x.contributions, '')"),
]


MARKUP = "<>/.@&"
"""Characters PostgreSQL's parser reads as parts of tags, paths, hosts, e-mails and entities: it
drops the words of ``<script>…</script>`` and keeps "emergency/incident" or "www.itu.int" as one
token, where SQLite's tokenizer sees words. The indexed expression reads each as a space
(migration 0011 builds the GIN indexes on exactly that expression)."""
_STAND_INS = "".join(chr(1 + n) for n in range(len(MARKUP)))  # as blank to the parser, and reversible


def words_of(expr: str) -> str:
    """The text-search vector of a column, the markup characters read as spaces (as indexed)."""
    blanks = " " * len(MARKUP)
    return f"to_tsvector('english', translate({expr}, '{MARKUP}', '{blanks}'))"


def _headline(expr: str, phrases: int, options: str) -> str:
    """``ts_headline`` of a column, tokenized as :func:`words_of` tokenizes it and shown as written.

    PostgreSQL marks every word of the query wherever it stands, the words of a phrase too ("secure"
    for "cyber security"); SQLite marks a phrase only where it occurs. So the marked words are the
    query's single words, and each phrase only in a column that holds it."""
    query = "q.words" + "".join(
        f" || CASE WHEN {words_of(expr)} @@ q.p{n} THEN q.p{n} ELSE q.words END" for n in range(phrases)
    )
    shown = f"translate({expr}, '{MARKUP}', '{_STAND_INS}')"
    return f"translate(ts_headline('english', {shown}, {query}, {options}), '{_STAND_INS}', '{MARKUP}')"


def _marked_terms(parsed: ParsedQuery) -> tuple[str, list[str]]:
    """The query's single words (one ``to_tsquery`` of them joined by OR) and its phrases, of every
    spelling of the clauses that are not excluded: what a snippet may mark."""
    words: list[str] = []
    phrases: list[str] = []
    for c in parsed.clauses:
        if c.op == "NOT":
            continue
        typed = [*c.words[:-1], c.words[-1] + (":*" if c.prefix else "")]
        for form in [typed, *(list(a) for a in c.alternatives)]:
            (words if len(form) == 1 else phrases).append(" <-> ".join(form))
    return " | ".join(words), phrases


def postgres_rows(
    conn: Connection, parsed: ParsedQuery, cycle_id: int | None = None
) -> list[tuple[int, str, int, float, str, str]]:
    function, value = (
        ("to_tsquery", parsed.tsquery()) if parsed.has_prefix else ("websearch_to_tsquery", parsed.websearch())
    )
    words, phrases = _marked_terms(parsed)
    whole = f"StartSel={OPEN}, StopSel={CLOSE}, HighlightAll=true"
    short = f'StartSel={OPEN}, StopSel={CLOSE}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
    selects = []
    for k, kind, owner, source, title, vector, body in _PG_SOURCES:
        selects.append(
            f"SELECT x.id * 8 + {k} AS rowid, '{kind}' AS kind, {owner} AS owner, "
            f"ts_rank({words_of(vector)}, q.query) AS score, "
            f"{_headline(title, len(phrases), ':whole')} AS title_hl, "
            f"{_headline(body, len(phrases), ':short')} AS body_hl "
            f"FROM {source}, q WHERE {words_of(vector)} @@ q.query"
            + (_pg_in_cycle(kind, owner) if cycle_id is not None else "")
        )
    terms = "".join(f", to_tsquery('english', :p{n}) AS p{n}" for n in range(len(phrases)))
    sql = (
        f"WITH q AS (SELECT {function}('english', :value) AS query, to_tsquery('english', :words) AS words{terms}) "
        + " UNION ALL ".join(selects)
        + " ORDER BY score DESC LIMIT :limit"
    )
    params: dict[str, Any] = {"value": value, "words": words, "whole": whole, "short": short}
    params |= {"limit": MAX_ROWS, "cycle": cycle_id} | {f"p{n}": p for n, p in enumerate(phrases)}
    result = conn.execute(text(sql), params)
    return [(int(r[0]), str(r[1]), int(r[2]), float(r[3]), r[4] or "", r[5] or "") for r in result]


def _pg_in_cycle(kind: str, owner: str) -> str:
    table = "meetings" if kind == "contribution" else "initiatives"
    return f" AND {owner} IN (SELECT id FROM {table} WHERE conference_id = :cycle)"
