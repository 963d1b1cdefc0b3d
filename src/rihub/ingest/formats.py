"""Which decoder reads a file: decided by its bytes first, its name second."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rihub.errors import InputError
from rihub.ingest.text import decode, text_to_blocks
from rihub.model import Block, SourceDocument

FORMATS = ("text", "docx", "pdf", "markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def sniff(data: bytes, name: str) -> str:
    """The format of a file; a name that lies about its bytes is an error, not a guess."""
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix in (".docx", ".docm", ".dotx", "") or b"word/" in data[:4096]:
            return "docx"
        raise InputError(f"{name}: this is a zip archive but not a Word .docx file")
    if suffix == ".docx":
        raise InputError(f"{name}: not a valid .docx file (a .docx is a zip archive); re-save it from Word")
    if suffix == ".pdf":
        raise InputError(f"{name}: not a valid PDF file (no %PDF header); re-export it from the source")
    if suffix == ".doc":
        raise InputError(f"{name}: old binary Word .doc files are not supported; save it as .docx")
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    return "text"


def read_blocks(data: bytes, name: str) -> tuple[str, list[Block]]:
    """Decode any supported format into blocks."""
    fmt = sniff(data, name)
    if fmt == "pdf":
        from rihub.ingest.pdf import pdf_to_blocks

        return fmt, pdf_to_blocks(data, name)
    if fmt == "docx":
        from rihub.ingest.docx import docx_to_blocks

        return fmt, docx_to_blocks(data, name)
    if fmt == "markdown":
        from rihub.ingest.markdown import markdown_to_blocks

        return fmt, markdown_to_blocks(decode(data, name))
    return fmt, text_to_blocks(decode(data, name))


def source_document(data: bytes, name: str, fmt: str) -> SourceDocument:
    return SourceDocument(filename=Path(name).name, format=fmt, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
