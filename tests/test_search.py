"""Full-text search: the query language, ranking on the real report, facets, and index upkeep."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from rihub.errors import InputError
from rihub.hub import Hub, demo_report_bytes
from rihub.records import SearchHit, SearchMatch, SearchResult
from rihub.search.fulltext import CLOSE, OPEN, parse_query, unmark

SECURITY = {"EUR4", "ASP5", "AMS4", "AFR3", "CIS3"}


def marked(match: SearchMatch) -> list[str]:
    """The words a match marks in its snippet."""
    return [match.text[a:b] for a, b in match.marks]


def title_marked(hit: SearchHit) -> list[str]:
    return [hit.title[a:b] for a, b in hit.title_marks]


def codes(found: SearchResult) -> list[str]:
    return [hit.code for hit in found.data]


# --- the query language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fts"),
    [
        ("cybersecurity", '"cybersecurity"'),
        ("cyber*", '"cyber"*'),
        ('"digital transformation" skills', '"digital transformation" AND "skills"'),
        ("digital OR cyber", '"digital" OR "cyber"'),
        ("cyber* -fraud", '"cyber"* NOT "fraud"'),
        ("cyber* NOT fraud", '"cyber"* NOT "fraud"'),
        ("telecommunications/ICTs", '"telecommunications ICTs"'),
        ('"unbalanced', '"unbalanced"'),
        ('say "hi" AND', '"say" AND "hi"'),
    ],
)
def test_queries_become_quoted_fts5_expressions(query: str, fts: str) -> None:
    assert parse_query(query).fts5() == fts


@pytest.mark.parametrize("query", ["", "   ", "AND OR", "***", '"', "NOT", "( ) : ^", "-"])
def test_queries_without_words_are_empty(query: str) -> None:
    assert parse_query(query).empty


def test_postgres_forms_of_the_same_query() -> None:
    parsed = parse_query('"digital skills" OR cyber* -fraud')
    assert parsed.tsquery() == "(digital <-> skills) | (cyber:*) & !(fraud)"
    assert parse_query('"digital skills" OR cyber -fraud').websearch() == '"digital skills" or cyber -fraud'


def test_long_queries_are_capped() -> None:
    assert sum(len(c.words) for c in parse_query("word " * 500).clauses) <= 32


# --- ranking and snippets on the bundled report ------------------------------------------------


def test_cybersecurity_ranks_the_five_security_initiatives_first(demo_hub: Hub) -> None:
    found = demo_hub.search("cybersecurity")
    assert found.error is None
    assert set(codes(found)[:5]) == SECURITY
    scores = [h.score for h in found.data]
    assert scores == sorted(scores, reverse=True)
    for hit in found.data[:5]:
        assert hit.matches, hit.code
        assert any(marked(m) for m in hit.matches) or title_marked(hit)


def test_every_snippet_highlights_a_matching_word(demo_hub: Hub) -> None:
    for hit in demo_hub.search("cybersecurity", limit=100).data:
        for match in hit.matches:
            assert "cybersecurity" in [w.lower() for w in marked(match)], (hit.code, match)
            assert OPEN not in match.text and CLOSE not in match.text


def test_prefix_query_finds_the_arab_priority(demo_hub: Hub) -> None:
    found = demo_hub.search("cyber*", limit=100)
    arb5 = next(h for h in found.data if h.code == "ARB5")
    assert arb5.kind == "priority"
    assert arb5.title == demo_hub.initiative("ARB5").title
    assert "Cyber" in title_marked(arb5)
    assert "ARB5" not in codes(demo_hub.search("cybersecurity", limit=100))  # whole word does not reach it


def test_phrase_is_stricter_than_its_words(demo_hub: Hub) -> None:
    phrase = demo_hub.search('"emergency telecommunications"', limit=100)
    words = demo_hub.search("emergency telecommunications", limit=100)
    assert 0 < phrase.count <= words.count
    assert set(codes(phrase)) <= set(codes(words))


def test_or_widens_and_not_narrows(demo_hub: Hub) -> None:
    a, b = demo_hub.search("cybersecurity", limit=100), demo_hub.search("broadband", limit=100)
    either = demo_hub.search("cybersecurity OR broadband", limit=100)
    assert set(codes(either)) == set(codes(a)) | set(codes(b))
    without = demo_hub.search("cybersecurity -strategies", limit=100)
    assert without.count <= a.count


def test_contributions_are_searchable_as_meetings(demo_hub: Hub) -> None:
    found = demo_hub.search("gender equality", limit=100)
    meetings = [h for h in found.data if h.type == "meeting"]
    assert meetings
    for hit in meetings:
        assert hit.kind == "contribution"
        assert "gender" in demo_hub.meeting(hit.region).contributions.lower()


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR", "NOT", "***", "(((", "cyber AND", "\x00", "a" * 600])
def test_bad_syntax_never_raises(demo_hub: Hub, query: str) -> None:
    found = demo_hub.search(query)
    assert isinstance(found.data, list)


def test_empty_and_nonsense_queries(demo_hub: Hub) -> None:
    empty = demo_hub.search("")
    assert empty.count == 0 and empty.data == [] and empty.error is None
    assert demo_hub.search("AND OR").error
    nonsense = demo_hub.search("qwxzzyv")
    assert nonsense.count == 0 and nonsense.error is None


def test_marked_text_becomes_plain_text_and_offsets() -> None:
    assert unmark(f"a {OPEN}b{CLOSE} c {OPEN}dd{CLOSE}") == ("a b c dd", [(2, 3), (6, 8)])
    assert unmark(f"<{OPEN}&{CLOSE}>") == ("<&>", [(1, 2)])  # data, not HTML: nothing is escaped here
    assert unmark(None) == ("", [])


def test_hits_carry_no_urls_or_html(demo_hub: Hub) -> None:
    """search/ returns data; the web layer builds links and <mark> HTML (tests/test_web_api.py)."""
    hit = demo_hub.search("cybersecurity").data[0]
    assert not {"url", "title_html"} & set(hit.model_dump())
    assert not {"url", "snippet"} & set(hit.matches[0].model_dump())


def test_unknown_mode_is_an_input_error(demo_hub: Hub) -> None:
    with pytest.raises(InputError):
        demo_hub.search("digital", mode="telepathic")


# --- facets and paging ----------------------------------------------------------------------------


def test_facets_count_the_hits(demo_hub: Hub) -> None:
    found = demo_hub.search("digital", limit=1000)
    regions = {f.value: f.count for f in found.facets["region"]}
    assert sum(regions.values()) == found.count
    for region, n in regions.items():
        narrowed = demo_hub.search("digital", region=region, limit=1000)
        assert narrowed.count == n
        assert {h.region for h in narrowed.data} == {region}
        # the region facet keeps showing the other regions while one is chosen
        assert {f.value for f in narrowed.facets["region"]} == set(regions)
    kinds = {f.value: f.count for f in found.facets["kind"]}
    assert sum(kinds.values()) == found.count


def test_framework_facet_follows_alignments(demo_hub: Hub) -> None:
    found = demo_hub.search("digital", framework="wsis", limit=1000)
    assert found.count > 0
    for hit in found.data:
        frameworks = {a.framework for a in demo_hub.initiative(hit.code).alignments}
        assert "WSIS" in frameworks


def test_paging_slices_the_same_ranking(demo_hub: Hub) -> None:
    everything = codes(demo_hub.search("digital", limit=1000))
    pages = [codes(demo_hub.search("digital", limit=7, offset=o)) for o in range(0, len(everything), 7)]
    assert [c for page in pages for c in page] == everything


# --- the index stays in step with the data ---------------------------------------------------------


def _index_rows(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM search_fts")).scalar_one())


def _indexable_rows(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM initiatives) + (SELECT count(*) FROM expected_results)"
                    " + (SELECT count(*) FROM sub_items) + (SELECT count(*) FROM footnotes)"
                    " + (SELECT count(*) FROM meetings WHERE contributions IS NOT NULL)"
                )
            ).scalar_one()
        )


def test_index_follows_ingest_and_supersede(tmp_path: Path) -> None:
    hub = Hub(f"sqlite:///{tmp_path / 'rihub.db'}")
    assert _index_rows(hub) == 0
    hub.ingest_demo()
    assert _index_rows(hub) == _indexable_rows(hub) > 0
    before = demo_report_bytes().decode("utf-8")
    old = "Conducting simulation or educational exercises such as cyberdrills"
    assert old in before
    hub.ingest_bytes(
        before.replace(old, "Conducting zephyrine tabletop exercises such as cyberdrills").encode(),
        "rpm-coordination-wtdc25.txt",
    )
    assert _index_rows(hub) == _indexable_rows(hub)
    assert codes(hub.search("zephyrine")) == ["EUR4"]
    assert hub.search('"simulation or educational exercises"').count == 0
