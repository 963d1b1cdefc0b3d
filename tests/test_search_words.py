"""Search for what a person types: codes, people, places, framework items, typos, partial matches, compounds."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rihub.hub import Hub
from rihub.records import SearchResult
from rihub.search.direct import fold
from rihub.search.forgiving import MIN_SIMILARITY, vocabulary
from rihub.store import schema as t

pytest_plugins = ["web_fixtures"]


def codes(found: SearchResult) -> list[str]:
    return [hit.code for hit in found.data]


@pytest.mark.parametrize(("query", "code"), [("AMS3", "AMS3"), ("ams3", "AMS3"), ("EUR 1", "EUR1"), ("eur-1", "EUR1")])
def test_an_initiative_code_ranks_that_initiative_first(demo_hub: Hub, query: str, code: str) -> None:
    found = demo_hub.search(query)
    assert codes(found)[0] == code


def test_a_result_key_opens_the_initiative_at_that_result(demo_hub: Hub) -> None:
    hit = demo_hub.search("AFR1.16").data[0]
    stated = demo_hub.initiative("AFR1").expected_results
    assert hit.code == "AFR1"
    assert hit.matches[0].number == 16
    assert hit.matches[0].text == next(r.text for r in stated if r.number == 16)


def test_a_code_that_does_not_exist_is_searched_as_words(demo_hub: Hub) -> None:
    assert "AMS99" not in codes(demo_hub.search("AMS99"))


@pytest.mark.parametrize(("query", "region"), [("Vári", "EUR"), ("Vari", "EUR"), ("vári", "EUR"), ("Nairobi", "AFR")])
def test_officers_and_venues_find_their_meeting(demo_hub: Hub, query: str, region: str) -> None:
    found = demo_hub.search(query)
    meeting = found.data[0]
    assert (meeting.type, meeting.region, meeting.kind) == ("meeting", region, "meeting")
    marked = [m.text[a:b] for m in meeting.matches for a, b in m.marks]
    assert marked and {fold(w) for w in marked} == {fold(query)}


def test_a_meeting_hit_links_to_its_region(web_client: TestClient) -> None:
    data = web_client.get("/search.json?q=Nairobi").json()
    assert data["data"][0]["url"].startswith("/regions/AFR")
    assert web_client.get("/search.json?q=Nairobi&kind=meeting").json()["count"] >= 1
    page = web_client.get("/search?q=Nairobi&kind=meeting")
    assert page.status_code == 200 and 'href="/regions/AFR' in page.text and "<mark>Nairobi</mark>" in page.text


def test_short_words_name_no_meeting(demo_hub: Hub) -> None:
    assert all(h.type != "meeting" or h.kind != "meeting" for h in demo_hub.search("of").data)


ITEMS = [("SDG 9", "SDG", "9"), ("C5", "WSIS", "C5"), ("GDC 3", "GDC", "3")]


@pytest.mark.parametrize(("query", "framework", "item"), ITEMS)
def test_a_framework_item_lists_the_linked_initiatives_document_links_first(
    demo_hub: Hub, query: str, framework: str, item: str
) -> None:
    a, i = t.alignments, t.initiatives
    with demo_hub.engine.connect() as conn:
        linked = {
            code
            for (code,) in conn.execute(
                select(i.c.code)
                .join(a, a.c.initiative_id == i.c.id)
                .where(a.c.framework == framework, a.c.code == item, a.c.provenance == "document")
            )
        }
    found = demo_hub.search(query)
    assert linked
    assert set(codes(found)[: len(linked)]) == linked
    first = found.data[0].matches[0]
    assert first.field == "link" and "document" in first.label


def test_an_unknown_word_is_corrected_from_the_registry(demo_hub: Hub) -> None:
    found = demo_hub.search("cybersecuirty")
    assert found.corrected == "cybersecurity"
    assert "EUR4" in codes(found)
    literal = demo_hub.search("cybersecuirty", literal=True)
    assert literal.corrected is None and literal.count == 0


def test_known_words_and_short_words_are_not_corrected(demo_hub: Hub) -> None:
    with demo_hub.engine.connect() as conn:
        vocab = vocabulary(conn)
    assert "cybersecurity" in vocab and MIN_SIMILARITY >= 80
    assert demo_hub.search("cybersecurity").corrected is None
    assert demo_hub.search("qzx").corrected is None


def test_words_not_all_held_give_partial_matches_ranked_by_words_held(demo_hub: Hub) -> None:
    found = demo_hub.search("women gender")
    assert "EUR3" in codes(found)[:3]
    both = demo_hub.search("gender zzyzzq-unheard")
    assert both.count > 0  # one word matches, the other nothing: the matching one still finds
    assert demo_hub.search("women gender", literal=True).count <= found.count


@pytest.mark.parametrize("query", ["cyber security", "cyber-security", '"cyber security"'])
def test_compounds_and_hyphenation_agree(demo_hub: Hub, query: str) -> None:
    assert set(codes(demo_hub.search(query, limit=50))) == set(codes(demo_hub.search("cybersecurity", limit=50)))


def test_the_page_says_showing_results_for_and_links_to_the_literal_query(web_client: TestClient) -> None:
    page = web_client.get("/search?q=cybersecuirty").text
    assert "Showing results for “cybersecurity”" in page
    assert 'href="/search?q=cybersecuirty&amp;literal=1"' in page
    literal = web_client.get("/search?q=cybersecuirty&literal=1").text
    assert "Showing results for" not in literal and "Nothing matched" in literal
    assert web_client.get("/api/search?q=" + quote("cybersecuirty")).json()["corrected"] == "cybersecurity"


def says(hub: Hub, code: str, word: str) -> bool:
    """Whether the initiative's title, objective or expected results hold ``word`` as a whole word."""
    item = hub.initiative(code)
    texts = [item.title, item.objective or "", *(r.text for r in item.expected_results)]
    return any(re.search(rf"\b{word}\b", value, re.IGNORECASE) for value in texts)


