"""The registry over time: stable identities, versions, cycles, diffs and lineage, on real data.

The scenario throughout is the bundled WTDC-25 report plus documents the tests write from it: the
final report of one RPM restating its initiatives (reworded, renumbered), and a generated copy of
the next cycle (tests/next_cycle.py) whose changes are known.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from rihub.cli import app
from rihub.hub import Hub, demo_report_bytes
from rihub.store import schema as t
from rihub.store.alignments import LinkProposal, store_proposals

pytest_plugins = ["web_fixtures"]

EUR_RESULT_2 = (
    "Assessment of dynamics, challenges and opportunities in respect of the rollout of resilient high-speed "
    "connectivity"
)
REWORDED_2 = (
    "Assessment of the dynamics, challenges and opportunities regarding the rollout of resilient high-speed "
    "connectivity"
)


def europe_section(text: str) -> list[str]:
    """The lines of the bundled report's Europe section (its heading to the next region's)."""
    lines = text.split("\n")
    start = next(n for n, line in enumerate(lines) if line.startswith("2.2 Europe"))
    end = next(n for n, line in enumerate(lines) if line.startswith("2.3 "))
    return lines[start:end]


def eur_final_report(text: str, drop_first_result: bool = False) -> str:
    """RPM-EUR's own final report: EUR1's result 2 reworded; optionally its result 1 dropped, so
    every later result moves up one number."""
    lines = europe_section(text)
    eur1 = next(n for n, line in enumerate(lines) if line.startswith("EUR1:"))
    first = next(n for n in range(eur1, len(lines)) if lines[n].startswith("1. "))
    lines[first + 1] = lines[first + 1].replace(EUR_RESULT_2, REWORDED_2)
    assert REWORDED_2 in lines[first + 1]
    if drop_first_result:
        del lines[first]
        n = first
        while lines[n][:1].isdigit():
            number, _, rest = lines[n].partition(". ")
            lines[n] = f"{int(number) - 1}. {rest}"
            n += 1
    return "Final report of the Regional Preparatory Meeting for Europe (RPM-EUR) for WTDC-25\n" + "\n".join(lines)


@pytest.fixture()
def reviewed_hub(empty_hub: Hub) -> tuple[Hub, int, int]:
    """The bundled report with one accepted model link on EUR1 and a person's link on EUR1.2."""
    hub = empty_hub
    hub.ingest_demo()
    hub.sync_frameworks()
    eur1 = hub.initiative("EUR1")
    with hub.engine.begin() as conn:
        store_proposals(conn, [LinkProposal(eur1.id, None, "SDG", "11", 0.71, {"terms": ["resilient"]})])
    proposed = next(a for a in hub.alignments(code="EUR1") if a.code == "11" and a.result is None)
    hub.review(proposed.id, "accept", "A. Editor", "resilient infrastructure is 11")
    person = hub.add_link("EUR1.2", "SDG", "9", "B. Reviewer", "connectivity rollout")
    return hub, proposed.id, person.id


def _link(item: dict[str, Any], link_id: int) -> tuple[int | None, dict[str, Any]]:
    places = [(None, a) for a in item.alignments]
    places += [(r.number, a) for r in item.expected_results for a in r.alignments]
    return next((n, a) for n, a in places if a.id == link_id)


@pytest.mark.parametrize("drop_first_result", [False, True])
def test_people_links_survive_another_document_of_the_cycle(
    reviewed_hub: tuple[Hub, int, int], report_text: str, drop_first_result: bool
) -> None:
    hub, accepted_id, person_id = reviewed_hub
    before = hub.initiative("EUR1")
    history = {i: hub.alignment_history(i) for i in (accepted_id, person_id)}
    outcome = hub.ingest_bytes(
        eur_final_report(report_text, drop_first_result).encode(), "rpm-eur-final.txt", stage="adopted"
    )
    assert (outcome.cycle, outcome.stage, outcome.action) == ("WTDC-25", "adopted", "ingested")
    after = hub.initiative("EUR1")
    assert after.id == before.id
    assert after.span.source_id == outcome.source_id  # the adopted version is current
    assert after.field_sources["expected_results"] == outcome.source_id
    number, accepted = _link(after, accepted_id)
    assert (number, accepted.status, accepted.provenance) == (None, "accepted", "model")
    number, person = _link(after, person_id)
    result = next(r for r in after.expected_results if r.number == number)
    assert result.text.startswith(REWORDED_2)
    assert number == (1 if drop_first_result else 2)
    assert (person.status, person.provenance) == ("accepted", "person")
    assert {i: hub.alignment_history(i) for i in (accepted_id, person_id)} == history
    assert hub.stats().meetings == 6  # the EUR meeting is updated, not duplicated
    stored_ids = {r.id for r in before.expected_results}
    kept = {r.id for r in after.expected_results}
    assert kept <= stored_ids and len(kept) == len(before.expected_results) - drop_first_result
    if drop_first_result:
        (withdrawn,) = after.withdrawn_results
        assert withdrawn.id == before.expected_results[0].id
    assert len(hub.versions("EUR1")) == 2


