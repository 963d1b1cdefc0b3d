"""Meaning-based search over the stored sentence embeddings, and rank fusion with full text.

Vectors are written by `rihub align`; reading them needs numpy only, so "similar results" pages
never load the model. Only a semantic *query* needs the model, to embed the query text.
Brute-force cosine is enough at ITU-D's scale (hundreds to a few thousand results).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

from rihub.store.alignments import load_embeddings

EMBEDDING_MODEL = "all-MiniLM-L6-v2"
RRF_K = 60  # the usual reciprocal-rank-fusion damping constant


def similar_results(
    conn: Connection, code: str, number: int, limit: int = 5, other_regions: bool = True
) -> list[dict[str, Any]]:
    """The expected results closest in meaning to ``code``'s result ``number``."""
    meta, matrix = load_embeddings(conn, results=True)
    index = next((i for i, m in enumerate(meta) if m["code"] == code and m["number"] == number), None)
    if index is None:
        return []
    region = meta[index]["region"]
    scores = matrix @ matrix[index]
    order = np.argsort(-scores)
    out = []
    for i in order:
        m = meta[int(i)]
        if int(i) == index or (other_regions and m["region"] == region) or (m["code"] == code):
            continue
        out.append(m | {"score": round(float(scores[i]), 4)})
        if len(out) >= limit:
            break
    return out


def embed_query(text: str) -> np.ndarray:
    """The query's vector (loads the model on first use in this process)."""
    from rihub.align.embed import get_embedder

    return np.asarray(get_embedder().encode([text])[0], dtype=np.float32)


def semantic_search(
    conn: Connection, query_vector: np.ndarray, limit: int = 20, region: str | None = None
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
    return hits[:limit]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Merge ranked lists of keys: score = Σ 1 / (k + rank). Robust to incomparable scores."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda kv: -kv[1])
