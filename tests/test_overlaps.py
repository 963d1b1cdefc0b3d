"""Overlap clusters on the bundled report: what several regions ask in different words, and what one asks alone."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import backend
from rihub.analysis.overlaps import cluster_id, matches_topic
from rihub.hub import Hub, demo_report_bytes
from rihub.records import OverlapCluster, Overlaps

pytest_plugins = ["web_fixtures"]

# Pairs that must never share a cluster (read them: different things asked, a word in common).
UNRELATED = [
    ("EUR4", 4, "AFR1", 16),  # national CSIRTs / multi-hazard early warning systems
    ("AFR3", 5, "ASP5", 4),  # computer *emergency* response teams / national emergency telecommunication plans
    ("ASP5", 9, "EUR3", 1),  # e-waste policies / digital accessibility for persons with disabilities
    ("CIS3", 3, "AMS1", 2),  # CIRTs / telecommunication infrastructure for disaster management
]


def key(c: OverlapCluster) -> set[str]:
    return {f"{m.code}.{m.number}" for m in c.members}


def holding(found: Overlaps, code: str, number: int) -> OverlapCluster:
    return next(c for c in [*found.shared, *found.one_region] if f"{code}.{number}" in key(c))


def results_saying(hub: Hub, words: str, codes: list[str] | None = None) -> set[str]:
    """The results (code.number) whose text has these words: chosen by reading the text, not by number."""
    return {
        f"{i.code}.{r.number}"
        for i in hub.initiatives()
        if codes is None or i.code in codes
        for r in i.expected_results
        if matches_topic(r.full_text, words)
    }


def test_csirt_cluster_holds_every_regions_incident_response_teams(aligned_hub: Hub) -> None:
    found = aligned_hub.overlaps()
    assert found.mode == "semantic+lexical" and found.note is None
    csirt = holding(found, "EUR4", 4)
    teams = results_saying(aligned_hub, "incident response")
    assert {"EUR4.4", "ASP5.1", "AFR3.5", "CIS3.3"} <= teams  # the national CSIRT / CIRT / CERT results
    assert teams <= key(csirt)
    assert {"EUR", "ASP", "AFR", "CIS"} <= set(csirt.regions)
    assert any("incident response" in t.lower() for t in csirt.shared_terms)


def test_emergency_telecommunication_results_fall_in_one_cluster(aligned_hub: Hub) -> None:
    found = aligned_hub.overlaps()
    warning = results_saying(aligned_hub, "warning", ["EUR2", "ASP5", "AMS1", "AFR1"])
    assert {"EUR2.3", "ASP5.4", "AMS1.2", "AFR1.16"} <= warning
    cluster = holding(found, "EUR2", 3)
    assert warning <= key(cluster)
    assert {"EUR", "ASP", "AMS", "AFR"} <= set(cluster.regions)
    assert "warning" in " ".join(cluster.shared_terms)


@pytest.mark.parametrize("fixture", ["aligned_hub", "demo_hub"])
def test_unrelated_results_never_share_a_cluster(fixture: str, request: pytest.FixtureRequest) -> None:
    hub: Hub = request.getfixturevalue(fixture)
    found = hub.overlaps()
    for a, n, b, m in UNRELATED:
        assert f"{b}.{m}" not in key(holding(found, a, n)), (a, n, b, m)


def test_views_are_consistent_with_regions(aligned_hub: Hub) -> None:
    found = aligned_hub.overlaps()
    assert found.regions_without_results == ["ARB"]  # ARB states priorities without expected results
    assert set(found.regions) == {"EUR", "ASP", "AMS", "AFR", "CIS"}
    everything = [*found.shared, *found.one_region]
    members = [f"{m.code}.{m.number}" for c in everything for m in c.members]
    assert len(members) == len(set(members)) == found.results == aligned_hub.stats().expected_results
    for c in everything:
        assert c.regions == [r for r in found.regions if r in {m.region for m in c.members}]
        assert c.regions_lacking == [r for r in found.regions if r not in c.regions]
        assert len(c.members) <= 12
        assert sum(m.representative for m in c.members) == 1 and c.members[0].representative
        assert c.representative == c.members[0].text
        assert c.id == cluster_id(m.result_id for m in c.members)  # stable: from the member ids
    assert all(len(c.regions) >= 2 and c.similarity is not None for c in found.shared)
    assert all(len(c.regions) == 1 and c.similarity is None for c in found.one_region)
    assert found.every_region == [c.id for c in found.shared if set(c.regions) == set(found.regions)]
    assert found.every_region, "digital skills are asked by every region that states results"
    assert aligned_hub.overlaps() == found  # same registry, same clusters


def test_shared_terms_are_words_as_written_and_explained(aligned_hub: Hub) -> None:
    full = {f"{i.code}.{r.number}": r.full_text for i in aligned_hub.initiatives() for r in i.expected_results}
    for c in aligned_hub.overlaps().shared:
        texts = [" ".join(full[f"{m.code}.{m.number}"].split()) for m in c.members]
        for term in c.shared_terms:
            assert any(term.lower() in t.lower() for t in texts), (c.id, term)  # a phrase as written, not a stem
            assert sum(matches_topic(t, term) for t in texts) >= 2, (c.id, term)  # …that several members use
        assert f"mean similarity {c.similarity:.2f}" in c.explanation
        assert c.shared_terms == [] or f"“{c.shared_terms[0]}”" in c.explanation


def test_topic_view_filters_and_keeps_clusters(aligned_hub: Hub) -> None:
    whole = aligned_hub.overlaps()
    found = aligned_hub.overlaps(topic="early warning")
    shown = {f"{m.code}.{m.number}": c.id for c in [*found.shared, *found.one_region] for m in c.members}
    assert set(shown) == results_saying(aligned_hub, "early warning")
    assert found.results == len(shown) and found.topic == "early warning"
    for code_number, ident in shown.items():
        code, number = code_number.split(".")
        assert holding(whole, code, int(number)).id == ident  # grouped by the same clusters
    assert aligned_hub.overlaps(topic="no such words anywhere").results == 0


def test_result_ids_restrict_without_regrouping(aligned_hub: Hub) -> None:
    whole = aligned_hub.overlaps()
    keep = {r.id for code in ("EUR4", "CIS3") for r in aligned_hub.initiative(code).expected_results}
    part = aligned_hub.overlaps(result_ids=keep)
    assert {m.result_id for c in [*part.shared, *part.one_region] for m in c.members} == keep
    by_id = {c.id: key(c) for c in [*whole.shared, *whole.one_region]}
    for c in [*part.shared, *part.one_region]:
        assert key(c) <= by_id[c.id]


def test_lexical_only_without_embeddings(demo_hub: Hub) -> None:
    found = demo_hub.overlaps()
    assert found.mode == "lexical" and "rihub align" in (found.note or "")
    assert "no stored embeddings" in found.method
    assert all(c.semantic is None and "meaning not compared" in c.explanation for c in found.shared)
    csirt = holding(found, "EUR4", 4)
    assert {"CIS3.3", "AFR3.5"} <= key(csirt)


def test_copied_result_is_a_near_duplicate(tmp_path: Path) -> None:
    text = demo_report_bytes().decode()
    lines = text.splitlines()
    cis = next(line for line in lines if "Computer Incident Response Teams (CIRTs)" in line).split(" ", 1)[1]
    eur = next(line for line in lines if "computer security incident response teams" in line)
    copied = eur.split(".", 1)[1].strip()  # EUR4's result 4, without its number
    assert cis in text
    hub = Hub(f"sqlite:///{tmp_path / 'copy.db'}")
    hub.ingest_bytes(text.replace(cis, copied.rstrip(".") + ";").encode(), "copied.txt")
    cluster = holding(hub.overlaps(), "CIS3", 3)
    assert "EUR4.4" in key(cluster)
    member = next(m for m in cluster.members if m.code == "CIS3")
    assert member.near_duplicates == ["EUR4.4"]


def test_result_page_lists_its_cluster_first(aligned_client: TestClient, aligned_hub: Hub) -> None:
    body = aligned_client.get("/initiatives/EUR4/results/4.json").json()
    cluster = body["cluster"]
    assert {"ASP5.1", "AFR3.5", "CIS3.3"} <= {f"{m['code']}.{m['number']}" for m in cluster["members"]}
    flags = [s["in_cluster"] for s in body["similar"]]
    assert flags and flags == sorted(flags, reverse=True)  # cluster members first, then the others
    members = {(m["code"], m["number"]) for m in cluster["members"]}
    assert all(((s["code"], s["number"]) in members) == s["in_cluster"] for s in body["similar"])
    page = aligned_client.get("/initiatives/EUR4/results/4").text
    assert "Its overlap cluster" in page and f"/overlaps#{cluster['id']}" in page and "in its cluster" in page


def test_overlaps_page_json_csv_and_api(aligned_client: TestClient, aligned_hub: Hub) -> None:
    page = aligned_client.get("/overlaps")
    assert page.status_code == 200 and 'href="/overlaps" aria-current="page">Overlaps' in page.text
    found = aligned_hub.overlaps()
    assert page.text.count('class="overlap"') == len(found.shared) + len(found.one_region)
    assert aligned_client.get("/overlaps.json").json() == aligned_client.get("/api/overlaps").json()
    api = aligned_client.get("/api/overlaps?topic=incident+response").json()
    assert api["topic"] == "incident response" and api["results"] == len(
        results_saying(aligned_hub, "incident response")
    )
    rows = list(csv.DictReader(io.StringIO(aligned_client.get("/overlaps.csv").content.decode("utf-8-sig"))))
    assert len(rows) == found.results
    assert not any(v.startswith(("[", "{")) for row in rows for v in row.values())  # no JSON in cells
    assert "/api/overlaps" in aligned_client.get("/openapi.json").json()["paths"]
    assert aligned_client.get("/api/overlaps?cycle=WTDC-99").status_code == 404


def test_clusters_are_computed_once_per_registry_state(
    aligned_hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's speed rests on the cache (measured in bench/overlaps.py): a second read must not recluster,
    and a change to the registry must."""
    from rihub.analysis import overlap_index
    from web_fixtures import copy_hub

    hub = copy_hub(aligned_hub, tmp_path / "copy.db")
    calls: list[str | None] = []
    real = overlap_index.load

    def counting(conn: object, cycle: str | None) -> overlap_index.CycleClusters:
        calls.append(cycle)
        return real(conn, cycle)  # type: ignore[arg-type]

    monkeypatch.setattr(overlap_index, "load", counting)
    first = hub.overlaps()
    assert hub.overlaps() == first and len(calls) == 1
    hub.ingest_bytes(demo_report_bytes().replace(b"Expected Results:", b"Expected Results:", 1), "again.txt")
    hub.overlaps()
    assert len(calls) == 2


