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


def region_of_heading(text: str) -> str | None:
    """The region a section heading announces ("2.2 Europe Region", "EUROPE REGION"), if any.

    The heading must be nothing but the region's name plus numbering and filler words, so
    a sentence that merely mentions Europe is not mistaken for a heading.
    """
    if len(text) > 90 or text.rstrip().endswith((".", ":", ";", ",")):
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
