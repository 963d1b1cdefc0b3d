"""The few composite views both the pages and the API answer with, built only from hub methods.

Keeping them here (not in the templates or route functions) is what makes every HTML page and
its JSON twin show the same data.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request

from rihub.errors import InputError, NotFoundError
from rihub.hub import Hub
from rihub.records import (
    Alignment,
    AlignmentRecord,
    Initiative,
    Marks,
    Matrix,
    OverlapCluster,
    Overlaps,
    SearchHit,
    SearchMatch,
    SearchResult,
    SourceDocumentDetail,
    Span,
)
from rihub.web.compare import MAX_CODES, MIN_CODES, compare
from rihub.web.output import Paging, next_url
from rihub.web.views import (
    AlignmentDetail,
    AlignmentRow,
    AlignmentSubject,
    AlignmentView,
    ChangeView,
    CodeTitle,
    Comparison,
    CycleLink,
    DiffView,
    HomeView,
    InitiativeView,
    KeyText,
    LineageEntry,
    MeetingBrief,
    OfficerRow,
    OverlapRow,
    RegionRow,
    RegionView,
    ResultInitiative,
    ResultRedline,
    ResultRow,
    ResultView,
    SearchHitView,
    SearchMatchView,
    SearchPage,
    SimilarResultLink,
    VersionEntry,
)


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def source_url(span: Span | None) -> str | None:
    """Where a span lives: the source page, its lines highlighted, scrolled to the first one."""
    if span is None or not span.source_id or span.start is None:
        return None
    start, end = span.start, span.end or span.start
    return f"/sources/{span.source_id}?hl={start}-{end}#L{start}"


def badge(alignment: Alignment | AlignmentRecord) -> str:
    """Provenance as people read it: stated in the document, proposed by the model, or confirmed by a person."""
    if alignment.provenance == "document":
        return "document"
    return "confirmed" if alignment.status == "accepted" else alignment.status


def framework_title(framework: str, code: str) -> str:
    """A vocabulary label's short title ("" if the code is unknown), for evidence that names other labels."""
    from rihub.frameworks import load

    return next((item.title for item in load(framework) if item.code == code), "")


FRAMEWORK_ORDER = ("SDG", "WSIS", "GDC")
_BADGE_ORDER = {"document": 0, "confirmed": 1, "proposed": 2, "rejected": 3}


def by_framework(links: list[Alignment]) -> list[tuple[str, list[Alignment]]]:
    """Links grouped per framework (SDG, WSIS, GDC); in each, the settled ones first, then proposals by score."""
    groups: dict[str, list[Alignment]] = {}
    for a in links:
        groups.setdefault(a.framework, []).append(a)
    order = [f for f in FRAMEWORK_ORDER if f in groups] + sorted(set(groups) - set(FRAMEWORK_ORDER))
    return [
        (f, sorted(groups[f], key=lambda a: (_BADGE_ORDER.get(badge(a), 9), -(a.score or 0), a.code))) for f in order
    ]


def home(hub: Hub, cycle: str | None = None) -> HomeView:
    stats = hub.stats(cycle)
    return HomeView(
        cycle=stats.cycle,
        stats=stats,
        meetings=[MeetingBrief.model_validate(m, from_attributes=True) for m in hub.meetings(cycle=cycle)],
        sources=hub.source_documents()[:5],
        findings=stats.findings,
    )


def region(hub: Hub, code: str, cycle: str | None = None) -> RegionView:
    """One region in one cycle; a region whose meeting the registry does not hold still has a page."""
    code = code.upper()
    stats = hub.stats(cycle)
    counts = next((r for r in stats.regions if r.region == code), None)
    if counts is None:
        raise NotFoundError(f"no region {code!r}; the regions are ARB, EUR, ASP, AMS, AFR and CIS")
    return RegionView(
        region=code,
        name=counts.name,
        cycle=stats.cycle,
        counts=counts,
        meeting=hub.meeting(code, cycle),
        initiatives=hub.initiatives(region=code, nested=False, cycle=cycle),
    )


def regions(hub: Hub, cycle: str | None = None) -> list[RegionRow]:
    """The meetings table: per region of the cycle, its meeting's dates, venue and officers, and counts."""
    meetings = {m.region: m for m in hub.meetings(cycle=cycle)}
    out = []
    for r in hub.stats(cycle).regions:
        m = meetings.get(r.region)
        officers = m.officers if m else []
        out.append(
            RegionRow(
                **dict(r),
                city=m.city if m else None,
                country=m.country if m else None,
                venue=", ".join(p for p in (m.city, m.country) if p) or None if m else None,
                start_date=m.start_date if m else None,
                end_date=m.end_date if m else None,
                chairs=[o for o in officers if o.role == "chair"],
                vice_chairs=[o for o in officers if o.role == "vice-chair"],
            )
        )
    return out


