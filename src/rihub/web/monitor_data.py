"""The monitoring views both the pages and the API answer with, built only from hub methods.

One function per view: the HTML page, its ``.json`` twin and the API call the same one, so they
never disagree (the Datasette rule of :mod:`rihub.web.data`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from fastapi import Request

from rihub.errors import InputError, NotFoundError
from rihub.hub import Hub
from rihub.records import (
    Actor,
    Indicator,
    IndicatorProgress,
    Period,
    Project,
    ResultProgress,
    ResultRef,
    Update,
)
from rihub.web import data
from rihub.web.charts import IndicatorChart, indicator_chart
from rihub.web.monitor_views import (
    ActivityPage,
    ActivityRow,
    ChartRow,
    HistoryView,
    IndicatorRow,
    IndicatorView,
    InitiativeDashboard,
    PeriodRow,
    ProjectView,
    RegionDashboard,
    ResultPage,
    UpdateRow,
)
from rihub.web.output import Paging, next_url

OBJECT_TYPES = ("project", "indicator", "period", "update", "user", "alignment", "lineage", "result-match")
ACTIONS = (
    "create",
    "update",
    "delete",
    "link",
    "unlink",
    "assign",
    "unassign",
    "submit",
    "approve",
    "return",
    "actual",
    "accept",
    "reject",
    "add",
)


def object_url(object_type: str, object_id: int) -> str | None:
    """The page of an audited object, when it has one."""
    pages = {"project": "projects", "indicator": "indicators", "update": "updates", "alignment": "alignments"}
    return f"/{pages[object_type]}/{object_id}" if object_type in pages else None


def _rows(hub: Hub, found: list[IndicatorProgress], results: dict[int, ResultRef]) -> list[IndicatorRow]:
    """The library's indicator progress with each period's updates (newest first) and links."""
    by_period: dict[int, list[Update]] = defaultdict(list)
    for project_id in sorted({i.project_id for i in found}):
        for u in reversed(hub.updates(project_id=project_id)):
            by_period[u.period_id].append(u)
    return [
        IndicatorRow(
            indicator=i.indicator,
            result=results[i.indicator.result_id],
            periods=[
                PeriodRow(
                    **dict(p), updates=by_period[p.period.id], url=f"/indicators/{i.indicator.id}#period-{p.period.id}"
                )
                for p in i.periods
            ],
            progress=i.progress,
            status=i.status,
            url=f"/indicators/{i.indicator.id}",
        )
        for i in found
    ]


def _progress_of(hub: Hub, result_ids: list[int], project_id: int) -> list[IndicatorRow]:
    """A project's indicators under these expected results, as the library rolls them up."""
    views = [hub.result_progress(result_id) for result_id in result_ids]
    results = {v.result.result_id: v.result for v in views}
    found = [i for v in views for i in v.indicators if i.project_id == project_id]
    return _rows(hub, found, results)


def project_view(hub: Hub, project_id: int) -> ProjectView:
    project = hub.project(project_id)
    return ProjectView(
        project=project,
        indicators=_progress_of(hub, [r.result_id for r in project.results], project_id),
        history_url=f"/history/project/{project_id}",
    )


def indicator_view(hub: Hub, indicator_id: int) -> IndicatorView:
    indicator = hub.indicator(indicator_id)
    rows = _progress_of(hub, [indicator.result_id], indicator.project_id)
    row = next(r for r in rows if r.indicator.id == indicator_id)
    return IndicatorView(
        indicator=indicator,
        project=hub.project(indicator.project_id),
        row=row,
        chart=_chart_of(indicator, [p.period for p in row.periods]),
        history_url=f"/history/indicator/{indicator_id}",
    )


def update_rows(hub: Hub, updates: list[Update]) -> list[UpdateRow]:
    """Updates with their period, indicator and project (for the inbox and the update page)."""
    periods: dict[int, Period] = {}
    indicators: dict[int, Indicator] = {}
    projects: dict[int, Project] = {}
    rows = []
    for u in updates:
        period = periods.get(u.period_id) or periods.setdefault(u.period_id, hub.period(u.period_id))
        indicator = indicators.get(period.indicator_id) or indicators.setdefault(
            period.indicator_id, hub.indicator(period.indicator_id)
        )
        project = projects.get(indicator.project_id) or projects.setdefault(
            indicator.project_id, hub.project(indicator.project_id)
        )
        rows.append(
            UpdateRow(
                update=u,
                period=period,
                indicator=indicator,
                project_id=project.id,
                project_title=project.title,
                url=f"/updates/{u.id}",
            )
        )
    return rows


def update_row(hub: Hub, update_id: int) -> UpdateRow:
    (row,) = update_rows(hub, [hub.update(update_id)])
    return row


