"""Themes of ITU-D work given to initiatives, expected results and priorities, each with its evidence.

A theme is given when one of its terms (``rihub/data/themes.json``) is in the text, matched on word
boundaries with light normalisation: any case (acronyms in capitals only in capitals), singular or
plural, a hyphen, a space or nothing between the parts of a term, and ``*`` for "any word that begins
so". The evidence is the words as the text writes them ("CSIRTs", "cyber-exercises"), never stems.

An expected result no term matches may still get one theme from the stored sentence embeddings
(no model is loaded): the nearest centroid of the results that terms did tag, when the cosine
reaches :data:`FALLBACK_THRESHOLD`. Such a theme is ``inferred`` and says so; it is never mixed with
term matches. The threshold was calibrated leave-one-out on the term-tagged results (docs/themes.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from rihub.records import (
    InitiativeNested,
    InitiativeThemes,
    ResultThemes,
    Theme,
    ThemeAssignments,
    ThemeCounts,
    ThemeMatch,
)

VOCABULARY_FILE = "themes.json"
FALLBACK_THRESHOLD = 0.55
"""Cosine to the nearest theme centroid from which an untagged result is given that theme.

Leave-one-out on the bundled report's 164 term-tagged results (bench/themes.py): from 0.55 up the
nearest centroid of the other results is one of the result's own term themes for 135 of 148 (0.91);
between 0.45 and 0.55 for 9 of 14 only. The untagged results sit at 0.42-0.52, where a person
judged one nearest theme in three right, so they keep no theme rather than a wrong one."""
MIN_TAGGED = 3
"""Results a theme needs, tagged by terms, before its centroid may stand for it."""

Vectors = Mapping[tuple[int, int | None], np.ndarray]
"""Stored embeddings by (initiative id, result id or None for the initiative itself)."""


@dataclass(frozen=True)
class Vocabulary:
    version: str
    date: str
    themes: tuple[Theme, ...]

    def label(self, code: str) -> str:
        return next(t.label for t in self.themes if t.code == code)


@cache
def vocabulary() -> Vocabulary:
    """The shipped theme vocabulary (versioned package data)."""
    raw = json.loads(resources.files("rihub.data").joinpath(VOCABULARY_FILE).read_text(encoding="utf-8"))
    themes = tuple(Theme.model_validate(t) for t in raw["themes"])
    return Vocabulary(version=str(raw["version"]), date=str(raw["date"]), themes=themes)


def _term_pattern(term: str) -> str:
    """One term as a regular expression (without the word boundaries, which the theme adds)."""
    prefix = term.endswith("*")
    word = term.rstrip("*")
    acronym = not any(c.islower() for c in word) and len(word) <= 6
    body = re.escape(word).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?")
    if prefix:
        body += r"\w*(?:-\w+)*"
    elif len(word) > 2 and word[-1] == "y" and word[-2] not in "aeiou":
        body = body[:-1] + "(?:y|ies)"
    elif word[-1].isalpha():
        body += "(?:s|es)?"
    return body if acronym else f"(?i:{body})"


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One alternation per theme, longest terms first, so "digital skills" wins over "skills"."""
    out = []
    for theme in vocabulary().themes:
        terms = sorted(theme.terms, key=len, reverse=True)
        out.append((theme.code, re.compile(r"(?<!\w)(?:" + "|".join(map(_term_pattern, terms)) + r")(?!\w)")))
    return tuple(out)


def match_terms(text: str) -> dict[str, list[str]]:
    """Theme code → the distinct words of ``text`` that signal it, as written, in order of appearance."""
    found: dict[str, list[str]] = {}
    for code, pattern in _patterns():
        seen: dict[str, str] = {}
        for m in pattern.finditer(text):
            seen.setdefault(m.group(0).lower(), m.group(0))
        if seen:
            found[code] = list(seen.values())
    return found


# --- the semantic fallback --------------------------------------------------------------------------


@dataclass(frozen=True)
class Centroids:
    """The mean direction of the term-tagged results of each theme (unit length)."""

    codes: tuple[str, ...]
    matrix: np.ndarray

    @classmethod
    def of(cls, vectors: Sequence[np.ndarray], tagged: Sequence[set[str]]) -> Centroids:
        codes, rows = [], []
        for theme in vocabulary().themes:
            members = [v for v, themes in zip(vectors, tagged, strict=True) if theme.code in themes]
            if len(members) >= MIN_TAGGED:
                mean = np.mean(members, axis=0)
                codes.append(theme.code)
                rows.append(mean / (np.linalg.norm(mean) or 1.0))
        return cls(tuple(codes), np.array(rows, dtype=np.float32).reshape(len(rows), -1))

    def nearest(self, vector: np.ndarray) -> tuple[str, float] | None:
        if not self.codes:
            return None
        scores = self.matrix @ vector
        best = int(np.argmax(scores))
        return self.codes[best], float(scores[best])


