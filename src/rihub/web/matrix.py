"""What the /matrix page needs beyond the :class:`~rihub.records.Matrix` its JSON twin serves: rows of
cells with a heat level and a link to the list of what each cell counts."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from rihub.errors import NotFoundError
from rihub.records import Matrix, MatrixCell
from rihub.web.views import MatrixGridCell, MatrixGridRow

HEAT_LEVELS = 5


def _weight(cell: MatrixCell) -> int:
    return cell.initiatives + cell.results


def url(matrix: Matrix, region: str | None = None, column: str | None = None) -> str:
    """The page for this matrix (same ``by``, ``include`` and cycle), one cell's list selected."""
    params = {"by": matrix.by, "include": ",".join(matrix.include)}
    if matrix.cycle:
        params["cycle"] = matrix.cycle
    if region and column:
        params |= {"region": region, "column": column}
    return "/matrix?" + urlencode(params) + ("#cell" if region and column else "")


def grid(matrix: Matrix) -> list[MatrixGridRow]:
    """One row per column of the matrix (themes, goals…), one cell per region, heat relative to the fullest cell."""
    top = max((_weight(c) for c in matrix.cells), default=0) or 1
    rows = []
    for column in matrix.columns:
        cells = []
        for region in matrix.regions:
            cell = matrix.cell(region, column.code)
            left_out = sum(1 for i in cell.items if not i.counted)
            cells.append(
                MatrixGridCell(
                    region=region,
                    initiatives=cell.initiatives,
                    results=cell.results,
                    left_out=left_out,
                    heat=math.ceil(HEAT_LEVELS * _weight(cell) / top),
                    url=url(matrix, region, column.code),
                )
            )
        rows.append(MatrixGridRow(code=column.code, label=column.label, regions=column.regions, cells=cells))
    return rows


def selected(matrix: Matrix, region: str | None, column: str | None) -> MatrixCell | None:
    """The cell ``?region=&column=`` asks for (None when not asked; 404 for one the matrix lacks)."""
    if not region and not column:
        return None
    wanted_region, wanted_column = (region or "").upper(), (column or "").strip()
    for cell in matrix.cells:
        if cell.region == wanted_region and cell.column.upper() == wanted_column.upper():
            return cell
    raise NotFoundError(f"the {matrix.by} matrix has no cell {region!r} × {column!r}")


def toggle_proposed(matrix: Matrix) -> str:
    """The same page with proposed links counted, or no longer counted."""
    kinds = (
        [k for k in matrix.include if k != "proposed"]
        if "proposed" in matrix.include
        else [*matrix.include, "proposed"]
    )
    return url(matrix.model_copy(update={"include": kinds or ["document"]}))
