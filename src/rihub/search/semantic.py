"""Meaning-based search over the stored sentence embeddings, and rank fusion with full text.

Vectors are written by `rihub align`; reading them needs numpy only, so "similar results" pages
never load the model. Only a semantic *query* needs the model, to embed the query text.
The vectors of a database are read once into one contiguous float32 array, kept until
`vectors_state` changes (every ingest, withdrawal and `align`), so a query is one matrix product
and a top-k selection in numpy; only the passages that survive become records.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
from sqlalchemy import Connection, Engine, exists, select

from rihub.records import Ranks, SearchHit, SearchMatch, SimilarResult, Span, VectorOwner
from rihub.store import schema as t
from rihub.store.alignments import load_embeddings
from rihub.store.read import vectors_state

EMBEDDING_MODEL = "all-MiniLM-L6-v2"
RRF_K = 60  # the usual reciprocal-rank-fusion damping constant
MIN_SIMILARITY = 0.3
"""Cosine below which a passage is not "about" the query (MiniLM gives unrelated text 0.0-0.15)."""
RELATIVE_CUT = 0.6
"""…and a hit must reach this share of the best hit's cosine, so a sharp query gives a short list."""
SNIPPET_CHARS = 240
MAX_PASSAGES = 1000
"""Passages a meaning query keeps before grouping them by initiative: bounds the Python work at any
registry size (the bundled report has 198 vectors, so nothing is cut there)."""


class StoredVectors(NamedTuple):
    """Every current vector of a database: initiatives first, then expected results from ``results_from``."""

    meta: list[VectorOwner]
    matrix: np.ndarray
    regions: np.ndarray
    results_from: int
    cycles: np.ndarray
    """The conference id of each vector (-1 for none), so a query compares one cycle's vectors only."""


