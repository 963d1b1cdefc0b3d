"""What the family of regional-initiative documents writes around and between its records, as data.

The structure reader (rihub.ingest.itu) knows one way to read an initiative: a head (code and
title), an objective, a list of expected results, the mappings. The documents of the family differ
in the words they use for each part, in the page furniture around them and in the conference they
name. Those differences live here, as tables and small patterns, so teaching the reader a new
layout means adding a line here (docs/ingest.md says how).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rihub.ingest.regions import ALIASES, CODE_ALTERNATION
from rihub.model import Block

# --- conferences ----------------------------------------------------------------------------------

# Each WTDC by its city and year: a document that names the city ("held in Dubai", "(Kigali, 2022)",
# "the Buenos Aires Action Plan") names the conference.
# (The 1994 and 1998 conferences are left out: a two-digit code reads as this century's year.)
CONFERENCES: dict[str, tuple[str, int]] = {
    "WTDC-02": ("Istanbul", 2002),
    "WTDC-06": ("Doha", 2006),
    "WTDC-10": ("Hyderabad", 2010),
    "WTDC-14": ("Dubai", 2014),
    "WTDC-17": ("Buenos Aires", 2017),
    "WTDC-22": ("Kigali", 2022),
    "WTDC-25": ("Baku", 2025),
}
_CITIES = "|".join(sorted({re.escape(city) for city, _ in CONFERENCES.values()}, key=len, reverse=True))
# "Kigali Action Plan", "(Rev. Kigali, 2022)", "Hyderabad in 2010", "held in Dubai": only these forms,
# so a workshop "in Dubai" is not a conference. The city is found first (a plain alternation, fast
# on any text), then the words around it.
CITY = re.compile(rf"\b(?:{_CITIES})\b")
CITY_AFTER = re.compile(r"\s+(?:Action\s+Plan|Declaration)\b|,?\s+(?:in\s+)?(?P<year>(?:19|20)\d\d)\b")
CITY_BEFORE = re.compile(r"\b(?:held|adopted|convened)\s+in\s+$")
# "the 2023-2025 cycle", "for the period 2014-2018": the initiatives of the conference held before.
PERIOD = re.compile(
    r"\b(?:(?P<y1>(?:19|20)\d\d)\s*[-–]\s*(?:19|20)?\d\d\s+(?:cycle|period)\b"
    r"|(?:cycle|period)\s+(?:of\s+)?(?P<y2>(?:19|20)\d\d)\s*[-–]\s*(?:19|20)?\d\d\b)",
    re.IGNORECASE,
)


def conference_of_city(text: str, match: re.Match[str]) -> str | None:
    """The conference a city names in one of the forms above; a city that hosted twice is told
    apart by the year."""
    after = CITY_AFTER.match(text, match.end())
    if after is None and not CITY_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
        return None
    year = int(after.group("year")) if after and after.group("year") else None
    held = [(code, y) for code, (c, y) in CONFERENCES.items() if c == match.group(0)]
    if year is not None:
        held = [(code, y) for code, y in held if y == year]
    return max(held, key=lambda h: h[1])[0] if held else None


def conference_of_period(text: str, match: re.Match[str]) -> str | None:
    """The conference whose cycle a period starts: the latest one held by its first year."""
    start = int(match.group("y1") or match.group("y2"))
    held = [(code, y) for code, (_, y) in CONFERENCES.items() if y <= start]
    return max(held, key=lambda h: h[1])[0] if held else None


# --- the parts of an initiative -----------------------------------------------------------------

# What opens the list of expected results. "Expected results adopted by WTDC-14" and "Expected
# results:-" are the same label; "Assistance to the countries in need in the following:" opens the
# list where a page gives no "Expected results" label.
RESULTS_HEADER = re.compile(
    r"^expected\s+(?:results?|outputs?|outcomes?|deliverables?)\b"
    r"(?:\s+(?:adopted|agreed|approved)\s+(?:by|at)\s+(?:the\s+)?[\w-]+)?\s*:?-?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
RESULTS_INTRODUCER = re.compile(
    r"^(?:assistance\s+to\s+(?:the\s+)?countries\s+in\s+need\s+in\s+the\s+following(?:\s+areas)?)\s*:", re.I
)
OBJECTIVE_LABEL = re.compile(
    r"^(?:objectives?(?:\s+of\s+(?:the|this)\s+(?:regional\s+)?initiative)?"
    r"(?:\s+(?:adopted|agreed|approved)\s+(?:by|at)\s+(?:the\s+)?[\w-]+)?|rationale)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# "Achieved results": implementation reporting, kept against the initiative, never expected results.
ACHIEVED_HEADER = re.compile(
    r"^(?:achieved\s+results|results\s+achieved|achievements|main\s+achievements)\s*:?\s*$", re.IGNORECASE
)
# Headed sections that follow an initiative's results and end their list.
SECTION_AFTER_RESULTS = re.compile(
    r"^(?:training\s+activities|twinning\s+program(?:me)?s?|partners(?:hips)?|activities|budget|"
    r"background(?:\s+and\s+context)?|beneficiar(?:y|ies)(?:\s+countries)?|related\s+events)\b",
    re.IGNORECASE,
)
SHORT_HEADING = re.compile(r"^[A-Z][^.;!?]{0,60}:$")  # "Training activities:" — any short headed section


def is_label(text: str) -> bool:
    """Whether a line is one of an initiative's own labels: it recurs with every initiative, at
    a steady interval in a regular document, and is still never a running header."""
    text = text.strip()
    return bool(
        RESULTS_HEADER.match(text)
        or RESULTS_INTRODUCER.match(text)
        or OBJECTIVE_LABEL.match(text)
        or ACHIEVED_HEADER.match(text)
        or ends_results(text)
    )


def ends_results(text: str) -> bool:
    """Whether a paragraph inside a list of results is the heading of another section."""
    return bool(SECTION_AFTER_RESULTS.match(text) or SHORT_HEADING.match(text))


# --- furniture and contents ---------------------------------------------------------------------

# Site furniture a copied web page carries: slogans, sharing links, banners; and running headers
# such as "Regional Initiatives 2023-2025" that repeat the page's subject without saying anything.
FURNITURE = re.compile(
    r"^(?:committed\s+to\s+connecting\s+the\s+world|share(?:\s+this\s+page)?|print(?:\s+this\s+page)?|"
    r"back\s+to\s+top|skip\s+to\s+(?:main\s+)?content|contact\s+(?:the\s+)?regional\s+office|"
    r"regional\s+initiatives\s+(?:19|20)\d\d\s*[-–]\s*(?:19|20)?\d\d|(?:page\s+)?\d{1,4}(?:\s+(?:of|/)\s+\d{1,4})?)$",
    re.IGNORECASE,
)
NAV_WORDS = 5  # a navigation item or banner at a page's edge is at most this many words
CONTENTS_LEADER = re.compile(r"\s*(?:\.{4,}|…{2,}|(?:\s?\.){4,})\s*(?P<page>\d{1,4})$")
CONTENTS_WIDTH = 300  # characters: a contents line is a title, its leader and a page number
PAGE_AFTER = re.compile(r"\s+\d{1,4}$")
CONTENTS_HEADING = re.compile(r"^(?:table\s+of\s+)?contents$", re.IGNORECASE)
CODE_IN_CONTENTS = re.compile(rf"^(?P<reg>{CODE_ALTERNATION})\s*[-–]?\s*(?P<num>\d{{1,2}})\b")
LIST_MARK = re.compile(r"^\s*(?:\(?\d{1,2}[.):]|\(?[a-z]\)|[·•▪◦‣∙*\-–—])\s")
_ALIAS = re.compile(r"\b(?:" + "|".join(re.escape(a) for names in ALIASES.values() for a in names) + r")\b", re.I)


def contents_title(text: str) -> str | None:
    """The title of a contents line ("ARB1: Protection of children online ....... 3"), else None.

    Only a short line that ends in a page number is searched, from its leader on: the search stays
    linear on any paragraph."""
    if len(text) > CONTENTS_WIDTH or not text[-1:].isdigit() or not ("...." in text or "…" in text or ". ." in text):
        return None
    leader = CONTENTS_LEADER.search(text)
    return text[: leader.start()].strip() or None if leader else None


def _nav_like(block: Block, names_document: Callable[[str], bool]) -> bool:
    text = block.text.strip()
    if block.kind == "row" or LIST_MARK.match(text) or text.endswith((".", ":", ";", "?")):
        return False
    return len(text.split()) <= NAV_WORDS and not _ALIAS.search(text) and not names_document(text)


def mark_furniture(blocks: list[Block], names_document: Callable[[str], bool]) -> None:
    """Mark the furniture (role "furniture") and contents (role "contents") of a document.

    Furniture: a known slogan, sharing link or running header anywhere; and the short
    navigation items and banners at the very start and end of a page (before its first and after
    its last paragraph of substance: a list item, a sentence, a line naming a region, or one that
    says what the document is — its conference or its stage, ``names_document``).
    Contents: "Title ..... 4" lines and their "Contents" heading.
    """
    for block in blocks:
        text = block.text.strip()
        if block.kind == "row" or len(text) > CONTENTS_WIDTH:
            continue
        if FURNITURE.match(text):
            block.role = "furniture"
        elif contents_title(text) or CONTENTS_HEADING.match(text):
            block.role = "contents"
    for order in (range(len(blocks)), range(len(blocks) - 1, -1, -1)):
        for index in order:
            block = blocks[index]
            if block.role:
                continue
            if not _nav_like(block, names_document):
                break
            block.role = "furniture"


def contents_codes(blocks: list[Block]) -> list[str]:
    """The initiative codes a table of contents lists ("ARB1: … ..... 3")."""
    codes: list[str] = []
    for block in blocks:
        text = block.text.strip()
        # a Word contents entry has its leader as a tab stop: "ARB1: Title 3"
        title = (contents_title(text) or PAGE_AFTER.sub("", text)) if block.role == "contents" else None
        code = CODE_IN_CONTENTS.match(title) if title else None
        if code and f"{code.group('reg')}{int(code.group('num'))}" not in codes:
            codes.append(f"{code.group('reg')}{int(code.group('num'))}")
    return codes
