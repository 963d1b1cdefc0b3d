"""Overlaps: expected results of one cycle from different regions that ask for the same thing.

Two signals, both cheap and model-free at read time:

* **meaning** — the sentence embeddings `rihub align` stored, *centred* on the cycle's mean vector
  before the cosine. MiniLM gives any two ITU-D results ~0.3 (they all speak of ICT development);
  removing the shared direction leaves what distinguishes them (median cross-region pair −0.03);
* **words** — tf-idf cosine over content words (a light plural fold, no stemming), idf over the
  cycle, so "early", "warning" or "e-waste" weigh and "development" does not. MinHash LSH
  (`datasketch`) over word 3-shingles flags *near-duplicates* (Jaccard ≥ 0.5): text one region
  copied from another is always clustered together, whatever the other signals say.

The combined similarity is the plain mean of the two (meaning alone when one side is unknown is
never mixed in: without stored vectors for every result of the cycle the clusters are lexical
only, with their own threshold, and :class:`Clustering` says so).

Clusters are average linkage (UPGMA) where the linkage of two groups is the mean similarity over
their pairs *from different regions*: a region's own house style (every AFR2 result says "support
member States") never glues its results together; a result joins a group because other regions'
results resemble it. Groups stop growing at :data:`MAX_SIZE` members.

Calibration (`bench/overlaps.py` prints it): 90 cross-region pairs judged by reading — 48 that ask
for the same thing, 42 hard negatives chosen among the pairs MiniLM ranks closest — scored as
"same cluster or not". At :data:`THRESHOLD` 0.24, 37/48 same-thing pairs share a cluster and 8/42
different-thing pairs do (0.30: 27/48 and 6/42, and the emergency-telecommunication results split;
0.20: 39/48 and 11/42); lexical only at 0.12: 22/48 and 5/42. The numbers come from the one bundled
report: re-check them on the next cycle's documents before trusting a changed threshold.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rihub.records import OverlapCluster, OverlapMember

SEMANTIC_WEIGHT = 0.5
THRESHOLD = 0.24
"""Combined similarity (meaning + words) at which two groups of results merge."""
LEXICAL_THRESHOLD = 0.12
"""The same for word overlap alone (no stored embeddings)."""
MAX_SIZE = 12
"""Two results per region of six: a bigger group is a theme, not one thing asked."""
NEAR_DUPLICATE = 0.5
NUM_PERM = 128
GENERIC_SHARE = 0.2
"""A word found in more than this share of the cycle's results is never a cluster's "shared term"."""
MAX_TERMS = 4

TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*")
STOP = frozenset(
    [
        "a",
        "about",
        "all",
        "also",
        "among",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "based",
        "be",
        "been",
        "between",
        "both",
        "by",
        "can",
        "case",
        "concerned",
        "corresponding",
        "different",
        "each",
        "for",
        "from",
        "has",
        "have",
        "in",
        "including",
        "inter",
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
        "towards",
        "under",
        "upon",
        "use",
        "used",
        "using",
        "various",
        "via",
        "was",
        "were",
        "which",
        "while",
        "who",
        "will",
        "with",
        "within",
    ]
)

VERBS = frozenset(
    [
        "account",
        "assist",
        "assistance",
        "build",
        "building",
        "develop",
        "developing",
        "development",
        "enable",
        "encourage",
        "enhance",
        "ensure",
        "establish",
        "facilitate",
        "foster",
        "implement",
        "implementation",
        "improve",
        "improving",
        "increase",
        "new",
        "promote",
        "promotion",
        "provide",
        "providing",
        "related",
        "relevant",
        "strengthen",
        "strengthening",
        "support",
        "take",
        "taking",
    ]
)
"""Words of how ITU-D results are phrased, not of what they ask: never a shared term on their own."""


def fold(word: str) -> str:
    """A word's matching key: lower case, a plural folded (teams → team, strategies → strategy)."""
    w = word.lower().replace("’", "'")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def spans(text: str) -> list[tuple[str, int, int]]:
    """Words as written with where they are; a hyphen splits ("early-warning" → early, warning)
    unless a part is one letter ("e-waste", "e-government" stay whole)."""
    out = []
    for match in TOKEN.finditer(text):
        token, at = match.group(), match.start()
        parts = token.split("-")
        if all(len(p) > 1 for p in parts):
            for part in parts:
                out.append((part, at, at + len(part)))
                at += len(part) + 1
        else:
            out.append((token, at, match.end()))
    return out