_CACHE: weakref.WeakKeyDictionary[Engine, tuple[tuple[int, ...], StoredVectors]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def stored_vectors(conn: Connection) -> StoredVectors:
    """The database's vectors as one contiguous array, read again only when the registry changed."""
    state = vectors_state(conn)
    with _CACHE_LOCK:
        cached = _CACHE.get(conn.engine)
    if cached is not None and cached[0] == state:
        return cached[1]
    heads, head_matrix = load_embeddings(conn, results=False)
    results, result_matrix = load_embeddings(conn, results=True)
    parts = [m for m in (head_matrix, result_matrix) if m.size]
    matrix = np.ascontiguousarray(np.vstack(parts) if parts else np.zeros((0, 0)), dtype=np.float32)
    meta = heads + results
    regions = np.array([m.region for m in meta], dtype=object)
    cycles = np.array([-1 if m.conference_id is None else m.conference_id for m in meta], dtype=np.int64)
    vectors = StoredVectors(meta, matrix, regions, len(heads), cycles)
    with _CACHE_LOCK:
        _CACHE[conn.engine] = (state, vectors)
    return vectors


def _top(scores: np.ndarray, limit: int | None) -> np.ndarray:
    """Indices of the ``limit`` best scores, best first, ties in stored order."""
    index = np.arange(len(scores))
    if limit is not None and limit < len(scores):
        index = np.argpartition(-scores, limit - 1)[:limit]
    return index[np.lexsort((index, -scores[index]))]


def similar_results(
    conn: Connection, initiative_id: int, number: int, limit: int = 5, other_regions: bool = True
) -> list[SimilarResult]:
    """The expected results of the same cycle closest in meaning to the initiative's result ``number``."""
    vectors = stored_vectors(conn)
    meta, matrix = vectors.meta[vectors.results_from :], vectors.matrix[vectors.results_from :]
    index = next((i for i, m in enumerate(meta) if m.initiative_id == initiative_id and m.number == number), None)
    if index is None:
        return []
    region, code, cycle = meta[index].region, meta[index].code, meta[index].conference_id
    scores = matrix @ matrix[index]
    order = np.argsort(-scores)
    out = []
    for i in order:
        m = meta[int(i)]
        if int(i) == index or (other_regions and m.region == region) or m.code == code or m.conference_id != cycle:
            continue
        out.append(SimilarResult(**dict(m), score=round(float(scores[i]), 4)))
        if len(out) >= limit:
            break
    return out


def embed_query(text: str) -> np.ndarray:
    """The query's vector (loads the model on first use in this process)."""
    from rihub.align.embed import get_embedder

    return np.asarray(get_embedder().encode([text])[0], dtype=np.float32)


def has_embeddings(conn: Connection) -> bool:
    """Whether `rihub align` has stored any vectors (checked before a query loads the model)."""
    return bool(conn.scalar(select(exists().where(t.embeddings.c.id.is_not(None)))))


NO_VECTORS = "showing word matches: meaning search needs stored embeddings (`rihub align` stores them)"
LOADING = "meaning search is still loading; showing word matches"
NOT_LOADED = "showing word matches: the meaning model is not loaded here (`rihub serve` loads it at start-up)"
ModelState = Literal["ready", "loading", "absent"]


def choose_mode(conn: Connection, requested: str | None, model: ModelState) -> tuple[str, str | None]:
    """The mode a search runs in, and why it is not the one asked for.

    No mode asked for means hybrid where vectors are stored and the model is in memory, else full
    text: a default query never pays the model load. A meaning query that arrives while the server
    is still loading the model is answered by full text rather than waiting for it. An explicit
    meaning mode without vectors is left to say so itself; one with vectors and no model loading
    loads it (the CLI and notebooks ask for that).
    """
    if requested == "fulltext" or (requested is not None and requested not in ("semantic", "hybrid")):
        return requested, None
    stored = has_embeddings(conn)
    if requested is None and not stored:
        return "fulltext", NO_VECTORS
    if stored and model == "loading":
        return "fulltext", LOADING
    if requested is None and model == "absent":
        return "fulltext", NOT_LOADED
    return requested or "hybrid", None


def semantic_search(
    conn: Connection,
    query_vector: np.ndarray,
    limit: int | None = 20,
    region: str | None = None,
    cycle_id: int | None = None,
    floor: float | None = None,
) -> list[SimilarResult]:
    """Initiatives (``result_id`` None) and expected results ranked by cosine similarity to the query.

    With ``cycle_id`` only that cycle's vectors are compared (the rows are picked before the
    product): over many cycles of similar documents the best passages would otherwise all be
    other cycles' copies, and the cap would leave this cycle nothing. ``floor``: the passages
    below ``max(floor, RELATIVE_CUT × best)`` are dropped before any record is made."""
    vectors = stored_vectors(conn)
    if not vectors.meta:
        return []
    rows = np.flatnonzero(vectors.cycles == cycle_id) if cycle_id is not None else np.arange(len(vectors.meta))
    scores = vectors.matrix[rows] @ np.asarray(query_vector, dtype=np.float32)
    if region:
        scores = np.where(vectors.regions[rows] == region.upper(), scores, -np.inf)
    if floor is not None and scores.size:
        cut = max(floor, RELATIVE_CUT * float(scores.max()))
        scores = np.where(scores >= cut, scores, -np.inf)
    return [
        SimilarResult(**dict(vectors.meta[int(rows[i])]), score=round(float(scores[i]), 4))
        for i in _top(scores, limit)
        if np.isfinite(scores[i])
    ]


def _short(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def semantic_hits(conn: Connection, query_vector: np.ndarray, cycle_id: int | None = None) -> list[SearchHit]:
    """Initiatives ranked by their closest passage (title + objective, or one expected result).

    Shaped like the full-text hits so pages, facets and fusion treat both alike; a snippet has no
    marks (there are no matched words) and each match carries its ``similarity``.
    """
    from rihub.search.fulltext import frameworks_of, initiative_heads

    passages = semantic_search(conn, query_vector, limit=MAX_PASSAGES, cycle_id=cycle_id, floor=MIN_SIMILARITY)
    owners = sorted({p.initiative_id for p in passages})
    if not owners:
        return []
    r = t.expected_results
    heads = initiative_heads(conn, owners)
    spans = {
        row.id: Span(source_id=row.source_id, start=row.span_start, end=row.span_end)
        for row in conn.execute(
            select(r.c.id, r.c.source_id, r.c.span_start, r.c.span_end).where(r.c.initiative_id.in_(owners))
        )
    }
    frameworks = frameworks_of(conn, owners)
    first: dict[int, SearchHit] = {}
    matches: dict[int, list[SearchMatch]] = {}
    for p in passages:  # best first, so the first passage of an initiative sets its score
        head = heads.get(p.initiative_id)
        if head is None:
            continue
        if head.id not in first:
            first[head.id] = SearchHit(
                type="initiative",
                code=head.code,
                cycle=head.cycle,
                region=head.region_code,
                region_name=head.region_name,
                kind=head.kind,
                title=head.title,
                title_marks=[],
                frameworks=sorted(frameworks[head.id]),
                score=p.score,
                matches=[],
            )
        if p.result_id is None:
            field = head.objective_kind or "objective"
            label, number, text = field.capitalize(), None, head.objective or head.title
            span = Span(source_id=head.source_id, start=head.span_start, end=head.span_end)
        else:
            field, label, number, text = "result", f"Expected result {p.number}", p.number, p.text or ""
            span = spans.get(p.result_id, Span())
        matches.setdefault(head.id, []).append(
            SearchMatch(
                field=field, label=label, number=number, text=_short(text), marks=[], span=span, similarity=p.score
            )
        )
    hits = [h.model_copy(update={"matches": matches[i]}) for i, h in first.items()]
    return sorted(hits, key=lambda h: (-h.score, h.code))


def fuse(fulltext: Sequence[SearchHit], semantic: Sequence[SearchHit]) -> list[SearchHit]:
    """The union of both rankings ordered by reciprocal-rank fusion; word matches come first in a hit.

    Each hit keeps where it stood in either list (``ranks``), so a reader can see why it is there.
    A semantic match is added unless a word match already points at the same place (the
    initiative itself, or the same expected result).
    """
    by_code: dict[str, SearchHit] = {}
    ranks: dict[str, dict[str, int | None]] = {}
    for name, hits in (("fulltext", fulltext), ("semantic", semantic)):
        for rank, h in enumerate(hits, start=1):
            ranks.setdefault(h.code, {"fulltext": None, "semantic": None})[name] = rank
            if h.code not in by_code:
                by_code[h.code] = h
            else:
                merged = by_code[h.code]
                seen = {m.number for m in merged.matches}
                extra = [m for m in h.matches if m.number not in seen]
                by_code[h.code] = merged.model_copy(update={"matches": [*merged.matches, *extra]})
    fused = reciprocal_rank_fusion([[h.code for h in fulltext], [h.code for h in semantic]])
    return [
        by_code[code].model_copy(update={"score": round(score, 6), "ranks": Ranks(**ranks[code])})
        for code, score in fused
    ]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Merge ranked lists of keys: score = Σ 1 / (k + rank). Robust to incomparable scores."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda kv: -kv[1])
