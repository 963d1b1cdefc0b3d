"""Keyword lexicon built from the vocabulary keywords and lexicon terms: cheap, explainable evidence.

An item's ``lexicon_terms`` are matched here like its keywords but never embedded (see
``FrameworkItem.lexicon_terms``).

Each term found in a text is reported back to the reviewer as ``evidence["terms"]``, so the lexicon
is the part of the classifier a person can check at a glance. Terms shared by several goals get a
smaller weight (1 / number of labels it points to) because they discriminate less.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from rihub.frameworks import FRAMEWORKS, load

__all__ = ["Lexicon", "LexiconHit", "get_lexicon", "split_sentences"]

_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'“])|\n+")


def split_sentences(text: str, *, min_chars: int = 25) -> list[str]:
    """Rough sentence split; very short fragments are merged into their neighbour."""
    parts = [p.strip() for p in _SENTENCE_RE.split(text) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and (len(part) < min_chars or len(merged[-1]) < min_chars):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged or [text.strip()]


_WORD_RE = re.compile(r"[\w$]+")


def _first_stem(term: str) -> str:
    """First four characters of the term's first word: a cheap pre-filter before the regex."""
    words = _WORD_RE.findall(term.lower())
    return words[0][:4] if words else ""


def _pattern(term: str) -> re.Pattern[str]:
    """Word-bounded pattern with optional plural; acronyms (``AI``, ``HIV``) match case-sensitively."""
    acronym = term.isupper() and len(term) <= 6
    body = re.escape(term).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?")
    if term[-1].isalpha():
        body += r"(?:s|es)?"
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}(?![\w])", flags)


@dataclass(frozen=True)
class LexiconHit:
    """A matched term and the labels (framework, top-level code) it votes for."""

    term: str
    labels: tuple[tuple[str, str], ...]

    def weight(self, framework: str) -> float:
        """1 / number of labels of ``framework`` the term points to (0 if none)."""
        n = sum(1 for fw, _ in self.labels if fw == framework)
        return 1.0 / n if n else 0.0


@dataclass
class Lexicon:
    """Compiled term list; ``match`` returns per-label weighted scores plus the matched terms."""

    terms: dict[str, tuple[tuple[str, str], ...]]
    _compiled: list[tuple[str, str, re.Pattern[str]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        # Longest terms first so that "digital skills" is reported rather than only "skills".
        self._compiled = [(t, _first_stem(t), _pattern(t)) for t in sorted(self.terms, key=len, reverse=True)]

    def hits(self, text: str) -> list[LexiconHit]:
        """Distinct terms found in ``text``.

        A term lying inside an already matched longer term is skipped when it votes for nothing
        new, so "broadband mapping" does not also report "broadband" for the same labels.
        """
        stems = {w[:4] for w in _WORD_RE.findall(text.lower())}
        taken: list[tuple[int, int, frozenset[tuple[str, str]]]] = []
        found: list[LexiconHit] = []
        for term, stem, pattern in self._compiled:
            if stem not in stems:
                continue
            labels = frozenset(self.terms[term])
            for m in pattern.finditer(text):
                if any(s <= m.start() and m.end() <= e and labels <= lab for s, e, lab in taken):
                    continue
                taken.append((m.start(), m.end(), labels))
                found.append(LexiconHit(term, self.terms[term]))
                break
        return found

    def label_scores(self, text: str) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], list[str]]]:
        """Weighted hit mass per (framework, code) and the terms behind it."""
        scores: dict[tuple[str, str], float] = defaultdict(float)
        terms: dict[tuple[str, str], list[str]] = defaultdict(list)
        for hit in self.hits(text):
            for label in hit.labels:
                scores[label] += hit.weight(label[0])
                terms[label].append(hit.term)
        return dict(scores), dict(terms)


def _build(frameworks: Iterable[str]) -> Lexicon:
    mapping: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for fw in frameworks:
        for item in load(fw):
            top = item.parent or item.code
            for kw in (*item.keywords, *item.lexicon_terms):
                key = kw.strip()
                if len(key) >= 2:
                    mapping[key].add((fw, top))
    return Lexicon({t: tuple(sorted(v)) for t, v in mapping.items()})


@cache
def get_lexicon() -> Lexicon:
    """The shared lexicon over all frameworks (compiled once per process)."""
    return _build(FRAMEWORKS)
