"""Analyses over initiatives that need no database: how two statements of them differ."""

from __future__ import annotations

from rihub.analysis.diff import (
    RENAME_THRESHOLD,
    RESULT_THRESHOLD,
    Diff,
    DiffJSON,
    InitiativeChange,
    InitiativeStatement,
    KeyedResult,
    Move,
    ResultChange,
    ResultStatement,
    diff_statements,
    similarity,
    sort_key,
    statements_from_outline,
)
from rihub.analysis.redline import Redline, Segment, redline, render_html, render_text, word_segments

__all__ = [
    "RENAME_THRESHOLD",
    "RESULT_THRESHOLD",
    "Diff",
    "DiffJSON",
    "InitiativeChange",
    "InitiativeStatement",
    "KeyedResult",
    "Move",
    "Redline",
    "ResultChange",
    "ResultStatement",
    "Segment",
    "diff_statements",
    "redline",
    "render_html",
    "render_text",
    "similarity",
    "sort_key",
    "statements_from_outline",
    "word_segments",
]
