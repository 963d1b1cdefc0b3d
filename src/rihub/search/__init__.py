"""Search over the registry: full text (FTS5 / tsvector), meaning (stored embeddings), or both fused."""

from __future__ import annotations

from rihub.search.fulltext import MODES, parse_query, search

__all__ = ["MODES", "parse_query", "search"]
