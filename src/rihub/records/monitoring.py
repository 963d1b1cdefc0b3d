"""Records of accounts, the audit trail and implementation monitoring."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import Field

from rihub.records.base import Record, Timestamp
from rihub.records.registry import AchievedResult

# --- accounts ---


class Actor(Record):
    """Who is writing: a signed-in account, a script's API token, or the command line.

    Every monitoring and review write takes one; the library checks the role and the project
    assignments itself, so the CLI, the API and the forms enforce the same rules. ``user_id`` is
    None only for the command line run by the machine's operator (``username`` ``cli:<os user>``),
    which acts as an admin.
    """

    user_id: int | None
    username: str
    role: Literal["contributor", "reviewer", "admin"]


class AuditEntry(Record):
    """One write as the audit trail keeps it: who, when, what, and the object before and after."""

    id: int
    at: dt.datetime
    actor: str
    user_id: int | None
    action: str
    object_type: str
    object_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    comment: str | None


class User(Record):
    """An account as everyone may see it: never its password hash."""

    id: int
    username: str
    display_name: str
    role: Literal["contributor", "reviewer", "admin"]
    disabled: bool
    has_password: bool = Field(description="False for an account that works with API tokens only")
    projects: list[int] = Field(description="Ids of the projects the account is assigned to")
    created_at: dt.datetime
    updated_at: dt.datetime


class ApiToken(Record):
    """An API token as stored: its name and first characters, never the secret or its hash."""

    id: int
    user_id: int
    username: str
    name: str
    prefix: str = Field(description="The secret's first characters, to tell tokens apart")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class IssuedToken(Record):
    """A token just made: the only time its secret is shown (only a hash of it is kept)."""

    token: ApiToken
    secret: str


# --- monitoring ---

ProgressStatus = Literal["not-started", "on-track", "at-risk", "off-track", "completed"]
PROGRESS_STATUSES: tuple[str, ...] = ("not-started", "on-track", "at-risk", "off-track", "completed")
Measure = Literal["unit", "percentage", "qualitative"]
UpdateStatus = Literal["draft", "submitted", "approved", "returned"]


class ResultRef(Record):
    """An expected result by its stable id and the key people read (``WTDC-25/AFR1/16``)."""

    result_id: int
    cycle: str
    initiative: str
    region: str
    number: int
    text: str
    status: str  # current | withdrawn

    @property
    def key(self) -> str:
        return f"{self.cycle}/{self.initiative}/{self.number}"

    def __str__(self) -> str:
        return f"{self.initiative}.{self.number}"


class ProjectInput(Record):
    """What a person states about a project (the form and the API body); the store adds the rest."""

    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: str = ""
    partners: list[str] = []
    countries: list[str] = Field(default=[], description="ISO 3166-1 alpha-2 codes")
    budget: Annotated[float, Field(ge=0)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = Field(default=None, description="ISO 4217")
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: ProgressStatus = "not-started"


class Project(ProjectInput):
    """A project serving one or more expected results (by their stable ids)."""

    id: int
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    results: list[ResultRef] = []
    assignees: list[str] = Field(default=[], description="Usernames of the contributors assigned")


class IndicatorInput(Record):
    """An indicator of one expected result within one project (IATI result/indicator)."""

    project_id: int
    result_id: int
    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: str = ""
    measure: Measure = "unit"
    ascending: bool = True
    unit: Annotated[str, Field(max_length=50)] = ""
    baseline_year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    baseline_value: float | None = None
    baseline_comment: str | None = None


class Indicator(IndicatorInput):
    id: int
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class PeriodInput(Record):
    """A reporting period of an indicator: its target; the actual comes from the approved update."""

    indicator_id: int
    start_date: dt.date
    end_date: dt.date
    target: float | None = None
    target_text: str | None = None
    comment: str | None = None


class Period(PeriodInput):
    id: int
    version: int
    actual: float | None = None
    actual_text: str | None = None


class UpdateInput(Record):
    """A progress update on one period: a value (quantitative) or a narrative, and optional evidence."""

    period_id: int
    value: float | None = None
    narrative: str = ""
    progress: ProgressStatus | None = None
    evidence_name: Annotated[str, Field(max_length=255)] | None = None
    evidence_type: Annotated[str, Field(max_length=100)] | None = None


class Update(UpdateInput):
    id: int
    status: UpdateStatus
    evidence_size: int | None = None
    created_by: str
    created_by_id: int
    submitted_at: Timestamp | None = None
    reviewed_by: str | None = None
    reviewed_at: Timestamp | None = None
    review_comment: str | None = None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class Evidence(NamedTuple):
    """An update's evidence file as uploaded."""

    name: str
    content_type: str
    data: bytes


class PeriodProgress(Record):
    """One period of an indicator as a dashboard reads it (a point of its series over time)."""

    period: Period
    progress: float | None = Field(description="Percent of the way from baseline to target, 0–100; None: not reported")
    status: ProgressStatus | None = Field(description="None while nothing is reported for a period under way")
    overdue: bool = Field(description="The period has ended and no update on it is approved")
    pending: int = Field(description="Submitted updates awaiting review")


class IndicatorProgress(Record):
    indicator: Indicator
    project_id: int
    project_title: str
    periods: list[PeriodProgress]
    progress: float | None = Field(description="The latest reported period's; None: not reported")
    status: ProgressStatus | None


class Rollup(Record):
    """Progress of a group: the mean of the children that report one, and how many do not.

    "Not reported" is never 0 %: ``progress`` is None when no child reports, and ``not_reported``
    says how many children have no measured progress (docs/monitoring.md, the rollup rule).
    """

    progress: float | None
    status: ProgressStatus | None
    reported: int
    not_reported: int


class ResultProgress(Record):
    """An expected result with its projects, indicators and their rollup, beside what the published
    documents report as achieved under its initiative."""

    result: ResultRef
    projects: list[Project]
    indicators: list[IndicatorProgress]
    rollup: Rollup
    achieved_results: list[AchievedResult] = []


class OverdueUpdate(Record):
    """A period that has ended with no approved update."""

    period_id: int
    end_date: dt.date
    days_overdue: int
    pending: int = Field(description="Submitted updates awaiting review (the report is in, the review is not)")
    indicator_id: int
    indicator_title: str
    project_id: int
    project_title: str
    result: ResultRef


class InitiativeProgress(Record):
    cycle: str
    code: str
    region: str
    title: str
    objective: str | None = None
    as_of: dt.date
    results: list[ResultProgress]
    monitored: int = Field(description="Expected results with at least one indicator")
    rollup: Rollup
    overdue: list[OverdueUpdate]


class RegionProgress(Record):
    cycle: str
    region: str
    name: str
    as_of: dt.date
    initiatives: list[InitiativeProgress]
    rollup: Rollup
    overdue: list[OverdueUpdate]


class ImportSummary(Record):
    """What an import wrote (all in one transaction): rows read, and objects created or changed."""

    rows: int
    projects_created: int = 0
    projects_updated: int = 0
    links_added: int = 0
    indicators_created: int = 0
    indicators_updated: int = 0
    periods_created: int = 0
    periods_updated: int = 0
