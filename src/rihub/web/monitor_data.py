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
from rihub.records import AchievedResult, Actor, Indicator, Initiative, Period, Project, ResultRef, Update
from rihub.web import data
from rihub.web.charts import IndicatorChart, indicator_chart
from rihub.web.data import with_cycle
from rihub.web.monitor_views import (
    ActivityPage,
    ActivityRow,
    ChartRow,
    Dashboard,
    HistoryView,
    IndicatorRow,
    IndicatorView,
    OverdueRow,
    PeriodRow,
    ProgressRow,
    ProjectView,
    ResultMonitoring,
    ResultPage,
    UpdateRow,
)
from rihub.web.output import Paging, next_url

OBJECT_TYPES = ("project", "indicator", "period", "update", "user", "alignment")
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
)


def object_url(object_type: str, object_id: int) -> str | None:
    """The page of an audited object, when it has one."""
    pages = {"project": "projects", "indicator": "indicators", "update": "updates", "alignment": "alignments"}
    return f"/{pages[object_type]}/{object_id}" if object_type in pages else None


def _overdue(period: Period, updates: list[Update], today: dt.date) -> bool:
    return period.end_date < today and not any(u.status == "approved" for u in updates)


def progress(indicator: Indicator, periods: list[Period]) -> float | None:
    """How far the latest approved actual has come from the baseline towards the latest period's
    target (0–1, capped). None — "not reported" — when there is no approved actual or nothing to
    measure against; a qualitative indicator has no share."""
    reported = [p for p in periods if p.actual is not None]
    targets = [p for p in periods if p.target is not None]
    if indicator.measure == "qualitative" or not reported or not targets:
        return None
    actual, target = reported[-1].actual, targets[-1].target
    assert actual is not None and target is not None
    base = indicator.baseline_value if indicator.baseline_value is not None else 0.0
    span = (target - base) if indicator.ascending else (base - target)
    if span <= 0:
        return 1.0 if (actual >= target if indicator.ascending else actual <= target) else 0.0
    moved = (actual - base) if indicator.ascending else (base - actual)
    return max(0.0, min(1.0, moved / span))


