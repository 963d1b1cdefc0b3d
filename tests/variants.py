"""Layout variants of an RPM report, generated from its Word text export.

They prove that every format and layout ingests to the same data, so they are built
with simple line rules of this report family's text export and never with rihub's
own parser (a generator that used the parser would agree with it by construction).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = f'xmlns:w="{W_NS}"'
TOP_HEADING = re.compile(r"^(\d+)\.\s+\S")
SUB_HEADING = re.compile(r"^(\d+\.\d+)\s+\S.{0,80}$")
NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.*)$")
SUB_ITEM = re.compile(r"^([a-z])\)\s+(.*)$")
BULLET = re.compile(r"^·\s*(.*)$")
LIST_ITEM = re.compile(r"^(\d{1,2}[.)]|[a-z]\)|[·-])\s")
FOOTNOTE_REF = re.compile(r"\[footnoteRef:(\d+)\]")
FOOTNOTE_BODY = re.compile(r"\s*\[(\d+):\s*([^\]]*)\]\s*")
CODE = re.compile(r"^(ARB|EUR|ASP|AMS|AFR|CIS)(\d{1,2}):\s*(.*)$")
PAGE_HEADER = "ITU-D RPM Coordination Meeting — report — page {page}"


# --- Word --------------------------------------------------------------------------------------


class _Lists:
    """Numbering definitions added to the document's numbering part, one ``w:num`` per list."""

    def __init__(self, document: docx.document.Document) -> None:
        self.root = document.part.numbering_part.element
        ids = [int(a.get(f"{{{W_NS}}}abstractNumId")) for a in self.root.iter(f"{{{W_NS}}}abstractNum")]
        self.decimal = max(ids, default=0) + 1
        self.bullet = self.decimal + 1
        levels = (
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="1440" w:hanging="360"/></w:pPr></w:lvl>'
        )
        bullet = (
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>'
        )
        first_num = self.root.find(f"{{{W_NS}}}num")
        for key, body in ((self.decimal, levels), (self.bullet, bullet)):
            abstract = parse_xml(
                f'<w:abstractNum {NSDECL} w:abstractNumId="{key}">'
                f'<w:multiLevelType w:val="multilevel"/>{body}</w:abstractNum>'
            )
            if first_num is not None:
                first_num.addprevious(abstract)  # the schema wants every abstractNum before any num
            else:
                self.root.append(abstract)
        self.bullet_num = self._num(self.bullet, None)

    def _num(self, abstract: int, start: int | None) -> int:
        ids = [int(n.get(f"{{{W_NS}}}numId")) for n in self.root.iter(f"{{{W_NS}}}num")]
        num_id = max(ids, default=0) + 1
        override = f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>' if start else ""
        self.root.append(
            parse_xml(f'<w:num {NSDECL} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>{override}</w:num>')
        )
        return num_id

    def new_list(self, start: int) -> int:
        """A fresh numbered list restarting at ``start`` (Word's "restart numbering")."""
        return self._num(self.decimal, start)


def set_numbering(paragraph: Paragraph, num_id: int, ilvl: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


class _Footnotes:
    """A footnotes part built by hand: python-docx's template has none and no API for it."""

    def __init__(self, document: docx.document.Document) -> None:
        self.element = parse_xml(
            f"<w:footnotes {NSDECL}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
            "</w:p></w:footnote></w:footnotes>"
        )
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.element, document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
        self.bodies: dict[str, int] = {}

    def add(self, paragraph: Paragraph, marker: str) -> None:
        """A superscript reference run in the paragraph; the body is filled in by :meth:`body`."""
        note_id = self.bodies.setdefault(marker, len(self.bodies) + 1)
        paragraph._p.append(
            parse_xml(
                f'<w:r {NSDECL}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:footnoteReference w:id="{note_id}"/></w:r>'
            )
        )

    def body(self, marker: str, text: str) -> None:
        note_id = self.bodies.setdefault(marker, len(self.bodies) + 1)
        note = parse_xml(
            f'<w:footnote {NSDECL} w:id="{note_id}"><w:p><w:pPr><w:spacing w:after="0"/>'
            '<w:rPr><w:sz w:val="18"/></w:rPr></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="18"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> </w:t></w:r>'
            '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t></w:t></w:r></w:p></w:footnote>'
        )
        note.findall(f".//{{{W_NS}}}t")[-1].text = text
        self.element.append(note)


def _add_runs(paragraph: Paragraph, text: str, notes: _Footnotes) -> None:
    """Text with ``[footnoteRef:N]`` markers → runs and real footnote references."""
    position = 0
    for match in FOOTNOTE_REF.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position : match.start()])
        notes.add(paragraph, match.group(1))
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


