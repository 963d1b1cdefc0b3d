"""Recognising the six ITU-D regions by the many names reports give them."""

from __future__ import annotations

import re

# Longest aliases first so "Asia and the Pacific" wins over "Asia".
ALIASES: dict[str, tuple[str, ...]] = {
    "ARB": ("arab states", "arab region", "arab"),
    "EUR": ("europe", "european"),
    "ASP": (
        "asia and the pacific",
        "asia & the pacific",
        "asia and pacific",
        "asia & pacific",
        "asia-pacific",
        "asia pacific",
    ),
    "AMS": ("the americas", "americas"),
    "AFR": ("africa", "african"),
    "CIS": ("commonwealth of independent states", "cis"),
}
CODES = tuple(ALIASES)
CODE_ALTERNATION = "|".join(CODES)
RPM_REFERENCE = re.compile(rf"\bRPM[-\s]?({CODE_ALTERNATION})\b")
_FILLER = re.compile(
    r"\b(the|region|regional|rpm|for|of|preparatory|meeting|draft|initiatives?|annex|outcomes?)\b|[^a-z\s-]",
    re.IGNORECASE,
)


# What a heading of adopted initiatives says besides the region: the conference, where it was held,
# the period ("Newly adopted Regional Initiatives by the WTDC-14 held in Dubai, UAE, for the period
# 2014-2018 for EUR region").
_CYCLE_WORDS = re.compile(
    r"\bheld\s+in\s+[^,]+(?:,\s*[^,]+?)?(?=,|\s+for\b|$)|\bWTDC[-\s]?\d{2,4}\b"
    r"|\b(?:[A-Z][a-z]+\s+){1,2}Action\s+Plan\b|\((?:Rev\.\s*)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?,\s*\d{4}\)"
    r"|\b(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?\b|\b(?:newly|adopted|approved|agreed|by|at|period|cycle)\b",
    re.IGNORECASE,
)
_CODE_REGION = re.compile(rf"\b({'|'.join(ALIASES)})\s+region\b")
_INITIATIVES = re.compile(r"\bregional\s+initiatives\b", re.IGNORECASE)


def region_of_heading(text: str) -> str | None:
    """The region a section heading announces ("2.2 Europe Region", "EUROPE REGION"), if any.

    The heading must be nothing but the region's name plus numbering and filler words, so
    a sentence that merely mentions Europe is not mistaken for a heading. A heading of
    initiatives may also name their conference and period, and the region by its code
    ("WTDC-10 Regional Initiatives for Europe region", "… by the WTDC-14 held in Dubai … for EUR region").
    """
    if text.rstrip().endswith((".", ":", ";", ",")):
        return None
    if _INITIATIVES.search(text) and len(text) <= 200:
        text = _CODE_REGION.sub(lambda m: f"{ALIASES[m.group(1)][0]} region", _CYCLE_WORDS.sub(" ", text))
        text = re.sub(r"\s*[,()]\s*", " ", text)
    if len(text) > 90:
        return None
    body = re.sub(r"^\s*(\d+(\.\d+)*\.?|[IVX]+\.|[A-H]\.)\s+", "", text.strip())
    if not re.search(r"(?i:\bregion\b)|^[A-Z\s\d.]+$|^(the\s+)?[A-Z][a-z]|^RPM\s+(?:for|of)\b", body):
        return None
    lowered = body.lower()
    for code, aliases in ALIASES.items():
        # its own code may stand beside the name ("Arab States (RPM-ARB)"), never alone: a bare
        # "RPM-ARB" is a table cell as often as a heading
        own = re.sub(rf"\(?\b(?:rpm[-\s]?)?{code.lower()}\b\)?", " ", lowered)
        for alias in aliases:
            if re.search(rf"(^|\W){re.escape(alias)}(\W|$)", lowered):
                rest = own.replace(alias, " ", 1)
                if not _FILLER.sub(" ", rest).strip(" -"):
                    return code
    return None


_MENTION = re.compile(
    r"\b(?:" + "|".join(re.escape(a) for names in ALIASES.values() for a in names if len(a) > 3) + r"|CIS)\b",
    re.IGNORECASE,
)
_BY_ALIAS = {alias: code for code, names in ALIASES.items() for alias in names}


def region_mentions(text: str) -> list[str]:
    """The region each name in running text stands for ("States members of the CIS" → CIS)."""
    return [_BY_ALIAS.get(m.group(0).lower(), "CIS") for m in _MENTION.finditer(text)]
