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
from rihub.ingest import parse_bytes, read_file
from rihub.ingest.lint import lint_outline, lint_raw_text
from rihub.model import Outline
from rihub.store import read
from rihub.store.db import open_engine
from rihub.store.write import Finding, IngestOutcome, save_outline

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


class Hub:
    """A registry in one database: ingest reports, query them, export them."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.url = url or Settings.from_env().database_url
        self.engine = engine or open_engine(self.url)

    # --- writing ---------------------------------------------------------------------------

    def ingest(self, paths: Sequence[str | Path], progress: Callable[[str], None] | None = None) -> list[IngestOutcome]:
        """Store every file in one transaction: all or nothing.

        A few files are all parsed before the database is touched. Many files are parsed in
        worker processes while this process writes the ones already parsed, inside the same
        transaction, so a bad file anywhere still rolls the whole batch back.
        """
        if not paths:
            raise InputError("no files given; name one or more reports (.txt, .docx, .pdf)")
        workers = min(os.cpu_count() or 1, len(paths) // PARALLEL_FROM)
        if workers < 2:
            parsed = []
            for path in paths:
                parsed.append(parse_and_lint(path))
                if progress:
                    progress(str(path))
            return self._store(parsed)
        outcomes = []
        pool = ProcessPoolExecutor(max_workers=workers)
        try:
            with self.engine.begin() as conn:
                for path, (outline, findings) in zip(paths, pool.map(parse_and_lint, paths, chunksize=4), strict=True):
                    outcomes.append(save_outline(conn, outline, findings))
                    if progress:
                        progress(str(path))
        finally:
            pool.shutdown(cancel_futures=True)
        return outcomes

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
        """Ranked initiatives and meetings matching ``q``, with highlighted snippets and facet counts.

        ``mode`` is ``fulltext`` (words), ``semantic`` (meaning: the query is embedded, loading the
        model on first use, and compared with the vectors `align` stored) or ``hybrid`` (both, fused
        by reciprocal rank). Without stored vectors the last two answer with a hint, not an error.
        """
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

    # --- framework alignment -----------------------------------------------------------------

    def sync_frameworks(self) -> int:
        """Load the shipped SDG / WSIS / GDC vocabulary into ``framework_items``."""
        from rihub import frameworks
        from rihub.store.alignments import VocabularyItem, sync_vocabulary

        items = [
            VocabularyItem(i.framework, i.code, i.title, i.description, i.parent, frameworks.version(i.framework))
            for i in frameworks.all_items()
        ]
        with self.engine.begin() as conn:
            return sync_vocabulary(conn, items)

    def align(self, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Propose links for every initiative and expected result, and store their embeddings.

        Each expected result is classified on its own; an initiative's links are the roll-up of
        its results and of its own title and objective (see ``rihub.align.roll_up``), plus the
        structural WSIS C1/C11 links of every Regional Initiative. Priorities without results are
        classified from their title. Document links are never touched.
        """
        from rihub.align import Aligner, roll_up, with_structural_links
        from rihub.search.semantic import EMBEDDING_MODEL
        from rihub.store.alignments import LinkProposal, store_embeddings, store_proposals

        self.sync_frameworks()
        items = self.initiatives()
        result_texts: list[str] = []
        result_owners: list[tuple[int, int | None]] = []
        for item in items:
            for r in item["expected_results"]:
                result_texts.append(result_text(r))
                result_owners.append((item["id"], r["id"]))
        head_texts = [initiative_text(item) for item in items]
        aligner = Aligner.load()
        texts = head_texts + result_texts
        classified: list[list[Any]] = []
        batch = 32
        for start in range(0, len(texts), batch):
            classified.extend(aligner.classify(texts[start : start + batch]))
            if progress:
                progress(min(start + batch, len(texts)), len(texts))
        vectors = aligner.embed(texts)
        heads, results = classified[: len(items)], classified[len(items) :]
        by_initiative: dict[int, list[list[Any]]] = {}
        proposals: list[LinkProposal] = []
        for (initiative_id, result_id), found in zip(result_owners, results, strict=True):
            by_initiative.setdefault(initiative_id, []).append(found)
            proposals.extend(
                LinkProposal(initiative_id, result_id, p.framework, p.code, p.score, _jsonable(p.evidence))
                for p in found
            )
        for item, head in zip(items, heads, strict=True):
            rolled = roll_up([head, *by_initiative.get(item["id"], [])])
            if item["kind"] == "initiative":
                # A Regional Initiative is government-led regional cooperation: WSIS C1 and C11
                # by construction (rihub.align.STRUCTURAL_LINKS); still only a proposal to review.
                rolled = with_structural_links(rolled)
            for p in rolled:
                proposals.append(LinkProposal(item["id"], None, p.framework, p.code, p.score, _jsonable(p.evidence)))
        with self.engine.begin() as conn:
            counts = store_proposals(conn, proposals)
            store_embeddings(conn, EMBEDDING_MODEL, [(i["id"], None) for i in items] + result_owners, vectors)
        return counts | {"initiatives": len(items), "expected_results": len(result_texts)}

    def alignments(
        self,
        status: str | None = None,
        provenance: str | None = None,
        code: str | None = None,
        framework: str | None = None,
        min_score: float | None = None,
    ) -> list[dict[str, Any]]:
        """The review queue, filtered; ``min_score`` leaves out links without a score (document, person)."""
        from rihub.store.alignments import alignments

        with self.engine.connect() as conn:
            return alignments(
                conn, status=status, provenance=provenance, code=code, framework=framework, min_score=min_score
            )

    def review(self, alignment_id: int, action: str, actor: str, reason: str | None = None) -> dict[str, Any]:
        """Accept or reject a proposed link; recorded with who, when, before, after and why."""
        return self.review_many([alignment_id], action, actor, reason)[0]

    def review_many(
        self, alignment_ids: Sequence[int], action: str, actor: str, reason: str | None = None
    ) -> list[dict[str, Any]]:
        """Accept or reject several links in one transaction: all are reviewed, or none if one cannot be."""
        from rihub.store.alignments import review

        if not alignment_ids:
            raise InputError("name at least one alignment id")
        with self.engine.begin() as conn:
            return [review(conn, i, action, actor, reason) for i in dict.fromkeys(alignment_ids)]

    def add_link(
        self, subject: str, framework: str, code: str, actor: str, reason: str | None = None
    ) -> dict[str, Any]:
        """Link ``EUR1`` or ``EUR1.3`` (its expected result 3) to a framework item by hand."""
        from rihub.store.alignments import add_link

        initiative_code, _, number = subject.partition(".")
        item = self.initiative(initiative_code)
        result_id = None
        if number:
            match = [r for r in item["expected_results"] if str(r["number"]) == number]
            if not match:
                raise NotFoundError(f"{item['code']} has no expected result {number}")
            result_id = match[0]["id"]
        framework = framework.upper()
        code = code.upper() if framework == "WSIS" else code.removeprefix("SDG").strip()
        with self.engine.begin() as conn:
            return add_link(conn, item["id"], result_id, framework, code, actor, reason)

    def alignment(self, alignment_id: int) -> dict[str, Any]:
        """One link with its initiative code and result number (404-style error when unknown)."""
        from rihub.store.alignments import alignment

        with self.engine.connect() as conn:
            return alignment(conn, alignment_id)

    def alignment_history(self, alignment_id: int) -> list[dict[str, Any]]:
        from rihub.store.alignments import alignment, history

        with self.engine.connect() as conn:
            alignment(conn, alignment_id)
            return history(conn, alignment_id)

    def similar_results(self, code: str, number: int, limit: int = 5) -> list[dict[str, Any]]:
        """Expected results of other regions closest in meaning (stored vectors; no model load)."""
        from rihub.search.semantic import similar_results

        item = self.initiative(code)
        with self.engine.connect() as conn:
            return similar_results(conn, item["code"], number, limit=limit)


def result_text(result: dict[str, Any]) -> str:
    """What an expected result says, sub-items included (they carry much of the meaning)."""
    parts = [result["text"], *(s["text"] for s in result.get("sub_items", []))]
    return " ".join(parts)


def initiative_text(item: dict[str, Any]) -> str:
    return " ".join(p for p in (item["title"], item.get("objective") or "") if p)


def _jsonable(value: Any) -> Any:
    """Evidence as plain JSON (numpy scalars and tuples become numbers and lists)."""
    import json

    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))
