"""Implementation monitoring as a part of :class:`rihub.hub.Hub` (mixed in): projects serving
expected results, their indicators, periods and reviewed updates, and the progress rolled up from
them. Every write takes the :class:`~rihub.records.Actor` writing and, for an edit, the ``version``
the person read; the rules are in :mod:`rihub.monitor.service` (docs/monitoring.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rihub.errors import InputError, NotFoundError
from rihub.monitor import progress, service
from rihub.records import (
    Actor,
    AuditEntry,
    Evidence,
    ImportSummary,
    Indicator,
    IndicatorInput,
    InitiativeProgress,
    OverdueUpdate,
    Period,
    PeriodInput,
    Project,
    ProjectInput,
    RegionProgress,
    ResultProgress,
    ResultRef,
    Update,
    UpdateInput,
)
from rihub.store import audit, read
from rihub.store import monitor as store
from rihub.store.db import write_transaction
from rihub.store.read import resolve_cycle

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from rihub.records import Initiative, InitiativeSummary

T = TypeVar("T")
RESULT_KEY = re.compile(r"^(?:(?P<cycle>[^/]+)/)?(?P<code>[A-Za-z]+\d+)[./](?P<number>\d+)$")


class Monitoring:
    """Projects, indicators, periods, updates and their review (methods of :class:`rihub.hub.Hub`)."""

    engine: Engine
    if TYPE_CHECKING:  # what the mixin uses of the rest of Hub

        def initiative(self, code: str, cycle: str | None = None) -> Initiative: ...

    def _write(self, work: Callable[[Connection], T]) -> T:
        with write_transaction(self.engine) as conn:
            return work(conn)

    # --- expected results by key ------------------------------------------------------------

    def result_ref(self, result: int | str, cycle: str | None = None) -> ResultRef:
        """An expected result by stable id, or by key: ``AFR1.16`` (of ``cycle``, the latest by
        default) or ``WTDC-25/AFR1/16``."""
        with self.engine.connect() as conn:
            return _result(conn, result, cycle)

    # --- projects ---------------------------------------------------------------------------

    def project_add(self, actor: Actor, data: ProjectInput, results: Sequence[int | str] = ()) -> Project:
        """A new project, linked to ``results`` (ids or keys); a contributor is assigned to it."""

        def work(conn: Connection) -> Project:
            ids = tuple(_result(conn, r, None).result_id for r in results)
            return service.project_add(conn, actor, data, ids)

        return self._write(work)

    def project_update(self, actor: Actor, project_id: int, version: int, data: ProjectInput) -> Project:
        """Replace a project's fields; ``version`` is the one the person read (stale: ConflictError)."""
        return self._write(lambda conn: service.project_update(conn, actor, project_id, version, data))

    def project_link(self, actor: Actor, project_id: int, result: int | str, cycle: str | None = None) -> Project:
        """State that the project serves an expected result (an id or a key such as ``AFR1.16``)."""
        return self._write(
            lambda conn: service.project_link(conn, actor, project_id, _result(conn, result, cycle).result_id)
        )

    def project_unlink(self, actor: Actor, project_id: int, result: int | str, cycle: str | None = None) -> Project:
        return self._write(
            lambda conn: service.project_unlink(conn, actor, project_id, _result(conn, result, cycle).result_id)
        )

    def projects(
        self,
        result: int | str | None = None,
        initiative: str | None = None,
        region: str | None = None,
        cycle: str | None = None,
        status: str | None = None,
        assignee: str | None = None,
    ) -> list[Project]:
        """Projects, filtered by the expected result, initiative or region they serve (of ``cycle``),
        their status, or a contributor assigned to them."""
        with self.engine.connect() as conn:
            result_ids: list[int] | None = None
            if result is not None:
                result_ids = [_result(conn, result, cycle).result_id]
            elif initiative or region:
                code = resolve_cycle(conn, cycle)
                codes = [initiative.strip().upper()] if initiative else None
                found = store.results_of(conn, code or "", region.upper() if region else None, codes)
                result_ids = [r.result_id for r in found]
            user_id = None
            if assignee is not None:
                person = store.user(conn, username=assignee)
                if person is None:
                    raise NotFoundError(f"no account {assignee!r}")
                user_id = person["id"]
            return store.projects(conn, result_ids=result_ids, status=status, assignee=user_id)

    def project(self, project_id: int) -> Project:
        with self.engine.connect() as conn:
            found = store.projects(conn, ids=[project_id])
        if not found:
            raise NotFoundError(f"no project #{project_id}")
        return found[0]

    # --- indicators and periods -------------------------------------------------------------

    def indicator_add(self, actor: Actor, data: IndicatorInput) -> Indicator:
        """A new indicator of an expected result in a project (the result is linked if it was not)."""
        return self._write(lambda conn: service.indicator_add(conn, actor, data))

    def indicator_update(self, actor: Actor, indicator_id: int, version: int, data: IndicatorInput) -> Indicator:
        return self._write(lambda conn: service.indicator_update(conn, actor, indicator_id, version, data))

    def indicators(self, project_id: int | None = None, result_id: int | None = None) -> list[Indicator]:
        with self.engine.connect() as conn:
            return store.indicators(
                conn,
                project_ids=None if project_id is None else [project_id],
                result_ids=None if result_id is None else [result_id],
            )

    def indicator(self, indicator_id: int) -> Indicator:
        with self.engine.connect() as conn:
            found = store.indicators(conn, ids=[indicator_id])
        if not found:
            raise NotFoundError(f"no indicator #{indicator_id}")
        return found[0]

    def period_add(self, actor: Actor, data: PeriodInput) -> Period:
        return self._write(lambda conn: service.period_add(conn, actor, data))

    def period_update(self, actor: Actor, period_id: int, version: int, data: PeriodInput) -> Period:
        """Dates, target and comment of a period (its actual comes from the approved update)."""
        return self._write(lambda conn: service.period_update(conn, actor, period_id, version, data))

    def periods(self, indicator_id: int) -> list[Period]:
        with self.engine.connect() as conn:
            return store.periods(conn, indicator_ids=[indicator_id])

    def period(self, period_id: int) -> Period:
        with self.engine.connect() as conn:
            found = store.periods(conn, ids=[period_id])
        if not found:
            raise NotFoundError(f"no period #{period_id}")
        return found[0]

    # --- updates and review -----------------------------------------------------------------

    def update_add(self, actor: Actor, data: UpdateInput, evidence: bytes | None = None) -> Update:
        """A draft progress update on a period, with an optional evidence file."""
        return self._write(lambda conn: service.update_add(conn, actor, data, evidence))

    def update_edit(
        self, actor: Actor, update_id: int, version: int, data: UpdateInput, evidence: bytes | None = None
    ) -> Update:
        """Change one's own draft or returned update (evidence kept unless a new file is given)."""
        return self._write(lambda conn: service.update_edit(conn, actor, update_id, version, data, evidence))

    def update_submit(self, actor: Actor, update_id: int, version: int) -> Update:
        return self._write(lambda conn: service.update_submit(conn, actor, update_id, version))

    def update_approve(self, actor: Actor, update_id: int, version: int, comment: str | None = None) -> Update:
        """Approve a submitted update (reviewers, not its author): it becomes the period's actual."""
        return self._write(lambda conn: service.update_approve(conn, actor, update_id, version, comment))

    def update_return(self, actor: Actor, update_id: int, version: int, comment: str) -> Update:
        """Return a submitted update to its author with a comment (reviewers, not its author)."""
        return self._write(lambda conn: service.update_return(conn, actor, update_id, version, comment))

    def updates(
        self, status: str | None = None, period_id: int | None = None, project_id: int | None = None
    ) -> list[Update]:
        """Updates, oldest first; ``status="submitted"`` is the reviewer inbox."""
        with self.engine.connect() as conn:
            return store.updates(
                conn, period_ids=None if period_id is None else [period_id], status=status, project_id=project_id
            )

    def update(self, update_id: int) -> Update:
        with self.engine.connect() as conn:
            found = store.updates(conn, ids=[update_id])
        if not found:
            raise NotFoundError(f"no update #{update_id}")
        return found[0]

    def update_evidence(self, update_id: int) -> Evidence:
        with self.engine.connect() as conn:
            found = store.evidence(conn, update_id)
        if found is None:
            raise NotFoundError(f"update #{update_id} has no evidence file")
        return found

    # --- progress ---------------------------------------------------------------------------

    def result_progress(
        self, result: int | str, cycle: str | None = None, as_of: dt.date | None = None
    ) -> ResultProgress:
        """An expected result's projects, indicators (with their series over time) and rolled-up
        progress at ``as_of`` (today by default), beside the achieved results its initiative's
        published documents report. The rule: :mod:`rihub.monitor.progress`."""
        with self.engine.connect() as conn:
            ref = _result(conn, result, cycle)
            item = self.initiative(ref.initiative, ref.cycle)
            achieved = read.achieved_results_of(conn, [item.id])
            return progress.results_progress(conn, [ref], as_of or _today(), achieved, {item.code: item.id})[0]

    def initiative_progress(
        self, code: str, cycle: str | None = None, as_of: dt.date | None = None
    ) -> InitiativeProgress:
        """An initiative's dashboard: each expected result's progress, the rollup, overdue updates."""
        item = self.initiative(code, cycle)
        with self.engine.connect() as conn:
            return _initiative(conn, item, as_of or _today())

    def region_progress(self, region: str, cycle: str | None = None, as_of: dt.date | None = None) -> RegionProgress:
        """A region's dashboard: its initiatives (those with expected results) rolled up, and overdue updates."""
        code = region.strip().upper()
        day = as_of or _today()
        with self.engine.connect() as conn:
            names = {r.code: r.name for r in read.regions(conn)}
            if code not in names:
                raise NotFoundError(f"no region {region!r}; regions: {', '.join(names)}")
            conference = resolve_cycle(conn, cycle) or ""
            items = read.initiatives(conn, region=code, conference=conference, nested=False)
            found = [_initiative(conn, i, day) for i in items if i.expected_result_count]
        overdue = sorted((o for i in found for o in i.overdue), key=lambda o: (-o.days_overdue, o.period_id))
        return RegionProgress(
            cycle=conference,
            region=code,
            name=names[code],
            as_of=day,
            initiatives=found,
            rollup=progress.rollup([(i.rollup.progress, i.rollup.status) for i in found]),
            overdue=overdue,
        )

    def overdue_updates(
        self, region: str | None = None, cycle: str | None = None, as_of: dt.date | None = None
    ) -> list[OverdueUpdate]:
        """Periods that have ended with no approved update (of one region, or of every region)."""
        with self.engine.connect() as conn:
            regions = [region.strip().upper()] if region else [r.code for r in read.regions(conn)]
        return sorted(
            (o for r in regions for o in self.region_progress(r, cycle, as_of).overdue),
            key=lambda o: (-o.days_overdue, o.period_id),
        )

    # --- import and export ------------------------------------------------------------------

    def monitor_export(self, format: str = "xlsx", bom: bool = True) -> bytes:
        """Every project, indicator and period in the import layout (``csv`` or ``xlsx``)."""
        from rihub.monitor import io

        with self.engine.connect() as conn:
            return io.write(io.rows(conn), format, bom)

    @staticmethod
    def monitor_template(format: str = "xlsx", bom: bool = True) -> bytes:
        """The import layout with no rows (the workbook has a Notes sheet explaining each column)."""
        from rihub.monitor import io

        return io.write([], format, bom)

    def monitor_import(self, source: str | Path | bytes, actor: Actor, format: str | None = None) -> ImportSummary:
        """Upsert a monitoring file (a path, or the bytes of an upload with its ``format``) in one
        transaction: a file with a bad row changes nothing and the error names its rows and columns."""
        from rihub.monitor import io

        if isinstance(source, bytes):
            data, kind = source, format
        else:
            path = Path(source)
            kind = format or path.suffix.lower().lstrip(".")
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc.strerror}") from exc
        if kind not in io.FORMATS:
            raise InputError(f"cannot import {kind or 'a file without a suffix'!r}; formats: {', '.join(io.FORMATS)}")
        table = io.read(data, kind)
        return self._write(lambda conn: io.apply(conn, actor, table))

    def export_iati(self, cycle: str | None = None) -> bytes:
        """IATI activity XML 2.03 of one cycle (the latest by default): each initiative an activity with
        its measured expected results, each project a child activity (:mod:`rihub.monitor.iati`)."""
        from rihub.config import Settings
        from rihub.monitor import iati

        now = dt.datetime.now(dt.UTC)
        with self.engine.connect() as conn:
            code = resolve_cycle(conn, cycle)
            if code is None:
                raise NotFoundError("the registry is empty: ingest a report first")
            years = {c.code: c.year for c in read.conferences(conn, code)}
            found = [_initiative(conn, i, now.date()) for i in read.initiatives(conn, conference=code, nested=False)]
        return iati.document(found, years, Settings.from_env(), now)

    def annual_report(
        self,
        kind: str,
        code: str,
        year: int,
        cycle: str | None = None,
        format: str = "docx",
        output: str | Path | None = None,
    ) -> bytes:
        """The annual progress report of a region (``kind="region"``, ``code`` AFR) or an initiative
        (``code`` AFR1) for ``year``, as docx or pdf; written to ``output`` too when given."""
        from rihub.monitor import annual
        from rihub.report import check_writable

        annual.check(kind, format)
        target = Path(output) if output is not None else None
        if target is not None:
            check_writable(target)
        today = _today()
        day = annual.as_of(year, today)
        if kind == "region":
            region = self.region_progress(code, cycle, day)
            items, rollup, overdue, name = region.initiatives, region.rollup, region.overdue, f"{region.name} Region"
            resolved = region.cycle
        else:
            item = self.initiative_progress(code, cycle, day)
            items, rollup, overdue, name = [item], item.rollup, item.overdue, f"{item.code} ({item.region})"
            resolved = item.cycle
        report = annual.AnnualReport(
            kind=kind,
            code=code.strip().upper(),
            name=name,
            cycle=resolved,
            year=year,
            as_of=day,
            generated=today,
            rollup=rollup,
            initiatives=items,
            overdue=overdue,
        )
        data = annual.write(report, format)
        if target is not None:
            try:
                target.write_bytes(data)
            except OSError as exc:
                raise InputError(f"cannot write the report to {target}: {exc.strerror or exc}") from exc
        return data

    # --- audit trail ------------------------------------------------------------------------

    def audit_history(self, object_type: str, object_id: int) -> list[AuditEntry]:
        """Every write of one object (project, indicator, period, update, user…), oldest first."""
        with self.engine.connect() as conn:
            return audit.history(conn, object_type, object_id)

    def activity(
        self,
        object_type: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[AuditEntry], int]:
        """The registry-wide feed of writes, newest first, and how many match the filters."""
        with self.engine.connect() as conn:
            return audit.activity(
                conn, object_type=object_type, actor=actor, action=action, since=since, limit=limit, offset=offset
            )


