"""Blocks → the ITU structure of an RPM outcome report.

Format parsers (text, Word, PDF) all hand over the same kind of blocks, so the
knowledge of how ITU writes these reports lives here once: region sections, the
meetings table, officers, documents reviewed, initiatives with objectives, expected
results, sub-items and footnotes, and the document's own framework mappings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from rihub.errors import InputError
from rihub.ingest.initiative import (
    BULLET,
    CODE_LINE,
    FOOTNOTE_BODY,
    NUMBERED,
    REPORT_SECTION,
    code_of,
    parse_initiative,
    strip_bullet,
    unroll_initiative_tables,
)
from rihub.ingest.layouts import (
    OBJECTIVE_LABEL,
    RESULTS_HEADER,
    RESULTS_INTRODUCER,
    contents_codes,
    mark_furniture,
)
from rihub.ingest.meetings import conference_mentions, meeting_from_text, parse_conference, parse_meetings_table
from rihub.ingest.people import CHAIR_LABEL, VICE_LABEL, parse_officers
from rihub.ingest.regions import RPM_REFERENCE, region_mentions, region_of_heading
from rihub.ingest.text import clean
from rihub.model import (
    Block,
    Footnote,
    Initiative,
    Meeting,
    Outline,
    ReviewedDocument,
    SourceDocument,
)

DOCUMENT_REF = re.compile(
    r"^Doc(?:ument)?s?\.?\s+(?:RPM[-‐–]?[A-Z]{3}[-‐–]?\d{0,4}\s*/\s*)?(?P<num>\d{1,6})\b[\s,:–-]*(?P<desc>.*)$",
    re.IGNORECASE,
)


@dataclass
class Section:
    region: str
    heading: Block
    blocks: list[Block] = field(default_factory=list)


def section_blocks(blocks: list[Block]) -> tuple[list[Block], list[Section]]:
    """Cut the document at its region headings; what precedes the first one is the preamble."""
    preamble: list[Block] = []
    sections: list[Section] = []
    for block in blocks:
        region = region_of_heading(block.text) if block.kind != "row" else None
        if region:
            sections.append(Section(region, block))
        elif sections and block.kind == "heading" and block.level <= sections[-1].heading.level:
            # A Word heading at the same depth that names no region closes the section.
            preamble.append(block)
            sections.append(Section("", block))
        elif sections:
            sections[-1].blocks.append(block)
        else:
            preamble.append(block)
    found = _reopen_sections(sections)
    region = None if found or not blocks else single_region(blocks)
    if region is not None:
        # The report of one RPM may have no region heading at all: its body is that region's section.
        return blocks[:1], [Section(region, blocks[0], blocks[1:])]
    return preamble, found


def _reopen_sections(sections: list[Section]) -> list[Section]:
    """Region sections, each with the headed parts that follow it when its initiatives are there.

    A Word heading at the region heading's depth closes the section ("3. Next steps"), but in the
    report of one RPM the region is the title (a Heading 1) and the report's own Heading 1 parts
    ("1 Opening", "5 Regional Initiatives") follow it: when the region section holds no initiative
    code and those parts do, they belong to it.
    """
    out: list[Section] = []
    for index, section in enumerate(sections):
        if not section.region:
            continue
        out.append(section)
        following: list[Section] = []
        for later in sections[index + 1 :]:
            if later.region:
                break
            following.append(later)
        if not _has_codes(section.blocks, section.region) and any(
            _has_codes(later.blocks, section.region) for later in following
        ):
            for later in following:
                section.blocks += [later.heading, *later.blocks]
    return out


def _has_codes(blocks: list[Block], region: str) -> bool:
    """Whether some block opens an initiative of ``region`` (a code without region counts)."""
    for block in blocks:
        code = CODE_LINE.match(strip_bullet(block.text)) if block.kind != "row" else None
        if code and (code.group("reg") or code.group("reg2") or region) == region:
            return True
    return False


def single_region(blocks: list[Block]) -> str | None:
    """The one region a report without region headings is about, if its RPM references
    ("RPM-EUR") and initiative codes ("EUR1") clearly point at one."""
    votes: Counter[str] = Counter()
    for block in blocks:
        votes.update(m.group(1) for m in RPM_REFERENCE.finditer(block.text))
        code = CODE_LINE.match(strip_bullet(block.text)) if block.kind != "row" else None
        if code and (code.group("reg") or code.group("reg2")):
            votes[code.group("reg") or code.group("reg2")] += 1
    if not votes:  # "RI 1: …" pages: the region only in the prose ("States members of the CIS")
        for block in blocks:
            votes.update(region_mentions(block.text))
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and 2 * ranked[1][1] > ranked[0][1]):
        return None
    return ranked[0][0]


# --- region sections ----------------------------------------------------------------------------


REVIEWED = re.compile(r"\b(?:reviewed|considered|examined)\b", re.IGNORECASE)
DOCUMENTS = re.compile(r"\bdocuments?\b", re.IGNORECASE)
AGREED = re.compile(r"\b(agreed|adopted|identified|endorsed|approved)\b", re.IGNORECASE)
PRIORITIES = re.compile(r"\bpriorit", re.IGNORECASE)


def _then(first: re.Pattern[str], second: re.Pattern[str], text: str) -> bool:
    """Whether ``second`` occurs after ``first`` in ``text``: ``first.*second`` in linear time (the
    regex backtracks over the rest of the text at every occurrence of ``first``)."""
    found = first.search(text)
    return found is not None and second.search(text, found.end()) is not None


def parse_section(section: Section, meeting: Meeting, footnotes: dict[str, Footnote]) -> list[Initiative]:
    """Fill the meeting from the section's highlights and return its initiatives."""
    blocks = unroll_initiative_tables(section.blocks)
    first_code = next((i for i, b in enumerate(blocks) if code_of(b, section.region)), len(blocks))
    if first_code == len(blocks):
        first_code = _numbered_heads(blocks)
    highlights = blocks[:first_code]
    in_documents = False
    for block in highlights:
        text = strip_bullet(block.text)
        elected = re.search(r"\belected\b", text, re.IGNORECASE) and re.search(r"\bchair", text, re.IGNORECASE)
        if elected or CHAIR_LABEL.match(text) or VICE_LABEL.match(text):
            meeting.officers.extend(parse_officers(text, block.span))
            in_documents, block.role = False, "officers"
            continue
        if _then(REVIEWED, DOCUMENTS, text) and not re.search(r"\ball input documents\b", text, re.IGNORECASE):
            in_documents, block.role = True, "label"
            continue
        doc = DOCUMENT_REF.match(text)
        if doc and in_documents:
            description = re.sub(r"^(on|about|regarding)\s+", "", doc.group("desc"))
            description = re.sub(r"(,|;|\.)?\s*(and)?\s*$", "", description).strip()
            meeting.documents_reviewed.append(ReviewedDocument(int(doc.group("num")), description, block.span))
            block.role = "documents"
            continue
        in_documents = False
        if re.search(r"\bcontributions?\b", text, re.IGNORECASE) and meeting.contributions is None:
            meeting.contributions, block.role = text, "contributions"
    initiatives = [
        parse_initiative(chunk, section.region, footnotes)
        for chunk in _initiative_chunks(blocks[first_code:], section.region)
    ]
    if not initiatives:
        initiatives = parse_priorities(highlights, section.region)
    # An initiative table's row was read as the paragraphs it unrolls to: it has their role.
    roles = {b.loc: b.role for b in reversed(blocks) if b.role}
    for block in section.blocks:
        block.role = block.role or roles.get(block.loc, "")
    return initiatives


