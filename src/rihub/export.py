"""Open-data export: one nested JSON document, or one CSV per table with a Frictionless descriptor.

The JSON shape is the public contract documented in docs/data-model.md; CSV tables are
flattened from it so both downloads always say the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from rihub import __version__
from rihub.records import jsonable
from rihub.store import read
from rihub.tabular import cell, csv_text

Row = dict[str, Any]


def export_document(conn: Connection, conference: str | None = None) -> dict[str, Any]:
    """The registry (every cycle, or only ``conference``) in the stable export shape: the records'
    JSON, without the fields only the web app shows (spans of nested facts, region names)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            # Ids stay: they are the stable identities that links and monitoring records point at.
            return {k: strip(v) for k, v in value.items() if k not in ("span", "region_name")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    sources = [
        {
            k: s[k]
            for k in (
                "id",
                "filename",
                "format",
                "sha256",
                "size",
                "title",
                "conference",
                "stage",
                "status",
                "ingested_at",
                "supersedes_id",
            )
        }
        for s in jsonable(read.source_documents(conn, conference=conference))
    ]
    meetings = [
        strip(m) | {"source_id": m["span"]["source_id"]} for m in jsonable(read.meetings(conn, conference=conference))
    ]
    initiatives = []
    items = read.initiatives(conn, conference=conference)
    achieved = read.achieved_results_of(conn, [i.id for i in items])
    for item in jsonable(items):
        clean = strip(item)
        # Implementation reporting a document states ("Achieved results"): kept with its source, never
        # mixed with the expected results.
        clean["achieved_results"] = [
            {"text": a.text, "source_id": a.span.source_id, "span": {"start": a.span.start, "end": a.span.end}}
            for a in achieved.get(item["id"], [])
        ]
        clean.pop("field_sources", None)
        clean["withdrawn_results"] = [r["number"] for r in item["withdrawn_results"]]
        clean["span"] = {k: item["span"][k] for k in ("source_id", "start", "end")}
        for result, raw in zip(clean["expected_results"], item["expected_results"], strict=True):
            del result["status"]
            result["span"] = {k: raw["span"][k] for k in ("start", "end")}
        initiatives.append(clean)
    from rihub.store.lineage import lineage_links

    lineage = [
        {
            "from_cycle": link.from_cycle,
            "from_code": link.from_code,
            "to_cycle": link.to_cycle,
            "to_code": link.to_code,
            "region": link.region,
            "provenance": link.provenance,
            "status": link.status,
            "score": link.score,
        }
        for link in lineage_links(conn, conference=conference)
    ]
    return {
        "rihub_version": __version__,
        "cycle": conference,
        "conferences": [strip(c) for c in jsonable(read.conferences(conn, conference))],
        "source_documents": sources,
        "meetings": meetings,
        "initiatives": initiatives,
        "lineage": lineage,
    }


def _flat(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


# Each table: (name, description, field names with Frictionless types, primary key, row producer).
Table = tuple[str, str, list[tuple[str, str]], list[str], Callable[[dict[str, Any]], Iterator[Row]]]


def _meeting_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for m in doc["meetings"]:
        yield {
            k: m[k]
            for k in (
                "region",
                "conference",
                "kind",
                "city",
                "country",
                "start_date",
                "end_date",
                "report_label",
                "report_url",
                "report_placeholder",
                "video_label",
                "video_url",
                "video_placeholder",
                "contributions",
                "source_id",
            )
        }


def _officer_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for m in doc["meetings"]:
        for position, o in enumerate(m["officers"], start=1):
            yield {"conference": m["conference"], "region": m["region"], "kind": m["kind"], "position": position, **o}


def _document_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for m in doc["meetings"]:
        for position, d in enumerate(m["documents_reviewed"], start=1):
            yield {"conference": m["conference"], "region": m["region"], "kind": m["kind"], "position": position, **d}


def _initiative_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for i in doc["initiatives"]:
        yield {
            k: i[k]
            for k in (
                "code",
                "conference",
                "region",
                "kind",
                "stage",
                "title",
                "objective",
                "objective_kind",
                "results_lead_in",
            )
        } | {
            "expected_results": len(i["expected_results"]),
            "source_id": i["span"]["source_id"],
            "span_start": i["span"]["start"],
            "span_end": i["span"]["end"],
        }


def _result_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for i in doc["initiatives"]:
        for r in i["expected_results"]:
            yield {
                "conference": i["conference"],
                "initiative": i["code"],
                "number": r["number"],
                "id": r["id"],
                "text": r["text"],
                "sub_items": len(r["sub_items"]),
                "footnotes": len(r["footnotes"]),
                "span_start": r["span"]["start"],
                "span_end": r["span"]["end"],
            }


def _sub_item_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for i in doc["initiatives"]:
        for r in i["expected_results"]:
            for s in r["sub_items"]:
                yield {
                    "conference": i["conference"],
                    "initiative": i["code"],
                    "result": r["number"],
                    "label": s["label"],
                    "text": s["text"],
                }


def _achieved_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for i in doc["initiatives"]:
        for position, a in enumerate(i["achieved_results"], start=1):
            yield {
                "conference": i["conference"],
                "initiative": i["code"],
                "position": position,
                "text": a["text"],
                "source_id": a["source_id"],
                "span_start": a["span"]["start"],
                "span_end": a["span"]["end"],
            }


def _footnote_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for i in doc["initiatives"]:
        for r in i["expected_results"]:
            for n in r["footnotes"]:
                yield {
                    "conference": i["conference"],
                    "initiative": i["code"],
                    "result": r["number"],
                    "marker": n["marker"],
                    "text": n["text"],
                }


def _alignment_rows(doc: dict[str, Any]) -> Iterator[Row]:
    for i in doc["initiatives"]:
        subjects = [(None, i["alignments"])] + [(r["number"], r["alignments"]) for r in i["expected_results"]]
        for number, links in subjects:
            for a in links:
                yield {
                    "id": a["id"],
                    "conference": i["conference"],
                    "initiative": i["code"],
                    "result": number,
                    "framework": a["framework"],
                    "code": a["code"],
                    "label": a["label"],
                    "provenance": a["provenance"],
                    "status": a["status"],
                    "score": a["score"],
                    "evidence": a["evidence"],
                }


def _source_rows(doc: dict[str, Any]) -> Iterator[Row]:
    yield from doc["source_documents"]


def _lineage_rows(doc: dict[str, Any]) -> Iterator[Row]:
    yield from doc["lineage"]


TABLES: list[Table] = [
    (
        "source_documents",
        "Reports ingested, with checksum and version status",
        [
            ("id", "integer"),
            ("filename", "string"),
            ("format", "string"),
            ("sha256", "string"),
            ("size", "integer"),
            ("title", "string"),
            ("conference", "string"),
            ("stage", "string"),
            ("status", "string"),
            ("ingested_at", "datetime"),
            ("supersedes_id", "integer"),
        ],
        ["id"],
        _source_rows,
    ),
    (
        "meetings",
        "Regional Preparatory Meetings",
        [
            ("region", "string"),
            ("conference", "string"),
            ("kind", "string"),
            ("city", "string"),
            ("country", "string"),
            ("start_date", "date"),
            ("end_date", "date"),
            ("report_label", "string"),
            ("report_url", "string"),
            ("report_placeholder", "boolean"),
            ("video_label", "string"),
            ("video_url", "string"),
            ("video_placeholder", "boolean"),
            ("contributions", "string"),
            ("source_id", "integer"),
        ],
        ["conference", "region", "kind"],
        _meeting_rows,
    ),
    (
        "officers",
        "Chairs and vice-chairs elected by each meeting",
        [
            ("conference", "string"),
            ("region", "string"),
            ("kind", "string"),
            ("position", "integer"),
            ("role", "string"),
            ("honorific", "string"),
            ("name", "string"),
            ("country", "string"),
        ],
        ["conference", "region", "kind", "position"],
        _officer_rows,
    ),
    (
        "documents_reviewed",
        "Input documents each meeting reviewed, in the order listed",
        [
            ("conference", "string"),
            ("region", "string"),
            ("kind", "string"),
            ("position", "integer"),
            ("number", "integer"),
            ("description", "string"),
        ],
        ["conference", "region", "kind", "position"],
        _document_rows,
    ),
    (
        "initiatives",
        "Regional Initiatives and regional priorities",
        [
            ("code", "string"),
            ("conference", "string"),
            ("region", "string"),
            ("kind", "string"),
            ("stage", "string"),
            ("title", "string"),
            ("objective", "string"),
            ("objective_kind", "string"),
            ("results_lead_in", "string"),
            ("expected_results", "integer"),
            ("source_id", "integer"),
            ("span_start", "integer"),
            ("span_end", "integer"),
        ],
        ["conference", "code"],
        _initiative_rows,
    ),
    (
        "expected_results",
        "Numbered expected results of each initiative",
        [
            ("conference", "string"),
            ("initiative", "string"),
            ("number", "integer"),
            ("id", "integer"),
            ("text", "string"),
            ("sub_items", "integer"),
            ("footnotes", "integer"),
            ("span_start", "integer"),
            ("span_end", "integer"),
        ],
        ["conference", "initiative", "number"],
        _result_rows,
    ),
    (
        "sub_items",
        "Lettered sub-items under an expected result",
        [
            ("conference", "string"),
            ("initiative", "string"),
            ("result", "integer"),
            ("label", "string"),
            ("text", "string"),
        ],
        ["conference", "initiative", "result", "label"],
        _sub_item_rows,
    ),
    (
        "footnotes",
        "Footnotes attached to expected results",
        [
            ("conference", "string"),
            ("initiative", "string"),
            ("result", "integer"),
            ("marker", "string"),
            ("text", "string"),
        ],
        ["conference", "initiative", "result", "marker"],
        _footnote_rows,
    ),
    (
        "achieved_results",
        "What a document reports as achieved under an initiative (implementation reporting, not expected results)",
        [
            ("conference", "string"),
            ("initiative", "string"),
            ("position", "integer"),
            ("text", "string"),
            ("source_id", "integer"),
            ("span_start", "integer"),
            ("span_end", "integer"),
        ],
        ["conference", "initiative", "position"],
        _achieved_rows,
    ),
    (
        "alignments",
        "Links to WSIS Action Lines, GDC objectives and SDGs, with provenance and review status",
        [
            ("id", "integer"),
            ("conference", "string"),
            ("initiative", "string"),
            ("result", "integer"),
            ("framework", "string"),
            ("code", "string"),
            ("label", "string"),
            ("provenance", "string"),
            ("status", "string"),
            ("score", "number"),
            ("evidence", "string"),
        ],
        ["id"],
        _alignment_rows,
    ),
    (
        "lineage",
        "Initiatives that continue an initiative of the previous cycle, proposed or confirmed",
        [
            ("from_cycle", "string"),
            ("from_code", "string"),
            ("to_cycle", "string"),
            ("to_code", "string"),
            ("region", "string"),
            ("provenance", "string"),
            ("status", "string"),
            ("score", "number"),
        ],
        ["from_cycle", "from_code", "to_cycle", "to_code"],
        _lineage_rows,
    ),
]


POSITION_COLUMNS = frozenset({"source_id", "span_start", "span_end"})
"""Where a row was read: kept in the full open-data export only (``full=True``)."""


def write_csv(
    conn: Connection, directory: Path, conference: str | None = None, full: bool = False, bom: bool = True
) -> list[Path]:
    """Write one CSV per table and a ``datapackage.json`` describing them.

    By default the tables are for people opening them in a spreadsheet: UTF-8 with a byte-order
    mark, readable cells (evidence as ``key: value`` text) and no source positions. ``full`` adds
    the position columns and keeps structured cells as JSON, for programs re-joining the rows to
    the sources; ``bom=False`` writes plain UTF-8.
    """
    directory.mkdir(parents=True, exist_ok=True)
    doc = export_document(conn, conference)
    written = []
    resources = []
    as_cell = _flat if full else cell
    for name, description, all_fields, key, produce in TABLES:
        fields = [(f, kind) for f, kind in all_fields if full or f not in POSITION_COLUMNS]
        path = directory / f"{name}.csv"
        rows = ({k: as_cell(v) for k, v in row.items()} for row in produce(doc))
        path.write_text(csv_text(rows, [f for f, _ in fields], bom=bom), encoding="utf-8", newline="")
        written.append(path)
        schema: dict[str, Any] = {"fields": [{"name": f, "type": kind} for f, kind in fields]}
        if key:
            schema["primaryKey"] = key
        resources.append(
            {
                "name": name,
                "path": path.name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig" if bom else "utf-8",
                "description": description,
                "schema": schema,
            }
        )
    package = {
        "profile": "tabular-data-package",
        "name": "rihub-regional-initiatives",
        "title": "ITU-D Regional Initiatives and Regional Preparatory Meetings",
        "version": __version__,
        "resources": resources,
    }
    target = directory / "datapackage.json"
    target.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, target]
