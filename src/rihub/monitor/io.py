"""Monitoring as a spreadsheet: one layout for CSV and XLSX, exported, edited and imported back.

One row per indicator period (a project without indicators, or an indicator without periods, has
one row of its own). Ids make rows stable: ``project_id``, ``indicator_id`` and ``period_id`` name
the rows they came from, and ``cycle`` + ``initiative`` + ``result`` (or ``result_id``, the stable
id, which wins) name the expected result. An import **upserts**: a row with an id updates that
object in place (checking the ``*_version`` it was exported at, when given); a blank id creates one
— rows with the same new project title make one project, rows with the same new indicator title
in it one indicator, and a period is also found by its dates. Nothing is ever deleted.

The whole file is one transaction, so a file with one bad row changes nothing; the error names
each bad row (as the spreadsheet numbers it, the header being row 1) and column. The same rules as
the forms apply (:mod:`rihub.monitor.service`): a contributor imports only into their projects.
Read-only columns (the result's text, the actuals) are exported for reading and ignored on import:
actuals come from approved updates only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from pydantic import ValidationError
from sqlalchemy import Connection

from rihub.errors import ConflictError, ImportRowsError, InputError, RihubError
from rihub.monitor import service
from rihub.records import (
    PROGRESS_STATUSES,
    Actor,
    ImportSummary,
    Indicator,
    IndicatorInput,
    PeriodInput,
    Project,
    ProjectInput,
)
from rihub.safe import FORMULA_START
from rihub.store import monitor as store
from rihub.tabular import JOIN, csv_text

SHEET: Final = "Monitoring"
NOTES: Final = "Notes"
FORMATS: Final = ("csv", "xlsx")


class Column(NamedTuple):
    name: str
    kind: str  # id | int | float | text | date | list | bool | status | measure | readonly
    note: str


COLUMNS: Final = (
    Column("project_id", "id", "Blank for a new project; rows with the same new title make one project"),
    Column("project_version", "int", "As exported; a project changed since then is a conflict (blank: no check)"),
    Column("project_title", "text", "Required"),
    Column("project_description", "text", ""),
    Column("partners", "list", "Organisations, separated by '; '"),
    Column("countries", "list", "ISO 3166-1 alpha-2 codes (KE; SN), separated by '; '"),
    Column("budget", "float", "A number"),
    Column("currency", "text", "ISO 4217 (USD, CHF, EUR)"),
    Column("project_start", "date", "YYYY-MM-DD"),
    Column("project_end", "date", "YYYY-MM-DD"),
    Column("project_status", "status", " | ".join(PROGRESS_STATUSES) + " (blank: not-started)"),
    Column("cycle", "text", "WTDC cycle of the expected result (WTDC-25)"),
    Column("initiative", "text", "Initiative code (AFR1)"),
    Column("result", "int", "Expected result number in the initiative (16)"),
    Column("result_id", "id", "The result's stable id (wins over cycle/initiative/result; blank: use them)"),
    Column("result_text", "readonly", "Read only"),
    Column("indicator_id", "id", "Blank for a new indicator of the project"),
    Column("indicator_version", "int", "As exported (blank: no check)"),
    Column("indicator_title", "text", "Required for an indicator"),
    Column("indicator_description", "text", ""),
    Column("measure", "measure", "unit | percentage | qualitative (blank: unit)"),
    Column("ascending", "bool", "yes (more is better) or no (less is better); blank: yes"),
    Column("unit", "text", "What is counted (countries, people trained)"),
    Column("baseline_year", "int", ""),
    Column("baseline_value", "float", ""),
    Column("baseline_comment", "text", ""),
    Column("period_id", "id", "Blank for a new period (or the indicator's period with these dates)"),
    Column("period_version", "int", "As exported (blank: no check)"),
    Column("period_start", "date", "YYYY-MM-DD, required for a period"),
    Column("period_end", "date", "YYYY-MM-DD, required for a period"),
    Column("target", "float", "A number (quantitative indicators)"),
    Column("target_text", "text", "The target in words (qualitative indicators)"),
    Column("period_comment", "text", ""),
    Column("actual", "readonly", "Read only: set by the approved update"),
    Column("actual_text", "readonly", "Read only: set by the approved update"),
)
NAMES: Final = tuple(c.name for c in COLUMNS)
KINDS: Final = {c.name: c.kind for c in COLUMNS}
PROJECT: Final = {
    "project_title": "title",
    "project_description": "description",
    "partners": "partners",
    "countries": "countries",
    "budget": "budget",
    "currency": "currency",
    "project_start": "start_date",
    "project_end": "end_date",
    "project_status": "status",
}
INDICATOR: Final = {
    "indicator_title": "title",
    "indicator_description": "description",
    "measure": "measure",
    "ascending": "ascending",
    "unit": "unit",
    "baseline_year": "baseline_year",
    "baseline_value": "baseline_value",
    "baseline_comment": "baseline_comment",
}
PERIOD: Final = {
    "period_start": "start_date",
    "period_end": "end_date",
    "target": "target",
    "target_text": "target_text",
    "period_comment": "comment",
}
COUNTRY = re.compile(r"^[A-Z]{2}$")
TRUE, FALSE = {"yes", "y", "true", "1", "ascending"}, {"no", "n", "false", "0", "descending"}


# --- export -----------------------------------------------------------------------------------


def rows(conn: Connection) -> list[dict[str, Any]]:
    """Every project, indicator and period as rows of the layout, in id order."""
    projects = store.projects(conn)
    indicators = store.indicators(conn)
    periods = store.periods(conn, indicator_ids=[i.id for i in indicators])
    refs = store.result_refs(conn, [i.result_id for i in indicators])
    out: list[dict[str, Any]] = []
    for project in projects:
        mine = [i for i in indicators if i.project_id == project.id]
        for ref in project.results:
            if not any(i.result_id == ref.result_id for i in mine):
                out.append(_project_cells(project) | _result_cells(ref))
        for indicator in mine:
            base = _project_cells(project) | _result_cells(refs[indicator.result_id]) | _indicator_cells(indicator)
            own = [base | _period_cells(p) for p in periods if p.indicator_id == indicator.id]
            out.extend(own or [base])
    return out


def _project_cells(p: Project) -> dict[str, Any]:
    cells = {column: getattr(p, name) for column, name in PROJECT.items()}
    cells |= {"partners": JOIN.join(p.partners), "countries": JOIN.join(p.countries)}
    return cells | {"project_id": p.id, "project_version": p.version}


def _result_cells(ref: Any) -> dict[str, Any]:
    return {
        "cycle": ref.cycle,
        "initiative": ref.initiative,
        "result": ref.number,
        "result_id": ref.result_id,
        "result_text": ref.text,
    }


def _indicator_cells(i: Indicator) -> dict[str, Any]:
    cells = {column: getattr(i, name) for column, name in INDICATOR.items()}
    return cells | {"ascending": "yes" if i.ascending else "no", "indicator_id": i.id, "indicator_version": i.version}


def _period_cells(p: Any) -> dict[str, Any]:
    cells = {column: getattr(p, name) for column, name in PERIOD.items()}
    return cells | {"period_id": p.id, "period_version": p.version, "actual": p.actual, "actual_text": p.actual_text}


def write(table: Sequence[dict[str, Any]], format: str, bom: bool = True) -> bytes:
    """Rows of the layout as a CSV (through :mod:`rihub.tabular`; ``bom`` for Excel) or a workbook
    with a notes sheet."""
    if format == "csv":
        return csv_text(table, list(NAMES), bom=bom).encode("utf-8")
    if format != "xlsx":
        raise InputError(f"no monitoring format {format!r}; formats: {', '.join(FORMATS)}")
    from openpyxl import Workbook

    from rihub.report.xlsx import sheet

    book = Workbook()
    book.remove(book.worksheets[0])
    sheet(book, SHEET, NAMES, ([_xlsx(r.get(n)) for n in NAMES] for r in table))
    sheet(book, NOTES, ["column", "what it holds"], ([c.name, c.note] for c in COLUMNS))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# --- reading a file ---------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (the header is row 1)
    cells: dict[str, Any]

    def has(self, *names: str) -> bool:
        return any(self.cells.get(n) not in (None, "", []) for n in names)


def read(data: bytes, format: str) -> list[Row]:
    """The file's rows with each cell parsed; every bad cell is an error (row and column), all at once."""
    raw = _csv(data) if format == "csv" else _workbook(data) if format == "xlsx" else None
    if raw is None:
        raise InputError(f"no monitoring format {format!r}; formats: {', '.join(FORMATS)}")
    header, body = raw
    errors: list[tuple[int, str, str]] = []
    unknown = [h for h in header if h not in KINDS]
    for name in unknown:
        errors.append((1, name, f"unknown column; the columns are those of `rihub monitor template` ({NAMES[0]}, …)"))
    if "project_title" not in header and "project_id" not in header:
        errors.append((1, "project_id", "the file names no project (project_id or project_title column)"))
    parsed: list[Row] = []
    for number, values in body:
        cells: dict[str, Any] = {}
        for name, value in zip(header, values, strict=False):
            if name not in KINDS or KINDS[name] == "readonly":
                continue
            try:
                cells[name] = _parse(KINDS[name], value)
            except ValueError as exc:
                errors.append((number, name, str(exc)))
        parsed.append(Row(number, cells))
    if errors:
        raise ImportRowsError(errors)
    return parsed


