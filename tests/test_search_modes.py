"""Search modes: hybrid by default where vectors are stored, words while the model loads, and the
meaning path as one product over a cached array."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from rihub.align import embed
from rihub.hub import Hub
from rihub.records import SearchResult
from rihub.search import semantic
from rihub.store import alignments

pytest_plugins = ["web_fixtures"]


def codes(found: SearchResult) -> list[str]:
    return [h.code for h in found.data]


class SlowEmbedder(embed.Embedder):
    """Stands for a model that takes long to load: ``load`` waits until the test releases it."""

    def __init__(self, real: embed.Embedder, release: threading.Event) -> None:
        super().__init__()
        self._real, self._release = real, release

    def load(self) -> None:
        self._release.wait(timeout=30)
        self._real.load()
        self._model = self._real._model


@pytest.fixture()
def slow_model(aligned_hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The process-wide embedder replaced by one whose load blocks; set the event to finish it."""
    real = embed.get_embedder()
    release = threading.Event()
    monkeypatch.setattr(embed, "_INSTANCE", SlowEmbedder(real, release))
    yield release
    release.set()


def test_default_is_words_without_vectors_and_says_why(demo_hub: Hub) -> None:
    found = demo_hub.search("cybersecurity")
    assert found.mode == "fulltext" and found.mode_notice == semantic.NO_VECTORS
    assert "EUR4" in codes(found)
    explicit = demo_hub.search("cybersecurity", mode="hybrid")
    assert explicit.error and "rihub align" in explicit.error, "an explicit meaning mode says it cannot run"
    assert explicit.count == 0 and explicit.mode_notice is None


def test_default_is_hybrid_with_vectors_and_finds_arb5(aligned_hub: Hub) -> None:
    embed.get_embedder().load()  # as a server does at start-up
    found = aligned_hub.search("cybersecurity", limit=50)
    assert found.mode == "hybrid" and found.mode_notice is None
    assert all(h.ranks is not None for h in found.data)
    assert "ARB5" in codes(found), "Advancing Cyber Resilience has no word 'cybersecurity'"
    assert "ARB5" not in codes(aligned_hub.search("cybersecurity", mode="fulltext", limit=50))


def test_a_default_query_never_loads_the_model(aligned_hub: Hub, slow_model: threading.Event) -> None:
    found = aligned_hub.search("cybersecurity")
    assert found.mode == "fulltext" and found.mode_notice == semantic.NOT_LOADED
    assert not embed.get_embedder().loaded


def test_meaning_waits_for_nobody_while_the_model_loads(aligned_hub: Hub, slow_model: threading.Event) -> None:
    hub = Hub(str(aligned_hub.url))
    loader = hub.warm_model()
    assert loader is not None and loader.is_alive()
    for mode in ("hybrid", "semantic", None):
        found = hub.search("cybersecurity", mode=mode)
        assert found.mode == "fulltext" and found.mode_notice == semantic.LOADING, mode
        assert codes(found) == codes(hub.search("cybersecurity", mode="fulltext"))
    slow_model.set()
    loader.join(timeout=60)
    ready = hub.search("cybersecurity")
    assert ready.mode == "hybrid" and ready.mode_notice is None
    assert hub.warm_model() is None, "nothing left to load"


def test_warm_model_has_nothing_to_do_without_vectors(demo_hub: Hub, slow_model: threading.Event) -> None:
    assert Hub(str(demo_hub.url)).warm_model() is None
    assert not embed.get_embedder().loaded


def test_meaning_search_is_one_product_over_a_cached_array(aligned_hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    with aligned_hub.engine.connect() as conn:
        vectors = semantic.stored_vectors(conn)
        assert vectors.matrix.flags["C_CONTIGUOUS"] and vectors.matrix.dtype == np.float32
        assert len(vectors.meta) == vectors.matrix.shape[0] > vectors.results_from > 0
        query = vectors.matrix[vectors.results_from + 3]
        found = semantic.semantic_search(conn, query, limit=None, region="EUR")
        # the same ranking computed the slow way, from the rows as stored
        rows = [
            (m, float(v @ query))
            for results in (False, True)
            for m, v in zip(*alignments.load_embeddings(conn, results=results), strict=True)
            if m.region == "EUR"
        ]
        expected = sorted(rows, key=lambda r: -r[1])
        assert [(h.code, h.number) for h in found] == [(m.code, m.number) for m, _ in expected]
        top = semantic.semantic_search(conn, query, limit=5)
        assert [h.score for h in top] == sorted((h.score for h in top), reverse=True) and len(top) == 5

        def refuse(*_: object, **__: object) -> None:
            raise AssertionError("vectors were read again although the registry did not change")

        monkeypatch.setattr(semantic, "load_embeddings", refuse)
        assert semantic.stored_vectors(conn) is vectors
        semantic.semantic_search(conn, query)
        monkeypatch.setattr(semantic, "vectors_state", lambda _conn: (-1,))
        with pytest.raises(AssertionError, match="read again"):
            semantic.stored_vectors(conn)


def test_search_page_one_box_mode_below_and_a_skip_link(web_client: TestClient) -> None:
    page = web_client.get("/search?q=cybersecurity").text
    assert 'id="site-q"' not in page, "the header box is not repeated on the search page"
    assert web_client.get("/").text.count('id="site-q"') == 1
    assert page.index('id="q"') < page.index('class="search-mode"') < page.index('id="mode"')
    assert semantic.NO_VECTORS.split(":")[0] in page
    skip = page.index('href="#hits"')
    assert skip < page.index('class="facets"') < page.index('id="hits"')
    body = web_client.get("/api/search?q=cybersecurity").json()
    assert body["mode"] == "fulltext" and body["mode_notice"] == semantic.NO_VECTORS


def test_search_page_keeps_asking_for_both_while_loading(aligned_hub: Hub, slow_model: threading.Event) -> None:
    from rihub.web.app import create_app

    hub = Hub(str(aligned_hub.url))
    with TestClient(create_app(hub, load_model=True)) as client:
        assert hub._model_loader is not None and hub._model_loader.is_alive()
        page = client.get("/search?q=cybersecurity").text
        assert semantic.LOADING in page
        selected = re.search(r'<option value="(\w+)" selected', page)
        assert selected and selected.group(1) == "hybrid"
