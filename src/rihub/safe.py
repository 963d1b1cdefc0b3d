"""Text that leaves rihub for other programs: spreadsheet cells and terminal lines.

* :func:`csv_cell` neutralises a CSV cell a spreadsheet would run as a formula (OWASP "CSV
  injection"): text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote. Numbers (the values of integer and number columns) are never touched, so
  ``-3`` stays a number; ordinary text is unchanged.
* :func:`web_url` keeps a link target read from a document only if it is an absolute ``http(s)``
  URL without spaces or controls: a crafted ``javascript:`` or ``file:`` target never becomes a link.
* :func:`terminal` escapes control characters in a name printed on a terminal, so a crafted file
  name can neither send escape sequences nor fake a line of output ("error: …").
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional overrides/isolates.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def csv_cell(value: Any) -> Any:
    """A CSV cell safe to open in a spreadsheet: formula-like text gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """:func:`csv_cell` on every cell of a ``csv.DictWriter`` row."""
    return {key: csv_cell(value) for key, value in row.items()}


WEB_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
MAX_URL = 2000


def web_url(value: str | None) -> str | None:
    """``value`` stripped if it is an ``http(s)`` URL a page may link to, else None."""
    text = (value or "").strip()
    if len(text) > MAX_URL or CONTROL.search(text) or not WEB_URL.match(text):
        return None
    return text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: object) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``, ``\\n``→``\\x0a``)."""
    return CONTROL.sub(_escape, str(text))
