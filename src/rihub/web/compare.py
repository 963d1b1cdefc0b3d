"""Side-by-side comparison: expected results of 2–6 initiatives aligned row by row.

Cheap on purpose (the page must answer in milliseconds, no model load): TF-IDF vectors over the
results being compared, cosine similarity, then greedy average-linkage grouping where a row holds
at most one result per initiative. Rows that found partners come first; results without a close
partner follow, packed side by side in their own order.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from rihub.records import InitiativeNested
from rihub.web.views import CompareCell, CompareColumn, CompareRow, CompareSubItem, Comparison

MIN_CODES, MAX_CODES = 2, 6
THRESHOLD = 0.12
_TOKEN = re.compile(r"[a-z][a-z0-9]+")
_STOP = frozenset(
    {
        "a",
        "about",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "in",
        "including",
        "into",
        "is",
        "it",
        "its",
        "more",
        "not",
        "of",
        "on",
        "or",
        "other",
        "our",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "under",
        "use",
        "used",
        "using",
        "via",
        "was",
        "were",
        "which",
        "while",
        "who",
        "will",
        "with",
        "within",
    }
)


def _stem(word: str) -> str:
    """A deliberately light stemmer: plurals and -ing/-ed, enough to match 'networks' with 'network'."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


def _terms(text: str) -> list[str]:
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in _STOP]


def tfidf(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf) and the vocabulary."""
    bags = [Counter(_terms(x)) for x in texts]
    vocab = sorted({term for bag in bags for term in bag})
    index = {term: i for i, term in enumerate(vocab)}
    matrix = np.zeros((len(texts), len(vocab)), dtype=np.float64)
    for row, bag in enumerate(bags):
        for term, n in bag.items():
            matrix[row, index[term]] = 1.0 + math.log(n)
    df = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + len(texts)) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms, vocab


def compare(initiatives: list[InitiativeNested], threshold: float = THRESHOLD) -> Comparison:
    """Columns (one per initiative, in the order given) and rows of aligned expected results."""
    items = [(col, r) for col, init in enumerate(initiatives) for r in init.expected_results]
    codes = [init.code for init in initiatives]
    columns = [
        CompareColumn(
            **init.model_dump(
                include={"code", "region", "region_name", "kind", "title", "objective", "objective_kind"}
            ),
            expected_result_count=len(init.expected_results),
            url=f"/initiatives/{init.code}",
        )
        for init in initiatives
    ]
    if not items:
        return Comparison(codes=codes, columns=columns, rows=[], method=_method(threshold))
    vectors, vocab = tfidf([r.full_text for _, r in items])
    sims = vectors @ vectors.T
    cols = np.array([c for c, _ in items])
    clusters: dict[int, list[int]] = {i: [i] for i in range(len(items))}
    owner = list(range(len(items)))
    pairs = [
        (sims[a, b], a, b)
        for a in range(len(items))
        for b in range(a + 1, len(items))
        if cols[a] != cols[b] and sims[a, b] >= threshold
    ]
    for _, a, b in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        ca, cb = owner[a], owner[b]
        if ca == cb or set(cols[clusters[ca]]) & set(cols[clusters[cb]]):
            continue
        if sims[np.ix_(clusters[ca], clusters[cb])].mean() < threshold:
            continue
        clusters[ca].extend(clusters[cb])
        for member in clusters.pop(cb):
            owner[member] = ca
    sizes = {c: len(ids) for c, ids in clusters.items()}
    counts = [max(1, len(init.expected_results)) for init in initiatives]

    positions = [p for init in initiatives for p in range(len(init.expected_results))]

    def place(c: int) -> float:
        """Where a row sits, on average, within its initiatives' own ordering (0 = first result)."""
        return float(np.mean([positions[m] / counts[cols[m]] for m in clusters[c]]))

    aligned = sorted((c for c in clusters if sizes[c] > 1), key=lambda c: (-sizes[c], place(c)))
    alone: list[list[int]] = [[] for _ in initiatives]
    for c in sorted(c for c in clusters if sizes[c] == 1):
        alone[cols[c]].append(c)
    # Results with no partner are packed side by side, in their own order, so the table stays short.
    packed = [[col[i] for col in alone if i < len(col)] for i in range(max(map(len, alone), default=0))]
    rows = []
    for members in [clusters[c] for c in aligned] + packed:
        members = sorted(members, key=lambda m: cols[m])
        cells: list[CompareCell | None] = [None] * len(initiatives)
        for m in members:
            r = items[m][1]
            cells[cols[m]] = CompareCell(
                number=r.number,
                text=r.text,
                sub_items=[CompareSubItem(label=s.label, text=s.text) for s in r.sub_items],
                url=f"/initiatives/{codes[cols[m]]}/results/{r.number}",
                span=r.span,
            )
        similarity = None
        if len(members) > 1 and owner[members[0]] == owner[members[-1]]:
            block = sims[np.ix_(members, members)]
            similarity = round(float((block.sum() - len(members)) / (len(members) * (len(members) - 1))), 3)
        shared = _shared(vectors, vocab, members) if similarity is not None else []
        rows.append(CompareRow(cells=cells, similarity=similarity, aligned=similarity is not None, shared_terms=shared))
    return Comparison(codes=codes, columns=columns, rows=rows, method=_method(threshold))


def _shared(vectors: np.ndarray, vocab: list[str], members: list[int], top: int = 4) -> list[str]:
    """The terms that carry a row's similarity: weight present in at least two of its results."""
    if len(members) < 2:
        return []
    block = vectors[members]
    present = (block > 0).sum(axis=0) >= 2
    weight = np.where(present, block.sum(axis=0), 0.0)
    order = np.argsort(-weight)[:top]
    return [vocab[i] for i in order if weight[i] > 0]


def _method(threshold: float) -> str:
    return (
        f"TF-IDF cosine over the expected results shown; greedy average-linkage rows (one result per "
        f"initiative, similarity ≥ {threshold})"
    )
