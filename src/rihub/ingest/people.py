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
_CHAIR_WORD = r"Chair(?:man|person|woman)?\b"
_VICE_WORD = r"Vice[-\s]?Chair(?:s|men|persons|women|man|person|woman)?\b"
# "The meeting elected Dr A (Hungary) as Chair and Mr B (Germany) and Ms C (Fiji) as Vice-Chairs."
# The person is bounded (a name with honorifics and country fits in 300 characters): unbounded, the
# search would rescan the rest of the text at every "elected".
ELECTED_AS = re.compile(
    rf"\belected\s+(?P<who>.{{1,300}}?)\s+as\s+(?:the\s+)?{_CHAIR_WORD}(?P<tail>.*)$", re.IGNORECASE
)
VICE_AS = re.compile(rf"^\W*(?:and\s+)?(?P<list>.+?)\s+as\s+(?:the\s+)?{_VICE_WORD}", re.IGNORECASE)
# "Chair: Dr A (Hungary)" / "Vice-Chairs: Mr B (Germany), Ms C (Fiji)" as labelled lines
CHAIR_LABEL = re.compile(rf"^{_CHAIR_WORD}\s*:\s*(?P<who>.+)$", re.IGNORECASE)
VICE_LABEL = re.compile(rf"^{_VICE_WORD}\s*:\s*(?P<list>.+)$", re.IGNORECASE)


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
    bracketed = re.match(r"^(?P<name>[^(),]+?)\s*\((?P<country>.+)\)$", chunk)
    if bracketed:  # "Dr Péter Vári (Hungary)", "Mr A (United Arab Emirates (UAE))"
        name, country = bracketed.group("name"), bracketed.group("country")
    elif len(parts) == 2:
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
    """Chair and vice-chairs from the election paragraph of a region's highlights (or its labelled lines)."""
    officers: list[Officer] = []

    def add(role: str, phrase: str) -> None:
        honorific, name, country = split_person(phrase)
        if name:
            officers.append(Officer(role, honorific, name, country, span))

    def add_all(role: str, phrases: str) -> None:
        for chunk in split_people(phrases):
            add(role, chunk)

    for sentence in re.split(r"(?<=[\w)\]])\.\s+(?=The |[A-Z][a-z]+ (?:also|further) )", text):
        sentence = sentence.strip()
        label, vice_label = CHAIR_LABEL.match(sentence), VICE_LABEL.match(sentence)
        elected = ELECTED_AS.search(sentence)
        chair = CHAIR.match(sentence)
        vice = VICE_CHAIRS.search(sentence)
        if label:
            add("chair", label.group("who"))
        elif vice_label:
            add_all("vice-chair", vice_label.group("list"))
        elif elected and not re.search(_VICE_WORD, elected.group("who"), re.IGNORECASE):
            add("chair", elected.group("who"))
            tail = VICE_AS.match(elected.group("tail"))
            if tail:
                add_all("vice-chair", tail.group("list"))
        elif chair and not re.search(r"vice[-\s]?chair", sentence[: chair.end()], re.IGNORECASE):
            add("chair", chair.group("who"))
        elif vice:
            add_all("vice-chair", vice.group("list"))
    return officers
