"""One cycle's overlap clusters read from the registry, cached by its state, and shown as records.

The clustering itself (similarities, average linkage, descriptions) is :mod:`rihub.analysis.overlaps`;
this module decides what it runs on (the cycle's current results, and their stored vectors when
every one has one) and when it must run again (:func:`rihub.store.read.registry_state` changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from rihub.analysis.overlaps import (
    MAX_SIZE,
    NEAR_DUPLICATE,
    SEMANTIC_WEIGHT,
    Clustering,
    ResultText,
    cluster,
    cluster_id,
    describe,
    matches_topic,
    restrict,
)
from rihub.records import OverlapCluster, Overlaps


@dataclass
class CycleClusters:
    """What :class:`OverlapCache` keeps per cycle: the clustering and the regions around it."""

    cycle: str | None
    clustering: Clustering
    regions: list[str]
    regions_without_results: list[str]
    note: str | None


def load(conn: Connection, cycle: str | None) -> CycleClusters:
    """The cycle's current expected results and, when every one of them has a stored vector, those."""
    from rihub.store import read
    from rihub.store.alignments import load_embeddings

    initiatives = read.initiatives(conn, conference=cycle) if cycle else []
    items = [
        ResultText(r.id, i.id, i.code, i.region, r.number, r.full_text) for i in initiatives for r in i.expected_results
    ]
    order = [r.region for r in read.stats(conn, cycle).regions]
    regions = [r for r in order if any(it.region == r for it in items)]
    without = [r for r in order if r not in regions and any(i.region == r for i in initiatives)]
    meta, matrix = load_embeddings(conn, results=True)
    rows = {m.result_id: n for n, m in enumerate(meta)}
    missing = [it for it in items if it.result_id not in rows]
    vectors, note = None, None
    if items and not missing:
        vectors = matrix[[rows[it.result_id] for it in items]]
    elif items:
        note = (
            "Lexical only: no stored embeddings (run `rihub align`)"
            if len(missing) == len(items)
            else f"Lexical only: {len(missing)} of {len(items)} results have no stored embedding (run `rihub align`)"
        )
    return CycleClusters(cycle, cluster(items, vectors), regions, without, note)


class OverlapCache:
    """Clusterings per cycle, recomputed only when :func:`rihub.store.read.registry_state` changes."""

    def __init__(self) -> None:
        self._kept: dict[str | None, tuple[tuple[int, ...], CycleClusters]] = {}

    def get(self, conn: Connection, cycle: str | None) -> CycleClusters:
        from rihub.store.read import registry_state

        state = registry_state(conn)
        kept = self._kept.get(cycle)
        if kept is None or kept[0] != state:
            kept = (state, load(conn, cycle))
            self._kept[cycle] = kept
        return kept[1]


def overlaps(cc: CycleClusters, topic: str | None = None, result_ids: set[int] | None = None) -> Overlaps:
    """The cycle's clusters as one record, only the results matching ``topic`` and in ``result_ids``."""
    c = cc.clustering
    keep = result_ids
    topic = (topic or "").strip() or None
    if topic is not None:
        matching = {it.result_id for it in c.items if matches_topic(it.text, topic)}
        keep = matching if keep is None else keep & matching
    described = [describe(c, members, ident, cc.regions) for ident, members in restrict(c, keep)]
    shared = [d for d in described if len(d.regions) > 1]
    shared.sort(key=lambda d: (-len(d.regions), -len(d.members), -(d.similarity or 0), d.id))
    alone = sorted((d for d in described if len(d.regions) == 1), key=lambda d: _place(cc, d))
    return Overlaps(
        cycle=cc.cycle,
        mode="lexical" if c.semantic is None else "semantic+lexical",
        method=method(c),
        note=cc.note,
        threshold=c.threshold,
        topic=topic,
        results=sum(len(d.members) for d in described),
        regions=cc.regions,
        regions_without_results=cc.regions_without_results,
        shared=shared,
        every_region=[d.id for d in shared if len(cc.regions) > 1 and set(d.regions) == set(cc.regions)],
        one_region=alone,
    )


def _place(cc: CycleClusters, d: OverlapCluster) -> tuple[int, str, int]:
    first = d.members[0]
    return (cc.regions.index(first.region) if first.region in cc.regions else 99, first.code, first.number)


def method(c: Clustering) -> str:
    signal = (
        f"mean of the centred embedding cosine and the content-word tf-idf cosine (weight {SEMANTIC_WEIGHT})"
        if c.semantic is not None
        else "content-word tf-idf cosine (no stored embeddings)"
    )
    return (
        f"Average linkage over pairs of results from different regions; similarity = {signal}; groups merge "
        f"while it reaches {c.threshold}, at most {MAX_SIZE} results; near-duplicates (MinHash Jaccard of word "
        f"3-shingles ≥ {NEAR_DUPLICATE}) always together"
    )


def cluster_of(cc: CycleClusters, result_id: int) -> OverlapCluster | None:
    """The whole cluster holding one result (None if the result is not in the cycle)."""
    c = cc.clustering
    at = c.index.get(result_id)
    if at is None:
        return None
    group = next(g for g in c.groups if at in g)
    return describe(c, group, cluster_id(c.items[m].result_id for m in group), cc.regions)
