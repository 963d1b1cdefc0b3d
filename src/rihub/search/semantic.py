"""Meaning-based search over the stored sentence embeddings, and rank fusion with full text.

Vectors are written by `rihub align`; reading them needs numpy only, so "similar results" pages
never load the model. Only a semantic *query* needs the model, to embed the query text.
Brute-force cosine is enough at ITU-D's scale (hundreds to a few thousand results).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np
from sqlalchemy import Connection, exists, select

from rihub.store import schema as t
from rihub.store.alignments import load_embeddings

EMBEDDING_MODEL = "all-MiniLM-L6-v2"
RRF_K = 60  # the usual reciprocal-rank-fusion damping constant
MIN_SIMILARITY = 0.3
"""Cosine below which a passage is not "about" the query (MiniLM gives unrelated text 0.0-0.15)."""
RELATIVE_CUT = 0.6
"""…and a hit must reach this share of the best hit's cosine, so a sharp query gives a short list."""
SNIPPET_CHARS = 240


def similar_results(
    conn: Connection, initiative_id: int, number: int, limit: int = 5, other_regions: bool = True
) -> list[dict[str, Any]]:
    """The expected results of the same cycle closest in meaning to the initiative's result ``number``."""
    meta, matrix = load_embeddings(conn, results=True)
    index = next((i for i, m in enumerate(meta) if m["initiative_id"] == initiative_id and m["number"] == number), None)
    if index is None:
        return []
    region, code, cycle = meta[index]["region"], meta[index]["code"], meta[index]["conference_id"]
    scores = matrix @ matrix[index]
    order = np.argsort(-scores)
    out = []
    for i in order:
        m = meta[int(i)]
        if (
            int(i) == index
            or (other_regions and m["region"] == region)
            or m["code"] == code
            or m["conference_id"] != cycle
        ):
            continue
        out.append(m | {"score": round(float(scores[i]), 4)})
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


def semantic_search(
    conn: Connection, query_vector: np.ndarray, limit: int | None = 20, region: str | None = None
) -> list[dict[str, Any]]:
    """Initiatives and expected results ranked by cosine similarity to the query."""
    hits: list[dict[str, Any]] = []
    for results in (False, True):
        meta, matrix = load_embeddings(conn, results=results)
        if not meta:
            continue
        scores = matrix @ query_vector
        for m, score in zip(meta, scores, strict=True):
            if region and m["region"] != region.upper():
                continue
            hits.append(m | {"kind": "result" if results else "initiative", "score": round(float(score), 4)})
    hits.sort(key=lambda h: -h["score"])
    return hits if limit is None else hits[:limit]


def _short(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def semantic_hits(conn: Connection, query_vector: np.ndarray) -> list[dict[str, Any]]:
    """Initiatives ranked by their closest passage (title + objective, or one expected result).

    Shaped like the full-text hits (``type``, ``code``, ``matches`` …) so pages, facets and
    fusion treat both alike; snippets are escaped plain text (there are no matched words to mark).
    """
    from rihub.search.fulltext import frameworks_of, initiative_heads

    passages = semantic_search(conn, query_vector, limit=None)
    if not passages:
        return []
    cut = max(MIN_SIMILARITY, RELATIVE_CUT * passages[0]["score"])
    passages = [p for p in passages if p["score"] >= cut]
    owners = sorted({p["initiative_id"] for p in passages})
    if not owners:
        return []
    r = t.expected_results
    heads = initiative_heads(conn, owners)
    spans = {
        row.id: row
        for row in conn.execute(
            select(r.c.id, r.c.source_id, r.c.span_start, r.c.span_end).where(r.c.initiative_id.in_(owners))
        )
    }
    frameworks = frameworks_of(conn, owners)
    hits: dict[int, dict[str, Any]] = {}
    for p in passages:  # best first, so the first passage of an initiative sets its score
        head = heads.get(p["initiative_id"])
        if head is None:
            continue
        url = f"/initiatives/{head.code}"
        hit = hits.setdefault(
            head.id,
            {
                "type": "initiative",
                "code": head.code,
                "cycle": head.cycle,
                "region": head.region_code,
                "region_name": head.region_name,
                "kind": head.kind,
                "title": head.title,
                "title_html": escape(head.title),
                "frameworks": sorted(frameworks[head.id]),
                "url": url,
                "score": p["score"],
                "matches": [],
            },
        )
        if p["kind"] == "initiative":
            field = head.objective_kind or "objective"
            text = head.objective or head.title
            source = (head.source_id, head.span_start, head.span_end)
            match = {"field": field, "label": field.capitalize(), "number": None, "url": url}
        else:
            row = spans.get(p["result_id"])
            text = p["text"] or ""
            source = (row.source_id, row.span_start, row.span_end) if row else (None, None, None)
            match = {
                "field": "result",
                "label": f"Expected result {p['number']}",
                "number": p["number"],
                "url": f"{url}/results/{p['number']}",
            }
        match |= {
            "snippet": escape(_short(text)),
            "span": {"source_id": source[0], "start": source[1], "end": source[2]},
            "similarity": p["score"],
        }
        hit["matches"].append(match)
    return sorted(hits.values(), key=lambda h: (-h["score"], h["code"]))


def fuse(fulltext: Sequence[dict[str, Any]], semantic: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The union of both rankings ordered by reciprocal-rank fusion; word matches come first in a hit.

    Each hit keeps where it stood in either list (``ranks``), so a reader can see why it is there.
    """
    by_code: dict[str, dict[str, Any]] = {}
    ranks: dict[str, dict[str, int | None]] = {}
    for name, hits in (("fulltext", fulltext), ("semantic", semantic)):
        for rank, h in enumerate(hits, start=1):
            ranks.setdefault(h["code"], {"fulltext": None, "semantic": None})[name] = rank
            if h["code"] not in by_code:
                by_code[h["code"]] = h | {"matches": list(h["matches"])}
            else:
                merged = by_code[h["code"]]
                seen = {m["url"] for m in merged["matches"]}
                merged["matches"].extend(m for m in h["matches"] if m["url"] not in seen)
    fused = reciprocal_rank_fusion([[h["code"] for h in fulltext], [h["code"] for h in semantic]])
    return [by_code[code] | {"score": round(score, 6), "ranks": ranks[code]} for code, score in fused]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Merge ranked lists of keys: score = Σ 1 / (k + rank). Robust to incomparable scores."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda kv: -kv[1])