def _result(conn: Connection, result: int | str, cycle: str | None) -> ResultRef:
    """An expected result by id or key, or a clear NotFoundError / InputError."""
    if isinstance(result, int) or result.isdigit():
        found = store.result_refs(conn, [int(result)])
        if not found:
            raise NotFoundError(f"no expected result #{result}")
        return next(iter(found.values()))
    match = RESULT_KEY.match(result.strip())
    if match is None:
        raise InputError(f"{result!r} is not an expected result; write AFR1.16 or WTDC-25/AFR1/16")
    code = resolve_cycle(conn, match["cycle"] or cycle)
    ref = store.find_result(conn, code or "", match["code"].upper(), int(match["number"]))
    if ref is None:
        raise NotFoundError(f"{match['code'].upper()} of {code} has no expected result {match['number']}")
    return ref


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _initiative(conn: Connection, item: Initiative | InitiativeSummary, as_of: dt.date) -> InitiativeProgress:
    refs = store.results_of(conn, item.conference, codes=[item.code])
    achieved = read.achieved_results_of(conn, [item.id])
    results = progress.results_progress(conn, refs, as_of, achieved, {item.code: item.id})
    return InitiativeProgress(
        cycle=item.conference,
        code=item.code,
        region=item.region,
        title=item.title,
        objective=item.objective,
        as_of=as_of,
        results=results,
        monitored=sum(1 for r in results if r.indicators),
        rollup=progress.rollup([(r.rollup.progress, r.rollup.status) for r in results]),
        overdue=progress.overdue_of(results, as_of),
    )
