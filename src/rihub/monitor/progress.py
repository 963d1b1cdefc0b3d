"""Progress, rolled up from indicator periods to expected results, initiatives and regions.

The rule (docs/monitoring.md says the same, with examples):

- A **period**'s progress is ``(actual − baseline) / (target − baseline)``, as a percentage clamped
  to 0–100. The formula serves descending indicators too (baseline 40, target 20, actual 30 is
  50 %); ``ascending`` only decides a period whose target equals its baseline (met or not). The
  baseline defaults to 0. A qualitative period counts 100 % once its approved update says
  ``completed``, and has no measured progress before. No approved actual: no progress (None).
- A period's **status** is the approved update's status word when its author gave one; otherwise it
  is derived: ``completed`` at 100 %, else progress compared with the share of the period elapsed at
  ``as_of`` — at least 90 % of that pace ``on-track``, at least 60 % ``at-risk``, below that
  ``off-track``; a period not yet started and not reported is ``not-started``.
- An **indicator** reads its latest reported period (by end date) among those begun at ``as_of``
  (so a report as of the end of 2026 does not count a 2027 figure).
- A **group** (an expected result's indicators, an initiative's results, a region's initiatives)
  has the mean progress of the children that report one, with ``reported`` and ``not_reported``
  counts; no reporting child gives None, never 0 %. Its status: ``completed`` when every child with
  a status is, ``not-started`` when every one is, else the worst of the others (off-track, at-risk,
  on-track).
- A period is **overdue** once it has ended with no approved update.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection

from rihub.records import (
    AchievedResult,
    Indicator,
    IndicatorProgress,
    OverdueUpdate,
    Period,
    PeriodProgress,
    ProgressStatus,
    Project,
    ResultProgress,
    ResultRef,
    Rollup,
)
from rihub.store import monitor as store

ON_TRACK = 0.9  # share of the elapsed-time pace (see the module docstring)
AT_RISK = 0.6
WORST_FIRST: tuple[ProgressStatus, ...] = ("off-track", "at-risk", "on-track")


def period_progress(indicator: Indicator, period: Period, approved_word: str | None = None) -> float | None:
    """Percent of the way from baseline to target (0–100), or None when nothing measured is reported."""
    if indicator.measure == "qualitative" or period.target is None:
        return 100.0 if approved_word == "completed" else None
    if period.actual is None:
        return None
    baseline = indicator.baseline_value or 0.0
    if period.target == baseline:
        met = period.actual >= period.target if indicator.ascending else period.actual <= period.target
        return 100.0 if met else 0.0
    share = (period.actual - baseline) / (period.target - baseline)
    return round(min(max(share, 0.0), 1.0) * 100, 1)


def elapsed(period: Period, as_of: dt.date) -> float:
    """The share of the period gone by at ``as_of`` (0 before it starts, 1 once it has ended)."""
    days = (period.end_date - period.start_date).days + 1
    gone = (as_of - period.start_date).days + 1
    return min(max(gone / days, 0.0), 1.0)


def derived_status(progress: float | None, period: Period, as_of: dt.date) -> ProgressStatus | None:
    if progress is None:
        return "not-started" if as_of < period.start_date else None
    if progress >= 100:
        return "completed"
    pace = elapsed(period, as_of)
    if pace == 0:
        return "on-track" if progress > 0 else "not-started"
    ratio = progress / (pace * 100)
    return "on-track" if ratio >= ON_TRACK else "at-risk" if ratio >= AT_RISK else "off-track"


def combined_status(statuses: Sequence[ProgressStatus | None]) -> ProgressStatus | None:
    known = [s for s in statuses if s is not None]
    if not known:
        return None
    for same in ("completed", "not-started"):
        if all(s == same for s in known):
            return same
    return next((s for s in WORST_FIRST if s in known), "on-track")


def rollup(children: Sequence[tuple[float | None, ProgressStatus | None]]) -> Rollup:
    """The mean of the children that report progress, with the counts of those that do not."""
    reported = [p for p, _ in children if p is not None]
    return Rollup(
        progress=round(sum(reported) / len(reported), 1) if reported else None,
        status=combined_status([s for _, s in children]),
        reported=len(reported),
        not_reported=len(children) - len(reported),
    )


def indicator_progress(
    indicator: Indicator,
    project: Project,
    periods: Sequence[Period],
    reviews: dict[int, tuple[bool, str | None, int]],
    as_of: dt.date,
) -> IndicatorProgress:
    points = []
    for period in sorted(periods, key=lambda p: (p.end_date, p.start_date)):
        approved, word, pending = reviews.get(period.id, (False, None, 0))
        progress = period_progress(indicator, period, word)
        status = word if word is not None else derived_status(progress, period, as_of)
        points.append(
            PeriodProgress(
                period=period,
                progress=progress,
                status=status,  # type: ignore[arg-type]
                overdue=period.end_date < as_of and not approved,
                pending=pending,
            )
        )
    started = [p for p in points if p.period.start_date <= as_of]  # a later period counts from its start
    latest = next((p for p in reversed(started) if p.progress is not None or reviews.get(p.period.id, (0,))[0]), None)
    if latest is None:
        status = "not-started" if points and all(as_of < p.period.start_date for p in points) else None
        progress = None
    else:
        status, progress = latest.status, latest.progress
    return IndicatorProgress(
        indicator=indicator,
        project_id=project.id,
        project_title=project.title,
        periods=points,
        progress=progress,
        status=status,  # type: ignore[arg-type]
    )


def result_progress(
    result: ResultRef, projects: Sequence[Project], indicators: Sequence[IndicatorProgress]
) -> ResultProgress:
    return ResultProgress(
        result=result,
        projects=list(projects),
        indicators=list(indicators),
        rollup=rollup([(i.progress, i.status) for i in indicators]),
    )


def overdue_of(results: Sequence[ResultProgress], as_of: dt.date) -> list[OverdueUpdate]:
    """Every overdue period under these results, the longest overdue first."""
    found = [
        OverdueUpdate(
            period_id=p.period.id,
            end_date=p.period.end_date,
            days_overdue=(as_of - p.period.end_date).days,
            pending=p.pending,
            indicator_id=i.indicator.id,
            indicator_title=i.indicator.title,
            project_id=i.project_id,
            project_title=i.project_title,
            result=r.result,
        )
        for r in results
        for i in r.indicators
        for p in i.periods
        if p.overdue
    ]
    return sorted(found, key=lambda o: (-o.days_overdue, o.period_id))


def results_progress(
    conn: Connection,
    results: Sequence[ResultRef],
    as_of: dt.date,
    achieved: dict[int, list[AchievedResult]] | None = None,
    initiative_ids: dict[str, int] | None = None,
) -> list[ResultProgress]:
    """The progress of each result, read in a handful of queries whatever their number.

    ``achieved`` (initiative id → achieved results) with ``initiative_ids`` (code → id) puts what the
    published documents report beside each result.
    """
    ids = [r.result_id for r in results]
    indicators = store.indicators(conn, result_ids=ids)
    projects = {p.id: p for p in store.projects(conn, result_ids=ids)}
    periods: dict[int, list[Period]] = defaultdict(list)
    for period in store.periods(conn, indicator_ids=[i.id for i in indicators]):
        periods[period.indicator_id].append(period)
    reviews = store.period_reviews(conn, [p.id for ps in periods.values() for p in ps])
    by_result: dict[int, list[IndicatorProgress]] = defaultdict(list)
    for indicator in indicators:
        project = projects[indicator.project_id]
        by_result[indicator.result_id].append(
            indicator_progress(indicator, project, periods[indicator.id], reviews, as_of)
        )
    out = []
    for ref in results:
        serving = [p for p in projects.values() if any(r.result_id == ref.result_id for r in p.results)]
        view = result_progress(ref, serving, by_result[ref.result_id])
        if achieved is not None and initiative_ids is not None:
            view = view.model_copy(update={"achieved_results": achieved.get(initiative_ids[ref.initiative], [])})
        out.append(view)
    return out
