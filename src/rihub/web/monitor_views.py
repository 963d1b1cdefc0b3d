"""The monitoring pages' own records: what a page and its JSON twin share, and the API's bodies.

Built by :mod:`rihub.web.monitor_data` from the hub's monitoring records; the API declares them
as response models, so ``/docs`` shows what is served and what a write takes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from rihub.records import (
    AuditEntry,
    Indicator,
    IndicatorInput,
    InitiativeProgress,
    Period,
    PeriodInput,
    PeriodProgress,
    ProgressStatus,
    Project,
    ProjectInput,
    Record,
    RegionProgress,
    ResultProgress,
    ResultRef,
    Update,
    UpdateInput,
)
from rihub.web.charts import IndicatorChart
from rihub.web.views import ErrorDetail, ResultView

VERSION = Field(ge=1, description="The version the change is based on (from the record you read)")


# --- API bodies ---------------------------------------------------------------------------------


class ProjectCreate(ProjectInput):
    results: list[str] = Field(
        default=[], description="Expected results it serves, as keys: AFR1.16 (latest cycle) or WTDC-25/AFR1/16"
    )


class ProjectChange(ProjectInput):
    version: Annotated[int, VERSION]
    results: list[str] | None = Field(
        default=None,
        description="The expected results it serves from now on (keys); omit to leave the links as they are",
    )


class IndicatorChange(IndicatorInput):
    version: Annotated[int, VERSION]


class PeriodChange(PeriodInput):
    version: Annotated[int, VERSION]


class UpdateChange(UpdateInput):
    version: Annotated[int, VERSION]


class ReviewAction(Record):
    """Submit, approve or return an update; a return needs a comment saying what to change."""

    version: Annotated[int, VERSION]
    comment: Annotated[str, Field(max_length=4000)] | None = None


class ConflictBody(Record):
    """409: the change was based on an old version; ``current`` is the record as it now stands."""

    error: ErrorDetail
    current: Project | Indicator | Period | Update


# --- pages --------------------------------------------------------------------------------------


class PeriodRow(PeriodProgress):
    """A period as the library rolls it up, with its updates (newest first)."""

    updates: list[Update]
    url: str


class IndicatorRow(Record):
    """An indicator with its periods and progress (the library's rule: :mod:`rihub.monitor.progress`)."""

    indicator: Indicator
    result: ResultRef
    periods: list[PeriodRow]
    progress: float | None = Field(description="Percent from baseline to target of the latest reported period")
    status: ProgressStatus | None
    url: str


class ProjectView(Record):
    """One project: the results it serves, its indicators with their periods and updates."""

    project: Project
    indicators: list[IndicatorRow]
    history_url: str


class IndicatorView(Record):
    """One indicator: its project, result, periods with updates, and the chart of its values."""

    indicator: Indicator
    project: Project
    row: IndicatorRow
    chart: IndicatorChart
    history_url: str


class UpdateRow(Record):
    """An update with what it reports on, for the reviewer inbox and the update page."""

    update: Update
    period: Period
    indicator: Indicator
    project_id: int
    project_title: str
    url: str


class HistoryView(Record):
    """Every write to one object, oldest first."""

    object_type: str
    object_id: int
    title: str
    url: str
    entries: list[AuditEntry]


class ActivityRow(AuditEntry):
    url: str | None = Field(description="The object's page, when it has one")


class ActivityPage(Record):
    """The registry-wide feed, newest first, with the filters applied."""

    data: list[ActivityRow]
    count: int
    next: str | None
    object_type: str | None
    actor: str | None
    action: str | None
    since: dt.date | None


class ChartRow(Record):
    indicator: Indicator
    chart: IndicatorChart
    url: str


class InitiativeDashboard(InitiativeProgress):
    """An initiative's progress (per expected result, overdue updates) and its indicators' charts."""

    charts: list[ChartRow]


class RegionDashboard(RegionProgress):
    """A region's progress (per initiative, overdue updates) and its indicators' charts."""

    charts: list[ChartRow]


class ResultPage(ResultView):
    """The expected-result page: the result as the registry states it, and its implementation."""

    monitoring: ResultProgress
