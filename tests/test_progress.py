"""The rollup rule (rihub.monitor.progress) and the dashboards built on it, on the bundled report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from monitor_support import copy_of, planned, team
from rihub.hub import Hub
from rihub.monitor.progress import combined_status, derived_status, period_progress, rollup
from rihub.records import Indicator, Period, PeriodInput, UpdateInput

STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def indicator(baseline: float | None, ascending: bool = True, measure: str = "unit") -> Indicator:
    return Indicator(
        id=1,
        project_id=1,
        result_id=1,
        title="x",
        measure=measure,  # type: ignore[arg-type]
        ascending=ascending,
        baseline_value=baseline,
        version=1,
        created_at=STAMP,
        updated_at=STAMP,
    )


def period(target: float | None, actual: float | None) -> Period:
    return Period(id=1, indicator_id=1, start_date=YEAR[0], end_date=YEAR[1], target=target, actual=actual, version=1)


@pytest.mark.parametrize(
    ("baseline", "ascending", "target", "actual", "expected"),
    [
        (10, True, 50, 30, 50.0),
        (10, True, 50, 70, 100.0),  # beyond the target: clamped
        (10, True, 50, 5, 0.0),  # below the baseline: clamped
        (40, False, 20, 30, 50.0),  # descending: fewer is better
        (40, False, 20, 45, 0.0),
        (None, True, 8, 2, 25.0),  # no baseline: from 0
        (5, True, 5, 5, 100.0),  # target equal to baseline: met
        (5, False, 5, 6, 0.0),  # ... or not, in the indicator's direction
    ],
)
def test_period_progress_runs_from_baseline_to_target(
    baseline: float | None, ascending: bool, target: float, actual: float, expected: float
) -> None:
    assert period_progress(indicator(baseline, ascending), period(target, actual)) == expected


def test_not_reported_is_none_never_zero() -> None:
    assert period_progress(indicator(10), period(50, None)) is None
    assert period_progress(indicator(None, measure="qualitative"), period(None, None), "on-track") is None
    assert period_progress(indicator(None, measure="qualitative"), period(None, None), "completed") == 100.0
    group = rollup([(None, None), (80.0, "on-track"), (40.0, "off-track"), (None, "not-started")])
    assert (group.progress, group.status, group.reported, group.not_reported) == (60.0, "off-track", 2, 2)
    empty = rollup([(None, None), (None, None)])
    assert (empty.progress, empty.status, empty.reported, empty.not_reported) == (None, None, 0, 2)


def test_status_compares_progress_with_the_time_gone_by() -> None:
    half = dt.date(2026, 7, 2)  # 183 of 365 days
    assert derived_status(50.0, period(1, 1), half) == "on-track"
    assert derived_status(35.0, period(1, 1), half) == "at-risk"
    assert derived_status(20.0, period(1, 1), half) == "off-track"
    assert derived_status(100.0, period(1, 1), half) == "completed"
    assert derived_status(None, period(1, None), dt.date(2025, 6, 1)) == "not-started"
    assert derived_status(None, period(1, None), half) is None
    assert combined_status(["completed", "completed", None]) == "completed"
    assert combined_status(["completed", "not-started"]) == "on-track"


def test_dashboards_roll_up_the_approved_actuals(demo_hub: Hub, tmp_path: Path) -> None:
    hub = copy_of(demo_hub, tmp_path / "progress.db")
    people = team(hub)
    project, ind, current = planned(hub, people.contributor, baseline=10, target=50)
    past = hub.period_add(
        people.contributor,
        PeriodInput(indicator_id=ind.id, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31), target=20),
    )
    update = hub.update_add(people.contributor, UpdateInput(period_id=current.id, value=30))
    update = hub.update_submit(people.contributor, update.id, update.version)
    as_of = dt.date(2026, 7, 2)
    before = hub.result_progress("AFR1.16", as_of=as_of)
    assert before.rollup.progress is None and before.rollup.not_reported == 1  # submitted is not approved
    hub.update_approve(people.reviewer, update.id, update.version)

    result = hub.result_progress("AFR1.16", as_of=as_of)
    assert [p.id for p in result.projects] == [project.id]
    [series] = result.indicators
    assert [(p.period.id, p.progress, p.overdue) for p in series.periods] == [
        (past.id, None, True),  # ended in 2025 with nothing approved
        (current.id, 50.0, False),
    ]
    assert (series.progress, series.status) == (50.0, "on-track")
    assert (result.rollup.progress, result.rollup.reported) == (50.0, 1)
    assert result.achieved_results == hub.initiative("AFR1").achieved_results

    afr1 = hub.initiative_progress("AFR1", as_of=as_of)
    assert len(afr1.results) == len(hub.initiative("AFR1").expected_results)
    assert (afr1.monitored, afr1.rollup.progress, afr1.rollup.reported) == (1, 50.0, 1)
    assert afr1.rollup.not_reported == len(afr1.results) - 1
    assert [(o.period_id, o.days_overdue) for o in afr1.overdue] == [(past.id, (as_of - dt.date(2025, 12, 31)).days)]

    region = hub.region_progress("afr", as_of=as_of)
    assert region.name.lower().startswith("africa")
    assert region.rollup.progress == 50.0 and region.rollup.reported == 1
    assert region.rollup.not_reported == len(region.initiatives) - 1
    assert [o.period_id for o in region.overdue] == [past.id]
    assert hub.region_progress("EUR", as_of=as_of).rollup.progress is None
    assert [o.result.initiative for o in hub.overdue_updates(as_of=as_of)] == ["AFR1"]
