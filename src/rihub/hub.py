"""The one facade: the CLI, the web app and notebooks all go through a :class:`Hub`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def demo_report_bytes() -> bytes:
    """The bundled WTDC-25 RPM coordination report (the demo data set)."""
    return resources.files("rihub.data").joinpath(DEMO_REPORT).read_bytes()


def findings_for(outline: Outline, data: bytes | None = None) -> list[Finding]:
    findings = lint_outline(outline)
    if outline.source.format == "text" and data is not None:
        from rihub.ingest.text import decode

        findings.extend(lint_raw_text(decode(data, outline.source.filename)))
    return sorted(findings, key=lambda f: (f.loc or 0, f.code))


class Hub:
    """A registry in one database: ingest reports, query them, export them."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.url = url or Settings.from_env().database_url
        self.engine = engine or open_engine(self.url)

    # --- writing ---------------------------------------------------------------------------

    def ingest(
        self, paths: Sequence[str | Path], progress: Callable[[str], None] | None = None
    ) -> list[IngestOutcome]:
        """Parse every file first, then store them all in one transaction: all or nothing."""
        if not paths:
            raise InputError("no files given; name one or more reports (.txt, .docx, .pdf)")
        parsed = []
        for path in paths:
            outline = parse_file(path)
            parsed.append((outline, findings_for(outline, Path(path).read_bytes())))
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
        return findings_for(parse_file(path), Path(path).read_bytes())

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

    def initiatives(self, region: str | None = None, kind: str | None = None, nested: bool = True,
                    codes: Sequence[str] | None = None) -> list[dict[str, Any]]:
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

    # --- exporting ---------------------------------------------------------------------------

    def export_json(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return export_document(conn)

    def export_csv(self, directory: str | Path) -> list[Path]:
        with self.engine.connect() as conn:
            return write_csv(conn, Path(directory))
