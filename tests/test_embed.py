"""The embedder's OpenVINO runtime against torch: the same vectors, from several threads at once."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from rihub.align.embed import Embedder, get_embedder
from rihub.model import Outline


@pytest.fixture(scope="module")
def texts(outline: Outline) -> list[str]:
    results = [r.text for ini in outline.initiatives for r in ini.expected_results]
    # leading/trailing blanks (stripped like sentence-transformers does), one word, and a text
    # longer than the model's 256 tokens (truncated the same way)
    return [*results, "  Spectrum management and transition to digital broadcasting.  ", "x", " ".join(results[:12])]


def test_openvino_runs_and_gives_torch_s_vectors(texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = get_embedder()
    compiled.load()
    assert compiled.backend == "openvino"  # a dependency: falling back to torch here is a fault
    monkeypatch.setenv("RIHUB_EMBED_BACKEND", "torch")
    reference = Embedder()
    reference.load()
    assert reference.backend == "torch"
    got, want = compiled.encode_uncached(texts), reference.encode_uncached(texts)
    assert got.shape == want.shape == (len(texts), 384) and got.dtype == np.float32
    assert np.abs(got - want).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)


def test_concurrent_calls_give_the_serial_vectors(texts: list[str]) -> None:
    emb = get_embedder()
    serial = emb.encode_uncached(texts)
    out: dict[int, np.ndarray] = {}

    def run(k: int) -> None:
        out[k] = emb.encode_uncached(texts[k::3])

    threads = [threading.Thread(target=run, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(3):
        assert np.abs(out[k] - serial[k::3]).max() < 1e-5


def test_a_failed_compile_falls_back_to_torch_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import openvino

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no CPU plugin")

    monkeypatch.setattr(openvino, "convert_model", refuse)
    emb = Embedder()
    with caplog.at_level("WARNING", logger="rihub.align.embed"):
        emb.load()
    assert emb.backend == "torch"
    assert "could not compile the embedding model (no CPU plugin); using torch" in caplog.text
    vec = emb.encode_uncached(["Spectrum management."])
    assert vec.shape == (1, 384) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-6