def test_compare_rows_are_the_clusters_and_do_not_change_with_the_selection(aligned_hub: Hub) -> None:
    from rihub.web.data import comparison

    six = ["EUR1", "EUR2", "ASP1", "ASP5", "AMS1", "AFR1"]
    full = comparison(aligned_hub, six)
    whole = {c.id: key(c) for c in [*aligned_hub.overlaps().shared, *aligned_hub.overlaps().one_region]}
    for row in full.rows:
        shown = {f"{six[col]}.{r.number}" for col, cell in enumerate(row.cells) for r in cell}
        assert shown <= whole[row.cluster_id] and sum(1 for cell in row.cells if cell) >= 2
    emergency = next(r for r in full.rows if any(c.number == 3 for c in r.cells[1]))
    assert [len(cell) > 0 for cell in emergency.cells][1:] == [True] * 5  # EUR2 ASP1 ASP5 AMS1 AFR1 together
    three = comparison(aligned_hub, ["EUR2", "ASP5", "AFR1"])
    for row in three.rows:  # a smaller selection only drops results from the same rows
        before = next(r for r in full.rows if r.cluster_id == row.cluster_id)
        assert row.cells == [before.cells[six.index(code)] for code in ["EUR2", "ASP5", "AFR1"]]


def rihub(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RIHUB_DATABASE_URL": db, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "rihub.cli", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_cli_overlaps(demo_hub: Hub) -> None:
    db = backend.url_of(demo_hub)
    shown = rihub("overlaps", "--topic", "incident response", db=db)
    assert shown.returncode == 0, shown.stderr
    assert "Lexical only" in shown.stdout and "EUR4.4" in shown.stdout and "CIS3.3" in shown.stdout
    data = json.loads(rihub("overlaps", "--json", db=db).stdout)
    assert data["mode"] == "lexical" and data["results"] == 167
    bad = rihub("overlaps", "--cycle", "WTDC-99", db=db)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "no cycle" in bad.stderr
    gender = rihub("overlaps", "--theme", "gender", db=db)
    assert gender.returncode == 0 and "with the theme gender" in gender.stdout, gender.stderr
    unknown = rihub("overlaps", "--theme", "astrology", db=db)
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1 and "no theme" in unknown.stderr


def test_a_theme_filters_results_without_changing_the_clusters(aligned_hub: Hub, aligned_client: TestClient) -> None:
    everything = {c.id: {m.result_id for m in c.members} for c in aligned_hub.overlaps().shared}
    themed = {rid for rid, codes in aligned_hub.result_themes().items() if "cybersecurity" in codes}
    found = aligned_hub.overlaps(theme="Cybersecurity")
    assert found.theme == "cybersecurity" and found.results == len(themed) > 0
    members = {m.result_id for c in found.shared + found.one_region for m in c.members}
    assert members == themed
    for cluster in found.shared:  # a filtered cluster is the same cluster, fewer members
        assert {m.result_id for m in cluster.members} <= everything.get(cluster.id, set())
    csirt = next(c for c in found.shared if any(m.code == "EUR4" for m in c.members))
    assert len(csirt.regions) >= 3
    page = aligned_client.get("/overlaps?theme=cybersecurity")
    assert page.status_code == 200 and '<option value="cybersecurity" selected>' in page.text
    assert aligned_client.get("/api/overlaps?theme=cybersecurity").json()["results"] == found.results
    bad = aligned_client.get("/api/overlaps?theme=astrology")
    assert bad.status_code in (400, 422) and "no theme 'astrology'" in bad.text


def test_warm_computes_the_derived_views_and_freezes_the_heap(demo_hub: Hub, empty_hub: Hub) -> None:
    import gc

    try:
        empty_hub.warm()  # nothing to compute in an empty registry, and no error
        demo_hub.warm()
        assert gc.get_freeze_count() > 0
        assert any(kept for kept in demo_hub._themes.values())  # themes were computed, not left for a request
    finally:
        gc.unfreeze()
