"""Consolidation: the six regions seen together — themes, the coverage matrix, overlap clusters — and
the reports drawn from them. A part of :class:`rihub.hub.Hub` (mixed in), kept apart because these
views are derived from the registry and cached by its state, unlike the reads and writes in hub.py.
A server's warm-up lives here too (the derived views, the heap freeze, the model loaded in the
background), since it exists to keep those views and meaning search off the request path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rihub.errors import InputError, NotFoundError
from rihub.records import Matrix, OverlapCluster, Overlaps, Theme, ThemeAssignments
from rihub.store import read
from rihub.store.read import resolve_cycle

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from rihub.analysis.overlap_index import CycleClusters
    from rihub.hub import Hub
    from rihub.records import Initiative
    from rihub.search.semantic import ModelState

THEME_CACHE = 8  # cycles × registry states kept; a new state makes the old entries useless


class Consolidation:
    """Themes, matrix, overlaps, reports and a server's warm-up (methods of :class:`rihub.hub.Hub`)."""

    engine: Engine
    if TYPE_CHECKING:  # what the mixin uses of the rest of Hub

        def cycle(self, cycle: str | None = None) -> str | None: ...

        def initiative(self, code: str, cycle: str | None = None) -> Initiative: ...

    def __init__(self) -> None:
        self._overlap_cache: Any = None
        self._model_loader: threading.Thread | None = None
        # Theme assignments by (cycle, registry state): computed once per ingest or `align`.
        self._themes: dict[tuple[str | None, tuple[int, ...]], ThemeAssignments] = {}

    def report(
        self,
        kind: str,
        code: str | None = None,
        cycle: str | None = None,
        format: str = "docx",
        progress: Callable[[int, int, str], None] | None = None,
        output: str | Path | None = None,
    ) -> bytes:
        """A report of one cycle (the latest by default) as bytes, and written to ``output`` when given.

        ``kind`` is ``consolidated`` (the whole cycle), ``region`` (``code`` ARB … CIS) or
        ``initiative`` (``code`` such as EUR1: a one-page brief); ``format`` is docx, pdf, html, md
        or xlsx. Stored data only: the alignment model is never loaded. ``progress(done, total,
        step)`` is called as the work advances. The Word and Markdown consolidated reports ingest
        back to this registry (docs/reports.md).
        """
        from rihub.report import render

        return render(cast("Hub", self), kind, code, cycle, format, progress, output)

    def overlaps(
        self,
        cycle: str | None = None,
        topic: str | None = None,
        result_ids: set[int] | None = None,
        theme: str | None = None,
    ) -> Overlaps:
        """Clusters of expected results of one cycle that different regions share, and those one region
        asks alone; only results matching ``topic`` (words), having ``theme`` (a theme code, by terms or
        inferred) and in ``result_ids``, when given. The clusters themselves never change with the filter.

        Computed once per registry state (an ingest or `align` recomputes them), so pages answer fast.
        """
        from rihub.analysis.overlap_index import overlaps

        if theme is not None:
            wanted = self._theme_code(theme)
            themed = {rid for rid, codes in self.result_themes(cycle).items() if wanted in codes}
            result_ids = themed if result_ids is None else result_ids & themed
            found = overlaps(self._clusters(cycle), topic=topic, result_ids=result_ids)
            return found.model_copy(update={"theme": wanted})
        return overlaps(self._clusters(cycle), topic=topic, result_ids=result_ids)

    def warm(self) -> None:
        """Compute the derived views of the latest cycle (themes, overlap clusters) before the first
        request, then freeze the heap (``gc.freeze``): a long-running server otherwise pauses ~100 ms
        on every full garbage collection scanning objects that live as long as the process
        (bench/consolidation.py: the worst page p95 320 ms → 24 ms at one client)."""
        import gc

        if self.cycle() is not None:
            self.themes()
            self.overlaps()
        gc.collect()
        gc.freeze()

    def _model_state(self) -> ModelState:
        from rihub.align.embed import get_embedder

        if get_embedder().loaded:
            return "ready"
        return "loading" if self._model_loader is not None and self._model_loader.is_alive() else "absent"

    def warm_model(self) -> threading.Thread | None:
        """Load the embedding model in a background thread, when vectors are stored to compare with.

        A server calls this at start-up so no request pays the ~5-10 s load: until the thread is
        done, :meth:`Hub.search` answers meaning queries by full text. Returns the thread (None when
        there is nothing to load), so a caller can wait for it.
        """
        from rihub.align.embed import get_embedder
        from rihub.search.semantic import has_embeddings

        embedder = get_embedder()
        with self.engine.connect() as conn:
            if embedder.loaded or not has_embeddings(conn):
                return None
        self._model_loader = threading.Thread(target=embedder.load, name="rihub-model-load", daemon=True)
        self._model_loader.start()
        return self._model_loader

    @staticmethod
    def theme_choices() -> list[Theme]:
        """The theme vocabulary (``rihub/data/themes.json``), in its order."""
        from rihub.analysis.themes import vocabulary

        return list(vocabulary().themes)

    def _theme_code(self, theme: str) -> str:
        codes = [t.code for t in self.theme_choices()]
        code = theme.strip().lower()
        if code not in codes:
            raise InputError(f"no theme {theme!r}; themes: {', '.join(codes)}")
        return code

    def result_cluster(self, code: str, number: int, cycle: str | None = None) -> OverlapCluster | None:
        """The whole overlap cluster holding ``code``'s expected result ``number``."""
        from rihub.analysis.overlap_index import cluster_of

        item = self.initiative(code, cycle)
        found = next((r for r in item.expected_results if r.number == number), None)
        if found is None:
            raise NotFoundError(f"{item.code} has no expected result {number}")
        return cluster_of(self._clusters(item.conference), found.id)

    def _clusters(self, cycle: str | None) -> CycleClusters:
        from rihub.analysis.overlap_index import OverlapCache

        if self._overlap_cache is None:
            self._overlap_cache = OverlapCache()
        with self.engine.connect() as conn:
            cache: OverlapCache = self._overlap_cache
            return cache.get(conn, resolve_cycle(conn, cycle))

    # --- themes and coverage -----------------------------------------------------------------

    def themes(self, cycle: str | None = None) -> ThemeAssignments:
        """Every initiative and expected result of one cycle (the latest by default) with its themes
        and their evidence (``rihub.analysis.themes``).

        Kept per cycle until the registry changes (a document ingested, embeddings stored again),
        so pages that show themes do not match terms on every request.
        """
        from rihub.analysis.themes import assign
        from rihub.store.coverage import state, vectors_of

        with self.engine.connect() as conn:
            code = resolve_cycle(conn, cycle)
            key = (code, state(conn))
            found = self._themes.get(key)
            if found is None:
                items = read.initiatives(conn, conference=code)
                found = assign(items, vectors_of(conn, [i.id for i in items]), code)
                if len(self._themes) >= THEME_CACHE:
                    self._themes.clear()
                self._themes[key] = found
        return found

    def result_themes(self, cycle: str | None = None, inferred: bool = True) -> dict[int, list[str]]:
        """Expected result id → its theme codes (term matches, and inferred ones unless ``inferred=False``)."""
        return {
            r.result_id: [m.theme for m in r.themes if inferred or m.status == "term"]
            for i in self.themes(cycle).initiatives
            for r in i.results
        }

    def matrix(self, by: str = "theme", cycle: str | None = None, include: str | Sequence[str] | None = None) -> Matrix:
        """Regions × themes, SDG goals, WSIS action lines or GDC objectives, with the initiatives and
        results each cell counts and the gaps of each region.

        ``include`` lists the link kinds counted: ``document`` and ``accepted`` by default,
        ``proposed`` (the model's, or an inferred theme) only when asked (``rihub.analysis.matrix``).
        """
        from rihub.analysis import matrix as m
        from rihub.store.coverage import framework_links

        chosen, kinds = m.parse_by(by), m.parse_include(include)
        if chosen == "theme":
            assignments = self.themes(cycle)
            code, entries, columns = assignments.cycle, m.theme_entries(assignments), m.theme_columns()
        else:
            with self.engine.connect() as conn:
                code = resolve_cycle(conn, cycle)
                links = framework_links(conn, chosen, code)
            entries, columns = m.framework_entries(chosen, links), m.framework_columns(chosen)
        with self.engine.connect() as conn:
            regions = [r.code for r in read.regions(conn)]
        return m.build(chosen, code, regions, columns, entries, kinds)
