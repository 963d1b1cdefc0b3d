"""Reads for the coverage matrix and the theme cache: framework links of one cycle, and a key of the
registry's state (what the computed theme assignments depend on)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sqlalchemy import Connection, func, select

from rihub.records import CoverageLink
from rihub.store import schema as t
from rihub.store.alignments import load_embeddings
from rihub.store.read import records


def framework_links(conn: Connection, framework: str, conference: str | None) -> list[CoverageLink]:
    """Links to ``framework`` of the current initiatives (and their current results) of one cycle.

    Rejected links are left out here: a person said no, and no count may include them.
    """
    query = (
        select(
            t.alignments.c.initiative_id,
            t.initiatives.c.code.label("initiative"),
            t.initiatives.c.region_code.label("region"),
            t.initiatives.c.kind,
            t.initiatives.c.title,
            t.alignments.c.result_id,
            t.expected_results.c.number.label("result"),
            t.expected_results.c.text,
            t.alignments.c.framework,
            t.alignments.c.code,
            t.alignments.c.provenance,
            t.alignments.c.status,
            t.alignments.c.score,
        )
        .join(t.initiatives, t.initiatives.c.id == t.alignments.c.initiative_id)
        .outerjoin(t.expected_results, t.expected_results.c.id == t.alignments.c.result_id)
        .where(
            t.alignments.c.framework == framework,
            t.alignments.c.status != "rejected",
            t.initiatives.c.status == "current",
            t.alignments.c.result_id.is_(None) | (t.expected_results.c.status == "current"),
        )
        .order_by(t.initiatives.c.position, t.expected_results.c.position.nulls_first(), t.alignments.c.id)
    )
    if conference is not None:
        cycle_id = select(t.conferences.c.id).where(t.conferences.c.code == conference).scalar_subquery()
        query = query.where(t.initiatives.c.conference_id == cycle_id)
    return records(conn, query, CoverageLink)


def state(conn: Connection) -> tuple[int, ...]:
    """A key that changes whenever a document is ingested or embeddings are stored again.

    Initiative and result texts change only with a new source document (ids only grow), and
    `rihub align` replaces vectors by deleting and inserting rows, so the highest ids and the row
    counts of those two tables say whether cached theme assignments are still right.
    """
    row = conn.execute(
        select(
            select(func.coalesce(func.max(t.source_documents.c.id), 0)).scalar_subquery(),
            select(func.count()).select_from(t.source_documents).scalar_subquery(),
            select(func.coalesce(func.max(t.embeddings.c.id), 0)).scalar_subquery(),
            select(func.count()).select_from(t.embeddings).scalar_subquery(),
        )
    ).one()
    return tuple(int(v) for v in row)


def vectors_of(conn: Connection, initiative_ids: Iterable[int]) -> dict[tuple[int, int | None], np.ndarray]:
    """Stored embeddings of these initiatives and of their current results, by (initiative, result)."""
    wanted = set(initiative_ids)
    out: dict[tuple[int, int | None], np.ndarray] = {}
    for results in (True, False):
        meta, matrix = load_embeddings(conn, results=results)
        for owner, vector in zip(meta, matrix, strict=False):
            if owner.initiative_id in wanted:
                out[(owner.initiative_id, owner.result_id)] = vector
    return out
