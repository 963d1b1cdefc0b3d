"""Forgiving full text: typos corrected from the registry's own words, compounds, partial matches.

A word the registry never uses ("cybersecuirty") is replaced by the closest word it does use
(rapidfuzz ratio ≥ ``MIN_SIMILARITY``, words of 5 letters or more only, so short words and codes
are left alone; venues and people's names count, and a 4-letter word one edit from a name is
taken for it: "Nairbi", "Vrai"); the result says so and links to the literal query. A phrase of two words that
the registry also writes as one ("cyber security") matches either spelling, and a word it also
writes as two matches the phrase. Initiatives holding only some of the words (the words joined by OR)
come after those holding all of them, ranked by how many of the words they hold, then by score.

The vocabulary is read from the texts (titles, objectives, expected results) once per state of
the registry: it is cached under the database URL and the newest row ids (at most eight
registries), so an ingest refreshes it; a text reworded in place keeps its old words until then.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import Connection, func, select

from rihub.records import SearchHit
from rihub.store import schema as t

if TYPE_CHECKING:
    from rihub.search.fulltext import Clause, ParsedQuery

MIN_SIMILARITY = 80.0
MIN_LENGTH = 5
NAME_LENGTH = 4  # shorter words are never corrected, and name words this short only by one edit
MAX_PARTIAL = 8  # clauses the widened (OR) query keeps
_VOCABULARY: dict[tuple[str, int, int], tuple[frozenset[str], frozenset[str]]] = {}


def vocabulary(conn: Connection) -> frozenset[str]:
    """Every lower-case word of the registry's titles, objectives and expected results, and of its
    meetings' venues and officers (as written and with diacritics folded: "vári" and "vari")."""
    return lexicon(conn)[0]


def lexicon(conn: Connection) -> tuple[frozenset[str], frozenset[str]]:
    """The :func:`vocabulary` and the words of venues and officers' names and countries (folded)."""
    from rihub.search.direct import fold

    i, r, m, o = t.initiatives, t.expected_results, t.meetings, t.officers
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
        proper: set[str] = set()
        places = select(m.c.city, m.c.country).union(select(o.c.name, o.c.country))
        for row in conn.execute(places):
            value = " ".join(p for p in row if p)
            words.update(re.findall(r"\w+", value.lower()))
            proper.update(w for w in re.findall(r"\w+", fold(value)) if len(w) >= NAME_LENGTH)
        oldest = list(_VOCABULARY)[: max(0, len(_VOCABULARY) - 7)]
        for stale in [k for k in _VOCABULARY if k[0] == key[0]] + oldest:
            _VOCABULARY.pop(stale, None)
        _VOCABULARY[key] = (frozenset(w for w in words | proper if not w.isdigit()), frozenset(proper))
    return _VOCABULARY[key]


def correct(parsed: ParsedQuery, vocab: frozenset[str], names: frozenset[str] = frozenset()) -> ParsedQuery:
    """``parsed`` with unknown words replaced by the closest known ones (itself when all are known).

    Words of ``MIN_LENGTH`` letters or more are compared with the whole vocabulary; shorter words
    of ``NAME_LENGTH`` letters only with ``names`` and only one edit away (a swap counts as one:
    "Vrai" → "vari"), since a short word is too easily near a common one."""
    choices = sorted(vocab)
    clauses = []
    for clause in parsed.clauses:
        words = []
        for word in clause.words:
            low = word.lower()
            if low in vocab or len(low) < NAME_LENGTH or low.isdigit() or clause.prefix:
                words.append(word)
            elif len(low) < MIN_LENGTH:
                near = [n for n in sorted(names) if OSA.distance(low, n, score_cutoff=1) <= 1]
                words.append(near[0] if len(near) == 1 else word)
            else:
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