def result(hub: Hub, code: str, number: int, cycle: str | None = None) -> ResultView:
    item = hub.initiative(code, cycle)
    found = next((r for r in item.expected_results if r.number == number), None)
    if found is None:
        raise NotFoundError(f"{item.code} has no expected result {number}")
    numbers = [r.number for r in item.expected_results]
    at = numbers.index(number)
    cluster = hub.result_cluster(item.code, number, item.conference)
    return ResultView(
        initiative=ResultInitiative.model_validate(item, from_attributes=True),
        result=found,
        previous=numbers[at - 1] if at > 0 else None,
        next=numbers[at + 1] if at + 1 < len(numbers) else None,
        cluster=cluster,
        similar=similar_results(hub, item.code, number, item.conference, pin=cycle, cluster=cluster),
    )


def similar_results(
    hub: Hub,
    code: str,
    number: int,
    cycle: str | None = None,
    limit: int = 5,
    pin: str | None = None,
    cluster: OverlapCluster | None = None,
) -> list[SimilarResultLink]:
    """Closest expected results of other regions in the same cycle, from the vectors `rihub align`
    stored (empty before); ``pin`` is the cycle the page was asked for, kept in the links.

    Members of the result's overlap ``cluster`` come first, marked, so the list and the cluster
    shown above it never disagree; the nearest other results follow, up to ``limit`` in all (every
    member among the neighbours is kept even past it).
    """
    members = {(m.code, m.number) for m in cluster.members} if cluster else set()
    found = hub.similar_results(code, number, limit=10_000, cycle=cycle)
    inside = [s for s in found if (s.code, s.number) in members]
    outside = [s for s in found if (s.code, s.number) not in members][: max(0, limit - len(inside))]
    return [
        SimilarResultLink(
            **s.model_dump(include={"code", "region", "title", "number", "text", "score"}),
            url=with_cycle(f"/initiatives/{s.code}/results/{s.number}", pin),
            in_cluster=s in inside,
        )
        for s in [*inside, *outside]
    ]


def with_cycle(url: str, cycle: str | None) -> str:
    """``url`` pinned to ``cycle`` (a link must not drift to another cycle's initiative of the same code)."""
    if not cycle:
        return url
    path, _, anchor = url.partition("#")
    joined = f"{path}{'&' if '?' in path else '?'}{urlencode({'cycle': cycle})}"
    return joined + (f"#{anchor}" if anchor else "")


def alignment_view(hub: Hub, alignment_id: int) -> AlignmentView:
    """One link, what it is attached to, and every change made to it (who, when, before → after, why)."""
    link = hub.alignment(alignment_id)
    item = hub.initiative(link.initiative, link.cycle)
    result = next((r for r in item.expected_results if r.number == link.result), None)
    page = with_cycle(f"/initiatives/{item.code}" + (f"/results/{link.result}" if result else ""), link.cycle)
    return AlignmentView(
        alignment=AlignmentDetail(
            **link.model_dump(exclude={"initiative_id", "result_id"}),
            badge=badge(link),
            url=f"/alignments/{alignment_id}",
        ),
        subject=AlignmentSubject(
            initiative=item.code,
            cycle=item.conference,
            title=item.title,
            result=link.result,
            text=result.text if result else None,
            url=page,
        ),
        history=hub.alignment_history(alignment_id),
    )


def flash(item: Initiative, reviewed: str | None, alignment_id: str | None) -> str | None:
    """The status line after a review form redirected back; built from the stored link, not the query text."""
    from rihub.web.ids import ascii_id

    wanted = ascii_id(alignment_id, "alignment")
    if reviewed not in ("accepted", "rejected", "added") or wanted is None:
        return None
    places: list[tuple[int | None, Alignment]] = [(None, a) for a in item.alignments]
    places += [(r.number, a) for r in item.expected_results for a in r.alignments]
    for number, a in places:
        if a.id == wanted:
            where = item.code + (f" expected result {number}" if number is not None else "")
            verb = {"accepted": "accepted", "rejected": "rejected", "added": "added and confirmed"}[str(reviewed)]
            return f"{a.framework} {a.code} on {where}: {verb}."
    return None