# (stage, pattern) tried in order on the document's title area: the stage a document states
# about itself. The first blocks only: a body that cites "the Kigali Action Plan" is not one.
STAGE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("report", re.compile(r"\b(?:implementation|progress|annual) report\b|\breport on the implementation\b", re.I)),
    (
        "adopted",
        re.compile(
            r"\baction plan\b|\bfinal report of (?:the )?(?:WTDC|World Telecommunication Development Conference)"
            r"|\badopted (?:by|at) (?:the )?(?:WTDC|World Telecommunication Development Conference)",
            re.I,
        ),
    ),
    ("consolidated", re.compile(r"\bcoordination meeting\b|\bconsolidated (?:report|outcomes?)\b", re.I)),
)
TITLE_AREA = 3  # blocks


def document_stage(blocks: list[Block], regions: int) -> str:
    """The process stage a report states in its title area; else consolidated when it covers
    several regions, draft (one RPM's outcome) when it covers one."""
    head = " ".join(b.text for b in blocks[:TITLE_AREA])
    for stage, pattern in STAGE_RULES:
        if pattern.search(head):
            return stage
    return "consolidated" if regions > 1 else "draft"


def _numbered_heads(blocks: list[Block]) -> int:
    """Initiatives numbered "1. Title" under a region heading, where no code is written: a numbered
    paragraph is an initiative's head when an objective or a results label follows it (a numbered
    result is followed by the next result). Marks them and returns the position of the first."""
    first = len(blocks)
    for index, block in enumerate(blocks[:-1]):
        numbered = NUMBERED.match(block.text.strip()) if block.kind != "row" else None
        after = strip_bullet(blocks[index + 1].text)
        if numbered and numbered.group("text") and _opens_body(after):
            block.role = "derived code"
            first = min(first, index)
    return first


