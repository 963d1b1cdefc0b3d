"""Server-drawn SVG charts for the monitoring pages: geometry only, the template draws the shapes.

The site's content-security policy allows no inline style and no script from elsewhere, so a chart
is an ``<svg>`` whose shapes carry only coordinates and class names; this module turns an
indicator's baseline, targets and approved actuals into those coordinates. Nothing is drawn for a
period that was never reported: a gap in the line, not a point at zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rihub.records import Record

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 640, 220, 56, 16, 36


class ChartPoint(Record):
    """One value at one date, placed: ``x``/``y`` in the SVG's user units."""

    day: dt.date
    value: float
    x: float
    y: float
    label: str


class ChartTick(Record):
    at: float
    label: str


class IndicatorChart(Record):
    """An indicator over time: baseline, target and actual series (actuals only where reported)."""

    width: int
    height: int
    baseline: ChartPoint | None
    targets: list[ChartPoint]
    actuals: list[ChartPoint]
    actual_path: str  # "x,y x,y …" for <polyline points=…>; empty when fewer than two actuals
    x_ticks: list[ChartTick]
    y_ticks: list[ChartTick]
    unit: str
    empty: bool


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _nice_range(values: Sequence[float]) -> tuple[float, float]:
    """An axis from 0 (or the lowest value when negative) to a little above the highest."""
    lo, hi = min(0.0, *values), max(values)
    if hi == lo:
        hi = lo + 1
    return lo, hi + (hi - lo) * 0.08


def indicator_chart(
    baseline: tuple[dt.date, float] | None,
    targets: Sequence[tuple[dt.date, float]],
    actuals: Sequence[tuple[dt.date, float]],
    unit: str = "",
) -> IndicatorChart:
    """Place the series on shared axes: time left to right (by period end), values bottom to top."""
    points = [*([baseline] if baseline else []), *targets, *actuals]
    if not points:
        return IndicatorChart(
            width=WIDTH,
            height=HEIGHT,
            baseline=None,
            targets=[],
            actuals=[],
            actual_path="",
            x_ticks=[],
            y_ticks=[],
            unit=unit,
            empty=True,
        )
    first, last = min(d for d, _ in points), max(d for d, _ in points)
    span = max(1, (last - first).days)
    lo, hi = _nice_range([v for _, v in points])
    inner_w, inner_h = WIDTH - 2 * PAD_X, HEIGHT - PAD_TOP - PAD_BOTTOM

    def place(day: dt.date, value: float, label: str) -> ChartPoint:
        x = PAD_X + (day - first).days / span * inner_w if span > 1 or first != last else WIDTH / 2
        y = PAD_TOP + (1 - (value - lo) / (hi - lo)) * inner_h
        return ChartPoint(day=day, value=value, x=round(x, 1), y=round(y, 1), label=f"{label} {_fmt(value)} {unit}")

    placed_actuals = [place(d, v, f"{d:%b %Y}: actual") for d, v in sorted(actuals)]
    years = range(first.year, last.year + 1)
    x_ticks = [
        ChartTick(at=place(dt.date(y, 1, 1), lo, "").x, label=str(y)) for y in years if dt.date(y, 1, 1) >= first
    ]
    steps = 4
    y_ticks = [
        ChartTick(at=round(PAD_TOP + (1 - i / steps) * inner_h, 1), label=_fmt(lo + (hi - lo) * i / steps))
        for i in range(steps + 1)
    ]
    return IndicatorChart(
        width=WIDTH,
        height=HEIGHT,
        baseline=place(*baseline, "baseline") if baseline else None,
        targets=[place(d, v, f"{d:%b %Y}: target") for d, v in sorted(targets)],
        actuals=placed_actuals,
        actual_path=" ".join(f"{p.x},{p.y}" for p in placed_actuals) if len(placed_actuals) > 1 else "",
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        unit=unit,
        empty=False,
    )
