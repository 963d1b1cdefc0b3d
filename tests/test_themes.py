"""Themes on the bundled report: vocabulary, term matches with their words as written, the semantic
fallback kept apart, and the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import backend
from rihub.analysis.themes import FALLBACK_THRESHOLD, assign, match_terms, vocabulary
from rihub.hub import Hub
from rihub.store.coverage import vectors_of

ROOT = Path(__file__).resolve().parents[1]


def test_vocabulary_is_versioned_and_documented() -> None:
    vocab = vocabulary()
    codes = [t.code for t in vocab.themes]
    assert len(codes) == len(set(codes)) >= 15
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", vocab.date)
    assert all(t.label and t.description and t.terms for t in vocab.themes)
    docs = (ROOT / "docs" / "themes.md").read_text(encoding="utf-8")
    assert vocab.version in docs
    assert all(t.code in docs for t in vocab.themes)


def test_matching_normalises_case_plurals_and_hyphens() -> None:
    found = match_terms("National CSIRTs run cyber-exercises; E-Waste and ewaste; early-warning systems for LDCs.")
    assert found["cybersecurity"] == ["CSIRTs", "cyber-exercises"]
    assert found["environment"] == ["E-Waste", "ewaste"]
    assert found["emergency"] == ["early-warning"]
    assert found["ldc-sids-lldc"] == ["LDCs"]
    # Word boundaries, and acronyms only in capitals: no AI in "maid" or "ai".
    assert "emerging-tech" not in match_terms("the maid said ai")
    assert match_terms("Artificial intelligence and AI-powered tools")["emerging-tech"] == [
        "Artificial intelligence",
        "AI",
    ]
    assert "spectrum" not in match_terms("people with autism spectrum disorders")


def test_cybersecurity_in_all_six_regions_arb_through_its_priority(demo_hub: Hub) -> None:
    themes = demo_hub.themes()
    regions = {i.region for i in themes.initiatives if any(m.theme == "cybersecurity" for m in i.themes)}
    assert regions == {"ARB", "EUR", "ASP", "AMS", "AFR", "CIS"}
    arb = [i for i in themes.initiatives if i.region == "ARB" and any(m.theme == "cybersecurity" for m in i.themes)]
    assert [i.code for i in arb] == ["ARB5"]
    assert arb[0].title == "Advancing Cyber Resilience in the Arab World" and arb[0].results == []
    match = next(m for m in arb[0].themes if m.theme == "cybersecurity")
    assert match.status == "term" and match.terms == ["Cyber"]


def test_every_initiative_has_a_theme_and_evidence_is_words_of_the_text(demo_hub: Hub) -> None:
    themes = demo_hub.themes()
    assert len(themes.initiatives) == demo_hub.stats().initiatives + demo_hub.stats().priorities
    assert all(i.themes for i in themes.initiatives)
    texts = {r.id: r.full_text for i in demo_hub.initiatives() for r in i.expected_results}
    for item in themes.initiatives:
        for r in item.results:
            for m in r.themes:
                assert m.status == "term" and m.terms
                assert all(term in texts[r.result_id] for term in m.terms), (item.code, r.number, m.terms)
    eur4 = next(i for i in themes.initiatives if i.code == "EUR4")
    csirts = next(r for r in eur4.results if r.number == 4)
    assert csirts.themes[0].theme == "cybersecurity" and "CSIRTs" in csirts.themes[0].terms
    rolled = next(m for m in eur4.themes if m.theme == "cybersecurity")
    assert rolled.results == [1, 3, 4, 5, 6]


def test_counts_add_up(demo_hub: Hub) -> None:
    counts = demo_hub.themes().counts
    assert counts.results == demo_hub.stats().expected_results
    assert counts.by_terms + counts.by_fallback + counts.without_theme == counts.results
    assert counts.by_fallback == 0  # no embeddings in this registry: terms only
    assert counts.by_terms >= 0.95 * counts.results


def test_fallback_is_inferred_kept_apart_and_says_so(aligned_hub: Hub) -> None:
    """A result stripped of its terms keeps its vector: the fallback finds its theme from meaning."""
    items = aligned_hub.initiatives()
    with aligned_hub.engine.connect() as conn:
        vectors = vectors_of(conn, [i.id for i in items])
    eur4 = next(i for i in items if i.code == "EUR4")
    result = next(r for r in eur4.expected_results if r.number == 4)
    assert match_terms("Setting up or improving the capabilities of national teams") == {}
    bare = result.model_copy(update={"text": "Setting up or improving the capabilities of national teams"})
    stated = [bare if r.id == result.id else r for r in eur4.expected_results]
    changed = eur4.model_copy(update={"expected_results": stated})
    found = assign([changed if i.id == eur4.id else i for i in items], vectors, "WTDC-25")
    themed = next(r for i in found.initiatives if i.code == "EUR4" for r in i.results if r.number == 4)
    assert len(themed.themes) == 1
    match = themed.themes[0]
    assert (match.theme, match.status, match.terms) == ("cybersecurity", "inferred", [])
    assert match.similarity is not None and match.similarity >= FALLBACK_THRESHOLD
    assert match.evidence.startswith("close in meaning to results tagged Cybersecurity and trust, cosine 0.")
    assert found.counts.by_fallback == aligned_hub.themes().counts.by_fallback + 1


def test_result_themes_cover_every_result(demo_hub: Hub) -> None:
    by_result = demo_hub.result_themes()
    assert len(by_result) == demo_hub.stats().expected_results
    codes = {t.code for t in vocabulary().themes}
    assert all(set(themes) <= codes for themes in by_result.values())
    eur4 = demo_hub.initiative("EUR4")
    assert by_result[next(r.id for r in eur4.expected_results if r.number == 4)] == ["cybersecurity"]


def _run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "rihub.cli", "--db", db, *args]
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)


def test_cli_themes(demo_hub: Hub) -> None:
    db = backend.url_of(demo_hub)
    shown = _run("themes", db=db)
    assert shown.returncode == 0, shown.stderr
    assert "ARB5" in shown.stdout and "Cybersecurity and trust" in shown.stdout
    assert "167 expected results" in shown.stdout
    data = json.loads(_run("themes", "--json", db=db).stdout)
    assert data["vocabulary_version"] == vocabulary().version and len(data["initiatives"]) == 31
    bad = _run("themes", "--cycle", "WTDC-99", db=db)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and bad.stderr.startswith("error: no cycle")