def _opens_body(text: str) -> bool:
    return bool(OBJECTIVE_LABEL.match(text) or RESULTS_HEADER.match(text) or RESULTS_INTRODUCER.match(text))


def _initiative_chunks(blocks: list[Block], region: str) -> Iterator[list[Block]]:
    chunk: list[Block] = []
    for block in blocks:
        if code_of(block, region) and chunk:
            yield chunk
            chunk = []
        chunk.append(block)
    if chunk:
        yield chunk


def parse_priorities(highlights: list[Block], region: str) -> list[Initiative]:
    """Regional priorities without codes ("agreed on six regional priorities … These are:")."""
    for index, block in enumerate(highlights):
        if not _then(AGREED, PRIORITIES, block.text):
            continue
        block.role = "label"
        items: list[Initiative] = []
        for item in highlights[index + 1 :]:
            numbered = NUMBERED.match(item.text.strip())
            text = numbered.group("text") if numbered else strip_bullet(item.text) if BULLET.match(item.text) else None
            if not text:
                break
            items.append(Initiative(f"{region}{len(items) + 1}", region, text.strip(), item.span, kind="priority"))
            item.role = "title"
        if items:
            return items
    return []


def collect_footnotes(blocks: list[Block]) -> dict[str, Footnote]:
    """Lift "[1: …]" footnote bodies out of the blocks (they trail the paragraph that cites them)."""
    notes: dict[str, Footnote] = {}
    for block in blocks:
        for text in block.cells if block.kind == "row" else [block.text]:  # a cell may cite one too
            for match in FOOTNOTE_BODY.finditer(text):
                notes[match.group("n")] = Footnote(match.group("n"), clean(match.group("text")), block.span)
        if block.kind == "row":
            block.cells = [FOOTNOTE_BODY.sub("", c).strip() for c in block.cells]
            block.text = " | ".join(block.cells)
        else:
            block.text = FOOTNOTE_BODY.sub("", block.text).strip()
    return notes


MEETING_NAMED = re.compile(r"\bRPM\b|\bRPM[-\s]?[A-Z]{3}\b|\bregional\s+preparatory\s+meeting", re.IGNORECASE)


def _held(meeting: Meeting, blocks: list[Block]) -> bool:
    """Whether the document tells of a meeting of the region, not only of its initiatives.

    An action plan or a regional office page lists adopted initiatives and no meeting: a meeting
    row is kept only when the text gives it dates, officers, documents or contributions, or at
    least names the regional preparatory meeting.
    """
    if meeting.start_date or meeting.officers or meeting.documents_reviewed or meeting.contributions:
        return True
    return any(MEETING_NAMED.search(b.text) for b in blocks if b.kind != "row")


def _names_document(text: str) -> bool:
    """Whether a short line at a page's edge says what the document is (its conference or its
    stage: "Implementation report"), so it is the document's title, not navigation."""
    return next(conference_mentions(text), None) is not None or any(p.search(text) for _, p in STAGE_RULES)


