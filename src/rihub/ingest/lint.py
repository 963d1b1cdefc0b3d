"""Defects in a source report, found for its editors: each with a location and a suggested fix.

The checks look at the parsed structure (numbering, missing parts, who is named where) and
at the wording (doubled honorifics, glued footnote digits, spacing, misspelt known terms).
They never change what ingestion stores: the report stays as its authors wrote it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator

from rihub.ingest.coverage import coverage_findings
from rihub.ingest.initiative import FOOTNOTE_BODY, strip_bullet
from rihub.ingest.itu import section_blocks
from rihub.ingest.regions import RPM_REFERENCE
from rihub.model import REMOVED_ROLES, Block, Outline
from rihub.store.write import Finding

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
DOUBLED_HONORIFIC = re.compile(r"\b(Mr|Ms|Mrs|Dr|Prof)\.?\s+\1\b\.?")
GLUED_DIGIT = re.compile(r"\b(?P<word>[a-z]{4,})(?P<digit>\d{1,2})\b(?![.,]?\d)")
# "\b" first: without it every position inside a long word would rescan the word (quadratic).
NO_SPACE_AFTER_COMMA = re.compile(r"\b(?P<before>\w{2,}),(?P<after>[A-Za-z]\w*)")
SPACE_BEFORE_PUNCT = re.compile(r"\w \s*(?P<p>[,;])")
DOUBLE_SPACE = re.compile(r"\S(?P<gap>  +)\S")
ODD_SPACE = re.compile(r"[\u00a0\u202f\u2007\u2009]")
WORD = re.compile(r"[A-Za-z][A-Za-z-]{4,}[A-Za-z]")

# Terms of the trade whose misspellings are worth an editor's attention.
KNOWN_TERMS = frozenset(
    [
        "terrestrial",
        "telecommunication",
        "telecommunications",
        "cybersecurity",
        "infrastructure",
        "infrastructures",
        "connectivity",
        "broadband",
        "development",
        "developing",
        "regional",
        "initiative",
        "initiatives",
        "emergency",
        "governance",
        "artificial",
        "intelligence",
        "sustainable",
        "sustainability",
        "resilience",
        "resilient",
        "innovation",
        "ecosystem",
        "ecosystems",
        "digital",
        "inclusion",
        "capacity",
        "building",
        "strategies",
        "strategy",
        "regulatory",
        "framework",
        "frameworks",
        "spectrum",
        "satellite",
        "accessibility",
        "disabilities",
        "programme",
        "programmes",
        "entrepreneurship",
        "preparedness",
        "connectivity",
        "interoperability",
        "transformation",
        "technologies",
        "technology",
        "environment",
        "environmental",
        "affordable",
        "affordability",
        "literacy",
        "stakeholders",
        "multistakeholder",
        "partnerships",
        "cooperation",
        "international",
        "national",
        "meaningful",
        "universal",
        "underserved",
        "unserved",
        "vulnerable",
        "communities",
        "community",
        "cyberthreats",
        "cybercrime",
        "cybercrimes",
        "protection",
        "privacy",
        "children",
        "online",
        "standards",
        "standardization",
        "monitoring",
        "recovery",
        "rehabilitation",
        "implementation",
        "assessment",
        "mechanisms",
        "mechanism",
        "financing",
        "investment",
        "investments",
        "incubators",
        "accelerators",
        "metaverse",
        "commonwealth",
        "independent",
        "pacific",
        "americas",
    ]
)
KNOWN_ACRONYMS = frozenset(
    [
        "SMEs",
        "MSMEs",
        "SMMEs",
        "LDCs",
        "LLDCs",
        "SIDS",
        "CIRTs",
        "CSIRTs",
        "CERTs",
        "ICTs",
        "NTNs",
        "IXPs",
        "USFs",
        "IPRs",
    ]
)

ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


def lint_outline(outline: Outline) -> list[Finding]:
    """All findings for one parsed report, in document order."""
    text = [b for b in outline.blocks if b.role not in REMOVED_ROLES]  # page furniture is no one's wording
    findings = [*_structure(outline), *_wording(text), *coverage_findings(outline)]
    return sorted(findings, key=lambda f: (f.loc or 0, f.code))


def _structure(outline: Outline) -> Iterator[Finding]:
    _, sections = section_blocks(outline.blocks)
    for section in sections:
        for block in section.blocks:
            for match in RPM_REFERENCE.finditer(block.text):
                if match.group(1) != section.region:
                    yield Finding(
                        "wrong-region",
                        "error",
                        block.loc,
                        f"the {section.region} section names RPM-{match.group(1)}",
                        _excerpt(block.text, match.start()),
                        f"replace RPM-{match.group(1)} with RPM-{section.region}",
                    )
            announced = re.search(
                r"\b(one|two|three|four|five|six|seven|eight|nine)\s+Vice[-\s]?Chairs?", block.text, re.IGNORECASE
            )
            if announced:
                meeting = next((m for m in outline.meetings if m.region == section.region), None)
                expected = NUMBER_WORDS[announced.group(1).lower()]
                found = sum(1 for o in meeting.officers if o.role == "vice-chair") if meeting else 0
                if found != expected:
                    yield Finding(
                        "officer-count",
                        "warning",
                        block.loc,
                        f"the text announces {expected} vice-chairs but names {found}",
                        _excerpt(block.text, announced.start()),
                        "check the list of vice-chairs",
                    )
    for duplicate in outline.duplicates:
        yield Finding(
            "duplicate-code",
            "error",
            duplicate.span.start,
            f"{duplicate.code} is used twice; only the first is kept",
            duplicate.title,
            f"give this initiative its own code or remove the repeated {duplicate.code}",
        )
    for initiative in outline.initiatives:
        if initiative.kind != "initiative":
            continue
        loc = initiative.span.start
        if not initiative.objective:
            yield Finding(
                "no-objective",
                "warning",
                loc,
                f"{initiative.code} has no objective",
                initiative.title,
                'add an "Objective:" paragraph after the title',
            )
        elif initiative.objective_kind == "rationale":
            yield Finding(
                "unlabelled-objective",
                "info",
                loc,
                f"{initiative.code} gives its objective as an unlabelled paragraph",
                initiative.objective[:80],
                'start the paragraph with "Objective:" as the other initiatives do',
            )
        if not initiative.expected_results:
            yield Finding(
                "no-expected-results",
                "error",
                loc,
                f"{initiative.code} has no expected results",
                initiative.title,
                "add the numbered list of expected results",
            )
        numbers = [r.number for r in initiative.expected_results]
        wanted = list(range(1, len(numbers) + 1))
        if numbers and numbers != wanted:
            repeated = [n for n, c in Counter(numbers).items() if c > 1]
            missing = sorted(set(wanted) - set(numbers))
            what = f"repeats {repeated}" if repeated else f"skips {missing}" if missing else "is out of order"
            yield Finding(
                "numbering",
                "error",
                loc,
                f"{initiative.code}: the numbering of expected results {what} ({numbers})",
                initiative.title,
                f"renumber the expected results 1–{len(numbers)}",
            )
        for result in initiative.expected_results:
            labels = [s.label for s in result.sub_items]
            letters = [chr(ord("a") + i) for i in range(len(labels))]
            if labels and labels not in (letters, list(ROMAN[: len(labels)])):
                yield Finding(
                    "numbering",
                    "warning",
                    result.span.start,
                    f"{initiative.code}.{result.number}: sub-items are labelled {labels}",
                    result.text[:80],
                    "label the sub-items a), b), c)… (or i), ii), iii)… under lettered results)",
                )
            for note in result.footnotes:
                if not note.text:
                    yield Finding(
                        "footnote-missing",
                        "error",
                        result.span.start,
                        f"{initiative.code}.{result.number} cites footnote {note.marker} but its text is missing",
                        result.text[:80],
                        "add the footnote text or remove the reference",
                    )


def _wording(blocks: list[Block]) -> Iterator[Finding]:
    vocabulary = Counter(w.lower() for b in blocks for w in WORD.findall(b.text))
    for block in blocks:
        text = strip_bullet(block.text) if block.kind != "row" else " ".join(block.cells)
        for match in DOUBLED_HONORIFIC.finditer(text):
            yield Finding(
                "doubled-honorific",
                "error",
                block.loc,
                f'doubled honorific "{match.group(0)}"',
                _excerpt(text, match.start()),
                f'write "{match.group(1)}" once',
            )
        for match in GLUED_DIGIT.finditer(text):
            if match.group("word").lower() in ("sdg", "sdgs", "wtdc"):
                continue
            yield Finding(
                "glued-footnote-digit",
                "warning",
                block.loc,
                f'stray digit glued to "{match.group("word")}": a footnote reference lost its formatting',
                _excerpt(text, match.start()),
                f'make "{match.group("digit")}" a real footnote reference or remove it',
            )
        for match in NO_SPACE_AFTER_COMMA.finditer(text):
            yield Finding(
                "missing-space",
                "warning",
                block.loc,
                "missing space after a comma",
                _excerpt(text, match.start()),
                f'write "{match.group("before")}, {match.group("after")}"',
            )
        for match in SPACE_BEFORE_PUNCT.finditer(text):
            yield Finding(
                "space-before-punctuation",
                "info",
                block.loc,
                f'space before "{match.group("p")}"',
                _excerpt(text, match.start()),
                f'remove the space before "{match.group("p")}"',
            )
        yield from _misspellings(block, text, vocabulary)


def _misspellings(block: Block, text: str, vocabulary: Counter[str]) -> Iterator[Finding]:
    for match in WORD.finditer(text):
        word = match.group(0)
        for part in word.split("-"):
            lowered = part.lower()
            if len(lowered) < 6 or vocabulary[lowered] > 2:
                continue
            near = _nearest(lowered, KNOWN_TERMS)
            if near and not (near + "s" == lowered or lowered + "s" == near):
                yield Finding(
                    "misspelling",
                    "warning",
                    block.loc,
                    f'"{part}" looks like a misspelling of "{near}"',
                    _excerpt(text, match.start()),
                    f'write "{_like(part, near)}"',
                )
    for match in re.finditer(r"\b[A-Z]{2,}s\b", text):
        acronym = match.group(0)
        near = _nearest(acronym, KNOWN_ACRONYMS)
        if near:
            yield Finding(
                "misspelling",
                "warning",
                block.loc,
                f'"{acronym}" looks like a misspelling of "{near}"',
                _excerpt(text, match.start()),
                f'write "{near}"',
            )


@functools.lru_cache(maxsize=65536)  # bounded: a server lints many reports of arbitrary words
def _nearest(word: str, terms: frozenset[str]) -> str | None:
    """The known term one edit away from ``word`` (None if ``word`` is itself known)."""
    if word in terms:
        return None
    return next(
        (t for t in sorted(terms) if abs(len(t) - len(word)) <= 1 and _one_edit(word, t) and not _inflection(word, t)),
        None,
    )


def _inflection(a: str, b: str) -> bool:
    """Words that differ only in their last two letters are forms of one word ("regulators", "regulatory")."""
    stem = 0
    while stem < min(len(a), len(b)) and a[stem] == b[stem]:
        stem += 1
    return stem >= min(len(a), len(b)) - 2


def _like(original: str, term: str) -> str:
    return term.capitalize() if original[:1].isupper() else term


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by exactly one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def lint_raw_text(text: str) -> list[Finding]:
    """Checks only the raw text shows: odd spaces and doubled spaces that cleaning hides."""
    findings = []
    for number, line in enumerate(text.split("\n"), start=1):
        if ODD_SPACE.search(line):
            findings.append(
                Finding(
                    "odd-space",
                    "info",
                    number,
                    "non-breaking or narrow space in running text",
                    _excerpt(line, ODD_SPACE.search(line).start()),  # type: ignore[union-attr]
                    "replace it with an ordinary space",
                )
            )
        body = FOOTNOTE_BODY.sub("", line).strip()
        gap = DOUBLE_SPACE.search(body)
        if gap:
            findings.append(
                Finding(
                    "double-space",
                    "info",
                    number,
                    "two spaces between words",
                    _excerpt(body, gap.start()),
                    "use a single space",
                )
            )
    return findings


def _excerpt(text: str, at: int, width: int = 60) -> str:
    start = max(0, at - 20)
    snippet = text[start : start + width].replace("\n", " ")
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")
