"""The one facade: the CLI, the web app and notebooks all go through a :class:`Hub`."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from sqlalchemy import Engine

from rihub.accounts import Accounts
from rihub.alignment import Alignment
from rihub.config import Settings
from rihub.consolidation import Consolidation
from rihub.errors import InputError, NotFoundError
from rihub.export import export_document, write_csv
from rihub.ingest import check_stage, given, parse_bytes, read_file
from rihub.ingest.lint import lint_outline, lint_raw_text
from rihub.model import Outline
from rihub.monitor.hub import Monitoring
from rihub.records import (
    Cycle,
    IngestEvent,
    Initiative,
    InitiativeNested,
    InitiativeSummary,
    LineageLink,
    Meeting,
    ResultMatch,
    SearchResult,
    SourceCoverage,
    SourceDocument,
    SourceDocumentDetail,
    SourceFinding,
    Stats,
    Version,
)
from rihub.store import read
from rihub.store.db import open_engine, write_transaction
from rihub.store.read import resolve_cycle
from rihub.store.write import Finding, IngestOutcome, save_outline

if TYPE_CHECKING:
    from rihub.analysis.diff import Diff, InitiativeStatement

DEMO_REPORT = "rpm-coordination-wtdc25.txt"
PARALLEL_FROM = 16  # files per worker process before parallel parsing pays off


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
    data = read_file(path)
    outline = parse_bytes(data, str(path))
    return outline, findings_for(outline, data)


class Hub(Accounts, Alignment, Consolidation, Monitoring):
    """A registry in one database: ingest reports, query them, export them."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.url = url or Settings.from_env().database_url
        self.engine = engine or open_engine(self.url)
        super().__init__()

    # --- writing ---------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str | Path],
        progress: Callable[[str], None] | None = None,
        stage: str | None = None,
        cycle: str | None = None,
    ) -> list[IngestOutcome]:
        """Store every file in one transaction: all or nothing.

        ``stage`` overrides the stage read from each document (draft, consolidated, adopted,
        report); ``cycle`` names the WTDC cycle of documents that do not name one themselves.

        A few files are all parsed before the database is touched. Many files are parsed in
        worker processes while this process writes the ones already parsed, inside the same
        transaction, so a bad file anywhere still rolls the whole batch back.
        """
        if not paths:
            raise InputError("no files given; name one or more reports (.txt, .docx, .pdf)")
        check_stage(stage)
        workers = min(os.cpu_count() or 1, len(paths) // PARALLEL_FROM)
        if workers < 2:
            parsed = []
            for path in paths:
                parsed.append(parse_and_lint(path))
                if progress:
                    progress(str(path))
            return self._store([(given(o, stage, cycle), f) for o, f in parsed])
        outcomes = []
        pool = ProcessPoolExecutor(max_workers=workers)
        try:
            with write_transaction(self.engine) as conn:
                for path, (outline, findings) in zip(paths, pool.map(parse_and_lint, paths, chunksize=4), strict=True):
                    outcomes.append(save_outline(conn, given(outline, stage, cycle), findings))
                    if progress:
                        progress(str(path))
        finally:
            pool.shutdown(cancel_futures=True)
        return outcomes

    def ingest_bytes(self, data: bytes, name: str, stage: str | None = None, cycle: str | None = None) -> IngestOutcome:
        check_stage(stage)
        outline = given(parse_bytes(data, name), stage, cycle)
        return self._store([(outline, findings_for(outline, data))])[0]

    def ingest_demo(self) -> IngestOutcome:
        return self.ingest_bytes(demo_report_bytes(), DEMO_REPORT)

    def _store(self, parsed: list[tuple[Outline, list[Finding]]]) -> list[IngestOutcome]:
        with write_transaction(self.engine) as conn:
            return [save_outline(conn, outline, findings) for outline, findings in parsed]

    # --- checking ----------------------------------------------------------------------------

    @staticmethod
    def lint(path: str | Path) -> list[Finding]:
        """Defects in a report, without storing anything."""
        return parse_and_lint(path)[1]

    # --- reading -----------------------------------------------------------------------------

    def cycles(self, limit: int | None = None) -> list[Cycle]:
        """The WTDC cycles in the registry, newest first (the ``limit`` newest)."""
        with self.engine.connect() as conn:
            return read.conferences(conn, limit=limit)

    def cycle(self, cycle: str | None = None) -> str | None:
        """``cycle`` checked against the registry, or the latest cycle when None (None if empty)."""
        with self.engine.connect() as conn:
            return resolve_cycle(conn, cycle)

    def stats(self, cycle: str | None = None) -> Stats:
        with self.engine.connect() as conn:
            return read.stats(conn, resolve_cycle(conn, cycle))

    def meetings(self, region: str | None = None, cycle: str | None = None) -> list[Meeting]:
        with self.engine.connect() as conn:
            return read.meetings(conn, region, resolve_cycle(conn, cycle))

    def meeting(self, region: str, cycle: str | None = None) -> Meeting | None:
        """The region's meeting in the cycle, or None when the registry holds none."""
        found = self.meetings(region, cycle)
        return found[0] if found else None

    @overload
    def initiatives(
        self,
        region: str | None = None,
        kind: str | None = None,
        nested: Literal[True] = True,
        codes: Sequence[str] | None = None,
        cycle: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[InitiativeNested]: ...
    @overload
    def initiatives(
        self,
        region: str | None = None,
        kind: str | None = None,
        *,
        nested: Literal[False],
        codes: Sequence[str] | None = None,
        cycle: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[InitiativeSummary]: ...
    def initiatives(
        self,
        region: str | None = None,
        kind: str | None = None,
        nested: bool = True,
        codes: Sequence[str] | None = None,
        cycle: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[InitiativeNested] | list[InitiativeSummary]:
        """Current initiatives of one cycle (the latest by default), paged in SQL when ``limit`` is given."""
        with self.engine.connect() as conn:
            return read.initiatives(
                conn,
                region=region,
                kind=kind,
                nested=nested,
                codes=codes,
                conference=resolve_cycle(conn, cycle),
                limit=limit,
                offset=offset,
            )

    def initiatives_page(
        self,
        limit: int | None,
        offset: int = 0,
        region: str | None = None,
        kind: str | None = None,
        nested: bool = False,
        codes: Sequence[str] | None = None,
        cycle: str | None = None,
    ) -> tuple[list[InitiativeNested] | list[InitiativeSummary], int]:
        """One page of :meth:`initiatives` (all of them when ``limit`` is None) and the number of
        all that match, for a paged list.

        The page is a LIMIT/OFFSET query; the count is one COUNT on the same filter, skipped when
        the page itself shows it is the last one. One connection, the cycle resolved once.
        """
        with self.engine.connect() as conn:
            conference = resolve_cycle(conn, cycle)
            items = read.initiatives(
                conn,
                region=region,
                kind=kind,
                nested=nested,
                codes=codes,
                conference=conference,
                limit=limit,
                offset=offset,
            )
            if limit is None or (len(items) < limit and (items or offset == 0)):
                return items, offset + len(items)
            return items, read.count_initiatives(conn, region, kind, codes, conference)

    def count_initiatives(
        self,
        region: str | None = None,
        kind: str | None = None,
        codes: Sequence[str] | None = None,
        cycle: str | None = None,
    ) -> int:
        with self.engine.connect() as conn:
            return read.count_initiatives(conn, region, kind, codes, resolve_cycle(conn, cycle))

    def initiative(self, code: str, cycle: str | None = None) -> Initiative:
        """One initiative in full: of ``cycle``, or of the newest cycle that has this code."""
        code = code.strip().upper()
        with self.engine.connect() as conn:
            found = read.current_cycles_of(conn, code)
            if cycle is None:
                if not found:
                    raise NotFoundError(f"no initiative {code!r}; `rihub show` lists the codes")
                item = read.initiatives(conn, ids=[found[0][1]])[0]
            else:
                items = read.initiatives(conn, codes=[code], conference=resolve_cycle(conn, cycle))
                if not items:
                    raise NotFoundError(
                        f"no initiative {code!r} in {cycle}; `rihub show --cycle {cycle}` lists the codes"
                    )
                item = items[0]
            achieved = read.achieved_results(conn, item.id)
            return Initiative(**dict(item), cycles=[c for c, _ in found], achieved_results=achieved)

    def versions(self, code: str, cycle: str | None = None) -> list[Version]:
        """Every document's statement of the initiative, oldest first, the current one marked."""
        return self.history(self.initiative(code, cycle))[0]

    def history(self, item: Initiative) -> tuple[list[Version], list[LineageLink]]:
        """An initiative's versions and its lineage links, read on one connection (its page's History)."""
        from rihub.store.lineage import lineage_links

        with self.engine.connect() as conn:
            versions = read.versions(conn, item.id, current_source=item.span.source_id)
            return versions, lineage_links(conn, initiative_id=item.id)

    def source_documents(self) -> list[SourceDocument]:
        with self.engine.connect() as conn:
            return read.source_documents(conn)

    def source_document(self, source_id: int) -> SourceDocumentDetail:
        with self.engine.connect() as conn:
            found = read.source_documents(conn, source_id)
            if not found:
                raise NotFoundError(f"no source document #{source_id}")
            blocks = read.source_blocks(conn, source_id)
            return SourceDocumentDetail(**dict(found[0]), blocks=blocks, coverage=SourceCoverage.of(blocks))

    def findings(self, source_id: int | None = None) -> list[SourceFinding]:
        with self.engine.connect() as conn:
            return read.findings(conn, source_id)

    def ingest_events(self) -> list[IngestEvent]:
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
        mode: str | None = None,
        cycle: str | None = None,
        literal: bool = False,
    ) -> SearchResult:
        """Ranked initiatives and meetings matching ``q``, with the matched words marked and facet counts.

        ``mode``: ``fulltext`` (words), ``semantic`` (meaning: the query embedded and compared with
        the vectors `align` stored) or ``hybrid`` (both, fused by rank); none means hybrid where
        vectors are stored and the model is loaded, else full text, and ``mode_notice`` says why
        (also while :meth:`warm_model` is still loading: no query waits for it).
        Codes, people, places and framework items named by ``q`` come first; unknown words are
        corrected (``corrected`` says to what) and partial matches kept, unless ``literal``.
        """
        from rihub.search.fulltext import search
        from rihub.search.semantic import choose_mode

        with self.engine.connect() as conn:
            ran, notice = choose_mode(conn, mode, self._model_state())
            found = search(
                conn,
                q,
                region=region,
                kind=kind,
                framework=framework,
                limit=limit,
                offset=offset,
                mode=ran,
                cycle=resolve_cycle(conn, cycle),
                literal=literal,
            )
        return found if notice is None else found.model_copy(update={"mode_notice": notice})

    # --- over time ---------------------------------------------------------------------------

    def diff(self, old: str | int, new: str | int, region: str | None = None, cycles: bool = False) -> Diff:
        """What changed between two statements of the initiatives.

        ``old``/``new`` are each a report file path or an ingested source-document id (an int is
        always an id: the web passes ints and never opens a path); with ``cycles`` they are two
        cycle codes (the current initiatives of each).
        """
        from rihub.analysis.diff import diff_statements

        if cycles:
            before, after = self._cycle_statements(str(old), region), self._cycle_statements(str(new), region)
        else:
            before, after = self._statements(old), self._statements(new)
        return diff_statements(before, after, region=region.upper() if region else None)

    def _statements(self, ref: str | int) -> list[InitiativeStatement]:
        from rihub.analysis.diff import statement_of_version, statements_from_outline

        if isinstance(ref, int) or (ref.isascii() and ref.isdigit() and not Path(ref).exists()):
            with self.engine.connect() as conn:
                if not read.source_documents(conn, int(ref)):
                    raise NotFoundError(f"no source document #{ref}; `rihub sources` lists them")
                return [statement_of_version(v) for v in read.versions_of_source(conn, int(ref))]
        outline, _ = parse_and_lint(ref)
        return statements_from_outline(outline)

    def _cycle_statements(self, cycle: str, region: str | None) -> list[InitiativeStatement]:
        from rihub.analysis.diff import InitiativeStatement, ResultStatement

        return [
            InitiativeStatement(
                code=i.code,
                region=i.region,
                title=i.title,
                objective=i.objective,
                results=tuple(ResultStatement(r.number, r.full_text) for r in i.expected_results),
            )
            for i in self.initiatives(region=region, cycle=cycle)
        ]

    def lineage(
        self, code: str | None = None, cycle: str | None = None, status: str | None = None
    ) -> list[LineageLink]:
        """ "Continues" links: of one initiative (both directions), or all."""
        from rihub.store.lineage import lineage_links

        initiative_id = self.initiative(code, cycle).id if code else None
        with self.engine.connect() as conn:
            return lineage_links(conn, initiative_id=initiative_id, status=status)

    def review_lineage(
        self, link_ids: Sequence[int], action: str, actor: str, reason: str | None = None
    ) -> list[LineageLink]:
        """Confirm or reject "continues" links in one transaction (all or none)."""
        from rihub.store.lineage import review_lineage

        with write_transaction(self.engine) as conn:
            return [review_lineage(conn, i, action, actor, reason) for i in dict.fromkeys(link_ids)]

    def add_lineage(
        self,
        old: str,
        new: str,
        actor: str,
        reason: str | None = None,
        old_cycle: str | None = None,
        new_cycle: str | None = None,
    ) -> LineageLink:
        """A person states that ``new`` (e.g. EUR2 of WTDC-25) continues ``old`` (e.g. EUR1 of WTDC-22)."""
        from rihub.store.lineage import add_lineage

        before, after = self.initiative(old, old_cycle), self.initiative(new, new_cycle)
        with write_transaction(self.engine) as conn:
            return add_lineage(conn, before.id, after.id, actor, reason)

    def result_matches(self, status: str | None = "proposed") -> list[ResultMatch]:
        """Result matches an ingest could not settle alone, for a person to confirm."""
        with self.engine.connect() as conn:
            return read.result_matches(conn, status)

    def review_match(self, match_id: int, action: str, actor: str, reason: str | None = None) -> ResultMatch:
        """Accept (the pairing stands) or reject (the new wording becomes a result of its own) a match."""
        from rihub.store.matches import review_match

        with write_transaction(self.engine) as conn:
            return review_match(conn, match_id, action, actor, reason)

    # --- exporting ---------------------------------------------------------------------------

    def export_json(self, cycle: str | None = None) -> dict[str, Any]:
        """The registry as one JSON document: every cycle, or only ``cycle``."""
        with self.engine.connect() as conn:
            return export_document(conn, resolve_cycle(conn, cycle) if cycle else None)

    def export_csv(
        self, directory: str | Path, cycle: str | None = None, full: bool = False, bom: bool = True
    ) -> list[Path]:
        """One CSV per table for spreadsheets (``full``: with source positions, for programs)."""
        with self.engine.connect() as conn:
            return write_csv(conn, Path(directory), resolve_cycle(conn, cycle) if cycle else None, full, bom)
