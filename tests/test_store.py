"""Storing reports: counts, provenance, idempotence, versions and all-or-nothing ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import IntegrityError

from rihub.errors import InputError, StoreError
from rihub.hub import Hub
from rihub.store import schema as t
from rihub.store.db import migrate


def table_counts(hub: Hub) -> dict[str, int]:
    with hub.engine.connect() as conn:
        return {
            name: conn.scalar(select(func.count()).select_from(table)) or 0 for name, table in t.metadata.tables.items()
        }


def test_demo_counts(demo_hub: Hub) -> None:
    stats = demo_hub.stats()
    assert (stats.meetings, stats.officers, stats.chairs, stats.vice_chairs) == (6, 25, 6, 19)
    assert (stats.documents_reviewed, stats.initiatives, stats.priorities) == (42, 25, 6)
    assert (stats.expected_results, stats.sub_items, stats.footnotes) == (167, 2, 1)
    per_region = {r.region: r.expected_results for r in stats.regions}
    assert per_region == {"ARB": 0, "EUR": 28, "ASP": 35, "AMS": 24, "AFR": 60, "CIS": 20}


def test_document_alignments_are_stored_with_provenance(demo_hub: Hub) -> None:
    eur2 = demo_hub.initiative("EUR2")
    links = [(a.framework, a.code, a.provenance, a.status) for a in eur2.alignments]
    assert ("GDC", "5", "document", "accepted") in links
    assert sum(1 for a in links if a[0] == "SDG") == 5
    # EUR1..EUR5: WSIS + GDC + SDG cells of the five tables.
    assert demo_hub.stats().document_alignments == (4 + 1 + 1) + (3 + 2 + 5) + (4 + 1 + 4) + (3 + 1 + 2) + (6 + 1 + 1)


@pytest.mark.parametrize(("limit", "offset"), [(50, 0), (10, 0), (10, 20), (10, 30), (31, 0), (5, 40)])
def test_a_page_of_initiatives_is_a_slice_of_the_list_with_its_count(demo_hub: Hub, limit: int, offset: int) -> None:
    """``initiatives_page`` (LIMIT/OFFSET in SQL, one COUNT at most) says what slicing the list says."""
    every = demo_hub.initiatives(nested=False)
    assert demo_hub.initiatives_page(limit, offset) == (every[offset : offset + limit], len(every))
    eur = demo_hub.initiatives(region="EUR", nested=False)
    assert demo_hub.initiatives_page(2, 1, region="eur") == (eur[1:3], len(eur))


def test_rows_carry_spans_into_stored_source_blocks(demo_hub: Hub) -> None:
    item = demo_hub.initiative("ASP3")
    source = demo_hub.source_document(item.span.source_id)
    by_loc = {b.loc: b.text for b in source.blocks}
    third = item.expected_results[2]
    assert by_loc[third.span.start].startswith("3. Development of capacity to review")


def test_reingesting_the_same_file_changes_nothing(empty_hub: Hub, report_path: Path) -> None:
    first = empty_hub.ingest([report_path])[0]
    before = table_counts(empty_hub)
    again = empty_hub.ingest([report_path])[0]
    after = table_counts(empty_hub)
    assert (first.action, again.action) == ("ingested", "unchanged")
    assert again.source_id == first.source_id
    before.pop("ingest_events")
    assert {k: v for k, v in after.items() if k != "ingest_events"} == before


def test_a_newer_version_replaces_the_rows_and_records_it(empty_hub: Hub, report_text: str, tmp_path: Path) -> None:
    old = tmp_path / "report.txt"
    old.write_text(report_text, encoding="utf-8")
    empty_hub.ingest([old])
    newer = tmp_path / "report-rev1.txt"
    newer.write_text(
        report_text.replace(
            "4. Formation of a regional branch of the AI for Good platform.",
            "4. Formation of a regional branch of the AI for Good platform.\n5. Regional observatory of AI adoption.",
        ),
        encoding="utf-8",
    )
    outcome = empty_hub.ingest([newer])[0]
    assert outcome.action == "replaced" and outcome.replaced_id is not None
    assert len(empty_hub.initiative("CIS5").expected_results) == 5
    assert empty_hub.stats().expected_results == 168
    sources = {s.filename: s.status for s in empty_hub.source_documents()}
    assert sources == {"report.txt": "superseded", "report-rev1.txt": "current"}
    events = [e.action for e in empty_hub.ingest_events()]
    assert events[:2] == ["replaced", "ingested"]


def test_bad_file_in_a_batch_writes_nothing(empty_hub: Hub, report_path: Path, tmp_path: Path) -> None:
    empty_hub.ingest([report_path])
    before = table_counts(empty_hub)
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match=r"broken\.docx"):
        empty_hub.ingest([report_path, bad])
    assert table_counts(empty_hub) == before


def test_failure_while_writing_rolls_back(empty_hub: Hub, report_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash half-way through the writes leaves the database as it was."""
    from rihub.store import write

    def explode(*_args: object, **_kwargs: object) -> None:
        raise IntegrityError("insert", {}, Exception("simulated failure"))

    monkeypatch.setattr(write, "_insert_findings", explode)
    with pytest.raises(IntegrityError):
        empty_hub.ingest([report_path])
    counts = table_counts(empty_hub)
    assert counts["initiatives"] == counts["source_documents"] == counts["expected_results"] == 0


