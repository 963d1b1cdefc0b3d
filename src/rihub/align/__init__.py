"""Framework alignment: propose SDG / WSIS / GDC links for initiatives and expected results.

Importing this package is cheap (numpy only); the embedding model loads on ``Aligner.load()``.
"""

from __future__ import annotations

from rihub.align.classify import (
    STRUCTURAL_LINKS,
    STRUCTURAL_RULE,
    Aligner,
    FrameworkScores,
    Proposal,
    is_structural,
    noisy_or,
    result_context,
    roll_up,
    with_structural_links,
)
from rihub.align.embed import Embedder, get_embedder

__all__ = [
    "STRUCTURAL_LINKS",
    "STRUCTURAL_RULE",
    "Aligner",
    "Embedder",
    "FrameworkScores",
    "Proposal",
    "get_embedder",
    "is_structural",
    "noisy_or",
    "result_context",
    "roll_up",
    "with_structural_links",
]
