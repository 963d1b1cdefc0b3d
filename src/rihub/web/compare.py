"""Side by side: the expected results of 2–6 initiatives, one row per overlap cluster.

The rows are the clusters of :meth:`rihub.hub.Hub.overlaps` (the same as /overlaps) restricted to
the results of the initiatives compared, so choosing other initiatives only drops results from a
row, never regroups them, and a row never says something the result page's cluster contradicts.
A cluster becomes a row when it holds results of two or more of the initiatives; every other
result is "unmatched" and listed under its own initiative.
"""

from __future__ import annotations

from rihub.records import InitiativeNested, Overlaps
from rihub.web.views import CompareCell, CompareColumn, CompareRow, CompareSubItem, Comparison

MIN_CODES, MAX_CODES = 2, 6


def compare(initiatives: list[InitiativeNested], found: Overlaps, cycle: str | None = None) -> Comparison:
    """Columns (one per initiative, in the order given), the cluster rows and the unmatched results.

    ``found`` is the cycle's overlaps restricted to these initiatives' results; ``cycle`` (the one
    the page was asked for) is kept in the links.
    """
    codes = [init.code for init in initiatives]
    column_of = {init.id: col for col, init in enumerate(initiatives)}
    results = {r.id: (col, r) for col, init in enumerate(initiatives) for r in init.expected_results}
    pin = f"?cycle={cycle}" if cycle else ""

    def cell(result_id: int) -> CompareCell:
        col, r = results[result_id]
        return CompareCell(
            number=r.number,
            text=r.text,
            sub_items=[CompareSubItem(label=s.label, text=s.text) for s in r.sub_items],
            url=f"/initiatives/{codes[col]}/results/{r.number}{pin}",
            span=r.span,
        )

    rows: list[CompareRow] = []
    unmatched: list[list[CompareCell]] = [[] for _ in initiatives]
    for c in [*found.shared, *found.one_region]:
        cells: list[list[CompareCell]] = [[] for _ in initiatives]
        for m in sorted(c.members, key=lambda m: m.number):
            cells[column_of[m.initiative_id]].append(cell(m.result_id))
        if sum(1 for x in cells if x) < 2:
            for col, shown in enumerate(cells):
                unmatched[col].extend(shown)
            continue
        rows.append(
            CompareRow(
                cluster_id=c.id,
                cells=cells,
                **c.model_dump(include={"regions", "shared_terms", "similarity", "semantic", "lexical", "explanation"}),
                url=f"/overlaps{pin}#{c.id}",
            )
        )
    rows.sort(key=lambda row: (-sum(1 for x in row.cells if x), -sum(map(len, row.cells)), row.cluster_id))
    for listed in unmatched:
        listed.sort(key=lambda x: x.number)
    columns = [
        CompareColumn(
            **init.model_dump(
                include={"code", "region", "region_name", "kind", "title", "objective", "objective_kind"}
            ),
            expected_result_count=len(init.expected_results),
            url=f"/initiatives/{init.code}{pin}",
        )
        for init in initiatives
    ]
    return Comparison(
        codes=codes, columns=columns, rows=rows, unmatched=unmatched, method=found.method, note=found.note
    )