def leave_one_out(vectors: Sequence[np.ndarray], tagged: Sequence[set[str]]) -> list[tuple[float, bool]]:
    """For each term-tagged result: the cosine to the nearest centroid of the *other* results, and
    whether that centroid's theme is one of its own term themes. What the threshold is chosen on."""
    out = []
    for i, own in enumerate(tagged):
        if not own:
            continue
        rest = [v for j, v in enumerate(vectors) if j != i]
        found = Centroids.of(rest, [t for j, t in enumerate(tagged) if j != i]).nearest(vectors[i])
        if found is not None:
            out.append((round(found[1], 4), found[0] in own))
    return out


# --- assignment -------------------------------------------------------------------------------------


def _quoted(terms: Sequence[str]) -> str:
    return ", ".join(f"“{t}”" for t in terms)


def _term_match(code: str, terms: list[str]) -> ThemeMatch:
    label = vocabulary().label(code)
    return ThemeMatch(
        theme=code, label=label, status="term", terms=terms, similarity=None, evidence=f"terms: {_quoted(terms)}"
    )


def _inferred(code: str, cosine: float) -> ThemeMatch:
    label = vocabulary().label(code)
    return ThemeMatch(
        theme=code,
        label=label,
        status="inferred",
        terms=[],
        similarity=round(cosine, 4),
        evidence=f"close in meaning to results tagged {label}, cosine {cosine:.2f}",
    )


def _fallback(centroids: Centroids | None, vector: np.ndarray | None) -> list[ThemeMatch]:
    if centroids is None or vector is None:
        return []
    found = centroids.nearest(vector)
    if found is None or found[1] < FALLBACK_THRESHOLD:
        return []
    return [_inferred(*found)]


def _rolled_up(code: str, own: list[str], results: list[ResultThemes]) -> ThemeMatch:
    """An initiative's theme: its own terms, and the results that carry the theme."""
    carriers = [(r.number, m) for r in results for m in r.themes if m.theme == code]
    by_terms = bool(own) or any(m.status == "term" for _, m in carriers)
    parts = [f"title/objective: {_quoted(own)}"] if own else []
    if carriers:
        parts.append("expected results " + ", ".join(str(n) for n, _ in carriers))
    inferred = [m.similarity for _, m in carriers if m.similarity is not None]
    return ThemeMatch(
        theme=code,
        label=vocabulary().label(code),
        status="term" if by_terms else "inferred",
        terms=own,
        results=[n for n, _ in carriers],
        similarity=None if by_terms or not inferred else max(inferred),
        evidence="; ".join(parts) + ("" if by_terms else " (inferred from meaning)"),
    )


def _initiative_themes(item: InitiativeNested, vectors: Vectors, centroids: Centroids | None) -> InitiativeThemes:
    results = []
    for r in item.expected_results:
        terms = match_terms(r.full_text)
        found = [_term_match(c, t) for c, t in terms.items()] or _fallback(centroids, vectors.get((item.id, r.id)))
        results.append(ResultThemes(result_id=r.id, number=r.number, text=r.text, themes=found))
    own = match_terms(item.head_text)
    codes = [
        t.code
        for t in vocabulary().themes
        if t.code in own or any(m.theme == t.code for r in results for m in r.themes)
    ]
    themes = [_rolled_up(c, own.get(c, []), results) for c in codes]
    if not themes:
        themes = _fallback(centroids, vectors.get((item.id, None)))
    themes.sort(key=lambda m: (m.status != "term", -(len(m.results) + (2 if m.terms else 0))))
    return InitiativeThemes(
        initiative_id=item.id,
        code=item.code,
        region=item.region,
        cycle=item.conference,
        kind=item.kind,
        title=item.title,
        themes=themes,
        results=results,
    )


def assign(items: Sequence[InitiativeNested], vectors: Vectors, cycle: str | None) -> ThemeAssignments:
    """Themes of every initiative and expected result of ``items`` (one cycle's initiatives).

    ``vectors`` are the stored embeddings (empty before `rihub align`: then terms only). The
    fallback's centroids are built from this cycle's term-tagged results.
    """
    tagged_vectors, tagged = [], []
    for item in items:
        for r in item.expected_results:
            vector = vectors.get((item.id, r.id))
            if vector is not None:
                tagged_vectors.append(vector)
                tagged.append(set(match_terms(r.full_text)))
    centroids = Centroids.of(tagged_vectors, tagged) if tagged_vectors else None
    found = [_initiative_themes(item, vectors, centroids) for item in items]
    results = [r for i in found for r in i.results]
    by_terms = sum(1 for r in results if any(m.status == "term" for m in r.themes))
    without = sum(1 for r in results if not r.themes)
    vocab = vocabulary()
    return ThemeAssignments(
        cycle=cycle,
        vocabulary_version=vocab.version,
        vocabulary_date=vocab.date,
        fallback=centroids is not None,
        fallback_threshold=FALLBACK_THRESHOLD,
        counts=ThemeCounts(
            results=len(results),
            by_terms=by_terms,
            by_fallback=len(results) - by_terms - without,
            without_theme=without,
            initiatives=len(found),
            initiatives_without_theme=sum(1 for i in found if not i.themes),
        ),
        themes=list(vocab.themes),
        initiatives=found,
    )
