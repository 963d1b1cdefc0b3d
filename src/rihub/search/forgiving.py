"""Forgiving full text: typos corrected from the registry's own words, compounds, partial matches.

A word the registry never uses ("cybersecuirty") is replaced by the closest word it does use
(rapidfuzz ratio ≥ ``MIN_SIMILARITY``, words of 5 letters or more only, so short words and codes
are left alone); the result says so and links to the literal query. A phrase of two words that
the registry also writes as one ("cyber security") matches either spelling, and a word it also
writes as two matches the phrase. When no initiative holds every word, each word is searched on
its own and initiatives rank by how many of the words they hold, then by score.

The vocabulary is read from the texts (titles, objectives, expected results) once per state of
the registry: it is cached under the database URL and the row counts, so an ingest refreshes it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, func, select

from rihub.store import schema as t

if TYPE_CHECKING:
    from rihub.search.fulltext import Clause, ParsedQuery

MIN_SIMILARITY = 80.0
MIN_LENGTH = 5
_VOCABULARY: dict[tuple[str, int, int], frozenset[str]] = {}


def vocabulary(conn: Connection) -> frozenset[str]:
    """Every lower-case word of the registry's titles, objectives and expected results."""
    i, r = t.initiatives, t.expected_results
    key = (
        str(conn.engine.url),
        int(conn.scalar(select(func.coalesce(func.max(r.c.id), 0))) or 0),
        int(conn.scalar(select(func.coalesce(func.max(i.c.id), 0))) or 0),
    )
    if key not in _VOCABULARY:
        words: set[str] = set()
        for title, objective in conn.execute(select(i.c.title, i.c.objective)):
            words.update(re.findall(r"\w+", f"{title} {objective or ''}".lower()))
        for (value,) in conn.execute(select(r.c.text)):
            words.update(re.findall(r"\w+", value.lower()))
        _VOCABULARY.clear()
        _VOCABULARY[key] = frozenset(w for w in words if not w.isdigit())
    return _VOCABULARY[key]


def correct(parsed: ParsedQuery, vocab: frozenset[str]) -> ParsedQuery:
    """``parsed`` with unknown words replaced by the closest known ones (itself when all are known)."""
    choices = sorted(vocab)
    clauses = []
    for clause in parsed.clauses:
        words = []
        for word in clause.words:
            low = word.lower()
            if low in vocab or len(low) < MIN_LENGTH or low.isdigit() or clause.prefix:
                words.append(word)
                continue
            best = process.extractOne(low, choices, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY)
            words.append(best[0] if best else word)
        clauses.append(replace(clause, words=tuple(words)))
    return replace(parsed, clauses=tuple(clauses))


def compounds(parsed: ParsedQuery, vocab: frozenset[str]) -> ParsedQuery:
    """Each two-word phrase also matched as one word, and each word as two, where the registry has both.

    Two plain words the registry also writes as one ("cyber security") become that phrase, so
    they match what "cyber-security" and "cybersecurity" match."""
    clauses: list[Clause] = []
    for c in parsed.clauses:
        last = clauses[-1] if clauses else None
        if last is not None and _joinable(last, c) and (last.words[0] + c.words[0]).lower() in vocab:
            clauses[-1] = replace(last, words=(last.words[0], c.words[0]))
        else:
            clauses.append(c)
    return replace(parsed, clauses=tuple(replace(c, alternatives=_spellings(c, vocab)) for c in clauses))


def _joinable(first: Clause, second: Clause) -> bool:
    return all(len(c.words) == 1 and not c.prefix and c.op == "AND" for c in (first, second))


def _spellings(clause: Clause, vocab: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    if clause.prefix:
        return ()
    words = [w.lower() for w in clause.words]
    if len(words) == 2 and words[0] + words[1] in vocab:
        return ((words[0] + words[1],),)
    if len(words) == 1 and len(words[0]) >= 2 * 4:
        word = words[0]
        for cut in range(4, len(word) - 3):
            if word[:cut] in vocab and word[cut:] in vocab:
                return ((word[:cut], word[cut:]),)
    return ()


def shown(parsed: ParsedQuery) -> str:
    """The query as a person would type it back (what "showing results for" names)."""
    out: list[str] = []
    for c in parsed.clauses:
        phrase = " ".join(c.words)
        phrase = f'"{phrase}"' if len(c.words) > 1 else phrase + ("*" if c.prefix else "")
        out.append(("-" if c.op == "NOT" else "OR " if c.op == "OR" and out else "") + phrase)
    return " ".join(out)