def words(text: str) -> list[str]:
    return [w for w, _, _ in spans(text)]


def content_keys(text: str) -> set[str]:
    return {fold(w) for w in words(text) if w.lower() not in STOP and len(w) > 1}


def phrases(text: str, longest: int = 3) -> dict[tuple[str, ...], str]:
    """Word n-grams (n ≤ ``longest``) that neither start nor end with a stop word: key → the text as
    written ("telecommunications/ICTs", "early-warning"), so a reader finds it in the result."""
    toks = spans(text)
    out: dict[tuple[str, ...], str] = {}
    for n in range(1, longest + 1):
        for i in range(len(toks) - n + 1):
            gram = [w for w, _, _ in toks[i : i + n]]
            if gram[0].lower() in STOP or gram[-1].lower() in STOP or (n == 1 and len(gram[0]) < 3):
                continue
            surface = " ".join(text[toks[i][1] : toks[i + n - 1][2]].split())
            out.setdefault(tuple(fold(w) for w in gram), _display(surface))
    return out


def _display(phrase: str) -> str:
    """As written, except a capital that only starts a sentence ("Development of" → "development of")."""
    first = phrase.split(" ", 1)[0]
    return phrase[0].lower() + phrase[1:] if first[:1].isupper() and first[1:].islower() else phrase


@dataclass(frozen=True)
class ResultText:
    result_id: int
    initiative_id: int
    code: str
    region: str
    number: int
    text: str