def test_a_new_copy_of_the_same_file_supersedes_and_keeps_links(reviewed_hub: tuple[Hub, int, int]) -> None:
    hub, accepted_id, person_id = reviewed_hub
    text = demo_report_bytes().decode().replace(EUR_RESULT_2, REWORDED_2)
    outcome = hub.ingest_bytes(text.encode(), "rpm-coordination-wtdc25-rev1.txt")
    assert outcome.action == "replaced"
    item = hub.initiative("EUR1")
    assert _link(item, person_id)[0] == 2 and _link(item, accepted_id)[0] is None
    assert [v.source_status for v in hub.versions("EUR1")] == ["superseded", "current"]
    assert hub.stats().expected_results == 167 and hub.stats().document_alignments == 39


def _result_2_as(report_text: str, sentence: str) -> str:
    lines = eur_final_report(report_text).split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("2. " + REWORDED_2))
    lines[at] = "2. " + sentence
    return "\n".join(lines)


def test_unclear_match_is_flagged_and_a_person_can_split_it(
    reviewed_hub: tuple[Hub, int, int], report_text: str
) -> None:
    hub, _, person_id = reviewed_hub
    # Similarity 0.68: the closest wording and above the attach threshold, but not clearly the same.
    rewrite = (
        "Assessment of the barriers to rollout of high-speed connectivity to inform best practice through "
        "regional workshops, conferences or webinars."
    )
    outcome = hub.ingest_bytes(_result_2_as(report_text, rewrite).encode(), "rpm-eur-final.txt", stage="adopted")
    (match,) = hub.result_matches()
    assert (match.kind, match.old_number, match.new_number) == ("unclear", 2, 2)
    assert 0.65 <= match.score < 0.7
    assert any(f.code == "result-match" for f in hub.findings(outcome.source_id))
    assert _link(hub.initiative("EUR1"), person_id)[0] == 2  # attached meanwhile
    rejected = hub.review_match(match.id, "reject", "B. Reviewer", "a different result")
    assert (rejected.status, rejected.decided_by) == ("rejected", "B. Reviewer")
    [decided] = hub.audit_history("result-match", match.id)
    assert (decided.action, decided.actor) == ("reject", "B. Reviewer")
    assert decided.after == {"status": "rejected", "kind": "unclear"}
    item = hub.initiative("EUR1")
    assert next(r for r in item.expected_results if r.number == 2).text == rewrite
    assert next(r for r in item.expected_results if r.number == 2).alignments == []
    (old,) = item.withdrawn_results
    assert old.text.startswith(EUR_RESULT_2) and [a.id for a in old.alignments] == [person_id]
    with pytest.raises(Exception, match="already rejected"):
        hub.review_match(match.id, "accept", "C. Other")


def test_a_replaced_result_is_withdrawn_with_its_links(reviewed_hub: tuple[Hub, int, int], report_text: str) -> None:
    hub, _, person_id = reviewed_hub
    other = "Regional studies of the barriers to connectivity, with best practice shared through regional workshops."
    hub.ingest_bytes(_result_2_as(report_text, other).encode(), "rpm-eur-final.txt", stage="adopted")
    item = hub.initiative("EUR1")
    (old,) = item.withdrawn_results
    assert [a.id for a in old.alignments] == [person_id]
    (match,) = hub.result_matches()
    assert (match.kind, match.result_id) == ("withdrawn", old.id)
    assert next(r for r in item.expected_results if r.number == 2).text == other


def test_a_report_naming_no_cycle_keeps_one_current_initiative(empty_hub: Hub, report_text: str) -> None:
    section = "\n".join(line for line in europe_section(report_text) if "WTDC" not in line)
    empty_hub.ingest_bytes(section.encode(), "eur-outcome.txt")
    empty_hub.ingest_bytes(section.replace(EUR_RESULT_2, REWORDED_2).encode(), "eur-outcome-revised.txt")
    assert [c.code for c in empty_hub.cycles()] == ["unknown"]
    assert [i.code for i in empty_hub.initiatives(codes=["EUR1"])] == ["EUR1"]
    assert empty_hub.initiative("EUR1").expected_results[1].text.startswith(REWORDED_2)


# --- two cycles ------------------------------------------------------------------------------------


def keys_only(data: dict[str, Any]) -> dict[str, Any]:
    results = dict(data["expected_results"])
    results["changed"] = [c["key"] for c in results["changed"]]
    return {"initiatives": data["initiatives"], "expected_results": results}


