"""The few composite views both the pages and the API answer with, built only from hub methods.

Keeping them here (not in the templates or route functions) is what makes every HTML page and
its JSON twin show the same data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request

from rihub.errors import InputError, NotFoundError
from rihub.hub import Hub
from rihub.web.compare import MAX_CODES, MIN_CODES, compare

Row = dict[str, Any]


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def source_url(span: Row | None) -> str | None:
    """Where a span lives: the source page, its lines highlighted, scrolled to the first one."""
    if not span or not span.get("source_id") or span.get("start") is None:
        return None
    start, end = span["start"], span.get("end") or span["start"]
    return f"/sources/{span['source_id']}?hl={start}-{end}#L{start}"


def badge(alignment: Row) -> str:
    """Provenance as people read it: stated in the document, proposed by the model, or confirmed by a person."""
    if alignment["provenance"] == "document":
        return "document"
    status = str(alignment["status"])
    return "confirmed" if status == "accepted" else status


def home(hub: Hub) -> Row:
    stats = hub.stats()
    return {
        "stats": stats,
        "meetings": [
            {k: m[k] for k in ("region", "region_name", "city", "country", "start_date", "end_date")}
            for m in hub.meetings()
        ],
        "sources": hub.source_documents()[:5],
        "findings": stats["findings"],
    }


def region(hub: Hub, code: str) -> Row:
    code = code.upper()
    counts = next((r for r in hub.stats()["regions"] if r["region"] == code), None)
    if counts is None:
        raise NotFoundError(f"no region {code!r}; the regions are ARB, EUR, ASP, AMS, AFR and CIS")
    return {
        "region": code,
        "name": counts["name"],
        "counts": counts,
        "meeting": hub.meeting(code),
        "initiatives": hub.initiatives(region=code, nested=False),
    }


def regions(hub: Hub) -> list[Row]:
    meetings = {m["region"]: m for m in hub.meetings()}
    out = []
    for r in hub.stats()["regions"]:
        m = meetings.get(r["region"], {})
        out.append(r | {k: m.get(k) for k in ("city", "country", "start_date", "end_date")})
    return out


def result(hub: Hub, code: str, number: int) -> Row:
    item = hub.initiative(code)
    found = next((r for r in item["expected_results"] if r["number"] == number), None)
    if found is None:
        raise NotFoundError(f"{item['code']} has no expected result {number}")
    numbers = [r["number"] for r in item["expected_results"]]
    at = numbers.index(number)
    return {
        "initiative": {
            k: item[k]
            for k in (
                "code",
                "region",
                "region_name",
                "kind",
                "stage",
                "title",
                "objective",
                "objective_kind",
                "results_lead_in",
                "span",
            )
        },
        "result": found,
        "previous": numbers[at - 1] if at > 0 else None,
        "next": numbers[at + 1] if at + 1 < len(numbers) else None,
    }


def expected_results(hub: Hub, region: str | None = None) -> list[Row]:
    return [
        {
            "initiative": i["code"],
            "region": i["region"],
            "number": r["number"],
            "text": r["text"],
            "sub_items": r["sub_items"],
            "footnotes": r["footnotes"],
            "span": r["span"],
        }
        for i in hub.initiatives(region=region)
        for r in i["expected_results"]
    ]


def alignments(hub: Hub, region: str | None = None, framework: str | None = None) -> list[Row]:
    out = []
    for i in hub.initiatives(region=region):
        links = [(None, a) for a in i["alignments"]]
        links += [(r["number"], a) for r in i["expected_results"] for a in r["alignments"]]
        for number, a in links:
            if framework and a["framework"] != framework.upper():
                continue
            out.append({"initiative": i["code"], "region": i["region"], "result": number, **a})
    return out


def officers(hub: Hub, region: str | None = None) -> list[Row]:
    return [{"region": m["region"], **o} for m in hub.meetings(region) for o in m["officers"]]


def parse_codes(raw: Iterable[str]) -> list[str]:
    """Codes from ``?codes=EUR4,ASP5`` or repeated ``?codes=``; duplicates dropped, order kept."""
    codes: list[str] = []
    for value in raw:
        for code in value.replace(" ", ",").split(","):
            code = code.strip().upper()
            if code and code not in codes:
                codes.append(code)
    return codes


def comparison(hub: Hub, codes: list[str]) -> Row:
    if not MIN_CODES <= len(codes) <= MAX_CODES:
        raise InputError(f"choose between {MIN_CODES} and {MAX_CODES} initiatives to compare (got {len(codes)})")
    found = {i["code"]: i for i in hub.initiatives(codes=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise NotFoundError(f"no initiative {', '.join(missing)}")
    return {"codes": codes} | compare([found[c] for c in codes])


def source(hub: Hub, source_id: int) -> Row:
    return hub.source_document(source_id)
