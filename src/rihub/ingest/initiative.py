"""One initiative's text → its record: title, objective, expected results, achieved results, mappings.

Part of the structure reader (rihub.ingest.itu): it gets the blocks of one initiative, from its
head (code and title) to the next head, and reads them as a small state machine — objective,
results, achieved results, a section after the results, alignments — whose labels are data
(rihub.ingest.layouts). Initiative tables are first unrolled to the paragraphs a prose report has.
"""

from __future__ import annotations

import re

from rihub.ingest.layouts import (
    ACHIEVED_HEADER,
    OBJECTIVE_LABEL,
    RESULTS_HEADER,
    RESULTS_INTRODUCER,
    ends_results,
)
from rihub.ingest.regions import CODE_ALTERNATION
from rihub.ingest.text import clean
from rihub.model import AchievedResult, Block, DocumentAlignment, ExpectedResult, Footnote, Initiative, SubItem

BULLET = re.compile(r"^[·•▪◦‣∙*]\s*|^[-–—]\s+")
# "Regional Initiative EUR1:", "Draft regional initiative No. 3 –": a spelled-out label before the code.
_RI_LABEL = r"(?i:(?:draft\s+)?regional\s+initiative\s*(?:no\.?\s*)?[:‐–-]?\s*)"
CODE_LINE = re.compile(
    rf"""^(?:
        {_RI_LABEL}?(?:RI\s*[-‐–]?\s*)?(?P<reg>{CODE_ALTERNATION})\s*[-‐–]?\s*(?:RI\s*[-‐–]?\s*)?(?P<num>\d{{1,2}})
      | {_RI_LABEL}?(?:(?P<reg2>{CODE_ALTERNATION})\s+)?RI\s*[-‐–]?\s*(?P<num2>\d{{1,2}})
      | {_RI_LABEL}(?P<num3>\d{{1,2}})
    )(?![\d.]\d)\s*(?:[:.\-–—]\s*|\s+|$)(?P<rest>.*)$""",
    re.VERBOSE,
)
TITLE_LABEL = re.compile(r"^(?:title|name)(?:\s+of\s+(?:the|this)\s+(?:regional\s+)?initiative)?\s*:\s*", re.I)
OBJECTIVE_INLINE = re.compile(r"^(?P<title>.+?)\s*[:.–—-]\s+(?P<objective>Objectives?\b.*)$")
NUMBERED = re.compile(r"^\(?(?P<num>\d{1,2})(?:\s*[.):](?!\d)|\s+[-–](?=\s))\s*(?P<text>.*)$")  # 1. 1) (1) 1: 1 -
# A numbered section of the report ("6 Closing of the meeting", "6.1 The Chair closed …"): the
# initiatives are over.
REPORT_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]")
SUB_ITEM = re.compile(r"^\(?(?P<label>[a-z]|[ivx]{1,4})\)\s*(?P<text>.+)$|^(?P<label2>[a-h])\.\s+(?P<text2>.+)$")
# The mapping written as labelled lines instead of a table: "WSIS Action Lines: C1, C2", "SDGs: 4, 9"
MAPPING_LINE = re.compile(
    r"^(?P<label>WSIS(?:\s+Action\s+Lines?)?|Global\s+Digital\s+Compact(?:\s+objectives?)?|GDC(?:\s+objectives?)?"
    r"|Sustainable\s+Development\s+Goals?|SDGs?)\s*[:–—-]\s*(?P<value>\S.*)$",
    re.IGNORECASE,
)
CONTRIBUTES = re.compile(r"^implementation of this regional initiative will contribute", re.IGNORECASE)
FOOTNOTE_REF = re.compile(r"\s?\[footnoteRef:(?P<n>\d+)\]")
# Linear by construction: white space is taken from its start only, and a body stops at the next
# "[" (Word's export and the Word reader write bodies without brackets), so an unclosed "[1:"
# repeated is not rescanned to the end of the text by every later one.
FOOTNOTE_BODY = re.compile(r"(?<!\s)\s*\[(?P<n>\d+):\s*(?P<text>[^\][]*)\]")
# "Document 2 on …", "Doc. 5: …", "Document RPM-EUR25/2 – …" (the meeting's own document series)


