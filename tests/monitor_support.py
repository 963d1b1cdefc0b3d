"""Accounts and a small monitored project for the monitoring tests (users inserted as rows: the
accounts code is another capability's; these tests need only people with roles)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rihub.hub import Hub
from rihub.records import Actor, Indicator, IndicatorInput, Period, PeriodInput, Project, ProjectInput
from rihub.store import schema as t
from rihub.store.common import insert_one, now

CLI = Actor(user_id=None, username="cli:test", role="admin")


def copy_of(hub: Hub, path: Path) -> Hub:
    """A writable copy of a session registry (imported late: web_fixtures is also a pytest plugin,
    and importing it before pytest registers it would leave its assertions unrewritten)."""
    from web_fixtures import copy_hub

    return copy_hub(hub, path)


def person(hub: Hub, username: str, role: str, disabled: bool = False) -> Actor:
    """An account row with ``role``, as the accounts capability would store it."""
    with hub.engine.begin() as conn:
        stamp = now()
        user_id = insert_one(
            conn, t.users, username=username, role=role, disabled=disabled, created_at=stamp, updated_at=stamp
        )
    return Actor(user_id=user_id, username=username, role=role)  # type: ignore[arg-type]


def assign(hub: Hub, actor: Actor, project_id: int) -> None:
    """An assignment row, as an admin's `rihub user assign` would store it."""
    with hub.engine.begin() as conn:
        conn.execute(t.assignments.insert().values(user_id=actor.user_id, project_id=project_id))


@dataclass(frozen=True)
class Team:
    contributor: Actor
    other: Actor  # a contributor assigned to nothing
    reviewer: Actor
    second_reviewer: Actor


def team(hub: Hub) -> Team:
    return Team(
        contributor=person(hub, "carla", "contributor"),
        other=person(hub, "omar", "contributor"),
        reviewer=person(hub, "rita", "reviewer"),
        second_reviewer=person(hub, "ravi", "reviewer"),
    )


def planned(
    hub: Hub, actor: Actor, result: str = "AFR1.16", baseline: float = 10.0, target: float = 50.0
) -> tuple[Project, Indicator, Period]:
    """A project on ``result`` with one indicator (baseline in 2025) and one 2026 period."""
    project = hub.project_add(
        actor,
        ProjectInput(
            title="Early warning pilots",
            partners=["WMO", "UNDRR"],
            countries=["KE", "SN"],
            budget=250000,
            currency="USD",
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2029, 12, 31),
            status="on-track",
        ),
        results=[result],
    )
    indicator = hub.indicator_add(
        actor,
        IndicatorInput(
            project_id=project.id,
            result_id=project.results[0].result_id,
            title="Countries with a multi-hazard early warning system",
            measure="unit",
            unit="countries",
            baseline_year=2025,
            baseline_value=baseline,
        ),
    )
    period = hub.period_add(
        actor,
        PeriodInput(
            indicator_id=indicator.id, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31), target=target
        ),
    )
    return project, indicator, period
