"""Reading RPM outcome reports: format decoding (text, Word, PDF) → blocks → ITU structure."""

from __future__ import annotations

from pathlib import Path

from rihub.errors import InputError
from rihub.ingest.formats import read_blocks, source_document
from rihub.ingest.itu import build_outline
from rihub.model import Outline

__all__ = ["parse_bytes", "parse_file", "read_file"]


def parse_bytes(data: bytes, name: str) -> Outline:
    """Parse one report held in memory; ``name`` gives the file name and hints the format."""
    fmt, blocks = read_blocks(data, name)
    source = source_document(data, name, fmt)
    if not any(b.text.strip() for b in blocks):
        raise InputError(f"{name}: no text could be read from this file; is it a scanned PDF without a text layer?")
    outline = build_outline(blocks, source)
    source.title = _title(outline)
    return outline


def read_file(path: str | Path) -> bytes:
    """A report's bytes, with a clear error for a path that is not a readable file."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give report files (.txt, .docx, .pdf)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc


def parse_file(path: str | Path) -> Outline:
    """Parse one report from disk."""
    return parse_bytes(read_file(path), str(path))


def _title(outline: Outline) -> str:
    regions = sorted({m.region for m in outline.meetings})
    cycle = outline.conference.code if outline.conference else "unknown cycle"
    if len(regions) > 1:
        return f"Outcomes of the Regional Preparatory Meetings for {cycle}"
    return f"Outcome of RPM-{regions[0]} for {cycle}" if regions else f"RPM report for {cycle}"
