"""Coverage accounting: every paragraph of a source lands in a field of the outline or is listed.

The structure reader gives each block the role of the field it filled ("title", "objective",
"result", "mapping", "officers", "meeting", a "label" such as "Expected results:", ...), or
"furniture"/"contents" for page furniture and tables of contents, or none. Nothing else is needed
to see on any real document what was read and what was not, without a hand-made truth: the share
of characters assigned, and the list of paragraphs left over, each with its location. A leftover
paragraph that looks like registry data (an initiative head, a numbered result, a mapping) is the
sign of a layout the reader does not know yet, and lint says so as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rihub.ingest.initiative import BULLET, CODE_LINE, MAPPING_LINE, NUMBERED, strip_bullet
from rihub.model import Block, Outline
from rihub.store.write import Finding


def looks_like(block: Block) -> str | None:
    """What registry data an unassigned paragraph resembles, if any."""
    text = strip_bullet(block.text) if block.kind != "row" else block.text
    if block.kind == "row" and re.search(r"\b(?:WSIS|SDG|C\d{1,2}\b|Digital\s+Compact)", text):
        return "mapping"
    if block.kind != "row" and CODE_LINE.match(text) and len(text) < 300:
        return "initiative"
    if MAPPING_LINE.match(text):
        return "mapping"
    if NUMBERED.match(block.text.strip()) or BULLET.match(block.text):
        return "result"
    return None


def coverage_findings(outline: Outline) -> Iterator[Finding]:
    """Lint's view: the unassigned paragraphs; the gaps between contents and body; the cycle."""
    for item in outline.coverage().unassigned:
        kind = looks_like(item)
        quoted = item.text if len(item.text) <= 70 else item.text[:69] + "…"
        if kind:
            yield Finding(
                "unassigned",
                "warning",
                item.loc,
                f"read into no field, though it looks like {'an' if kind == 'initiative' else 'a'} {kind}: “{quoted}”",
                item.text[:120],
                "check its layout; docs/ingest.md says how to teach the reader a new one",
            )
        else:
            yield Finding(
                "unassigned", "info", item.loc, f"read into no field: “{quoted}”", item.text[:120], "none needed"
            )
    found = {i.code for i in outline.initiatives}
    for code in outline.contents:
        if code not in found:
            yield Finding(
                "contents-mismatch",
                "warning",
                None,
                f"the contents list {code}, which the body does not hold",
                code,
                "check that the document is complete",
            )
    for initiative in outline.initiatives:
        last = initiative.expected_results[-1] if initiative.expected_results else None
        if last is not None and last.truncated:
            yield Finding(
                "truncated",
                "warning",
                last.span.start,
                f"{initiative.code}: the document ends inside expected result {last.number}",
                last.text[-80:],
                "check the end of the document; the result is kept as it stands",
            )
        if initiative.code_derived:
            yield Finding(
                "derived-code",
                "info",
                initiative.span.start,
                f"{initiative.code}: the code is derived (region + number), the document writes none",
                initiative.title[:80],
                "none needed",
            )
    if outline.conference is None:
        yield Finding(
            "unknown-cycle",
            "warning",
            None,
            "the document names no WTDC (code, host city or cycle years): its cycle is unknown",
            "",
            "give the cycle with rihub ingest --cycle WTDC-NN",
        )