def test_unusable_database_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"folder does not exist"):
        Hub(f"sqlite:///{tmp_path}/missing/dir/rihub.db")
    with pytest.raises(StoreError, match="cannot use database URL"):
        Hub("nosuchdialect://x")


@pytest.mark.filterwarnings("ignore:.*expression-based index uq_alignments_subject_item")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_match_the_schema(tmp_path: Path) -> None:
    """Alembic's head revision builds exactly the tables schema.py declares (plus the FTS5 index)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from rihub.store.db import ours as _ours

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _ours})
        diff = compare_metadata(context, t.metadata)
    assert diff == []


@pytest.fixture(scope="module")
def scratch_hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    hub = Hub(f"sqlite:///{tmp_path_factory.mktemp('scratch') / 'rihub.db'}")
    hub.ingest_demo()
    return hub


def _mutations() -> st.SearchStrategy[bytes]:
    from rihub.hub import demo_report_bytes

    lines = demo_report_bytes().split(b"\n")

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        out = list(lines)
        for _ in range(draw(st.integers(1, 6))):
            op = draw(st.sampled_from(["drop", "dup", "garble", "cut"]))
            i = draw(st.integers(0, len(out) - 1))
            if op == "drop":
                del out[i]
            elif op == "dup":
                out.insert(i, out[i])
            elif op == "garble":
                out[i] = draw(st.binary(max_size=40))
            else:
                out = out[:i]
            if not out:
                break
        return b"\n".join(out)

    return st.one_of(mutate(), st.binary(max_size=300), st.just(b""))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_mutations(), name=st.sampled_from(["r.txt", "r.docx", "r.pdf", "r"]))
def test_mutated_input_is_stored_whole_or_not_at_all(scratch_hub: Hub, data: bytes, name: str) -> None:
    before = table_counts(scratch_hub)
    try:
        outcome = scratch_hub.ingest_bytes(data, name)
    except InputError:
        assert table_counts(scratch_hub) == before
        return
    after = table_counts(scratch_hub)
    with scratch_hub.engine.connect() as conn:
        stated = conn.scalars(
            select(t.initiative_versions.c.results).where(t.initiative_versions.c.source_id == outcome.source_id)
        ).all()
    assert sum(len(results) for results in stated) == outcome.expected_results
    assert after["ingest_events"] == before["ingest_events"] + 1


def test_parallel_batch_is_all_or_nothing(empty_hub: Hub, report_text: str, tmp_path: Path) -> None:
    """Big batches are parsed by worker processes while writing; one bad file still undoes all."""
    from rihub.hub import PARALLEL_FROM

    count = 2 * PARALLEL_FROM + 2
    paths = []
    for n in range(count):
        path = tmp_path / f"cycle-{n}.txt"
        path.write_text(report_text.replace("WTDC-25", f"WTDC-{300 + n}"), encoding="utf-8")
        paths.append(path)
    bad = tmp_path / "zz-broken.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    before = table_counts(empty_hub)
    with pytest.raises(InputError, match=r"zz-broken\.pdf"):
        empty_hub.ingest([*paths[:-1], bad, paths[-1]])
    assert table_counts(empty_hub) == before
    outcomes = empty_hub.ingest(paths)
    assert [o.action for o in outcomes] == ["ingested"] * count
    cycles = [c.code for c in empty_hub.cycles()]
    assert len(cycles) == count
    assert sum(empty_hub.stats(c).expected_results for c in cycles) == 167 * count
