"""The coverage matrix: link kinds kept apart, the include toggle, gaps, and its web, API and CLI surfaces."""

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
from rihub.analysis.matrix import KINDS
from rihub.analysis.themes import vocabulary
from rihub.hub import Hub
from rihub.records import Matrix

pytest_plugins = ["web_fixtures"]
ALL = ["document", "accepted", "proposed"]


def _total(m: Matrix, column: str) -> tuple[int, int]:
    cells = [m.cell(r, column) for r in m.regions]
    return sum(c.initiatives for c in cells), sum(c.results for c in cells)


@pytest.mark.parametrize(("framework", "column"), [("SDG", "9"), ("WSIS", "C2")])
def test_document_links_are_apart_from_proposals(aligned_hub: Hub, framework: str, column: str) -> None:
    default, everything = aligned_hub.matrix(framework), aligned_hub.matrix(framework, include=ALL)
    eur = default.cell("EUR", column)
    documented = {a.initiative for a in aligned_hub.alignments(provenance="document", framework=framework)}
    stated = {a.initiative for a in aligned_hub.alignments(provenance="document") if a.code == column}
    assert stated and stated <= documented
    assert {i.code for i in eur.items if i.link == "document"} == stated
    assert eur.by_kind["document"].initiatives == len(stated)
    assert eur.by_kind["proposed"].results > 0  # the model proposes it for EUR's results too …
    assert eur.results == 0  # … but no proposal is counted by default
    assert all(not i.counted for i in eur.items if i.link == "proposed")
    for region in default.regions:  # the same proposals, counted when asked for
        cell, wide = default.cell(region, column), everything.cell(region, column)
        assert cell.by_kind == wide.by_kind
        assert cell.initiatives == cell.by_kind["document"].initiatives + cell.by_kind["accepted"].initiatives
        assert wide.results == sum(wide.by_kind[k].results for k in KINDS)
    assert _total(everything, column) > _total(default, column)


def test_include_toggle_and_review(aligned_hub: Hub, tmp_path: Path) -> None:
    from web_fixtures import copy_hub

    hub = copy_hub(aligned_hub, tmp_path / "matrix.db")
    proposed = [a for a in hub.alignments(status="proposed", framework="SDG", code="ASP3") if a.result is not None]
    accept, reject = proposed[0], proposed[1]
    hub.review(accept.id, "accept", "tester")
    hub.review(reject.id, "reject", "tester")
    default, everything = hub.matrix("SDG"), hub.matrix("SDG", include=ALL)
    accepted = default.cell("ASP", accept.code)
    item = next(i for i in accepted.items if (i.code, i.result) == ("ASP3", accept.result))
    assert (item.link, item.counted) == ("accepted", True)
    assert accepted.results >= 1
    only_proposed = hub.matrix("SDG", include="proposed").cell("ASP", accept.code)
    assert not next(i for i in only_proposed.items if (i.code, i.result) == ("ASP3", accept.result)).counted
    # A rejected link is gone from every count and list, even with every kind included.
    gone = everything.cell("ASP", reject.code)
    assert ("ASP3", reject.result) not in {(i.code, i.result) for i in gone.items}
    before = aligned_hub.matrix("SDG", include=ALL).cell("ASP", reject.code)
    assert ("ASP3", reject.result) in {(i.code, i.result) for i in before.items}


def test_theme_matrix_counts_term_matches_and_lists_them(demo_hub: Hub) -> None:
    m = demo_hub.matrix("theme")
    assert [c.code for c in m.columns] == [t.code for t in vocabulary().themes]
    assert m.columns[1].code == "cybersecurity" and m.columns[1].regions == m.regions
    arb = m.cell("ARB", "cybersecurity")
    assert [(i.code, i.result, i.link, i.counted) for i in arb.items] == [("ARB5", None, "document", True)]
    eur = m.cell("EUR", "cybersecurity")
    assert ("EUR4", 4) in {(i.code, i.result) for i in eur.items}
    assert eur.results == sum(1 for i in eur.items if i.result is not None)


def test_gaps_agree_with_the_cells(aligned_hub: Hub) -> None:
    for by, include in [("theme", None), ("SDG", None), ("WSIS", ALL), ("GDC", ALL)]:
        m = aligned_hub.matrix(by, include=include)
        gaps = {g.region: {c.code: c.covered_by for c in g.columns} for g in m.gaps}
        for column in m.columns:
            covering = [r for r in m.regions if m.cell(r, column.code).initiatives or m.cell(r, column.code).results]
            assert column.regions == covering
            for region in m.regions:
                if region in covering or not covering:
                    assert column.code not in gaps[region]
                else:
                    assert gaps[region][column.code] == covering
    assert "ARB" in {g.region for g in aligned_hub.matrix("SDG").gaps if any(c.code == "9" for c in g.columns)}


