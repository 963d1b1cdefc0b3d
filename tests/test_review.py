"""Alignment storage and review rules, on the real registry, without loading the model.

Proposals here are written the way `rihub align` writes them (LinkProposal rows); what is
checked is the bookkeeping: document links untouched, reviewed links kept, history recorded,
vocabulary enforced, reviewed links surviving a new version of the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rihub.errors import InputError, NotFoundError
from rihub.hub import Hub
from rihub.store.alignments import LinkProposal, store_proposals


@pytest.fixture()
def hub(empty_hub: Hub) -> Hub:
    empty_hub.ingest_demo()
    empty_hub.sync_frameworks()
    return empty_hub


def _propose(hub: Hub, items: list[tuple[str, int | None, str, str, float]]) -> dict[str, int]:
    proposals = []
    for code, number, framework, label, score in items:
        item = hub.initiative(code)
        result_id = None if number is None else item.expected_results[number - 1].id
        evidence = {"terms": ["cybersecurity"], "nearest": {"code": "16.a", "text": "…"}}
        proposals.append(LinkProposal(item.id, result_id, framework, label, score, evidence))
    with hub.engine.begin() as conn:
        return store_proposals(conn, proposals)


def test_vocabulary_is_loaded_once(hub: Hub) -> None:
    assert hub.sync_frameworks() == 0  # already there: nothing changes
    from sqlalchemy import func, select

    from rihub.store import schema as t

    with hub.engine.connect() as conn:
        sdg = conn.scalar(
            select(func.count()).select_from(t.framework_items).where(t.framework_items.c.framework == "SDG")
        )
    assert sdg == 17 + 169


def test_document_links_are_never_duplicated_or_reviewed(hub: Hub) -> None:
    counts = _propose(hub, [("EUR4", None, "WSIS", "C5", 0.9), ("EUR4", None, "SDG", "4", 0.7)])
    assert counts["skipped_document"] == 1 and counts["added"] == 1
    document = [a for a in hub.alignments(status=None, code="EUR4") if a.provenance == "document"]
    with pytest.raises(InputError, match="report's own mapping"):
        hub.review(document[0].id, "reject", "editor")


def test_review_records_who_when_before_after_why(hub: Hub) -> None:
    _propose(hub, [("ASP5", 1, "WSIS", "C5", 0.93)])
    link = hub.alignments(code="ASP5")[0]
    assert (link.status, link.provenance, link.result) == ("proposed", "model", 1)
    reviewed = hub.review(link.id, "accept", "A. Editor", "CIRTs are C5")
    assert reviewed.status == "accepted"
    history = hub.alignment_history(link.id)
    assert [e.action for e in history] == ["propose", "accept"]
    assert history[1].actor == "A. Editor" and history[1].reason == "CIRTs are C5"
    assert history[1].before["status"] == "proposed" and history[1].after["status"] == "accepted"
    with pytest.raises(InputError, match="unknown review action"):
        hub.review(link.id, "approve", "A. Editor")
    with pytest.raises(NotFoundError):
        hub.review(999_999, "accept", "A. Editor")


def test_rerunning_the_model_keeps_reviews_and_withdraws_stale_proposals(hub: Hub) -> None:
    _propose(hub, [("AFR3", None, "SDG", "16", 0.8), ("AFR3", None, "SDG", "1", 0.4)])
    links = {a.code: a for a in hub.alignments(code="AFR3")}
    hub.review(links["1"].id, "reject", "B. Editor", "poverty is not the point")
    counts = _propose(
        hub, [("AFR3", None, "SDG", "16", 0.85), ("AFR3", None, "SDG", "1", 0.5), ("AFR3", None, "SDG", "9", 0.6)]
    )
    assert (counts["updated"], counts["kept_reviewed"], counts["added"]) == (1, 1, 1)
    after = {a.code: a for a in hub.alignments(status=None, code="AFR3")}
    assert after["1"].status == "rejected" and after["16"].score == 0.85
    counts = _propose(hub, [("AFR3", None, "SDG", "16", 0.85)])
    assert counts["withdrawn"] == 1  # SDG 9 no longer proposed; the rejected SDG 1 stays
    assert {a.code for a in hub.alignments(status=None, code="AFR3")} == {"16", "1"}


def test_people_add_links_from_the_vocabulary_only(hub: Hub) -> None:
    added = hub.add_link("CIS3.3", "WSIS", "c5", "C. Editor", "CIRTs")
    assert (added.provenance, added.status, added.code, added.result) == ("person", "accepted", "C5", 3)
    assert added.label
    with pytest.raises(InputError, match="not in the SDG vocabulary"):
        hub.add_link("CIS3", "SDG", "18", "C. Editor")
    with pytest.raises(NotFoundError, match="no expected result 9"):
        hub.add_link("CIS3.9", "SDG", "16", "C. Editor")
    with pytest.raises(InputError, match="who"):
        hub.add_link("CIS3", "SDG", "16", " ")


def test_reviewed_links_survive_a_new_version_of_the_report(hub: Hub, report_text: str, tmp_path: Path) -> None:
    hub.add_link("CIS5.2", "SDG", "9", "D. Editor", "platforms")
    _propose(hub, [("CIS5", 3, "SDG", "13", 0.9)])
    newer = tmp_path / "report-rev2.txt"
    newer.write_text(
        report_text.replace("Formation of a regional branch", "Creation of a regional branch"), encoding="utf-8"
    )
    assert hub.ingest([newer])[0].action == "replaced"
    links = {(a.result, a.code): a for a in hub.alignments(status=None, code="CIS5")}
    assert links[(2, "9")].provenance == "person"
    assert links[(3, "13")].status == "proposed"
    history = hub.alignment_history(links[(2, "9")].id)
    assert history[0].actor == "D. Editor"


def test_review_cli(hub: Hub) -> None:
    from typer.testing import CliRunner

    from rihub.cli import app

    _propose(hub, [("AMS4", 2, "WSIS", "C5", 0.97)])
    link = hub.alignments(code="AMS4")[0]
    runner = CliRunner()
    listed = runner.invoke(app, ["--db", hub.url, "review", "list", "--code", "AMS4", "--json"])
    assert listed.exit_code == 0 and '"code": "C5"' in listed.output
    done = runner.invoke(app, ["--db", hub.url, "review", "accept", str(link.id), "--by", "E. Editor"])
    assert done.exit_code == 0 and "accepted" in done.output
    added = runner.invoke(app, ["--db", hub.url, "review", "add", "AMS4", "GDC:3", "--by", "E. Editor"])
    assert added.exit_code == 0 and "GDC 3" in added.output
    bad = runner.invoke(app, ["--db", hub.url, "review", "add", "AMS4", "GDC3", "--by", "E. Editor"])
    assert bad.exit_code != 0


def test_batch_review_is_all_or_nothing(hub: Hub) -> None:
    """`review accept 1 2 3`: one transaction; an id that cannot be reviewed leaves every link as it was."""
    from typer.testing import CliRunner

    from rihub.cli import app

    _propose(hub, [("ASP5", 1, "WSIS", "C5", 0.95), ("ASP5", 2, "SDG", "16", 0.91), ("ASP5", 3, "SDG", "9", 0.40)])
    runner = CliRunner()
    strong = runner.invoke(
        app, ["--db", hub.url, "review", "list", "--code", "ASP5", "--min-score", "0.9", "--ids"]
    ).output.split()
    assert len(strong) == 2
    only_sdg = hub.alignments(code="ASP5", framework="sdg")
    assert {a.code for a in only_sdg} == {"16", "9"}
    document = hub.alignments(code="EUR1", provenance="document")[0]
    before = {i: len(hub.alignment_history(int(i))) for i in strong}
    bad = runner.invoke(app, ["--db", hub.url, "review", "accept", *strong, str(document.id), "--by", "F. Editor"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert all(a.status == "proposed" for a in hub.alignments(code="ASP5"))
    assert {i: len(hub.alignment_history(int(i))) for i in strong} == before
    done = runner.invoke(app, ["--db", hub.url, "review", "accept", *strong, "--by", "F. Editor", "--reason", "C5"])
    assert done.exit_code == 0, done.output
    statuses = {a.code: a.status for a in hub.alignments(code="ASP5")}
    assert statuses == {"C5": "accepted", "16": "accepted", "9": "proposed"}
    assert all(hub.alignment_history(int(i))[-1].reason == "C5" for i in strong)


def test_link_reviews_and_added_links_are_in_the_audit_trail(hub: Hub) -> None:
    _propose(hub, [("ASP5", 1, "WSIS", "C5", 0.93)])
    link = hub.alignments(code="ASP5")[0]
    hub.user_add("rita", role="reviewer", password="a-long-enough-password")
    hub.review(link.id, "reject", "rita", "not about CIRTs")
    added = hub.add_link("ASP5.1", "SDG", "9", "rita", "networks")
    [rejected] = hub.audit_history("alignment", link.id)
    assert (rejected.action, rejected.actor, rejected.comment) == ("reject", "rita", "not about CIRTs")
    assert rejected.user_id == hub.user("rita").id
    assert rejected.before == {"status": "proposed", "provenance": "model", "score": 0.93}
    assert rejected.after is not None and rejected.after["status"] == "rejected"
    [add] = hub.audit_history("alignment", added.id)
    assert add.action == "add" and add.after is not None and (add.after["framework"], add.after["code"]) == ("SDG", "9")
    entries, total = hub.activity(object_type="alignment")
    assert total == 2 and [e.action for e in entries] == ["add", "reject"]
