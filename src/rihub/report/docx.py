"""The report as an editable Word document (python-docx): real headings, list styles with Word
numbering, tables, footnotes, a title page and a contents field; no text boxes.

Drawn from :func:`rihub.report.layout.elements`, so ``rihub ingest report.docx`` reads back the
registry it was written from (``rihub.ingest.docx`` replays the list numbering this module writes).
Styling is ITU-like and plain: Calibri, dark-blue headings, grid tables with a shaded header row.
"""

from __future__ import annotations

import io

import docx
from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from rihub.report import charts, layout
from rihub.report.model import Report

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUFFIX = "docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W_NS}"'
HEADING_COLOUR = RGBColor(0x1D, 0x4F, 0x91)
HEADER_FILL = "DCE6F2"
PARA_STYLES = {"title": "Title", "subtitle": "Subtitle", "note": "Report Note", "caption": "Caption", "body": None}


class Lists:
    """Numbering definitions of the report: numbered results (1. / a)) and bullets, one ``w:num``
    per list so every list restarts where the source's numbers say."""

    def __init__(self, document: Document) -> None:
        self.root = document.part.numbering_part.element
        ids = [int(a.get(f"{{{W_NS}}}abstractNumId")) for a in self.root.iter(f"{{{W_NS}}}abstractNum")]
        self.decimal, self.bullet = max(ids, default=0) + 1, max(ids, default=0) + 2
        decimal = _level(0, "decimal", "%1.", 720) + _level(1, "lowerLetter", "%2)", 1440)
        bullet = _level(0, "bullet", "•", 720) + _level(1, "bullet", "◦", 1440)
        first_num = self.root.find(f"{{{W_NS}}}num")
        for key, body in ((self.decimal, decimal), (self.bullet, bullet)):
            abstract = parse_xml(
                f'<w:abstractNum {NS} w:abstractNumId="{key}">'
                f'<w:multiLevelType w:val="multilevel"/>{body}</w:abstractNum>'
            )
            if first_num is not None:
                first_num.addprevious(abstract)  # the schema wants every abstractNum before any num
            else:
                self.root.append(abstract)
        self.bullets = self._num(self.bullet, None)

    def _num(self, abstract: int, start: int | None) -> int:
        ids = [int(n.get(f"{{{W_NS}}}numId")) for n in self.root.iter(f"{{{W_NS}}}num")]
        num_id = max(ids, default=0) + 1
        override = f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>' if start else ""
        self.root.append(
            parse_xml(f'<w:num {NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>{override}</w:num>')
        )
        return num_id

    def numbered(self, start: int) -> int:
        """A new numbered list starting at ``start`` (Word's "restart numbering at")."""
        return self._num(self.decimal, start)


def _level(ilvl: int, fmt: str, text: str, indent: int) -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr></w:lvl>'
    )


def number(paragraph: Paragraph, num_id: int, ilvl: int = 0) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


class Footnotes:
    """A footnotes part (python-docx has no API for one): references in the text, bodies here."""

    def __init__(self, document: Document) -> None:
        self.element = parse_xml(
            f"<w:footnotes {NS}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
            "</w:p></w:footnote></w:footnotes>"
        )
        self.document = document
        self.used = False

    def add(self, paragraph: Paragraph, note_id: int, text: str) -> None:
        if not self.used:
            part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.element, self.document.part.package)
            self.document.part.relate_to(part, RT.FOOTNOTES)
            self.used = True
        paragraph._p.append(
            parse_xml(
                f'<w:r {NS}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:footnoteReference w:id="{note_id}"/></w:r>'
            )
        )
        note = parse_xml(
            f'<w:footnote {NS} w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r><w:r><w:t></w:t></w:r></w:p></w:footnote>'
        )
        note.findall(f".//{{{W_NS}}}t")[-1].text = text
        self.element.append(note)


