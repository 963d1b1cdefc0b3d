"""Framework alignment: propose SDG / WSIS / GDC links for initiatives and expected results.

Importing this package is cheap (numpy only); the embedding model loads on ``Aligner.load()``.
"""

from __future__ import annotations

from rihub.align.classify import (
    STRUCTURAL_LINKS,
    Aligner,
    FrameworkScores,
    Proposal,
    noisy_or,
    roll_up,
    with_structural_links,
)
from rihub.align.embed import Embedder, get_embedder

__all__ = [
    "STRUCTURAL_LINKS",
    "Aligner",
    "Embedder",
    "FrameworkScores",
    "Proposal",
    "get_embedder",
    "noisy_or",
    "roll_up",
    "with_structural_links",
]
