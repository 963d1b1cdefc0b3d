"""Records as spreadsheet rows: the one way every CSV rihub writes (web twins, API, export) is made.

People open these files in Excel, so a cell holds readable text, never JSON: a nested record
becomes ``parent_child`` columns, a list becomes its items' text joined with ``"; "`` (each record
says how it reads through ``__str__``, e.g. an officer as "Dr Péter Vári (Hungary)"), a mapping
becomes ``key: value`` text. Where a fact was read (spans, source ids, the per-field source map)
is bookkeeping for the open-data export: those fields carry the :data:`SOURCE_POSITION` marker and
appear only in a ``full`` table. Fields marked :data:`PRESENTATION` (HTML snippets, match offsets)
are for pages and never appear. Files start with a UTF-8 byte-order mark unless asked not to:
without it Excel reads UTF-8 as the local code page and "Péter" becomes "PÃ©ter".
Every cell goes through :func:`rihub.safe.csv_cell` (formula neutralisation, docs/security.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pydantic import BaseModel

from rihub.safe import csv_row

BOM: Final = "\ufeff"
JOIN: Final = "; "


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"tabular.{self.name}"


SOURCE_POSITION: Final = _Marker("SOURCE_POSITION")
"""``Annotated[...]`` metadata: where the fact was read (only in the full export's tables)."""
PRESENTATION: Final = _Marker("PRESENTATION")
"""``Annotated[...]`` metadata: a rendering aid for pages (HTML, offsets), never a CSV column."""


def _is_span(value: object) -> bool:
    from rihub.records import Span

    return isinstance(value, Span)


def cell(value: Any) -> Any:
    """One value as a spreadsheet cell: numbers and text as they are, everything else as text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        if type(value).__str__ is not BaseModel.__str__:
            return str(value)
        return " ".join(str(v) for v in row(value).values() if v not in (None, ""))
    if isinstance(value, tuple) and type(value).__str__ is not tuple.__str__:
        return str(value)  # a NamedTuple that says how it reads
    if isinstance(value, Mapping):
        return JOIN.join(f"{k}: {cell(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, Iterable):
        return JOIN.join(str(c) for c in (cell(v) for v in value) if c not in (None, ""))
    return str(value)


def row(record: BaseModel, full: bool = False, prefix: str = "") -> dict[str, Any]:
    """A record's columns (aliases as names); nested records and mappings as ``parent_child`` columns."""
    out: dict[str, Any] = {}
    for name, info in type(record).model_fields.items():
        value = getattr(record, name)
        key = prefix + (info.alias or name)
        if PRESENTATION in info.metadata or (SOURCE_POSITION in info.metadata and not full):
            continue
        if _is_span(value):
            if full:
                out |= {f"{key}_source_id": value.source_id, f"{key}_start": value.start, f"{key}_end": value.end}
        elif isinstance(value, BaseModel):
            out |= row(value, full, f"{key}_")
        elif isinstance(value, Mapping):
            out |= {f"{key}_{sub}": cell(inner) for sub, inner in value.items()}
        else:
            out[key] = cell(value)
    return out


def csv_text(rows: Iterable[Mapping[str, Any]], columns: list[str] | None = None, bom: bool = True) -> str:
    """Rows as CSV text (CRLF line ends, as RFC 4180 and Excel want); columns default to every key seen."""
    rows = list(rows)
    if columns is None:
        seen: dict[str, None] = {}
        for r in rows:
            seen.update(dict.fromkeys(r))
        columns = list(seen)
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_row(dict(r)) for r in rows)  # formula-like text neutralised (docs/security.md)
    return buffer.getvalue()


def records_csv(items: Iterable[BaseModel], bom: bool = True, full: bool = False) -> str:
    """Records as one CSV table, one row each."""
    return csv_text((row(item, full) for item in items), bom=bom)