def _add_table(document: docx.document.Document, rows: list[list[str]]) -> Table:
    columns = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=False):
            lines = text.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    return table


def _page_furniture(document: docx.document.Document, header: str) -> None:
    """A running header and a "Page N" footer with a PAGE field, as in ITU's templates."""
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    for xml in (
        '<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r {ns}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r {ns}><w:t>1</w:t></w:r>",
        '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        footer._p.append(parse_xml(xml.format(ns=NSDECL)))


def _table_rows(lines: list[str], index: int) -> tuple[list[list[str]], int]:
    """Tab lines from ``index``: cells are tab lines, a blank line ends a row, two end the table."""
    rows: list[list[str]] = []
    cells: list[str] = []
    while index < len(lines):
        line = lines[index]
        if line.startswith("\t"):
            cells.append(line.strip())
        elif line.strip() and cells:
            cells[-1] = f"{cells[-1]}\n{line.strip()}"  # a second paragraph in the cell
        elif line.strip():
            break
        else:
            if cells:
                rows.append(cells)
                cells = []
            if index + 1 >= len(lines) or not lines[index + 1].startswith("\t"):
                index += 1
                break
        index += 1
    if cells:
        rows.append(cells)
    return rows, index


def write_docx(
    src_text_path: str | Path, out_path: str | Path, header: str = "ITU-D RPM Coordination Meeting — outcome report"
) -> Path:
    """The text export rebuilt as the Word file it came from: headings, lists, tables, footnote."""
    lines = Path(src_text_path).read_text(encoding="utf-8").split("\n")
    document = docx.Document()
    document.styles["Normal"].paragraph_format.space_after = Pt(6)
    lists = _Lists(document)
    notes = _Footnotes(document)
    _page_furniture(document, header)
    current_list: int | None = None
    last_number = 0
    index = 0
    while index < len(lines):
        raw = lines[index]
        line = raw.strip()
        if raw.startswith("\t"):
            rows, index = _table_rows(lines, index)
            _add_table(document, rows)
            continue
        index += 1
        if not line:
            continue
        bodies = FOOTNOTE_BODY.findall(line)
        line = FOOTNOTE_BODY.sub(" ", line).strip()
        following = next((x.strip() for x in lines[index:] if x.strip()), "")
        top = TOP_HEADING.match(line)
        if top and (index == 1 or (following.startswith(f"{top.group(1)}.") and SUB_HEADING.match(following))):
            document.add_heading(line, level=1)
            continue
        if SUB_HEADING.match(line) and not NUMBERED.match(line):
            document.add_heading(line, level=2)
            continue
        numbered, sub, bullet = NUMBERED.match(line), SUB_ITEM.match(line), BULLET.match(line)
        paragraph = document.add_paragraph()
        if numbered:
            number = int(numbered.group(1))
            if current_list is None or number != last_number + 1:
                current_list = lists.new_list(number)
            last_number = number
            set_numbering(paragraph, current_list, 0)
            text = numbered.group(2)
        elif sub and current_list is not None:
            set_numbering(paragraph, current_list, 1)
            text = sub.group(2)
        elif bullet:
            set_numbering(paragraph, lists.bullet_num, 0)
            text = bullet.group(1)
        else:
            current_list, last_number = None, 0
            text = line
        _add_runs(paragraph, text, notes)
        for marker, body in bodies:
            notes.body(marker, body.strip())
    out = Path(out_path)
    document.save(str(out))
    return out


def link_cells(docx_path: str | Path, out_path: str | Path, targets: dict[str, list[str]], field: str = "") -> Path:
    """The Word file with table cells made hyperlinks, as in the original report: each cell whose
    whole text is a key of ``targets`` gets that key's next URL, in reading order. Cells of the
    ``field`` word become ``HYPERLINK`` fields (``w:fldSimple``), the others relationship links."""
    document = docx.Document(str(docx_path))
    pending = {word: list(urls) for word, urls in targets.items()}
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                word = cell.text.strip()
                if not pending.get(word):
                    continue
                url, paragraph = pending[word].pop(0), cell.paragraphs[0]
                for run in list(paragraph._p.iter(f"{{{W_NS}}}r")):
                    paragraph._p.remove(run)
                if word == field:
                    instr = f' HYPERLINK "{url}" '
                    xml = f"<w:fldSimple {NSDECL} w:instr='{instr}'><w:r><w:t>{word}</w:t></w:r></w:fldSimple>"
                else:
                    r_id = document.part.relate_to(url, RT.HYPERLINK, is_external=True)
                    xml = (
                        f'<w:hyperlink {NSDECL} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                        f'relationships" r:id="{r_id}"><w:r><w:t>{word}</w:t></w:r></w:hyperlink>'
                    )
                paragraph._p.append(parse_xml(xml))
    out = Path(out_path)
    document.save(str(out))
    return out


def write_pdf(docx_path: str | Path, out_dir: str | Path, timeout: float = 120) -> Path:
    """Render a .docx to PDF with LibreOffice in a throw-away profile (parallel runs do not clash)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed; run 'make system-packages'")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rihub-lo-") as profile:
        subprocess.run(
            [
                soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path),
            ],
            check=True, capture_output=True, timeout=timeout,
        )  # fmt: skip
    pdf = out_dir / (Path(docx_path).stem + ".pdf")
    if not pdf.exists():
        raise FileNotFoundError(f"LibreOffice wrote no PDF for {docx_path}")
    return pdf


# --- text layouts ------------------------------------------------------------------------------


def wrapped_text(text: str, width: int = 80, header_every: int = 50, header: str = PAGE_HEADER) -> str:
    """The report as a PDF text extractor gives it: hard-wrapped, with page headers and footers.

    Table lines (tab-indented cells and their continuation lines) are kept as they are; a
    page break is never put inside a table but may fall in the middle of a paragraph.
    Paragraphs are separated by a blank line (the paragraph spacing a PDF extractor turns
    into one), except before list items, which Word sets without spacing between them:
    there the rejoiner has only the list marker to go by. Without any spacing, a paragraph
    whose last line happens to be full and a following paragraph without a marker cannot
    be told apart in plain text; the PDF reader uses the geometry for that.
    """
    lines = text.split("\n")
    out: list[str] = []
    page, since_break, in_table = 1, 0, False
    for index, raw in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if raw.startswith("\t"):
            in_table = True
        elif not raw.strip():
            in_table = in_table and following.startswith("\t")
        if raw.strip() and not in_table:
            pieces = textwrap.wrap(raw.strip(), width=width, break_on_hyphens=False, break_long_words=False)
            if out and out[-1].strip() and not LIST_ITEM.match(raw.strip()):
                pieces.insert(0, "")
        else:
            pieces = [raw]
        for piece in pieces:
            if since_break >= header_every and not in_table:
                out.extend(["", f"— {page} —", f"\f{header.format(page=page + 1)}", ""])
                page, since_break = page + 1, 0
            out.append(piece)
            since_break += 1
    return "\n".join(out)


def _region_code(line: str) -> str | None:
    match = CODE.match(line)
    return match.group(1) if match else None


def relabelled_text(text: str) -> str:
    """The same report with the other code, heading and list layouts real ITU documents use.

    EUR codes lose their colon ("EUR1 Title"), AMS ones get a space and a dash ("AMS 1 - Title")
    and their objectives move to the line after "Objective:", ASP ones become "RI 1:" with
    "1)" result markers, AFR ones "AFR RI 1:", CIS results become dash bullets, region headings
    lose their numbers and go to capitals, and "Expected results" loses its colon in places.
    """
    out: list[str] = []
    region: str | None = None
    number = 0
    for raw in text.split("\n"):
        line = raw.strip()
        heading = re.match(r"^\d+\.\d+\s+(.+?\bRegion)\s*$", line)
        if heading and not raw.startswith("\t"):
            out.append(heading.group(1).upper())
            region = None
            continue
        code = CODE.match(line)
        if code:
            region, number = code.group(1), int(code.group(2))
            title = code.group(3)
            out.append(
                {
                    "EUR": f"EUR{number} {title}",
                    "AMS": f"AMS {number} - {title}",
                    "ASP": f"RI {number}: {title}",
                    "AFR": f"AFR RI {number}: {title}",
                }.get(region, line)
            )
            continue
        objective = re.match(r"^(Objectives?:)\s*(.+)$", line)
        if objective and (region == "AMS" or (region == "AFR" and number % 2 == 0)):
            out.extend([objective.group(1), objective.group(2)])
            continue
        if region == "AMS" and re.match(r"^Expected results:\s*$", line, re.IGNORECASE):
            out.append(line.rstrip(":"))
            continue
        item = NUMBERED.match(line)
        if item and region == "ASP":
            out.append(f"{item.group(1)}) {item.group(2)}")
            continue
        if item and region == "CIS":
            out.append(f"- {item.group(2)}")
            continue
        out.append(raw)
    return "\n".join(out)


def spelled_out_text(text: str) -> str:
    """The same report with spelled-out initiative labels and other names for "Expected results".

    EUR codes get "Regional Initiative EUR1:", AMS ones "Draft regional initiative No. 1 –" (no code:
    the region comes from the section), CIS ones "RI-CIS1:", ASP codes stand alone with the title on
    a "Title:" line and "Objective of the initiative:"; EUR results are "Expected outputs:", CIS ones
    "Expected outcomes:".
    """
    out: list[str] = []
    region: str | None = None
    for raw in text.split("\n"):
        line = raw.strip()
        code = CODE.match(line)
        if code:
            region, number, title = code.group(1), int(code.group(2)), code.group(3)
            out.append(
                {
                    "EUR": f"Regional Initiative EUR{number}: {title}",
                    "AMS": f"Draft regional initiative No. {number} – {title}",
                    "CIS": f"RI-CIS{number}: {title}",
                    "ASP": f"ASP{number}\nTitle: {title}",
                }.get(region, line)
            )
            continue
        if region == "ASP" and line.startswith("Objective:"):
            out.append("Objective of the initiative:" + line.removeprefix("Objective:"))
            continue
        results = re.match(r"^Expected results\s*:?\s*$", line, re.IGNORECASE)
        if results and region in {"EUR", "CIS"}:
            out.append("Expected outputs:" if region == "EUR" else "Expected outcomes:")
            continue
        out.append(raw)
    return "\n".join(out)


def renumbered_text(text: str, style: str) -> str:
    """The same report with other expected-result markers: ``(1)``, ``1 -``, ``1:`` or ``a)``.

    With ``a)`` the results are lettered, so their own a)/b) sub-items become i)/ii), as a writer
    would have to make them.
    """
    roman = {"a": "i", "b": "ii", "c": "iii", "d": "iv", "e": "v", "f": "vi", "g": "vii", "h": "viii"}
    out: list[str] = []
    in_results = False
    for line in text.split("\n"):
        stripped = line.strip()
        if CODE.match(stripped) or stripped.lower().startswith("implementation of this"):
            in_results = False
        if re.match(r"^expected results", stripped, re.IGNORECASE):
            in_results = True
        numbered = re.match(r"^(\d{1,2})\.\s+(.*)$", line)
        sub = re.match(r"^([a-h])\)\s+(.*)$", line)
        if in_results and numbered:
            n, rest = int(numbered.group(1)), numbered.group(2)
            line = {
                "(1)": f"({n}) {rest}",
                "1 -": f"{n} - {rest}",
                "1:": f"{n}: {rest}",
                "a)": f"{chr(96 + n)}) {rest}",
            }[style]
        elif in_results and sub and style == "a)":
            line = f"{roman[sub.group(1)]}) {sub.group(2)}"
        out.append(line)
    return "\n".join(out)


def meetings_in_prose(text: str) -> str:
    """The same report without the table of meetings: each region section says when and where its
    RPM was held, in turns of phrase that differ by region (venue first or last, month first,
    country in brackets)."""
    rows = re.findall(r"\tRPM-(\w+)\n\t([^\n]+)\n\t([^\n]+)\n", text)
    year = re.search(r"Dates \((\d{4})\)", text)
    assert rows and year, "the report's meetings table"
    start, end = text.index("RPM Coordination meeting looked at"), text.index("During the meeting, the outcomes")
    out = text[:start] + text[end:]
    for index, (region, dates, place) in enumerate(rows):
        d1, _, rest = dates.strip().partition("-")
        d2, month = rest.split(" ", 1)
        city, country = (p.strip() for p in place.split(",", 1))
        sentence = [
            f"RPM-{region} was held from {d1} to {d2} {month} {year.group(1)} in {city}, {country}.",
            f"RPM-{region} was held in {city}, {country}, on {d1}-{d2} {month} {year.group(1)}.",
            f"RPM-{region} was held on {month} {d1}-{d2}, {year.group(1)}, in {city} ({country}).",
        ][index % 3]
        out = out.replace(
            f"RPM-{region} reviewed all input documents", f"{sentence} RPM-{region} reviewed all input documents", 1
        )
    return out


def month_first_dates(text: str) -> str:
    """The meetings table with its dates written month first ("February 4-5")."""
    return re.sub(r"(?m)^\t(\d{1,2})-(\d{1,2}) (\w+)$", r"\t\3 \1-\2", text)


REGION_HEADINGS = {
    "ARB": "RPM for the Arab States (RPM-ARB)",
    "EUR": "Regional Preparatory Meeting for Europe (RPM-EUR)",
    "ASP": "Asia and Pacific Region",
    "AMS": "Region of the Americas",
    "AFR": "Africa (AFR)",
    "CIS": "CIS Region",
}


def renamed_regions_text(text: str) -> str:
    """The same report with region headings worded as other reports word them (``REGION_HEADINGS``)."""
    names = {"Arab States": "ARB", "Europe": "EUR", "Asia and the Pacific": "ASP", "The Americas": "AMS"}
    names |= {"Africa": "AFR", "Commonwealth of Independent States": "CIS"}

    def rename(match: re.Match[str]) -> str:
        return f"{match.group(1)} {REGION_HEADINGS[names[match.group(2)]]}"

    alternatives = "|".join(names)
    return re.sub(rf"(?m)^(2\.\d)\s+({alternatives})\s+Region\s*$", rename, text)


MAPPING_LABELS = {"WSIS Action Lines", "Global Digital Compact", "Sustainable Development Goals"}


def mappings_as_lines(text: str) -> str:
    """The EUR mapping tables written as labelled lines ("WSIS Action Lines: C1, C2, C6, C11")."""
    out: list[str] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        label = line.strip()
        if line.startswith("\t") and label in {"Process", "Focus Area"}:
            index += 1
            continue
        if line.startswith("\t") and label in MAPPING_LABELS:
            values = []
            index += 1
            while index < len(lines) and lines[index].strip():  # the cell runs to the blank line
                values.append(lines[index].strip())
                index += 1
            short = {"Sustainable Development Goals": "SDGs"}.get(label, label)
            out.append(f"{short}: {' '.join(values)}")
            continue
        if not (line.strip() == "" and out and re.match(r"^(WSIS|Global|SDGs):", out[-1])):
            out.append(line)
        index += 1
    return "\n".join(out)


def initiatives_as_tables(text: str, *, wide: bool = False) -> str:
    """The same report with its initiatives laid out as tables (tab rows; Word tables via write_docx).

    Per initiative (default): rows "EUR1 | title", "Objective | …", "Expected results | 1. … 2. …".
    ``wide``: one table per region, a header row "Code | Title | Objective | Expected results" and a
    row per initiative. Unlabelled objectives (a rationale) are paragraphs after the title row in the
    first layout, and fill the Objective column in the wide one.
    """
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    header_done = False

    def ends_initiative(line: str) -> bool:
        stripped = line.strip()
        return bool(
            CODE.match(stripped)
            or re.match(r"^\d\.\d\s", stripped)
            or stripped.startswith("Implementation of this Regional Initiative")
            or line.startswith("\t")
        )

    while index < len(lines):
        code = CODE.match(lines[index].strip())
        if re.match(r"^\d\.\d\s", lines[index].strip()):
            header_done = False
        if not code or code.group(1) == "ARB":
            out.append(lines[index])
            index += 1
            continue
        body: list[str] = []
        index += 1
        while index < len(lines) and not ends_initiative(lines[index]):
            body.append(lines[index].strip())
            index += 1
        while body and not body[-1]:
            body.pop()
        header = next((k for k, b in enumerate(body) if re.match(r"(?i)^expected results\s*:?\s*$", b)), len(body))
        before, results = body[:header], body[header + 1 :]
        labelled = [b.split(":", 1)[1].strip() for b in before if re.match(r"(?i)^objectives?:", b)]
        plain = [b for b in before if b and not re.match(r"(?i)^objectives?:", b)]
        cell = "\n".join(r for r in results if r)
        first, rest = f"{code.group(1)}{code.group(2)}", code.group(3)
        if wide:
            if not header_done:
                out += ["\tCode", "\tTitle", "\tObjective", "\tExpected results", ""]
                header_done = True
            objective = " ".join(labelled + plain)
            out += [f"\t{first}", f"\t{rest}", f"\t{objective}", f"\t{cell}", ""]
        else:
            out += [f"\t{first}", f"\t{rest}", ""]
            if plain:  # a rationale: a paragraph between the title row and the rest of the table
                out += ["", *plain, ""]
            if labelled:
                out += ["\tObjective", f"\t{' '.join(labelled)}", ""]
            out += ["\tExpected results", f"\t{cell}", "", ""]
        if index < len(lines) and not CODE.match(lines[index].strip()) and wide:
            out.append("")
    return "\n".join(out)


def _html_footnotes(line: str) -> str:
    """Text-export footnotes ("…countries[footnoteRef:1], … [1: body]") as CSS footnotes."""
    from html import escape

    bodies = dict(re.findall(r"\[(\d+):\s*([^\]]*)\]", line))
    line = re.sub(r"\s*\[\d+:\s*[^\]]*\]", "", line)
    out = escape(line)
    for marker, body in bodies.items():
        out = out.replace(f"[footnoteRef:{marker}]", f'<span class="fn">{escape(body.strip())}</span>')
    return out


def write_html_pdf(src_text_path: str | Path, out_path: str | Path) -> Path:
    """The report as a PDF from another producer (HTML rendered by WeasyPrint): real tables, running
    header and page numbers, its own line breaking and text extraction quirks."""
    from html import escape

    from weasyprint import HTML

    lines = Path(src_text_path).read_text(encoding="utf-8").split("\n")
    style = (
        "@page{size:A4;margin:2cm;@top-center{content:'ITU-D · RPM Coordination Meeting'}"
        "@bottom-right{content:'Page ' counter(page)}}"
        "body{font-family:'DejaVu Serif';font-size:10.5pt}td{border:1px solid #888;padding:3px;vertical-align:top}"
        ".fn{float:footnote;font-size:8pt}"
    )
    parts = [f"<html><head><style>{style}</style></head><body>"]
    index = 0
    while index < len(lines):
        if lines[index].startswith("\t"):
            rows, index = _table_rows(lines, index)
            cells = "".join(
                "<tr>" + "".join(f"<td>{escape(c).replace(chr(10), '<br>')}</td>" for c in row) + "</tr>"
                for row in rows
            )
            parts.append(f"<table>{cells}</table>")
            continue
        if lines[index].strip():
            parts.append(f"<p>{_html_footnotes(lines[index].strip())}</p>")
        index += 1
    parts.append("</body></html>")
    out = Path(out_path)
    HTML(string="".join(parts)).write_pdf(out)
    return out


def markdown_text(text: str) -> str:
    """The report as Markdown, as a converter such as pandoc writes it: "#" headings, bold codes and
    labels, "1.  " list items, "-   " bullets and pipe tables."""
    out: list[str] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("\t"):
            rows, index = _table_rows(lines, index)
            width = max(len(r) for r in rows)
            for n, row in enumerate(rows):
                cells = [c.replace("\n", " ") for c in row] + [""] * (width - len(row))
                out.append("| " + " | ".join(cells) + " |")
                if n == 0:
                    out.append("|" + "---|" * width)
            out.append("")
            continue
        stripped = line.strip()
        code = re.match(r"^((?:EUR|ASP|AMS|AFR|CIS)\d):\s*(.*)$", stripped)
        if re.match(r"^\d+\.\d+\s", stripped) or re.match(
            r"^\d+\.\s+(Introduction$|Conclusions from the Regional)", stripped
        ):
            out.append(f"## {stripped}")
        elif code:
            out.append(f"**{code.group(1)}:** {code.group(2)}")
        elif re.match(r"^Expected results?\b", stripped, re.IGNORECASE):
            out.append(f"**{stripped.rstrip(' :')}:**")
        elif item := re.match(r"^(\d+)\.\s+(.*)$", stripped):
            out.append(f"{item.group(1)}.  {item.group(2)}")
        elif stripped.startswith("·"):
            out.append("-   " + stripped.lstrip("· "))
        else:
            out.append(line)
        index += 1
    return "\n".join(out)


def flattened_tables(text: str, indent: str = "", *, header: bool = True) -> str:
    """Tables whose cells lost their tab: expanded to ``indent`` (spaces), or stripped (``""``).

    With ``header=False`` each table's first row (its header: the row right after a paragraph
    line) is dropped too, as a converter that keeps only the data rows would.
    """
    out: list[str] = []
    previous = ""
    skipping = False
    for line in text.split("\n"):
        opens_table = line.startswith("\t") and previous.strip() != "" and not previous.startswith("\t")
        skipping = skipping or (opens_table and not header)
        if skipping and not line.strip():
            skipping = False
        elif not skipping:
            out.append(indent + line[1:] if line.startswith("\t") else line)
        previous = line
    return "\n".join(out)