def relink(hub: Hub, actor: Actor, project: Project, wanted: list[str] | None) -> Project:
    """Link the project to the expected results ``wanted`` (keys or ids) and unlink the others
    (None: leave the links as they are)."""
    if wanted is None:
        return project
    ids = {hub.result_ref(key).result_id for key in wanted}
    have = {r.result_id for r in project.results}
    for result_id in sorted(ids - have):
        project = hub.project_link(actor, project.id, result_id)
    for result_id in sorted(have - ids):
        project = hub.project_unlink(actor, project.id, result_id)
    return project


def review_step(hub: Hub, actor: Actor, update_id: int, step: str, version: int, comment: str | None) -> Update:
    """Submit, approve or return: the one place the API and the forms turn a step into a hub call."""
    if step == "submit":
        return hub.update_submit(actor, update_id, version)
    if step == "approve":
        return hub.update_approve(actor, update_id, version, comment or None)
    if step == "return":
        return hub.update_return(actor, update_id, version, comment or "")
    raise InputError("the step is submit, approve or return")


def inbox(hub: Hub) -> list[UpdateRow]:
    """Submitted updates waiting for a reviewer, oldest first."""
    return update_rows(hub, hub.updates(status="submitted"))


def history(hub: Hub, object_type: str, object_id: int) -> HistoryView:
    if object_type not in OBJECT_TYPES:
        raise NotFoundError(f"no history for {object_type!r}; the kinds are {', '.join(OBJECT_TYPES)}")
    entries = hub.audit_history(object_type, object_id)
    if not entries:
        raise NotFoundError(f"no {object_type} #{object_id} in the audit trail")
    title = _title(entries[-1].after or entries[-1].before or {}, object_type, object_id)
    return HistoryView(
        object_type=object_type,
        object_id=object_id,
        title=title,
        url=object_url(object_type, object_id) or "/activity",
        entries=entries,
    )


def _title(snapshot: dict[str, object], object_type: str, object_id: int) -> str:
    name = snapshot.get("title") or snapshot.get("username")
    return f"{object_type} #{object_id}" + (f": {name}" if name else "")


def activity(
    hub: Hub,
    request: Request,
    page: Paging,
    object_type: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
) -> ActivityPage:
    """The registry-wide feed with its filters; the same for /activity and /activity.json."""
    if object_type and object_type not in OBJECT_TYPES:
        raise InputError(f"type is one of {', '.join(OBJECT_TYPES)}")
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC) if since else None
    entries, total = hub.activity(
        object_type=object_type or None,
        actor=actor or None,
        action=action or None,
        since=start,
        limit=page.size,
        offset=page.offset,
    )
    return ActivityPage(
        data=[ActivityRow(**dict(e), url=object_url(e.object_type, e.object_id)) for e in entries],
        count=total,
        next=next_url(request, page, total),
        object_type=object_type or None,
        actor=actor or None,
        action=action or None,
        since=since,
    )


def _chart_of(indicator: Indicator, periods: list[Period]) -> IndicatorChart:
    baseline = (
        (dt.date(indicator.baseline_year, 1, 1), indicator.baseline_value)
        if indicator.baseline_year is not None and indicator.baseline_value is not None
        else None
    )
    return indicator_chart(
        baseline,
        [(p.end_date, p.target) for p in periods if p.target is not None],
        [(p.end_date, p.actual) for p in periods if p.actual is not None],
        indicator.unit,
    )


def _charts(results: list[ResultProgress]) -> list[ChartRow]:
    """A chart for every indicator with something to draw (a baseline, a target or an actual)."""
    out = []
    for r in results:
        for i in r.indicators:
            chart = _chart_of(i.indicator, [p.period for p in i.periods])
            if not chart.empty:
                out.append(ChartRow(indicator=i.indicator, chart=chart, url=f"/indicators/{i.indicator.id}"))
    return out


def initiative_dashboard(hub: Hub, code: str, cycle: str | None = None) -> InitiativeDashboard:
    found = hub.initiative_progress(code, cycle)
    return InitiativeDashboard(**dict(found), charts=_charts(found.results))


def region_dashboard(hub: Hub, code: str, cycle: str | None = None) -> RegionDashboard:
    found = hub.region_progress(code, cycle)
    return RegionDashboard(**dict(found), charts=_charts([r for i in found.initiatives for r in i.results]))


def result_page(hub: Hub, code: str, number: int, cycle: str | None = None) -> ResultPage:
    """The expected-result page and its JSON twin: :func:`rihub.web.data.result` plus its
    implementation (projects, indicators, progress and the achieved results documents report)."""
    view = data.result(hub, code, number, cycle)
    return ResultPage(**dict(view), monitoring=hub.result_progress(view.result.id))
