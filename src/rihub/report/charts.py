"""Charts of the synthesis, drawn with matplotlib's Agg backend: PNG for Word, SVG inline for HTML/PDF.

One drawing — a heat map of counts (regions × framework items, or regions × themes) with the
agreed count in each cell and the proposed-only count after a "+" — serves every synthesis part
that has a chart, so a new part gets its picture without new drawing code.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any

from rihub.report.model import Heatmap

ITU_BLUE = "#1d4f91"


@lru_cache(maxsize=1)
def _pyplot() -> Any:
    """matplotlib, imported on first use and set to the file-only Agg backend (no display, no GUI)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "none"})
    return plt


def figure(chart: Heatmap) -> Any:
    plt = _pyplot()
    from matplotlib.colors import LinearSegmentedColormap

    width = max(4.0, 0.42 * len(chart.columns) + 1.2)
    # the column labels stand at 60°: room below the grid for the longest (theme names run to ~40 characters)
    longest = max((len(c) for c in chart.columns), default=0)
    height = max(1.2, 0.36 * len(chart.rows) + 0.9) + 0.055 * longest
    fig, ax = plt.subplots(figsize=(width, height), dpi=150)
    cmap = LinearSegmentedColormap.from_list("itu", ["#ffffff", ITU_BLUE])
    top = max([max(row, default=0) for row in chart.values] + [1])
    ax.imshow(chart.values, cmap=cmap, vmin=0, vmax=top, aspect="auto")
    for r, row in enumerate(chart.values):
        for c, value in enumerate(row):
            extra = chart.extra[r][c]
            label = (str(value) if value else "") + (f"+{extra}" if extra else "")
            if label:
                ax.text(
                    c, r, label, ha="center", va="center", fontsize=7, color="white" if value > top / 2 else "black"
                )
    ax.set_xticks(range(len(chart.columns)), chart.columns, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(chart.rows)), chart.rows)
    ax.set_xticks([x - 0.5 for x in range(1, len(chart.columns))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(chart.rows))], minor=True)
    ax.grid(which="minor", color="#d0d7e2", linewidth=0.6)
    ax.tick_params(which="both", length=0)
    ax.set_title(chart.title, fontsize=9, loc="left")
    fig.tight_layout()
    return fig


def png(chart: Heatmap) -> bytes:
    plt = _pyplot()
    fig = figure(chart)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150)
    plt.close(fig)
    return out.getvalue()


def svg(chart: Heatmap) -> str:
    """An ``<svg>`` element to inline in HTML (no XML prolog, no fixed pixel size: it scales)."""
    plt = _pyplot()
    fig = figure(chart)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = out.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart" role="img"', text, count=1)
