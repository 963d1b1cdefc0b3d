"""The one facade: the CLI, the web app and notebooks all go through a :class:`Hub`."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from rihub.config import Settings
from rihub.errors import InputError, NotFoundError
from rihub.export import export_document, write_csv
from rihub.ingest import parse_bytes, parse_file
from rihub.ingest.lint import lint_outline, lint_raw_text
from rihub.model import Outline
from rihub.store import read
from rihub.store.db import open_engine
from rihub.store.write import Finding, IngestOutcome, save_outline

DEMO_REPORT = "rpm-coordination-wtdc25.txt"
PARALLEL_FROM = 16  # files per worker process before parsing in parallel pays off


def demo_report_bytes() -> bytes:
    """The bundled WTDC-25 RPM coordination report (the demo data set)."""
    return resources.files("rihub.data").joinpath(DEMO_REPORT).read_bytes()


def findings_for(outline: Outline, data: bytes | None = None) -> list[Finding]:
    findings = lint_outline(outline)
    if outline.source.format == "text" and data is not None:
        from rihub.ingest.text import decode

        findings.extend(lint_raw_text(decode(data, outline.source.filename)))
    return sorted(findings, key=lambda f: (f.loc or 0, f.code))


def parse_and_lint(path: str | Path) -> tuple[Outline, list[Finding]]:
    """One file → its outline and findings (top-level so worker processes can run it)."""
    outline = parse_file(path)
    return outline, findings_for(outline, Path(path).read_bytes())


class Hub:
    """A registry in one database: ingest reports, query them, export them."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.url = url or Settings.from_env().database_url
        self.engine = engine or open_engine(self.url)

    # --- writing ---------------------------------------------------------------------------

    def ingest(self, paths: Sequence[str | Path], progress: Callable[[str], None] | None = None) -> list[IngestOutcome]:
        """Parse every file first, then store them all in one transaction: all or nothing.

        Many files are parsed in worker processes (parsing is CPU-bound and the
        database write is one short transaction at the end).
        """
        if not paths:
            raise InputError("no files given; name one or more reports (.txt, .docx, .pdf)")
        parsed: list[tuple[Outline, list[Finding]]] = []
        workers = min(os.cpu_count() or 1, len(paths) // PARALLEL_FROM)
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for path, item in zip(paths, pool.map(parse_and_lint, paths, chunksize=8), strict=True):
                    parsed.append(item)
                    if progress:
                        progress(str(path))
        else:
            for path in paths:
                parsed.append(parse_and_lint(path))
                if progress:
                    progress(str(path))
        return self._store(parsed)

    def ingest_bytes(self, data: bytes, name: str) -> IngestOutcome:
        outline = parse_bytes(data, name)
        return self._store([(outline, findings_for(outline, data))])[0]

    def ingest_demo(self) -> IngestOutcome:
        return self.ingest_bytes(demo_report_bytes(), DEMO_REPORT)

    def _store(self, parsed: list[tuple[Outline, list[Finding]]]) -> list[IngestOutcome]:
        with self.engine.begin() as conn:
            return [save_outline(conn, outline, findings) for outline, findings in parsed]

    # --- checking ----------------------------------------------------------------------------

    @staticmethod
    def lint(path: str | Path) -> list[Finding]:
        """Defects in a report, without storing anything."""
        return parse_and_lint(path)[1]

    # --- reading -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return read.stats(conn)

    def meetings(self, region: str | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return read.meetings(conn, region)

    def meeting(self, region: str) -> dict[str, Any]:
        found = self.meetings(region)
        if not found:
            raise NotFoundError(f"no meeting for region {region!r}")
        return found[0]

    def initiatives(
        self,
        region: str | None = None,
        kind: str | None = None,
        nested: bool = True,
        codes: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return read.initiatives(conn, region=region, kind=kind, nested=nested, codes=codes)

    def initiative(self, code: str) -> dict[str, Any]:
        found = self.initiatives(codes=[code])
        if not found:
            raise NotFoundError(f"no initiative {code!r}; `rihub show` lists the codes")
        return found[0]

    def source_documents(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return read.source_documents(conn)

    def source_document(self, source_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            found = read.source_documents(conn, source_id)
            if not found:
                raise NotFoundError(f"no source document #{source_id}")
            return found[0] | {"blocks": read.source_blocks(conn, source_id)}

    def findings(self, source_id: int | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return read.findings(conn, source_id)

    def ingest_events(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return read.ingest_events(conn)

    def search(
        self,
        q: str,
        region: str | None = None,
        kind: str | None = None,
        framework: str | None = None,
        limit: int = 20,
        offset: int = 0,
        mode: str = "fulltext",
    ) -> dict[str, Any]:
        """Ranked initiatives and meetings matching ``q``, with highlighted snippets and facet counts."""
        from rihub.search.fulltext import search

        with self.engine.connect() as conn:
            return search(conn, q, region=region, kind=kind, framework=framework, limit=limit, offset=offset, mode=mode)

    # --- exporting ---------------------------------------------------------------------------

    def export_json(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return export_document(conn)

    def export_csv(self, directory: str | Path) -> list[Path]:
        with self.engine.connect() as conn:
            return write_csv(conn, Path(directory))