def _csv(data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the CSV file is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise InputError("the CSV file is empty; `rihub monitor template csv` gives the header row")
    return [h.strip() for h in table[0]], [
        (n, r) for n, r in enumerate(table[1:], start=2) if any(c.strip() for c in r)
    ]


def _workbook(data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike on a damaged file
        raise InputError(f"the file is not an Excel workbook (.xlsx): {exc}") from exc
    ws = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    if not table:
        raise InputError(f"the sheet {ws.title!r} is empty; `rihub monitor template xlsx` gives the header row")
    header = [str(h).strip() if h is not None else "" for h in table[0]]
    body = [(n, r) for n, r in enumerate(table[1:], start=2) if any(c not in (None, "") for c in r)]
    return header, body


def _parse(kind: str, value: Any) -> Any:
    """One cell as the layout's kind; ValueError with a message a person can act on."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
            value = value[1:]  # the export's formula neutralisation (rihub.safe.csv_cell), undone
    if value is None or value == "":
        return [] if kind == "list" else None
    if kind in ("id", "int"):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
        raise ValueError(f"not a whole number ({value!r})")
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"not a number ({value!r})") from None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise ValueError(f"not a date YYYY-MM-DD ({value!r})") from None
    if kind == "bool":
        word = str(value).lower()
        if word in TRUE | FALSE:
            return word in TRUE
        raise ValueError(f"write yes or no ({value!r})")
    text = str(value)
    if kind == "list":
        return [part.strip() for part in text.split(";") if part.strip()]
    if kind == "status" and text not in PROGRESS_STATUSES:
        raise ValueError(f"not a status ({text!r}); one of {', '.join(PROGRESS_STATUSES)}")
    if kind == "measure" and text not in ("unit", "percentage", "qualitative"):
        raise ValueError(f"not a measure ({text!r}); one of unit, percentage, qualitative")
    return text


# --- applying the rows ------------------------------------------------------------------------


@dataclass
class Import:
    """One file's rows applied on one connection; errors are collected, the caller rolls back."""

    conn: Connection
    actor: Actor
    summary: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    projects: dict[Any, tuple[int, Row]] = field(default_factory=dict)  # key → (project id, first row)
    indicators: dict[Any, tuple[int, Row]] = field(default_factory=dict)

    def count(self, key: str) -> None:
        self.summary[key] = self.summary.get(key, 0) + 1

    def run(self, table: Iterable[Row]) -> None:
        for row in table:
            stage = "project_id"
            try:
                project_id = self._project(row)
                stage = "result"
                result_id = self._result(row)
                if result_id is not None and result_id not in store.linked(self.conn, project_id):
                    service.project_link(self.conn, self.actor, project_id, result_id)
                    self.count("links_added")
                stage = "indicator_id"
                if row.has("indicator_id", *INDICATOR):
                    indicator_id = self._indicator(row, project_id, result_id)
                    stage = "period_id"
                    if row.has("period_id", *PERIOD):
                        self._period(row, indicator_id)
            except RihubError as exc:
                self.errors.append((row.number, _column(stage, exc), str(exc)))

    def _same(self, row: Row, first: Row, columns: Iterable[str]) -> None:
        for name in columns:
            if row.cells.get(name) != first.cells.get(name):
                raise _AtColumn(name, f"differs from row {first.number} of the same object; make them agree")

    def _project(self, row: Row) -> int:
        key: tuple[str, Any] = (
            ("id", row.cells["project_id"]) if row.has("project_id") else ("new", _title(row, "project_title"))
        )
        if key in self.projects:
            project_id, first = self.projects[key]
            self._same(row, first, ["project_version", *PROJECT])
            return project_id
        data = _model(ProjectInput, row, PROJECT, {"status": row.cells.get("project_status") or "not-started"})
        if key[0] == "id":
            before = service.locked(self.conn, "project", key[1], row.cells.get("project_version"))
            after = service.project_update(self.conn, self.actor, key[1], row.cells.get("project_version"), data)
            if after.version != before["version"]:
                self.count("projects_updated")
            project_id = after.id
        else:
            project_id = service.project_add(self.conn, self.actor, data).id
            self.count("projects_created")
        self.projects[key] = (project_id, row)
        return project_id

    def _result(self, row: Row) -> int | None:
        c = row.cells
        key = (str(c.get("cycle") or "").upper(), str(c.get("initiative") or "").upper(), c.get("result"))
        if row.has("result_id"):
            found = store.result_refs(self.conn, [c["result_id"]])
            if not found:
                raise _AtColumn("result_id", f"no expected result #{c['result_id']}")
            ref = found[c["result_id"]]
            if row.has("cycle", "initiative", "result") and key != (ref.cycle, ref.initiative, ref.number):
                raise _AtColumn(
                    "result",
                    f"result_id {ref.result_id} is {ref.initiative}.{ref.number} of {ref.cycle} now, the row says "
                    f"{key[1]}.{key[2]} of {key[0]}; clear result_id to use the row's, or correct them",
                )
            return ref.result_id
        if not row.has("cycle", "initiative", "result"):
            return None
        missing = [n for n in ("cycle", "initiative", "result") if not row.has(n)]
        if missing:
            raise _AtColumn(missing[0], "name the expected result by cycle, initiative and result together")
        ref_by_key = store.find_result(self.conn, key[0], key[1], int(c["result"]))
        if ref_by_key is None:
            raise _AtColumn("result", f"{key[1]} of {key[0]} has no current expected result {key[2]}")
        return ref_by_key.result_id

    def _indicator(self, row: Row, project_id: int, result_id: int | None) -> int:
        if row.has("indicator_id"):
            key: Any = ("id", row.cells["indicator_id"])
        else:
            key = ("new", project_id, _title(row, "indicator_title"))
        if key in self.indicators:
            indicator_id, first = self.indicators[key]
            self._same(row, first, ["indicator_version", *INDICATOR, "result_id", "cycle", "initiative", "result"])
            return indicator_id
        if result_id is None:
            raise _AtColumn("result", "an indicator needs its expected result (cycle, initiative, result)")
        extra: dict[str, Any] = {"project_id": project_id, "result_id": result_id}
        extra["ascending"] = row.cells.get("ascending") is not False
        extra |= {"measure": row.cells.get("measure") or "unit", "unit": row.cells.get("unit") or ""}
        data = _model(IndicatorInput, row, INDICATOR, extra)
        if key[0] == "id":
            version = row.cells.get("indicator_version")
            before = service.locked(self.conn, "indicator", key[1], version)
            if before["project_id"] != project_id:
                raise _AtColumn("indicator_id", f"indicator #{key[1]} belongs to project #{before['project_id']}")
            after = service.indicator_update(self.conn, self.actor, key[1], version, data)
            if after.version != before["version"]:
                self.count("indicators_updated")
        else:
            after = service.indicator_add(self.conn, self.actor, data)
            self.count("indicators_created")
        self.indicators[key] = (after.id, row)
        return after.id

    def _period(self, row: Row, indicator_id: int) -> None:
        for name in ("period_start", "period_end"):
            if not row.has(name):
                raise _AtColumn(name, "a period needs its start and end dates")
        data = _model(PeriodInput, row, PERIOD, {"indicator_id": indicator_id})
        period_id, version = row.cells.get("period_id"), row.cells.get("period_version")
        if period_id is None:
            same = store.period_by_dates(self.conn, indicator_id, data.start_date, data.end_date)
            period_id, version = (same["id"], None) if same else (None, None)
        if period_id is None:
            service.period_add(self.conn, self.actor, data)
            self.count("periods_created")
            return
        before = service.locked(self.conn, "period", period_id, version)
        if before["indicator_id"] != indicator_id:
            raise _AtColumn("period_id", f"period #{period_id} belongs to indicator #{before['indicator_id']}")
        if service.period_update(self.conn, self.actor, period_id, version, data).version != before["version"]:
            self.count("periods_updated")


class _AtColumn(InputError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def _column(stage: str, exc: RihubError) -> str:
    """The column a failed write concerns: the one named, the stale version, the field, else the id."""
    kind = stage.removesuffix("_id")
    if isinstance(exc, _AtColumn):
        return exc.column
    if isinstance(exc, ConflictError):
        return f"{kind}_version"
    if isinstance(exc, service.FieldError):
        fields = {"project": PROJECT, "indicator": INDICATOR, "period": PERIOD}.get(kind, {})
        return next((column for column, name in fields.items() if name == exc.field), stage)
    return stage


def _title(row: Row, name: str) -> str:
    if not row.has(name):
        raise _AtColumn(name, "required for a new row (or give the id of an existing one)")
    return str(row.cells[name]).casefold()


def _model(model: Callable[..., Any], row: Row, columns: dict[str, str], extra: dict[str, Any]) -> Any:
    """The input record from the row's columns, a validation failure named by its column."""
    values = {name: row.cells.get(column) for column, name in columns.items()}
    values = {k: v for k, v in values.items() if v is not None} | extra
    if "countries" in values:
        values["countries"] = [c.upper() for c in values["countries"]]
        bad = next((c for c in values["countries"] if not COUNTRY.match(c)), None)
        if bad:
            raise _AtColumn("countries", f"not an ISO 3166-1 alpha-2 code ({bad!r})")
    try:
        return model(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        column = next((c for c, n in columns.items() if n == name), name)
        raise _AtColumn(column, error["msg"]) from None


def apply(conn: Connection, actor: Actor, table: Sequence[Row]) -> ImportSummary:
    """Write the rows on ``conn`` (the caller's transaction); bad rows raise ImportRowsError."""
    work = Import(conn, actor)
    work.run(table)
    if work.errors:
        raise ImportRowsError(work.errors)
    return ImportSummary(rows=len(table), **work.summary)