def mean(values: list[float | None]) -> float | None:
    """The mean of what was reported; None (not reported) when nothing was — never 0."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def indicator_rows(hub: Hub, indicators: list[Indicator], today: dt.date | None = None) -> list[IndicatorRow]:
    """Indicators with their periods, updates (newest first) and progress."""
    today = today or dt.date.today()
    projects = sorted({i.project_id for i in indicators})
    by_period: dict[int, list[Update]] = defaultdict(list)
    for project_id in projects:
        for u in reversed(hub.updates(project_id=project_id)):
            by_period[u.period_id].append(u)
    refs: dict[int, ResultRef] = {}
    rows = []
    for i in indicators:
        if i.result_id not in refs:
            refs[i.result_id] = hub.result_ref(i.result_id)
        periods = hub.periods(i.id)
        rows.append(
            IndicatorRow(
                indicator=i,
                result=refs[i.result_id],
                periods=[
                    PeriodRow(
                        period=p,
                        updates=by_period[p.id],
                        overdue=_overdue(p, by_period[p.id], today),
                        url=f"/indicators/{i.id}#period-{p.id}",
                    )
                    for p in periods
                ],
                progress=progress(i, periods),
                url=f"/indicators/{i.id}",
            )
        )
    return rows


def project_view(hub: Hub, project_id: int) -> ProjectView:
    project = hub.project(project_id)
    return ProjectView(
        project=project,
        indicators=indicator_rows(hub, hub.indicators(project_id=project_id)),
        history_url=f"/history/project/{project_id}",
    )


def indicator_view(hub: Hub, indicator_id: int) -> IndicatorView:
    indicator = hub.indicator(indicator_id)
    (row,) = indicator_rows(hub, [indicator])
    periods = [r.period for r in row.periods]
    chart = _chart_of(indicator, periods)
    return IndicatorView(
        indicator=indicator,
        project=hub.project(indicator.project_id),
        result=row.result,
        periods=row.periods,
        progress=row.progress,
        chart=chart,
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


def result_monitoring(hub: Hub, result_id: int, achieved: list[AchievedResult]) -> ResultMonitoring:
    """What the expected-result page shows of its implementation (``achieved``: what published
    documents report as done under its initiative)."""
    rows = indicator_rows(hub, hub.indicators(result_id=result_id))
    return ResultMonitoring(
        result=hub.result_ref(result_id),
        projects=hub.projects(result=result_id),
        indicators=rows,
        progress=mean([r.progress for r in rows]),
        achieved=achieved,
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


def _rollup(label: str, text: str, url: str, rows: list[IndicatorRow], projects: int) -> ProgressRow:
    return ProgressRow(
        label=label,
        text=text,
        url=url,
        progress=mean([r.progress for r in rows]),
        projects=projects,
        indicators=len(rows),
        reported=sum(1 for r in rows if r.progress is not None),
        overdue=sum(1 for r in rows for p in r.periods if p.overdue),
    )


def _results_rows(hub: Hub, item: Initiative, pin: str | None) -> tuple[list[ProgressRow], list[IndicatorRow]]:
    out, every = [], []
    for r in item.expected_results:
        rows = indicator_rows(hub, hub.indicators(result_id=r.id))
        url = with_cycle(f"/initiatives/{item.code}/results/{r.number}", pin) + "#monitoring"
        out.append(_rollup(f"{item.code}.{r.number}", r.text, url, rows, len(hub.projects(result=r.id))))
        every += rows
    return out, every


def _details(hub: Hub, rows: list[IndicatorRow]) -> tuple[list[OverdueRow], list[ChartRow]]:
    titles: dict[int, str] = {}
    overdue, charts = [], []
    for r in rows:
        i = r.indicator
        if i.project_id not in titles:
            titles[i.project_id] = hub.project(i.project_id).title
        for p in r.periods:
            if p.overdue:
                overdue.append(
                    OverdueRow(
                        indicator_id=i.id, indicator=i.title, project=titles[i.project_id], period=p.period, url=p.url
                    )
                )
        chart = _chart_of(i, [p.period for p in r.periods])
        if not chart.empty:
            charts.append(ChartRow(indicator=i, chart=chart, url=r.url))
    return overdue, charts


def initiative_dashboard(hub: Hub, code: str, cycle: str | None = None) -> Dashboard:
    item = hub.initiative(code, cycle)
    rows, every = _results_rows(hub, item, cycle)
    overdue, charts = _details(hub, every)
    return Dashboard(
        scope="initiative",
        code=item.code,
        title=item.title,
        cycle=item.conference,
        progress=mean([r.progress for r in every]),
        rows=rows,
        overdue=overdue,
        charts=charts,
    )


def region_dashboard(hub: Hub, code: str, cycle: str | None = None) -> Dashboard:
    region = data.region(hub, code, cycle)
    rows, every = [], []
    for head in region.initiatives:
        item = hub.initiative(head.code, region.cycle)
        _, mine = _results_rows(hub, item, cycle)
        projects = len(hub.projects(initiative=item.code, cycle=item.conference))
        url = with_cycle(f"/initiatives/{item.code}/progress", cycle)
        rows.append(_rollup(item.code, item.title, url, mine, projects))
        every += mine
    overdue, charts = _details(hub, every)
    return Dashboard(
        scope="region",
        code=region.region,
        title=region.name,
        cycle=region.cycle,
        progress=mean([r.progress for r in every]),
        rows=rows,
        overdue=overdue,
        charts=charts,
    )


def result_page(hub: Hub, code: str, number: int, cycle: str | None = None) -> ResultPage:
    """The expected-result page and its JSON twin: :func:`rihub.web.data.result` plus monitoring."""
    view = data.result(hub, code, number, cycle)
    achieved = hub.initiative(view.initiative.code, view.initiative.conference).achieved_results
    return ResultPage(**dict(view), monitoring=result_monitoring(hub, view.result.id, achieved))
