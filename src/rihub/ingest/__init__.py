"""Reading RPM outcome reports: format decoding (text, Word, PDF) → blocks → ITU structure."""

from __future__ import annotations

from pathlib import Path

from rihub.config import Settings
from rihub.errors import InputError
from rihub.ingest import limits
from rihub.ingest.formats import read_blocks, source_document
from rihub.ingest.itu import build_outline
from rihub.model import STAGES, Conference, Outline

__all__ = ["check_stage", "given", "parse_bytes", "parse_file", "read_file"]


def parse_bytes(data: bytes, name: str, settings: Settings | None = None) -> Outline:
    """Parse one report held in memory; ``name`` gives the file name and hints the format.

    Every format is read within the same limits (``settings``, by default from the environment;
    see docs/security.md): a file over one is refused with one :class:`InputError` line.
    """
    settings = settings or Settings.from_env()
    limits.check_file_size(name, len(data), settings)
    with limits.reading(name, settings):
        fmt, blocks = read_blocks(data, name)
        unit = "line" if fmt in ("text", "markdown") else "paragraph"
        for block in blocks:  # one contract for every format: no block longer than the limit
            limits.check_paragraph(max([len(block.text), *map(len, block.cells)]), f"{unit} {block.loc}")
        source = source_document(data, name, fmt)
        if not any(b.text.strip() for b in blocks):
            raise InputError(f"{name}: no text could be read from this file; is it a scanned PDF without a text layer?")
        outline = build_outline(blocks, source)
        limits.tick()
    source.title = _title(outline)
    return outline


def read_file(path: str | Path, settings: Settings | None = None) -> bytes:
    """A report's bytes: only a regular file, within the file-size limit, with a clear error otherwise."""
    return limits.read_regular_file(Path(path), settings or Settings.from_env())


def parse_file(path: str | Path, settings: Settings | None = None) -> Outline:
    """Parse one report from disk."""
    settings = settings or Settings.from_env()
    return parse_bytes(read_file(path, settings), str(path), settings)


def _title(outline: Outline) -> str:
    cycle = outline.conference.code if outline.conference else "unknown cycle"
    if not outline.meetings:  # an action plan or a regional page: initiatives, no meeting
        regions = ", ".join(sorted({i.region for i in outline.initiatives}))
        return f"Regional Initiatives ({regions}) for {cycle}"
    regions_met = sorted({m.region for m in outline.meetings})
    if len(regions_met) > 1:
        return f"Outcomes of the Regional Preparatory Meetings for {cycle}"
    return f"Outcome of RPM-{regions_met[0]} for {cycle}"


def check_stage(stage: str | None) -> None:
    if stage is not None and stage not in STAGES:
        raise InputError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}")


def given(outline: Outline, stage: str | None, cycle: str | None) -> Outline:
    """Apply what the person said at ingest: the stage always, the cycle where the document names none."""
    if stage:
        outline.source.stage = stage
        for initiative in outline.initiatives:
            initiative.stage = stage
    if cycle and outline.conference is None:
        outline.conference = Conference(code=cycle.strip().upper())
    return outline
