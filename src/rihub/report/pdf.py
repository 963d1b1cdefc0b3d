"""The report as PDF: the HTML report with its print style sheet, laid out by WeasyPrint.

Page numbers, the running header and the contents' page references come from CSS paged media
(``templates/print.css``), so the PDF and the HTML never disagree on content.
"""

from __future__ import annotations

import logging

from rihub.report import html
from rihub.report.model import Report

MEDIA_TYPE = "application/pdf"
SUFFIX = "pdf"


def write(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: only PDF output pays for it

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its CSS warnings are not the reader's business
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    data = HTML(string=html.page(report, for_print=True)).write_pdf()
    assert data is not None  # write_pdf without a target returns the bytes
    return bytes(data)