def strip_bullet(text: str) -> str:
    return BULLET.sub("", text).strip()


def _cell_role(text: str) -> str | None:
    """What a table cell labels: "code", "title", "objective" or "results" (None: not a label)."""
    text = text.strip().rstrip(":").strip()
    if re.fullmatch(r"(?i)(?:code|ri|no\.?|(?:regional\s+)?initiative(?:\s+code)?)", text):
        return "code"
    if re.fullmatch(r"(?i)(?:title|name)(?:\s+of\s+(?:the\s+)?(?:regional\s+)?initiative)?", text):
        return "title"
    if OBJECTIVE_LABEL.match(text + ":"):
        return "objective"
    if RESULTS_HEADER.fullmatch(text):
        return "results"
    return None


def unroll_initiative_tables(blocks: list[Block]) -> list[Block]:
    """Initiatives laid out as tables, rewritten as the paragraphs a prose report would have.

    Two layouts: one table per initiative with label rows ("EUR1 | Title", "Objective | …",
    "Expected results | 1. … 2. …"), and one wide table with a row per initiative under a header
    row ("Code | Title | Objective | Expected results"). Other rows (the WSIS/GDC/SDG mapping
    tables) stay rows. Every paragraph keeps its row's location, so provenance still points at it.
    """
    out: list[Block] = []
    header: list[str | None] | None = None

    def para(text: str, row: Block) -> None:
        if text.strip():
            out.append(Block("para", text.strip(), row.loc, end_loc=row.end_loc))

    def labelled(role: str | None, value: str, row: Block) -> None:
        if role == "title":
            para(f"Title: {value}", row)
        elif role == "objective":
            para(f"Objective: {value}", row)
        elif role == "results":
            para("Expected results:", row)
            for line in value.split("\n"):
                para(line, row)

    for block in blocks:
        cells = [c.strip() for c in block.cells]
        if block.kind != "row" or not cells:
            out.append(block)  # the wide table's header holds for the section: prose may interrupt it
            continue
        roles = [_cell_role(c) for c in cells]
        code = CODE_LINE.match(cells[0]) if len(cells[0]) <= 120 else None
        if sum(r is not None for r in roles) >= 2 and code is None:
            header, block.role = roles, "label"  # the header row of a wide table
        elif header is not None and code is not None:
            para(cells[0], block)
            for role, value in zip(header[1:], cells[1:], strict=False):
                labelled(role, value, block)
        elif code is not None and len(cells) >= 2 and not code.group("rest"):
            para(f"{cells[0]}: {cells[1]}", block)
        elif code is not None and len(cells) == 1:
            para(cells[0], block)
        elif roles[0] is not None and roles[0] != "code" and len(cells) >= 2:
            labelled(roles[0], "\n".join(cells[1:]), block)
        else:
            out.append(block)
    return out


def code_of(block: Block, region: str) -> tuple[str, int, str] | None:
    if block.kind == "row":
        return None
    if block.role == "derived code":
        numbered = NUMBERED.match(block.text.strip())
        assert numbered is not None
        return region, int(numbered.group("num")), numbered.group("text").strip()
    match = CODE_LINE.match(strip_bullet(block.text))
    if not match:
        return None
    reg = match.group("reg") or match.group("reg2") or region
    num = int(match.group("num") or match.group("num2") or match.group("num3"))
    return reg, num, match.group("rest").strip()


def parse_initiative(chunk: list[Block], region: str, footnotes: dict[str, Footnote]) -> Initiative:
    """One initiative from its chunk: the head (code, title, perhaps an inline objective), then the
    body read block by block (:class:`_Body`)."""
    head = chunk[0]
    code_info = code_of(head, region)
    assert code_info is not None
    reg, number, rest = code_info
    body = chunk[1:]
    derived, head.role = head.role == "derived code", "title"
    if not rest and body and not RESULTS_HEADER.match(body[0].text):
        rest, body = body[0].text, body[1:]
        chunk[1].role = "title"
    title, objective, objective_kind = TITLE_LABEL.sub("", rest, count=1), None, None
    inline = OBJECTIVE_INLINE.match(title)
    if inline:
        title, objective, objective_kind = inline.group("title"), _unlabel(inline.group("objective")), "objective"
    initiative = Initiative(code=f"{reg}{number}", region=reg, title=title.strip().rstrip(":").strip(), span=head.span)
    initiative.code_derived = derived
    reader = _Body(initiative, objective, objective_kind)
    for block in body:
        text = strip_bullet(block.text) if block.kind != "row" else block.text
        if _ends_initiatives(block, text):
            break
        initiative.span = initiative.span.union(block.span)
        reader.read(block, text)
    reader.finish(footnotes)
    return initiative