def build_outline(blocks: list[Block], source: SourceDocument) -> Outline:
    """The whole report: conference, one meeting per region section, and its initiatives.

    Page furniture and tables of contents are marked first and read no further; every other
    block ends with the role of the field it landed in, or none (rihub.ingest.coverage).
    """
    footnotes = collect_footnotes(blocks)
    blocks = [b for b in blocks if b.text or b.cells]
    mark_furniture(blocks, _names_document)
    content = [b for b in blocks if not b.role]
    preamble, sections = section_blocks(content)
    outline = Outline(source=source, blocks=blocks, conference=parse_conference(content))
    outline.contents = contents_codes(blocks)
    table = parse_meetings_table(preamble) or parse_meetings_table(content)
    codes: set[str] = set()
    for section in _merged(sections):
        section.heading.role = section.heading.role or "heading"
        meeting = table.get(section.region) or Meeting(region=section.region)
        meeting.span = meeting.span.union(section.heading.span) if meeting.span else section.heading.span
        if meeting.start_date is None:
            # No meetings table: a single-region report says when and where in its opening.
            meeting_from_text(section.blocks + (preamble if len(sections) == 1 else []), meeting)
        for initiative in parse_section(section, meeting, footnotes):
            if initiative.code in codes:
                outline.duplicates.append(initiative)  # the first one stands; lint tells the editors
            else:
                codes.add(initiative.code)
                outline.initiatives.append(initiative)
        if section.region in table or _held(meeting, section.blocks + preamble):
            outline.meetings.append(meeting)
    seen = {section.region for section in sections}
    outline.meetings += [meeting for region, meeting in table.items() if region not in seen]
    if not outline.initiatives:
        raise InputError(
            f"{source.filename}: no regional initiatives found; is this an RPM outcome report? "
            'Expected region sections ("2.2 Europe Region") with codes such as "EUR1:"'
        )
    _finish(outline, content, preamble + [s.heading for s in sections], seen)
    return outline


def _merged(sections: list[Section]) -> list[Section]:
    """One section per region: a booklet may open a region twice (its title page, then its body)."""
    by_region: dict[str, Section] = {}
    for section in sections:
        if section.region in by_region:
            by_region[section.region].blocks += [section.heading, *section.blocks]
            section.heading.role = "heading"
        else:
            by_region[section.region] = section
    return list(by_region.values())


TERMINAL = (".", ";", ":", "!", "?", ")", "”", '"')


def _finish(outline: Outline, content: list[Block], heads: list[Block], regions: set[str]) -> None:
    """Stage and key; the blocks that name the conference; a last result the document cuts short."""
    source = outline.source
    source.stage = document_stage(content, len(regions))
    if source.stage == "draft" and not outline.meetings and outline.conference is not None:
        source.stage = "adopted"  # a conference's initiatives, told of without any RPM: not a draft
    for initiative in outline.initiatives:
        initiative.stage = source.stage
    flag_truncated(outline, content)
    for block in heads:  # the report's own section headings before the regions ("1. Introduction")
        if not block.role and REPORT_SECTION.match(block.text) and len(block.text.split()) <= 8:
            block.role = "heading"
    if outline.conference is None:
        return
    source.key = source.key or f"{outline.conference.code}:{'+'.join(sorted(regions))}"
    for block in heads:
        if not block.role and any(code == outline.conference.code for code, _ in conference_mentions(block.text)):
            block.role = "conference"


def flag_truncated(outline: Outline, content: list[Block]) -> None:
    """The document ends inside a result that lacks the closing punctuation the others have."""
    results = [r for i in outline.initiatives for r in i.expected_results]
    if len(results) < 2 or not content or content[-1].role != "result":
        return
    last = results[-1]
    closed = sum(r.text.rstrip().endswith(TERMINAL) for r in results[:-1])
    if (
        last.span.end >= content[-1].loc
        and not last.text.rstrip().endswith(TERMINAL)
        and 2 * closed >= len(results) - 1
    ):
        last.truncated = True