def widened(parsed: ParsedQuery) -> ParsedQuery:
    """The query that also finds the hits holding only some of the words: its words or phrases
    joined by OR (the first ``MAX_PARTIAL``), or the query itself when it is not a plain query of
    several words (an OR or a NOT means the person chose how the words combine).

    One query rather than one per word: the database caps the rows whatever the number of words,
    and :func:`rank` then puts the hits holding every word first."""
    from rihub.search.fulltext import ParsedQuery

    clauses = parsed.clauses
    if len(clauses) < 2 or any(c.op != "AND" for c in clauses):
        return parsed
    return ParsedQuery(tuple(replace(c, op="OR" if i else "AND") for i, c in enumerate(clauses[:MAX_PARTIAL])))


def partial(full: list[SearchHit], some: list[SearchHit]) -> list[SearchHit]:
    """``full`` (the hits holding every word in one passage) and then the hits of the widened
    query that are not among them, each scoring below every full hit: the smallest full score
    times n / (n + 1) for its n (kind-weighted) matching passages, so more passages rank higher.
    :func:`rank` then orders all of them by the words they hold."""
    floor = min((h.score for h in full), default=1.0)
    seen = {(h.type, h.code) for h in full}
    return full + [
        h.model_copy(update={"score": round(floor * h.score / (h.score + 1.0), 4)})
        for h in some
        if (h.type, h.code) not in seen
    ]


def _same_word(marked: str, typed: str) -> bool:
    """Whether a marked word is the typed word or an inflection of it ("skill"/"skills"), not
    merely a word the stemmer folded into it ("emerging" for "emergency")."""
    short, long = sorted((marked, typed), key=len)
    return long.startswith(short) and len(long) - len(short) <= 3


def rank(parsed: ParsedQuery, hits: list[SearchHit]) -> list[SearchHit]:
    """Hits ordered by the query's words or phrases they hold as typed, each weighted by its rarity.

    The stemmer folds "emergency" and "emerging" together; the marks show which words a hit
    holds. A clause counts as held when every word of one of its spellings is marked as typed
    (or inflected, see :func:`_same_word`). A clause held by few hits tells more than one held
    by all of them (log(1 + n/df)), so "emergency" outweighs "telecommunications"; score breaks
    ties. Hits holding all the words thus come before hits holding some of them."""
    spellings = [
        [tuple(w.lower() for w in c.words), *c.alternatives] for c in parsed.clauses if c.op != "NOT" and not c.prefix
    ]
    if not spellings or not hits:
        return hits

    def held(hit: SearchHit) -> frozenset[int]:
        spans = [hit.title[a:b] for a, b in hit.title_marks] + [m.text[a:b] for m in hit.matches for a, b in m.marks]
        marked = {w.lower() for span in spans for w in re.findall(r"\w+", span)}
        return frozenset(
            i
            for i, forms in enumerate(spellings)
            if any(all(any(_same_word(m, w) for m in marked) for w in form) for form in forms)
        )

    holds = {(h.type, h.code): held(h) for h in hits}
    df = [sum(i in clauses for clauses in holds.values()) for i in range(len(spellings))]
    weight = [math.log(1 + len(hits) / n) if n else 0.0 for n in df]

    def key(hit: SearchHit) -> tuple[float, float]:
        return (-round(sum(weight[i] for i in holds[(hit.type, hit.code)]), 6), -hit.score)

    return sorted(hits, key=key)


def named_first(named: list[SearchHit], hits: list[SearchHit]) -> list[SearchHit]:
    """The named hits ahead of the word hits (scored just above the best of them), without repeats."""
    if not named:
        return hits
    top = max((h.score for h in hits), default=0.0) + 1.0
    seen = {(h.type, h.code) for h in named}
    return [h.model_copy(update={"score": round(top, 4)}) for h in named] + [
        h for h in hits if (h.type, h.code) not in seen
    ]


def then(hits: list[SearchHit], more: list[SearchHit]) -> list[SearchHit]:
    """``more`` after ``hits``: a hit already there gains the other's matches, keeping its place."""
    extra = {(h.type, h.code): h for h in more}
    merged = [
        h.model_copy(update={"matches": [*h.matches, *extra.pop((h.type, h.code)).matches]})
        if (h.type, h.code) in extra
        else h
        for h in hits
    ]
    return merged + list(extra.values())
