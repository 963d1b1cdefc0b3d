"""Meaning-based and hybrid search, and "similar expected results in other regions".

Expectations come from the data (full-text searches, the results' own wording), not from a list of
codes, so a re-worded report keeps the tests honest.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from html import unescape

import pytest
from fastapi.testclient import TestClient

from rihub.hub import Hub
from rihub.records import SearchResult
from rihub.search import fulltext, semantic

pytest_plugins = ["web_fixtures"]
CSIRT = re.compile(r"\b(C[SI]?IRTs?|CERTs?|CERT/CIRTs|incident response)\b", re.I)


def codes(found: SearchResult) -> list[str]:
    return [h.code for h in found.data]


def child_online_protection(hub: Hub) -> set[str]:
    """Initiatives whose text says "child online protection" (found by words)."""
    return set(codes(hub.search('"child online protection"')))


def test_semantic_search_finds_meaning_without_shared_words(aligned_hub: Hub) -> None:
    expected = child_online_protection(aligned_hub)
    assert len(expected) >= 2
    q = "keeping kids safe on the internet"
    assert aligned_hub.search(q, mode="fulltext", literal=True).count == 0, "no word of the query is in the report"
    found = aligned_hub.search(q, mode="semantic")
    assert found.error is None and found.mode == "semantic"
    assert set(codes(found)[: len(expected)]) == expected
    best = found.data[0]
    assert best.matches and best.matches[0].similarity == best.score
    assert best.matches[0].marks == [] and best.matches[0].text, "no matched words to mark"


def test_protecting_children_online_ranks_them_first(aligned_hub: Hub) -> None:
    expected = child_online_protection(aligned_hub)
    found = aligned_hub.search("protecting children online", mode="semantic")
    assert set(codes(found)[: len(expected)]) == expected
    assert found.count < len(aligned_hub.initiatives(nested=False)), "unrelated initiatives are cut off"


def test_hybrid_is_the_union_ranked_by_fusion(aligned_hub: Hub) -> None:
    q = "cybersecurity"
    words = codes(aligned_hub.search(q, mode="fulltext", limit=1000))
    meaning = codes(aligned_hub.search(q, mode="semantic", limit=1000))
    both = aligned_hub.search(q, mode="hybrid", limit=1000)
    assert set(codes(both)) == set(words) | set(meaning)
    for hit in both.data:
        ranks = hit.ranks
        assert ranks is not None
        assert ranks.fulltext == (words.index(hit.code) + 1 if hit.code in words else None)
        assert ranks.semantic == (meaning.index(hit.code) + 1 if hit.code in meaning else None)
        expected = sum(1 / (semantic.RRF_K + r) for r in (ranks.fulltext, ranks.semantic) if r)
        assert hit.score == pytest.approx(expected, abs=1e-6)
    scores = [h.score for h in both.data]
    assert scores == sorted(scores, reverse=True)
    in_both = [c for c in codes(both) if c in words and c in meaning]
    only_one = [c for c in codes(both) if (c in words) != (c in meaning)]
    assert in_both and only_one and codes(both).index(in_both[0]) < codes(both).index(only_one[0])
    assert both.match == aligned_hub.search(q).match == '("cybersecurity" OR "cyber security")'


def test_facets_and_paging_work_in_every_mode(aligned_hub: Hub) -> None:
    for mode in ("semantic", "hybrid"):
        everything = aligned_hub.search("cybersecurity", mode=mode, limit=1000)
        eur = aligned_hub.search("cybersecurity", mode=mode, region="EUR", limit=1000)
        assert eur.data and all(h.region == "EUR" for h in eur.data)
        assert [f.value for f in eur.facets["region"]] == [f.value for f in everything.facets["region"]]
        page2 = aligned_hub.search("cybersecurity", mode=mode, limit=2, offset=2)
        assert codes(page2) == codes(everything)[2:4]


def test_without_embeddings_semantic_modes_say_so(demo_hub: Hub) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("the model must not be asked when nothing is stored")

    with demo_hub.engine.connect() as conn:
        for mode in ("semantic", "hybrid"):
            found = fulltext.search(conn, "cybersecurity", mode=mode, embed=refuse)
            assert found.data == [] and "run `rihub align` first" in found.error


def test_search_pages_in_each_mode(aligned_client: TestClient, web_client: TestClient) -> None:
    page = aligned_client.get("/search?q=keeping+kids+safe+on+the+internet&mode=semantic").text
    assert re.search(r'<option value="semantic" selected>', page)
    assert {"fulltext", "semantic", "hybrid"} <= set(re.findall(r'<option value="(\w+)"', page))
    shown = re.findall(r'<h3><a href="/initiatives/(\w+)">', page)
    api = aligned_client.get("/api/search?q=keeping+kids+safe+on+the+internet&mode=semantic").json()
    assert shown == [h["code"] for h in api["data"]] and shown
    facet = re.search(r'<a class="facet" href="([^"]+)"', page)
    assert facet and "mode=semantic" in unescape(facet.group(1)), "facets keep the mode"
    hybrid = aligned_client.get("/search.json?q=cybersecurity&mode=hybrid").json()
    assert hybrid["mode"] == "hybrid" and all("ranks" in h for h in hybrid["data"])
    empty = web_client.get("/search?q=cybersecurity&mode=semantic")
    assert empty.status_code == 200 and "run <code>rihub align</code> first" not in empty.text
    assert "run `rihub align` first" in unescape(empty.text)
    assert web_client.get("/api/search?q=cybersecurity&mode=hybrid").json()["error"].endswith("run `rihub align` first")


def test_similar_results_in_other_regions(aligned_hub: Hub, aligned_client: TestClient) -> None:
    item = aligned_hub.initiative("EUR4")
    number = next(r.number for r in item.expected_results if CSIRT.search(r.text))
    similar = aligned_hub.similar_results("EUR4", number)
    assert similar and all(s.region != "EUR" for s in similar)
    about_csirts = {
        i.code
        for i in aligned_hub.initiatives()
        if i.region != "EUR"
        for r in i.expected_results
        if CSIRT.search(r.text + " ".join(s.text for s in r.sub_items))
    }
    assert len(about_csirts) >= 3
    top = [s.code for s in similar[:3]]
    assert set(top) <= about_csirts and len(set(top)) >= 2, (top, about_csirts)
    scores = [s.score for s in similar]
    assert scores == sorted(scores, reverse=True)

    view = aligned_client.get(f"/initiatives/EUR4/results/{number}.json").json()
    assert [(s["code"], s["number"]) for s in view["similar"]] == [(s.code, s.number) for s in similar]
    page = aligned_client.get(f"/initiatives/EUR4/results/{number}").text
    section = page[page.index('id="similar-title"') :]
    for s in view["similar"]:
        assert f'href="/initiatives/{s["code"]}/results/{s["number"]}"' in section
        assert aligned_client.get(s["url"]).status_code == 200


def test_similar_results_need_stored_vectors(web_client: TestClient) -> None:
    assert web_client.get("/initiatives/EUR4/results/4.json").json()["similar"] == []
    assert "run <code>rihub align</code>" in web_client.get("/initiatives/EUR4/results/4").text


def test_pages_do_not_import_the_model_library(aligned_hub: Hub) -> None:
    """Start-up and ordinary pages (similar results included) stay free of torch and sentence-transformers."""
    script = textwrap.dedent(
        f"""
        import json, sys
        from fastapi.testclient import TestClient
        import rihub.web
        from rihub.hub import Hub
        client = TestClient(rihub.web.create_app(Hub({str(aligned_hub.url)!r})))
        statuses = [client.get(u).status_code for u in
                    ("/", "/initiatives/EUR1", "/initiatives/EUR4/results/4", "/search?q=cyber*", "/alignments/1")]
        heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
        print(json.dumps({{"statuses": statuses, "heavy": heavy}}))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer == {"statuses": [200] * 5, "heavy": []}