class _Body:
    """The state of reading an initiative's body: which part the next paragraph belongs to.

    States: "objective" (from the head), "results" (after a results label), "achieved" (after
    "Achieved results"), "after" (a headed section after the results: read into nothing) and
    "alignment" (the WSIS/GDC/SDG mapping). Each block read gets the role of the field it fills.
    Texts continued over many blocks are joined once at the end (joining on every block would
    grow with the square of their length).
    """

    def __init__(self, initiative: Initiative, objective: str | None, objective_kind: str | None) -> None:
        self.initiative = initiative
        self.state = "objective"
        self.current: ExpectedResult | None = None
        self.lettered = False
        self.objective_parts = [objective] if objective is not None else []
        self.objective_kind = objective_kind
        self.continued: dict[int, tuple[ExpectedResult | SubItem, list[str]]] = {}

    def read(self, block: Block, text: str) -> None:
        initiative = self.initiative
        if block.kind == "row":
            found = parse_alignment_row(block)
            initiative.alignments.extend(found)
            block.role = "mapping" if found else "label"  # the "Process | Focus Area" header labels
            self.state = "alignment"
            return
        if CONTRIBUTES.match(text):
            self.state, block.role = "alignment", "label"
            return
        mapping = MAPPING_LINE.match(text) if self.state != "objective" else None
        if mapping:
            row = Block("row", text, block.loc, [mapping.group("label"), mapping.group("value")], end_loc=block.end_loc)
            initiative.alignments.extend(parse_alignment_row(row))
            self.state, block.role = "alignment", "mapping"
            return
        header = RESULTS_HEADER.match(text)
        if (header or RESULTS_INTRODUCER.match(text)) and self.state == "objective":
            self.state, block.role = "results", "label"
            lead = header.group("rest").strip() if header else text
            if lead:
                initiative.results_lead_in = lead
            return
        if ACHIEVED_HEADER.match(text) and self.state != "objective":
            self.state, block.role = "achieved", "label"
            return
        if self.state == "achieved" and not ends_results(text):
            initiative.achieved_results.append(AchievedResult(text, block.span))
            block.role = "achieved"
            return
        if self.state == "results" and self.current is not None and not _marked(block.text) and ends_results(text):
            self.state = "after"  # "Training activities:", "Twinning programmes …": another section
        if self.state == "objective":
            self._objective(block, text)
        elif self.state == "results":
            block.role = "result"
            self._result(block, text)

    def _objective(self, block: Block, text: str) -> None:
        label = OBJECTIVE_LABEL.match(text)
        piece = label.group("rest") if label else text
        block.role = "objective"
        if not self.objective_parts and (label or self.objective_kind is None):
            # "Objective:" alone on its line labels the paragraph that follows it.
            self.objective_kind = "objective" if label else "rationale"
        if piece:
            self.objective_parts.append(piece)

    def _result(self, block: Block, text: str) -> None:
        """Read a paragraph of the results list (its role is "result" unless it is none)."""
        initiative, current = self.initiative, self.current
        numbered = NUMBERED.match(block.text.strip())
        sub = SUB_ITEM.match(text)
        if numbered and numbered.group("text"):
            self._new(int(numbered.group("num")), numbered.group("text"), block)
        elif sub and (current is None or self.lettered) and _next_letter(sub, len(initiative.expected_results)):
            # results lettered a), b) ... (no numbers): each letter is a result, not a sub-item
            self.lettered = True
            self._new(len(initiative.expected_results) + 1, sub.group("text") or sub.group("text2"), block)
        elif sub and current is not None and not BULLET.match(block.text):
            label_text = sub.group("label") or sub.group("label2")
            current.sub_items.append(SubItem(label_text, sub.group("text") or sub.group("text2"), block.span))
            current.span = current.span.union(block.span)
        elif BULLET.match(block.text):
            self._new(len(initiative.expected_results) + 1, text, block)
        elif current is None and text.endswith(":") and initiative.results_lead_in is None:
            initiative.results_lead_in, block.role = text, "label"
        elif current is not None:
            item: ExpectedResult | SubItem = current.sub_items[-1] if current.sub_items else current
            self.continued.setdefault(id(item), (item, [item.text]))[1].append(text)
            current.span = current.span.union(block.span)
        else:
            block.role = ""

    def _new(self, number: int, text: str, block: Block) -> None:
        self.current = ExpectedResult(number, text, block.span)
        self.initiative.expected_results.append(self.current)

    def finish(self, footnotes: dict[str, Footnote]) -> None:
        initiative = self.initiative
        for item, parts in self.continued.values():
            item.text = " ".join(parts)
        objective = " ".join(self.objective_parts)
        if objective:
            initiative.objective, initiative.objective_kind = objective.strip(), self.objective_kind
        for result in initiative.expected_results:
            result.text = _detach_footnotes(result.text, result, footnotes)
            for sub in result.sub_items:
                sub.text = _detach_footnotes(sub.text, result, footnotes)


