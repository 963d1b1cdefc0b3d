"""Word-level redlines: the edits between two texts, as a reviewer sees them in Word.

The diffing is :class:`difflib.SequenceMatcher` over word, space and punctuation tokens; this module
only chooses the tokens, tidies the opcodes into segments and renders them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

SegmentOp = Literal["equal", "insert", "delete"]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    op: SegmentOp
    text: str


@dataclass(frozen=True)
class Redline:
    """Old and new text with the word-level edits between them (what a Word redline shows)."""

    old: str
    new: str
    segments: tuple[Segment, ...]

    def text(self) -> str:
        return render_text(self.segments)

    def html(self) -> str:
        return render_html(self.segments)


def redline(old: str, new: str) -> Redline:
    return Redline(old, new, word_segments(old, new))


def word_segments(old: str, new: str) -> tuple[Segment, ...]:
    """Edits over word, space and punctuation tokens, so joining the segments gives back both texts.

    ``autojunk`` is off: it would treat spaces as noise in long texts and match nothing. A lone
    space between two edits joins them ("[-a b-]{+x y+}" instead of "[-a-]{+x+} [-b-]{+y+}").
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(Segment("delete", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(Segment("insert", "".join(b[j1:j2])))
    return _coalesce(raw)


def _coalesce(raw: list[Segment]) -> tuple[Segment, ...]:
    """Merge each run of edits (absorbing spaces between them) into one delete and one insert."""
    out: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(Segment("delete", "".join(deleted)))
        if inserted:
            out.append(Segment("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, seg in enumerate(raw):
        between_edits = bool(deleted or inserted) and index + 1 < len(raw) and raw[index + 1].op != "equal"
        if seg.op == "equal" and between_edits and not seg.text.strip():
            deleted.append(seg.text)
            inserted.append(seg.text)
        elif seg.op == "equal":
            flush()
            out.append(seg)
        else:
            (deleted if seg.op == "delete" else inserted).append(seg.text)
    flush()
    return tuple(out)


def render_text(segments: Iterable[Segment]) -> str:
    """The wdiff notation: ``[-deleted-]{+inserted+}``."""
    marks = {"equal": ("", ""), "delete": ("[-", "-]"), "insert": ("{+", "+}")}
    return "".join(marks[s.op][0] + s.text + marks[s.op][1] for s in segments)


def render_html(segments: Iterable[Segment]) -> str:
    tags = {"equal": "", "delete": "del", "insert": "ins"}
    parts = []
    for s in segments:
        text = html.escape(s.text)
        parts.append(f"<{tags[s.op]}>{text}</{tags[s.op]}>" if tags[s.op] else text)
    return "".join(parts)