def field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, TOC …) with the text shown until Word updates it."""
    for xml in (
        '<w:r {ns}><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>',
        '<w:r {ns}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r {ns}><w:t>{shown}</w:t></w:r>",
        '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml.format(ns=NS, instruction=instruction, shown=shown)))


def styled(document: Document) -> None:
    """ITU-like plain styling on the template's own styles, so Word's style pane stays standard."""
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Calibri", Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for level, size in ((1, 15), (2, 13), (3, 11.5)):
        style = document.styles[f"Heading {level}"]
        style.font.name, style.font.size, style.font.bold = "Calibri", Pt(size), True
        style.font.color.rgb = HEADING_COLOUR
        style.paragraph_format.space_before, style.paragraph_format.keep_with_next = Pt(12 if level < 3 else 9), True
    title = document.styles["Title"]
    title.font.name, title.font.size, title.font.color.rgb = "Calibri", Pt(24), HEADING_COLOUR
    note = document.styles.add_style("Report Note", 1)
    note.base_style, note.font.italic, note.font.size = normal, True, Pt(9.5)
    note.font.color.rgb = RGBColor(0x44, 0x4B, 0x55)
    for section in document.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = section.bottom_margin = Cm(2.2)


def furniture(document: Document, title: str) -> None:
    """Running header (the title) and a "Page N" footer; Word is asked to update fields on opening."""
    section = document.sections[0]
    section.different_first_page_header_footer = True  # the title page carries none
    section.header.paragraphs[0].text = f"ITU-D · {title}"
    section.header.paragraphs[0].style = document.styles["Header"]
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    field(footer, "PAGE", "1")
    settings = document.settings.element
    settings.append(parse_xml(f'<w:updateFields {NS} w:val="true"/>'))


def table(document: Document, element: layout.Table) -> None:
    grid = document.add_table(rows=1 + len(element.rows), cols=len(element.header))
    grid.style = document.styles["Table Grid"]
    for row, cells in zip(grid.rows, [element.header, *element.rows], strict=True):
        for cell, text in zip(row.cells, cells, strict=False):
            lines = text.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    header = grid.rows[0]
    header._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {NS}/>"))  # repeats on every page
    for cell in header.cells:
        cell._tc.get_or_add_tcPr().append(
            parse_xml(f'<w:shd {NS} w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>')
        )
        for run in cell.paragraphs[0].runs:
            run.bold = True
    if element.caption:
        document.add_paragraph(element.caption, style="Caption")


class Writer:
    """A Word document drawn from layout elements (a report's, or any other stream of them, such as
    the annual progress report of :mod:`rihub.monitor.annual`)."""

    def __init__(self, title: str) -> None:
        self.document = docx.Document()
        styled(self.document)
        furniture(self.document, title)
        self.lists = Lists(self.document)
        self.notes = Footnotes(self.document)
        self.current: tuple[int, int] | None = None  # (numId, last number) of the open numbered list

    def add(self, element: layout.Element) -> None:
        d = self.document
        if not isinstance(element, layout.Numbered | layout.Lettered):
            self.current = None
        if isinstance(element, layout.Heading):
            d.add_heading(element.text, level=element.level)
        elif isinstance(element, layout.Para):
            p = d.add_paragraph(style=PARA_STYLES[element.style])
            if element.label:
                p.add_run(element.label).bold = True
                if element.text:
                    p.add_run(" ")
            p.add_run(element.text)
        elif isinstance(element, layout.Bullet):
            p = d.add_paragraph(element.text, style="List Bullet 2" if element.level else "List Bullet")
            number(p, self.lists.bullets, element.level)
        elif isinstance(element, layout.Numbered):
            self.numbered(element)
        elif isinstance(element, layout.Lettered):
            d.add_paragraph(f"{element.label}) {element.text}", style="List Continue 2")
        elif isinstance(element, layout.Table):
            table(d, element)
        elif isinstance(element, layout.Chart):
            d.add_picture(io.BytesIO(charts.png(element.heatmap)), width=Cm(16.5))
        elif isinstance(element, layout.Contents):
            d.add_paragraph("Contents", style="TOC Heading")
            field(d.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', "Update the field (F9) to show the contents.")
        else:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def numbered(self, element: layout.Numbered) -> None:
        if self.current is None or element.number != self.current[1] + 1:
            self.current = (self.lists.numbered(element.number), element.number)
        p = self.document.add_paragraph(element.text, style="List Number")
        number(p, self.current[0])
        self.current = (self.current[0], element.number)
        for note_id, text in element.notes:
            self.notes.add(p, note_id, text)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def write(report: Report) -> bytes:
    writer = Writer(report.title)
    for element in layout.elements(report):
        writer.add(element)
    return writer.bytes()
