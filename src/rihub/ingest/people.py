"""Officers: "H.E. Mr Azamat Zhamangulov, from Kyrgyz Republic" → honorific, name, country."""

from __future__ import annotations

import re

from rihub.ingest.text import clean
from rihub.model import Officer, Span

HONORIFIC = r"(?:H\.\s?E\.?|Mr|Mrs|Ms|Miss|Dr|Prof|Eng|Amb|Sr|Sra)\.?"
# One or more honorifics in a row ("H.E. Dr.", and the doubled "Mr. Mr" the lint flags).
HONORIFICS = re.compile(rf"(?<![\w.])((?:{HONORIFIC}\s+)+)")
CHAIR = re.compile(
    r"(?P<who>.+?)\s*,?\s+(?:was|were|has been)\s+(?:elected|appointed|designated)\s+(?:as\s+)?(?:the\s+)?"
    r"Chair(?:man|person|woman)?\b",
    re.IGNORECASE,
)
VICE_CHAIRS = re.compile(r"Vice[-\s]?Chair(?:s|men|persons|women)?\b\s*[:,]?\s*(?P<list>.+)$", re.IGNORECASE)


def normalise_honorific(raw: str) -> str:
    """ "H.E Dr." → "H.E. Dr"; a doubled "Mr. Mr" collapses to "Mr" (lint reports the doubling)."""
    words: list[str] = []
    for token in re.findall(HONORIFIC, raw):
        token = re.sub(r"\s", "", token)
        word = "H.E." if token.upper().startswith("H.E") or token.upper().startswith("H.") else token.rstrip(".")
        if not words or words[-1] != word:
            words.append(word)
    return " ".join(words)


def split_person(chunk: str) -> tuple[str | None, str, str | None]:
    """A person phrase → (honorific, name, country); the country only when the text gives one."""
    chunk = clean(chunk).strip(" ,;.")
    chunk = re.sub(r"^(?:and|&)\s+", "", chunk)
    match = HONORIFICS.match(chunk)
    honorific = None
    if match:
        honorific = normalise_honorific(match.group(1))
        chunk = chunk[match.end() :]
    country = None
    parts = re.split(r",?\s*\bfrom\s+", chunk, maxsplit=1)
    if len(parts) == 2:
        name, country = parts
    else:
        name, _, rest = chunk.partition(",")
        country = rest or None
    name = name.strip(" ,;.")
    if country is not None:
        country = re.sub(r"\s*,?\s*\b(was|were)\b.*$", "", country).strip(" ,;.") or None
    return honorific, name, country


def split_people(text: str) -> list[str]:
    """Cut a list of people at each honorific: "Mr A, Saudi Arabia, Mr B from X and Ms C"."""
    starts = [m.start() for m in HONORIFICS.finditer(text)]
    if not starts:
        return [part for part in re.split(r",\s*|\s+and\s+", text) if part.strip()]
    chunks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=False)]
    return [re.sub(r"\s*(,|\band\b)\s*$", "", chunk.strip()) for chunk in chunks]


def parse_officers(text: str, span: Span) -> list[Officer]:
    """Chair and vice-chairs from the election paragraph of a region's highlights."""
    officers: list[Officer] = []
    for sentence in re.split(r"(?<=[\w)\]])\.\s+(?=The |[A-Z][a-z]+ (?:also|further) )", text):
        chair = CHAIR.match(sentence)
        vice = VICE_CHAIRS.search(sentence)
        if chair and not re.search(r"vice[-\s]?chair", sentence[: chair.end()], re.IGNORECASE):
            honorific, name, country = split_person(chair.group("who"))
            if name:
                officers.append(Officer("chair", honorific, name, country, span))
        elif vice:
            for chunk in split_people(vice.group("list")):
                honorific, name, country = split_person(chunk)
                if name:
                    officers.append(Officer("vice-chair", honorific, name, country, span))
    return officers
