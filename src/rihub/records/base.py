"""The base of every record: frozen pydantic models, UTC times, spans, JSON conversion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, WithJsonSchema


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


Timestamp = Annotated[
    dt.datetime,
    AfterValidator(_utc),
    # ``isoformat()`` ("…+00:00"), as the registry has always written times (pydantic would write "Z").
    PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


def jsonable(value: Any) -> Any:
    """Records (and lists, tuples and dicts of them) as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


class Span(Record):
    """Where a fact was read: the source document and its first and last line."""

    source_id: int | None = None
    start: int | None = None
    end: int | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Span:
        """The span of a row with ``source_id``, ``span_start`` and ``span_end`` columns."""
        return cls(source_id=row.get("source_id"), start=row.get("span_start"), end=row.get("span_end"))