def test_bad_choices_are_one_clear_error(demo_hub: Hub) -> None:
    from rihub.errors import RihubError

    with pytest.raises(RihubError, match="unknown matrix by"):
        demo_hub.matrix("ODS")
    with pytest.raises(RihubError, match="unknown link kind maybe"):
        demo_hub.matrix("SDG", include="document,maybe")


# --- web -------------------------------------------------------------------------------------------


def test_matrix_page_links_every_cell(web_client: TestClient) -> None:
    page = web_client.get("/matrix")
    assert page.status_code == 200
    assert 'href="/matrix"' in page.text and "Matrix</a>" in page.text  # in the site navigation
    assert "heat-5" in page.text and "/matrix?by=theme&amp;include=document%2Caccepted&amp;" in page.text
    assert "Also count proposed links" in page.text
    detail = web_client.get("/matrix?by=theme&region=EUR&column=cybersecurity")
    assert 'href="/initiatives/EUR4/results/4"' in detail.text and 'href="/initiatives/EUR4"' in detail.text
    assert web_client.get("/matrix?region=EUR&column=nothing").status_code == 404


def test_matrix_page_toggle_counts_proposals(aligned_client: TestClient) -> None:
    default = aligned_client.get("/matrix.json?by=SDG").json()
    wide = aligned_client.get("/matrix.json?by=SDG&include=document&include=accepted&include=proposed").json()
    assert default["include"] == ["document", "accepted"] and wide["include"] == ALL
    assert sum(c["results"] for c in wide["cells"]) > sum(c["results"] for c in default["cells"]) == 0
    page = aligned_client.get("/matrix?by=SDG&include=document,accepted,proposed")
    assert "Leave proposed links out" in page.text


def test_matrix_csv_is_flat(web_client: TestClient) -> None:
    response = web_client.get("/matrix.csv?by=theme")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6 * len(vocabulary().themes)
    assert not any(v.startswith(("[", "{")) for r in rows for v in r.values())
    arb = next(r for r in rows if (r["region"], r["column"]) == ("ARB", "cybersecurity"))
    assert (arb["initiatives"], arb["counted"]) == ("1", "ARB5")


def test_api_matrix(web_client: TestClient) -> None:
    body = web_client.get("/api/matrix?by=GDC").json()
    assert body["by"] == "GDC" and [c["code"] for c in body["columns"]] == ["1", "2", "3", "4", "5"]
    assert len(body["cells"]) == 6 * 5 and body["gaps"]
    for url in ("/api/matrix?by=ODS", "/api/matrix?include=maybe", "/matrix.json?by=ODS"):
        bad = web_client.get(url)
        assert bad.status_code == 400 and bad.json()["error"]["detail"].startswith("unknown")
    assert web_client.get("/matrix?by=ODS").status_code == 400
    schema = web_client.get("/openapi.json").json()
    assert "Matrix" in schema["components"]["schemas"]
    assert schema["paths"]["/api/matrix"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


def test_initiative_page_shows_its_themes(web_client: TestClient) -> None:
    page = web_client.get("/initiatives/ARB5")
    assert 'class="theme-tag"' in page.text and 'title="title/objective: “Cyber”"' in page.text
    themes = web_client.get("/initiatives/EUR4.json").json()["themes"]
    assert themes[0]["theme"] == "cybersecurity" and themes[0]["results"] == [1, 3, 4, 5, 6]


# --- CLI -------------------------------------------------------------------------------------------


def _run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "rihub.cli", "--db", db, *args]
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)


def test_cli_matrix(demo_hub: Hub) -> None:
    db = backend.url_of(demo_hub)
    table = _run("matrix", "--by", "SDG", db=db)
    assert table.returncode == 0, table.stderr
    assert "9 Industry" in table.stdout and "does not cover" in table.stdout
    rows = list(csv.DictReader(io.StringIO(_run("matrix", "--by", "wsis", "--csv", db=db).stdout)))
    assert len(rows) == 6 * 11 and rows[0]["by"] == "WSIS"
    data = json.loads(_run("matrix", "--json", "--include", "document,proposed", db=db).stdout)
    assert data["by"] == "theme" and data["include"] == ["document", "proposed"]
    for args in (("--by", "ODS"), ("--include", "maybe"), ("--csv", "--json")):
        bad = _run("matrix", *args, db=db)
        assert bad.returncode == 1 and bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1, args