def expected_results(hub: Hub, region: str | None = None, cycle: str | None = None) -> list[ResultRow]:
    return [
        ResultRow(
            id=r.id,
            cycle=i.conference,
            initiative=i.code,
            region=i.region,
            number=r.number,
            text=r.text,
            sub_items=r.sub_items,
            footnotes=r.footnotes,
            span=r.span,
        )
        for i in hub.initiatives(region=region, cycle=cycle)
        for r in i.expected_results
    ]


def alignments(
    hub: Hub, region: str | None = None, framework: str | None = None, cycle: str | None = None
) -> list[AlignmentRow]:
    out = []
    for i in hub.initiatives(region=region, cycle=cycle):
        links: list[tuple[int | None, Alignment]] = [(None, a) for a in i.alignments]
        links += [(r.number, a) for r in i.expected_results for a in r.alignments]
        for number, a in links:
            if framework and a.framework != framework.upper():
                continue
            out.append(AlignmentRow(cycle=i.conference, initiative=i.code, region=i.region, result=number, **dict(a)))
    return out


def officers(hub: Hub, region: str | None = None, cycle: str | None = None) -> list[OfficerRow]:
    return [
        OfficerRow(cycle=m.conference, region=m.region, **dict(o))
        for m in hub.meetings(region, cycle)
        for o in m.officers
    ]


def parse_codes(raw: Iterable[str]) -> list[str]:
    """Codes from ``?codes=EUR4,ASP5`` or repeated ``?codes=``; duplicates dropped, order kept."""
    codes: list[str] = []
    for value in raw:
        for code in value.replace(" ", ",").split(","):
            code = code.strip().upper()
            if code and code not in codes:
                codes.append(code)
    return codes