def test_exact_words_rank_above_words_the_stemmer_folds_together(demo_hub: Hub) -> None:
    found = demo_hub.search("emergency telecommunications", limit=100)
    ranked = [h.code for h in found.data if h.type == "initiative"]
    holding = [code for code in ranked if says(demo_hub, code, "emergency")]
    only_emerging = [code for code in ranked if code not in holding and says(demo_hub, code, "emerging")]
    assert {"AFR1", "AMS1", "ASP5", "EUR2"} <= set(holding)
    assert only_emerging, "the stemmer still folds emerging into emergency: the check below would be empty"
    assert max(ranked.index(c) for c in holding) < min(ranked.index(c) for c in only_emerging)


def test_words_joined_by_a_slash_are_words(demo_hub: Hub) -> None:
    """PostgreSQL's parser reads "emergency/incident" as one path; the search must see two words."""
    texts = [r.text for i in demo_hub.initiatives(nested=False) for r in demo_hub.initiative(i.code).expected_results]
    joined = {value for value in texts if re.search(r"\w/incident\b", value)}
    assert joined, "no expected result writes a word/incident pair: the check below would be empty"
    found = demo_hub.search("incident", literal=True, limit=100)
    marked = {m.text for h in found.data for m in h.matches if "incident" in [m.text[a:b].lower() for a, b in m.marks]}
    assert all(any(snippet.strip(" …") in value for snippet in marked) for value in joined)


def test_hits_holding_every_word_rank_above_partial_ones(demo_hub: Hub) -> None:
    literal = demo_hub.search("digital skills", literal=True, limit=100)
    found = demo_hub.search("digital skills", limit=100)
    ranked = [h.code for h in found.data if h.type == "initiative"]
    assert found.count > literal.count
    both = [c for c in ranked if says(demo_hub, c, r"digital\w{0,3}") and says(demo_hub, c, r"skills?")]
    one = [c for c in ranked if c not in both]
    assert both and one
    assert max(ranked.index(c) for c in both) < min(ranked.index(c) for c in one)