@dataclass
class Clustering:
    """One cycle's results, their similarities and the groups; described on demand (see :func:`describe`)."""

    items: list[ResultText]
    similarity: np.ndarray
    semantic: np.ndarray | None
    lexical: np.ndarray
    groups: list[list[int]]
    near: set[tuple[int, int]]
    threshold: float
    phrase_df: Counter[tuple[str, ...]]
    surfaces: list[dict[tuple[str, ...], str]] = field(repr=False)
    index: dict[int, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {it.result_id: i for i, it in enumerate(self.items)}

    @property
    def mode(self) -> str:
        return "lexical" if self.semantic is None else "semantic+lexical"


def lexical_similarity(texts: Sequence[str]) -> np.ndarray:
    """tf-idf cosine over content words (binary tf, smoothed idf over these texts)."""
    bags = [content_keys(t) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted(set().union(*bags)))} if bags else {}
    matrix = np.zeros((len(texts), max(1, len(vocab))), dtype=np.float64)
    for row, bag in enumerate(bags):
        matrix[row, [vocab[w] for w in bag]] = 1.0
    df = matrix.sum(axis=0)
    matrix *= np.log((1 + len(texts)) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    matrix /= norms
    return np.asarray(matrix @ matrix.T)


def semantic_similarity(vectors: np.ndarray) -> np.ndarray:
    """Cosine of the vectors after removing their mean (the direction every ITU-D text shares)."""
    centred = vectors.astype(np.float64) - vectors.mean(axis=0)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    centred /= norms
    return np.asarray(centred @ centred.T)


def near_duplicates(texts: Sequence[str], threshold: float = NEAR_DUPLICATE) -> set[tuple[int, int]]:
    """Pairs (i < j) whose word 3-shingles overlap by Jaccard ≥ ``threshold`` (MinHash LSH candidates,
    confirmed on the exact sets so a hash collision never merges two results)."""
    from datasketch import MinHash, MinHashLSH

    shingles = []
    for text in texts:
        toks = [w.lower() for w in words(text)]
        shingles.append({" ".join(toks[i : i + 3]) for i in range(max(1, len(toks) - 2))})
    hashes = MinHash.bulk([[s.encode() for s in sh] for sh in shingles], num_perm=NUM_PERM)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for i, h in enumerate(hashes):
        lsh.insert(str(i), h)
    pairs = set()
    for i, h in enumerate(hashes):
        for other in lsh.query(h):
            j = int(other)
            if j > i and len(shingles[i] & shingles[j]) / len(shingles[i] | shingles[j]) >= threshold:
                pairs.add((i, j))
    return pairs


def average_linkage(sim: np.ndarray, regions: Sequence[str], threshold: float, max_size: int) -> list[list[int]]:
    """UPGMA over cross-region pairs: repeatedly merge the two groups whose members of different
    regions are most similar on average, while that mean reaches ``threshold``."""
    n = len(regions)
    number = {r: i for i, r in enumerate(sorted(set(regions)))}
    codes = np.array([number[r] for r in regions])
    cross = (codes[:, None] != codes[None, :]).astype(np.float64)
    sums, counts = sim * cross, cross.copy()
    sizes = np.ones(n, dtype=np.int64)
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    alive = np.ones(n, dtype=bool)
    while True:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(counts > 0, sums / counts, -np.inf)
        mask = alive[:, None] & alive[None, :] & (sizes[:, None] + sizes[None, :] <= max_size)
        np.fill_diagonal(mask, False)
        mean = np.where(mask, mean, -np.inf)
        best = int(np.argmax(mean))
        a, b = divmod(best, n)
        if mean[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        sums[a, :] += sums[b, :]
        sums[:, a] += sums[:, b]
        counts[a, :] += counts[b, :]
        counts[:, a] += counts[:, b]
        sizes[a] += sizes[b]
        alive[b] = False
        groups[a].extend(groups.pop(b))
    return [sorted(g) for g in groups.values()]


def cluster(items: Sequence[ResultText], vectors: np.ndarray | None) -> Clustering:
    """Group one cycle's results; ``vectors`` (one row per item) None means lexical only."""
    texts = [it.text for it in items]
    lexical = lexical_similarity(texts)
    semantic = semantic_similarity(vectors) if vectors is not None and len(items) > 1 else None
    if semantic is None:
        combined, threshold = lexical.copy(), LEXICAL_THRESHOLD
    else:
        combined, threshold = SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * lexical, THRESHOLD
    near = near_duplicates(texts) if items else set()
    for i, j in near:
        combined[i, j] = combined[j, i] = max(combined[i, j], 1.0)
    groups = average_linkage(combined, [it.region for it in items], threshold, MAX_SIZE) if items else []
    surfaces = [phrases(t) for t in texts]
    df: Counter[tuple[str, ...]] = Counter(k for s in surfaces for k in s)
    return Clustering(list(items), combined, semantic, lexical, groups, near, threshold, df, surfaces)


def cluster_id(result_ids: Iterable[int]) -> str:
    """A group's id from its members' result ids: the same members give the same id on every run."""
    digest = hashlib.sha1(",".join(str(i) for i in sorted(result_ids)).encode()).hexdigest()
    return f"ov-{digest[:10]}"


def _cross_mean(matrix: np.ndarray, members: list[int], regions: list[str]) -> float | None:
    values = [matrix[a, b] for x, a in enumerate(members) for b in members[x + 1 :] if regions[a] != regions[b]]
    return round(float(np.mean(values)), 3) if values else None


def shared_terms(c: Clustering, members: list[int]) -> list[tuple[str, int]]:
    """Phrases as written that members of two or more regions use, rarest and widest first, with
    how many members use each; a phrase inside a chosen one (or holding it) is not repeated."""
    if len(members) < 2:
        return []
    generic = GENERIC_SHARE * len(c.items)
    users: dict[tuple[str, ...], set[int]] = {}
    for m in members:
        for key in c.surfaces[m]:
            users.setdefault(key, set()).add(m)
    candidates = [
        (key, found)
        for key, found in users.items()
        if len(found) >= 2
        and len({c.items[m].region for m in found}) >= 2
        and c.phrase_df[key] <= generic
        and not all(w in VERBS or w in STOP for w in key)
    ]
    # Widely shared, rare in the cycle, and a phrase over its words: "early warning" before "warning".
    weight = {
        key: len(found) * np.log(len(c.items) / c.phrase_df[key]) * (1 + 0.25 * (len(key) - 1))
        for key, found in candidates
    }
    candidates.sort(key=lambda kf: (-weight[kf[0]], kf[0]))
    chosen: list[tuple[tuple[str, ...], set[int]]] = []
    for key, found in candidates:
        if any(set(key) & set(k) for k, _ in chosen):
            continue
        chosen.append((key, found))
        if len(chosen) == MAX_TERMS:
            break
    out = []
    for key, found in chosen:
        forms = Counter(c.surfaces[m][key] for m in found)
        out.append((forms.most_common(1)[0][0], len(found)))
    return sorted(out, key=lambda tn: -tn[1])


def describe(c: Clustering, members: list[int], ident: str, regions_all: Sequence[str]) -> OverlapCluster:
    """A group as people read it: representative (medoid), members, regions, shared words, and why."""
    items = [c.items[m] for m in members]
    regions = [it.region for it in c.items]
    block = c.similarity[np.ix_(members, members)]
    rep_at = int(np.argmax(block.sum(axis=1))) if len(members) > 1 else 0
    rep = members[rep_at]
    duplicates = {m: [c.items[j if i == m else i] for i, j in c.near if m in (i, j)] for m in members}
    member_records = [
        OverlapMember(
            **{k: getattr(it, k) for k in ("result_id", "initiative_id", "code", "region", "number", "text")},
            similarity=1.0 if m == rep else round(float(c.similarity[m, rep]), 3),
            representative=m == rep,
            near_duplicates=[f"{d.code}.{d.number}" for d in duplicates[m] if c.index[d.result_id] in members],
        )
        for m, it in zip(members, items, strict=True)
    ]
    member_records.sort(key=lambda r: (not r.representative, -r.similarity, r.code, r.number))
    present = sorted({it.region for it in items}, key=lambda r: list(regions_all).index(r) if r in regions_all else 99)
    terms = shared_terms(c, members)
    similarity = _cross_mean(c.similarity, members, regions)
    semantic = _cross_mean(c.semantic, members, regions) if c.semantic is not None else None
    lexical = _cross_mean(c.lexical, members, regions)
    return OverlapCluster(
        id=ident,
        representative=c.items[rep].text,
        members=member_records,
        regions=present,
        regions_lacking=[r for r in regions_all if r not in present],
        shared_terms=[t for t, _ in terms],
        similarity=similarity,
        semantic=semantic,
        lexical=lexical,
        explanation=explain(len(members), present, terms, similarity, semantic, lexical, c.threshold),
    )


def explain(
    size: int,
    regions: list[str],
    terms: list[tuple[str, int]],
    similarity: float | None,
    semantic: float | None,
    lexical: float | None,
    threshold: float,
) -> str:
    """Why these results are together, in words: the phrases they share and the similarity behind it."""
    if len(regions) < 2:
        if size == 1:
            return f"Asked by {regions[0]} only: no result of another region is close enough (threshold {threshold})."
        return f"Asked by {regions[0]} only ({size} results)."
    parts = []
    every = [f"“{t}”" for t, n in terms if n == size]
    if every:
        parts.append(f"{'both' if size == 2 else f'all {size}'} mention {_and(every)}")
    parts.extend(f"{n} of {size} mention “{t}”" for t, n in terms if n < size)
    head = "; ".join(parts) if parts else "close in meaning, in different words"
    head = head[0].upper() + head[1:]
    if semantic is None:
        how = f"mean word overlap {lexical:.2f} (tf-idf cosine; meaning not compared)"
    else:
        how = f"mean similarity {similarity:.2f} (meaning {semantic:.2f}, shared words {lexical:.2f})"
    return f"{head}; {how}."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def matches_topic(text: str, topic: str) -> bool:
    """Every word of the topic starts a word of the text ("cyber" finds "cybersecurity"), case and plurals aside."""
    wanted = [fold(w) for w in words(topic) if w.lower() not in STOP]
    have = [fold(w) for w in words(text)]
    return bool(wanted) and all(any(h.startswith(w) for h in have) for w in wanted)


def restrict(c: Clustering, keep: set[int] | None) -> list[tuple[str, list[int]]]:
    """The groups (their ids kept from the whole group) with only the results in ``keep`` (result ids)."""
    out = []
    for group in c.groups:
        ident = cluster_id(c.items[m].result_id for m in group)
        shown = [m for m in group if keep is None or c.items[m].result_id in keep]
        if shown:
            out.append((ident, shown))
    return out