def comparison(hub: Hub, codes: list[str], cycle: str | None = None) -> Comparison:
    if not MIN_CODES <= len(codes) <= MAX_CODES:
        raise InputError(f"choose between {MIN_CODES} and {MAX_CODES} initiatives to compare (got {len(codes)})")
    found = {i.code: i for i in hub.initiatives(codes=codes, cycle=cycle)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise NotFoundError(f"no initiative {', '.join(missing)}")
    chosen = [found[c] for c in codes]
    ids = {r.id for i in chosen for r in i.expected_results}
    return compare(chosen, hub.overlaps(cycle=cycle, result_ids=ids), cycle)


def overlaps(hub: Hub, cycle: str | None = None, topic: str | None = None, theme: str | None = None) -> Overlaps:
    return hub.overlaps(cycle=cycle, topic=topic, theme=theme or None)


def overlap_rows(found: Overlaps, cycle: str | None = None) -> list[OverlapRow]:
    """One row per member of every cluster (shared ones first), for /overlaps.csv."""
    return [
        OverlapRow(
            cycle=found.cycle,
            cluster_id=c.id,
            cluster_regions=", ".join(c.regions),
            regions_lacking=", ".join(c.regions_lacking),
            shared_terms="; ".join(c.shared_terms),
            cluster_similarity=c.similarity,
            explanation=c.explanation,
            **m.model_dump(include={"code", "region", "number", "text", "similarity", "representative"}),
            url=with_cycle(f"/initiatives/{m.code}/results/{m.number}", cycle),
        )
        for c in [*found.shared, *found.one_region]
        for m in c.members
    ]


def matrix(hub: Hub, by: str, include: list[str], cycle: str | None = None) -> Matrix:
    """The coverage matrix of the page, its JSON twin, its CSV and /api/matrix (``include`` empty: the default)."""
    return hub.matrix(by, cycle, include or None)


def source(hub: Hub, source_id: int) -> SourceDocumentDetail:
    return hub.source_document(source_id)


OTHER_CYCLES = 12


def initiative(hub: Hub, code: str, cycle: str | None = None) -> InitiativeView:
    """One initiative in full, with where it stands over time: the same code in other cycles, every
    document's version (each with a redline against the one before), and its lineage."""
    from rihub.analysis.redline import redline

    item = hub.initiative(code, cycle)
    versions, links = hub.history(item)
    history = []
    for before, after in zip([None, *versions], versions, strict=False):
        # Against the version before: the title's redline when it changed, results worded anew.
        changed_title = before is not None and before.title != after.title
        earlier = {b.text for b in before.results} if before is not None else set()
        history.append(
            VersionEntry(
                **after.model_dump(
                    include={"id", "source_id", "filename", "stage", "source_status", "title", "current"}
                ),
                results=len(after.results),
                url=f"/sources/{after.source_id}",
                title_redline=redline(before.title, after.title).html() if before and changed_title else None,
                results_changed=[r.number for r in after.results if before and r.text not in earlier],
            )
        )
    lineage = []
    for link in links:
        earlier_side = link.to_id == item.id
        other_code, other_cycle = (link.from_code, link.from_cycle) if earlier_side else (link.to_code, link.to_cycle)
        lineage.append(
            LineageEntry(
                id=link.id,
                relation="continues" if earlier_side else "continued by",
                code=other_code,
                cycle=other_cycle,
                status=link.status,
                provenance=link.provenance,
                score=link.score,
                title_redline=redline(link.from_title, link.to_title).html(),
                diff_url="/diff?"
                + urlencode({"from": link.from_cycle, "to": link.to_cycle, "region": item.region, "cycles": 1}),
                url=with_cycle(f"/initiatives/{other_code}", other_cycle),
            )
        )
    # The newest few (``cycles`` in the JSON has them all): a page stays the same size over the decades.
    others = [
        CycleLink(cycle=c, url=with_cycle(f"/initiatives/{item.code}", c))
        for c in item.cycles[: OTHER_CYCLES + 1]
        if c != item.conference
    ][:OTHER_CYCLES]
    themes = next((i.themes for i in hub.themes(item.conference).initiatives if i.initiative_id == item.id), [])
    return InitiativeView(**dict(item), versions=history, lineage=lineage, other_cycles=others, themes=themes)


def diff_view(hub: Hub, old: str | int, new: str | int, region: str | None = None, cycles: bool = False) -> DiffView:
    """Two statements of the initiatives compared: the JSON contract plus the redlines a page shows."""
    try:
        found = hub.diff(old, new, region=region, cycles=cycles)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    changes = [
        ChangeView(
            code=c.code,
            old_code=c.old_code,
            fields=list(c.fields),
            title=c.title.html() if c.title else None,
            objective=c.objective.html() if c.objective else None,
            results_added=[KeyText(key=r.key, text=r.text) for r in c.added],
            results_removed=[KeyText(key=r.key, text=r.text) for r in c.removed],
            renumbered=[m.to_json() for m in c.renumbered],
            results_changed=[ResultRedline(key=r.key, old_key=r.old_key, redline=r.redline.html()) for r in c.changed],
        )
        for c in found.changed
    ]
    return DiffView(
        from_=old,
        to=new,
        region=(region or "").upper() or None,
        cycles=cycles,
        diff=found.to_json(),
        changes=changes,
        added=[CodeTitle(code=i.code, title=i.title) for i in found.added],
        removed=[CodeTitle(code=i.code, title=i.title) for i in found.removed],
        renamed=[m.to_json() for m in found.renamed],
    )


# --- search: links and <mark> HTML for the hits search/ returns as data ---------------------------


def marked_html(text: str, marks: Marks) -> str:
    """``text`` escaped for HTML, the marked spans in ``<mark>`` elements."""
    out, at = [], 0
    for start, end in marks:
        out += [escape(text[at:start]), "<mark>", escape(text[start:end]), "</mark>"]
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def _match_view(hit: SearchHit, match: SearchMatch) -> SearchMatchView:
    return SearchMatchView(**dict(match), snippet=marked_html(match.text, match.marks), url=_hit_url(hit, match.number))


def _hit_url(hit: SearchHit, number: int | None = None) -> str:
    if hit.type == "meeting":
        return f"/regions/{hit.region}#contributions"
    return f"/initiatives/{hit.code}" + (f"/results/{number}" if number is not None else "")


def search_hit(hit: SearchHit) -> SearchHitView:
    """A hit as the page and the API show it: links to each place, snippets as HTML."""
    return SearchHitView(
        **(dict(hit) | {"matches": [_match_view(hit, m) for m in hit.matches]}),
        title_html=marked_html(hit.title, hit.title_marks),
        url=_hit_url(hit),
    )


def search(hub: Hub, request: Request, page: Paging, **query: Any) -> SearchPage:
    """One page of search hits with their links and HTML; the query's filters as keyword arguments."""
    found: SearchResult = hub.search(limit=page.size, offset=page.offset, **query)
    return SearchPage(
        data=[search_hit(h) for h in found.data],
        count=found.count,
        next=next_url(request, page, found.count),
        **found.model_dump(include={"query", "mode", "match", "error", "mode_notice", "corrected", "opens"}),
        opens_url=_opens_url(found.opens, query.get("cycle")),
        facets=found.facets,
    )


def _opens_url(code: str | None, cycle: str | None) -> str | None:
    """The page of the initiative a code query names, in the cycle the search was pinned to."""
    if code is None:
        return None
    return f"/initiatives/{code}" + (f"?cycle={quote(cycle)}" if cycle else "")