def _marked(text: str) -> bool:
    """Whether a paragraph is a list item (numbered, lettered or bulleted)."""
    return bool(NUMBERED.match(text.strip()) or SUB_ITEM.match(strip_bullet(text)) or BULLET.match(text))


def _ends_initiatives(block: Block, text: str) -> bool:
    """A report section after the last initiative ("6 Closing of the meeting"), or a Word heading
    that is none of an initiative's own labels."""
    if block.kind == "row":
        return False
    labels = (RESULTS_HEADER, OBJECTIVE_LABEL, CONTRIBUTES, MAPPING_LINE, TITLE_LABEL)
    if block.kind == "heading":
        return not any(label.match(text) for label in labels) and _cell_role(text) is None
    return bool(REPORT_SECTION.match(text)) and not NUMBERED.match(text)


def _next_letter(sub: re.Match[str], count: int) -> bool:
    """Whether a "x)" marker is the letter that would follow ``count`` lettered results."""
    label = sub.group("label") or sub.group("label2")
    return count < 26 and label == chr(ord("a") + count)


def _unlabel(text: str) -> str:
    label = OBJECTIVE_LABEL.match(text)
    return label.group("rest") if label else text


def _detach_footnotes(text: str, result: ExpectedResult, footnotes: dict[str, Footnote]) -> str:
    for marker in FOOTNOTE_REF.finditer(text):
        note = footnotes.get(marker.group("n"))
        result.footnotes.append(note if note else Footnote(marker.group("n"), "", result.span))
    return FOOTNOTE_REF.sub("", text).strip()


def parse_alignment_row(row: Block) -> list[DocumentAlignment]:
    """A row of the "will contribute to WSIS, GDC, SDGs" table → document alignments."""
    if len(row.cells) < 2:
        return []
    label, value = row.cells[0].lower(), "\n".join(row.cells[1:])
    found: list[DocumentAlignment] = []
    if "wsis" in label or "action line" in label:
        for code in re.findall(r"\bC\s?(\d{1,2})\b", value):
            found.append(DocumentAlignment("WSIS", f"C{int(code)}", "", row.span))
    elif "digital compact" in label or "gdc" in label:
        for match in re.finditer(
            r"Objective\s+(\d)\.?\s*(?P<label>.*?)(?=\s*\bObjective\s+\d|$)", value, re.IGNORECASE | re.DOTALL
        ):
            found.append(DocumentAlignment("GDC", match.group(1), clean(match.group("label")), row.span))
    elif "sustainable development" in label or "sdg" in label:
        for code in re.findall(r"\bSDGs?\s?(\d{1,2})\b|(?<=,)\s*(\d{1,2})\b", value):
            number = next(c for c in code if c)
            found.append(DocumentAlignment("SDG", str(int(number)), "", row.span))
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in found:
        if (item.framework, item.code) not in seen:
            seen.add((item.framework, item.code))
            unique.append(item)
    return unique