def test_reads_answer_the_latest_cycle_and_either_on_request(two_cycle_hub: Hub) -> None:
    assert [c.code for c in two_cycle_hub.cycles()] == ["WTDC-29", "WTDC-25"]
    assert two_cycle_hub.initiative("EUR1").conference == "WTDC-29"
    assert two_cycle_hub.initiative("EUR1", "WTDC-25").conference == "WTDC-25"
    assert two_cycle_hub.initiative("EUR1").cycles == ["WTDC-29", "WTDC-25"]
    assert two_cycle_hub.stats().cycle == "WTDC-29" and two_cycle_hub.stats("WTDC-25").expected_results == 167
    assert {i.conference for i in two_cycle_hub.initiatives()} == {"WTDC-29"}
    assert len(two_cycle_hub.meetings()) == 6 and len(two_cycle_hub.meetings(cycle="WTDC-25")) == 6
    result = CliRunner().invoke(app, ["--db", two_cycle_hub.url, "show", "EUR1", "--cycle", "WTDC-25", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["conference"] == "WTDC-25"
    missing = CliRunner().invoke(app, ["--db", two_cycle_hub.url, "show", "EUR1", "--cycle", "WTDC-99"])
    assert missing.exit_code != 0


def test_diff_lists_exactly_the_generated_changes(
    two_cycle_hub: Hub, next_cycle_files: tuple[Path, Path, dict[str, Any]]
) -> None:
    old, new, expected = next_cycle_files
    assert keys_only(two_cycle_hub.diff("WTDC-25", "WTDC-29", cycles=True).to_json()) == expected
    assert keys_only(two_cycle_hub.diff(str(old), str(new)).to_json()) == expected
    sources = {s.conference: s.id for s in two_cycle_hub.source_documents()}
    by_id = two_cycle_hub.diff(str(sources["WTDC-25"]), str(sources["WTDC-29"])).to_json()
    assert keys_only(by_id) == expected
    result = CliRunner().invoke(app, ["--db", two_cycle_hub.url, "diff", str(old), str(new), "--json"])
    assert result.exit_code == 0, result.output
    assert keys_only(json.loads(result.output)) == expected
    region = expected["initiatives"]["renamed"][0]["from"][:3]
    only = two_cycle_hub.diff("WTDC-25", "WTDC-29", cycles=True, region=region).to_json()
    assert only["initiatives"]["renamed"] == expected["initiatives"]["renamed"]


def test_lineage_is_proposed_between_cycles_and_reviewed(two_cycle_hub: Hub, next_cycle_files: Any) -> None:
    links = two_cycle_hub.lineage()
    pairs = {(link.from_code, link.to_code) for link in links}
    renamed = next_cycle_files[2]["initiatives"]["renamed"][0]
    assert (renamed["from"], renamed["to"]) in pairs  # the renamed initiative continues its old self
    assert ("EUR1", "EUR1") in pairs or renamed["from"] == "EUR1"
    assert all(link.from_cycle == "WTDC-25" and link.to_cycle == "WTDC-29" for link in links)
    assert len(links) >= 25  # nearly every initiative continues; each is one pair at most
    assert len({link.to_id for link in links}) == len(links)


def test_every_declared_csv_key_is_unique_across_two_cycles(two_cycle_hub: Hub, tmp_path: Path) -> None:
    two_cycle_hub.export_csv(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text())
    checked = 0
    for resource in package["resources"]:
        key = resource["schema"].get("primaryKey")
        assert key, f"{resource['name']} declares no primary key"
        with (tmp_path / resource["path"]).open(encoding=resource["encoding"]) as handle:  # utf-8-sig: with a BOM
            rows = list(csv.DictReader(handle))
        values = [tuple(row[k] for k in key) for row in rows]
        assert all(all(v != "" for v in value) for value in values), resource["name"]
        assert len(values) == len(set(values)), resource["name"]
        if "conference" in rows[0] if rows else False:
            assert {row["conference"] for row in rows} >= {"WTDC-25", "WTDC-29"} or resource["name"] == "meetings"
        checked += len(values)
    assert checked > 2 * 167


def test_export_of_one_cycle(two_cycle_hub: Hub) -> None:
    doc = two_cycle_hub.export_json("WTDC-25")
    assert doc["cycle"] == "WTDC-25" and {i["conference"] for i in doc["initiatives"]} == {"WTDC-25"}
    assert sum(len(i["expected_results"]) for i in doc["initiatives"]) == 167


# --- upgrading a registry from before identities -----------------------------------------------------


def test_upgrade_from_revision_0002_keeps_reviewed_links(tmp_path: Path) -> None:
    """A database written by rihub before 0003 (rows per document, links cascading from them)."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from rihub.store.db import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
        conn.execute(text("INSERT INTO regions (code, name, position) VALUES ('EUR', 'Europe', 1)"))
        conn.execute(text("INSERT INTO conferences (id, code, title) VALUES (1, 'WTDC-25', 'WTDC')"))
        conn.execute(
            text(
                "INSERT INTO source_documents (id, key, filename, format, sha256, size, title, language,"
                " conference_id, status, ingested_at) VALUES (1, 'WTDC-25:EUR', 'r.txt', 'text', 'x', 1, 'T',"
                " 'en', 1, 'current', '2026-11-30 10:00:00')"
            )
        )
        for meeting_id in (1, 2):  # the duplicate meeting the old ingest left
            conn.execute(
                text(
                    "INSERT INTO meetings (id, source_id, conference_id, region_code, kind, city)"
                    f" VALUES ({meeting_id}, 1, 1, 'EUR', 'rpm', 'Budapest')"
                )
            )
        conn.execute(
            text(
                "INSERT INTO initiatives (id, source_id, conference_id, region_code, code, position, kind, stage,"
                " title, span_start, span_end) VALUES (1, 1, 1, 'EUR', 'EUR1', 0, 'initiative', 'draft',"
                " 'Digital infrastructure', 1, 5)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO expected_results (id, initiative_id, source_id, position, number, text)"
                " VALUES (1, 1, 1, 0, 1, 'Broadband plans'), (2, 1, 1, 1, 2, 'Broadband mapping')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO alignments (id, initiative_id, result_id, framework, code, label, provenance, status,"
                " created_by, created_at, updated_at) VALUES"
                " (1, 1, NULL, 'SDG', '9', 'Industry', 'document', 'accepted', 'ingest', '2026-11-30', '2026-11-30'),"
                " (2, 1, 2, 'SDG', '11', 'Cities', 'person', 'accepted', 'B. Reviewer', '2026-11-30', '2026-11-30')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO alignment_events (alignment_id, actor, at, action, reason)"
                " VALUES (2, 'B. Reviewer', '2026-11-30', 'add', 'mapping')"
            )
        )
    engine.dispose()
    hub = Hub(url)  # migrates to head
    item = hub.initiative("EUR1")
    assert [(a.code, a.provenance) for a in item.alignments] == [("9", "document")]
    assert [(a.code, a.provenance) for a in item.expected_results[1].alignments] == [("11", "person")]
    assert [e.reason for e in hub.alignment_history(2)] == ["mapping"]
    assert len(hub.meetings()) == 1
    assert len(hub.versions("EUR1")) == 1
    assert [h.code for h in hub.search("broadband").data] == ["EUR1"]
    with hub.engine.begin() as conn, pytest.raises(Exception, match="FOREIGN KEY"):  # nothing cascades any more
        conn.execute(t.initiatives.delete().where(t.initiatives.c.id == 1))
    with hub.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.alignments)) == 2


def test_cli_over_time(two_cycle_hub: Hub, tmp_path: Path) -> None:
    from web_fixtures import copy_hub

    hub = copy_hub(two_cycle_hub, tmp_path / "cli.db")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", hub.url, *args])
        assert result.exit_code == 0, result.output
        return result.output

    versions = json.loads(run("versions", "EUR1", "--cycle", "WTDC-25", "--json"))
    assert [v["stage"] for v in versions] == ["consolidated"]
    links = json.loads(run("lineage", "--code", "EUR1", "--json"))
    assert [(x["from_cycle"], x["to_cycle"]) for x in links] == [("WTDC-25", "WTDC-29")]
    assert "accepted" in run("lineage", "accept", str(links[0]["id"]), "--by", "A. Editor")
    assert json.loads(run("lineage", "--status", "accepted", "--json"))[0]["id"] == links[0]["id"]
    assert "0 matches" in run("review", "matches")
    text = run("diff", "WTDC-25", "WTDC-29", "--cycles", "--region", "EUR")
    assert "renamed" in text or "changed" in text
    bad = runner.invoke(app, ["--db", hub.url, "ingest", "--stage", "final", str(tmp_path / "none.txt")])
    assert bad.exit_code != 0


def test_search_is_restricted_to_the_cycle_inside_the_query(two_cycle_hub: Hub, demo_hub: Hub) -> None:
    """With many cycles the cap on ranked rows must not starve the cycle asked for."""
    for query in ("digital", "cybersecurity", "emergency"):
        alone = [h.code for h in demo_hub.search(query, limit=100).data]
        among = [h.code for h in two_cycle_hub.search(query, limit=100, cycle="WTDC-25").data]
        assert among == alone and len(alone) > 3
        assert {h.cycle for h in two_cycle_hub.search(query, limit=100).data} == {"WTDC-29"}
