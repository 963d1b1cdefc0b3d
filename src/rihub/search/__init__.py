"""Search over the registry: full text now (FTS5 / tsvector); a semantic mode plugs in beside it."""

from __future__ import annotations

from rihub.search.fulltext import MODES, parse_query, search

__all__ = ["MODES", "parse_query", "search"]
