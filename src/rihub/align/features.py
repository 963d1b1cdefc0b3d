"""Per-(text, label) features shared by training, evaluation and inference.

All features are relative to a framework's label set (cosine to the label, its z-score and rank
among the labels, soft-max share, lexicon mass ...), so one pooled combiner fitted on SDG pairs
can score WSIS and GDC labels too. Keeping this in one module guarantees the shipped model sees
exactly the features it was fitted on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rihub.align.lexicon import get_lexicon, split_sentences
from rihub.align.views import Salient, salient
from rihub.frameworks import FRAMEWORKS, FrameworkItem, goals, load, wsis_sdg_prior

__all__ = [
    "FEATURE_NAMES",
    "LABEL_CACHE",
    "MAX_TEXT_CHARS",
    "SDG_ONLY_FEATURES",
    "LabelSpace",
    "TextBatch",
    "build_label_space",
    "clip_text",
    "feature_tensor",
    "prepare_texts",
    "save_label_embeddings",
    "view_features",
    "view_matrices",
    "wsis_distribution",
    "wsis_prior_features",
]

FloatArray = npt.NDArray[np.float32]
LexiconScores = tuple[dict[tuple[str, str], float], dict[tuple[str, str], list[str]]]
VIEWS = ("goal", "keywords", "target_max", "target_top2", "sent_goal", "sent_target", "lexicon", "combined")
_PER_VIEW = ("value", "z", "is_top1", "is_top3", "share")
FEATURE_NAMES: tuple[str, ...] = (
    *(f"{v}.{k}" for v in VIEWS for k in _PER_VIEW),
    "lexicon.fraction",
    "lexicon.any",
)
SDG_ONLY_FEATURES: tuple[str, ...] = tuple(f"wsis_prior.{k}" for k in _PER_VIEW)
"""Features only SDG labels have: the WSIS->SDG prior view (neutral for WSIS and GDC labels)."""
SOFTMAX_T = 0.05
LABEL_CACHE = Path(__file__).with_name("label_embeddings.npz")


@dataclass(frozen=True)
class LabelSpace:
    """Embedded label texts of one framework: top-level labels plus their finer 'targets'."""

    framework: str
    codes: tuple[str, ...]
    goal_emb: FloatArray
    keyword_emb: FloatArray
    target_emb: FloatArray
    target_owner: npt.NDArray[np.int64]
    target_codes: tuple[str, ...]
    target_texts: tuple[str, ...]  # display text (target title), not the embedded text
    target_is_theme: npt.NDArray[np.bool_] | None = None
    """Which 'targets' are a label's themes (``FrameworkItem.themes``); ``None``: none are."""


def label_texts(framework: str) -> tuple[list[str], list[str], list[tuple[int, str, str]]]:
    """Texts embedded for each label: description, keyword list, and target-level texts.

    SDG targets and GDC commitment areas are real children; a WSIS action line has none, so its
    title and description stand in as 'targets'. A label's themes (the uses it covers) are targets
    too, whatever its children.
    """
    tops: list[FrameworkItem] = goals(framework)
    index = {g.code: i for i, g in enumerate(tops)}
    goal_txt = [f"{g.title}. {g.description}" for g in tops]
    kw_txt = [f"{g.title}: {', '.join(g.keywords)}" for g in tops]
    targets: list[tuple[int, str, str]] = []
    for item in load(framework):
        if item.parent is not None:
            kws = f". {', '.join(item.keywords)}" if framework == "SDG" else f". {item.description}"
            targets.append((index[item.parent], item.code, f"{item.title}{kws}"))
    for i, g in enumerate(tops):
        if not any(owner == i for owner, _, _ in targets):
            targets += [(i, g.code, g.title), (i, g.code, g.description)]
        targets += [(i, g.code, theme) for theme in g.themes]
    return goal_txt, kw_txt, targets


def _texts_key(framework: str) -> str:
    goal_txt, kw_txt, targets = label_texts(framework)
    blob = json.dumps([framework, goal_txt, kw_txt, [t for _, _, t in targets]], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _cached_arrays(framework: str, cache: Path | None) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """Stored label embeddings, if present and made from exactly the current label texts."""
    if cache is None or not cache.exists():
        return None
    with np.load(cache, allow_pickle=False) as data:
        if f"{framework}.key" not in data.files or str(data[f"{framework}.key"]) != _texts_key(framework):
            return None
        return (data[f"{framework}.goal"], data[f"{framework}.keywords"], data[f"{framework}.targets"])


def save_label_embeddings(path: Path, embed: Callable[[list[str]], FloatArray]) -> None:
    """Precompute label embeddings of all frameworks (saves seconds at ``Aligner.load``)."""
    arrays: dict[str, npt.NDArray[Any]] = {}
    for fw in FRAMEWORKS:
        space = build_label_space(fw, embed)
        arrays[f"{fw}.key"] = np.array(_texts_key(fw))
        arrays[f"{fw}.goal"] = space.goal_emb
        arrays[f"{fw}.keywords"] = space.keyword_emb
        arrays[f"{fw}.targets"] = space.target_emb
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def build_label_space(framework: str, embed: object, cache: Path | None = None) -> LabelSpace:
    """Embed a framework's label texts with ``embed`` (list[str] -> (n, 384)), or read ``cache``."""
    goal_txt, kw_txt, targets = label_texts(framework)
    t_txt = [t for _, _, t in targets]
    titles = {item.code: item.title for item in load(framework) if item.parent is not None}
    themes = [set(g.themes) for g in goals(framework)]
    is_theme = np.array([t in themes[owner] for owner, _, t in targets], dtype=np.bool_)
    cached = _cached_arrays(framework, cache)
    if cached is None:
        assert callable(embed)  # typed loosely so tests can pass a stub
        cached = (
            np.asarray(embed(goal_txt), dtype=np.float32),
            np.asarray(embed(kw_txt), dtype=np.float32),
            np.asarray(embed(t_txt), dtype=np.float32),
        )
    return LabelSpace(
        framework=framework,
        codes=tuple(g.code for g in goals(framework)),
        goal_emb=cached[0],
        keyword_emb=cached[1],
        target_emb=cached[2],
        target_owner=np.array([o for o, _, _ in targets], dtype=np.int64),
        target_codes=tuple(c for _, c, _ in targets),
        target_texts=tuple(titles.get(c, t) for _, c, t in targets),
        target_is_theme=is_theme if is_theme.any() else None,
    )


@dataclass(frozen=True)
class TextBatch:
    """Texts with the embeddings, sentences and lexicon scores of their salient heads.

    ``heads`` are the texts without their asides (parentheticals, example lists; see
    ``rihub.align.views.salient``): everything is computed on them, and ``aside_terms`` keeps the
    lexicon terms found only in the asides. ``whole`` is the batch of the texts that have asides,
    read whole (``whole_rows`` says which rows): the aside-weight view blends its scores in.
    """

    texts: tuple[str, ...]
    emb: FloatArray
    sentences: tuple[tuple[str, ...], ...]
    sent_emb: FloatArray
    sent_owner: npt.NDArray[np.int64]
    lexicon: tuple[LexiconScores, ...]
    heads: tuple[str, ...] = ()
    aside_terms: tuple[dict[tuple[str, str], list[str]], ...] = ()
    whole: TextBatch | None = None
    whole_rows: tuple[int, ...] = ()


MAX_TEXT_CHARS = 4000
"""Characters of one text that are scored: about four times the longest expected result or
initiative head of a real report (938 in the WTDC-25 coordination report). Scoring time grows
with a text's sentences; past this a text is cut, and its proposals' evidence says so."""


def clip_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``text`` itself when it fits, else its first ``limit`` characters cut back to a sentence
    end (or, failing one in the last quarter, a space), so no half word or sentence is scored."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    for stop in (max(cut.rfind(". "), cut.rfind("; ")), cut.rfind(" ")):
        if stop >= limit * 3 // 4:
            return cut[: stop + 1].rstrip()
    return cut


def prepare_texts(texts: Sequence[str], embed: object, *, salience: bool = False) -> TextBatch:
    """Embed the texts (their heads, with ``salience``) and their sentences in one batch.

    The ``Aligner`` reads every text through the salience view; the SDG-benchmark protocol
    (training, out-of-fold figures) reads the benchmark's abstracts whole, as the combiner was
    fitted: reading them through salience cost 0.009 mean F1 out of fold (0.876 -> 0.867), because an
    abstract's "including ..." lists carry its topic (docs/alignment.md).
    """
    assert callable(embed)
    views = [salient(t) if salience else Salient(t, ()) for t in texts]
    heads = [v.head for v in views]
    sentences = [tuple(split_sentences(h)) for h in heads]
    uniq: dict[str, int] = {}
    for h in heads:
        uniq.setdefault(h, len(uniq))
    for sents in sentences:
        for s in sents:
            uniq.setdefault(s, len(uniq))
    vecs = np.asarray(embed(list(uniq)), dtype=np.float32) if uniq else np.zeros((0, 384), np.float32)
    emb = vecs[[uniq[h] for h in heads]] if heads else np.zeros((0, 384), np.float32)
    owner = np.array([i for i, sents in enumerate(sentences) for _ in sents], dtype=np.int64)
    sent_emb = vecs[[uniq[s] for sents in sentences for s in sents]] if len(owner) else np.zeros((0, 384), np.float32)
    lex = get_lexicon()
    scores = tuple(lex.label_scores(h) for h in heads)
    asides: list[dict[tuple[str, str], list[str]]] = []
    for v, (_, head_terms) in zip(views, scores, strict=True):
        found = lex.label_scores(" ; ".join(v.asides))[1] if v.asides else {}
        asides.append({k: ts for k, ts in found.items() if k not in head_terms})
    rows = tuple(i for i, v in enumerate(views) if v.asides)
    whole = (
        prepare_texts([texts[i] for i in rows], _reusing(embed, dict(zip(uniq, vecs, strict=True)))) if rows else None
    )
    batch = TextBatch(tuple(texts), emb, tuple(sentences), sent_emb, owner, scores, tuple(heads), tuple(asides))
    return replace(batch, whole=whole, whole_rows=rows)


def _reusing(
    embed: Callable[[list[str]], FloatArray], known: dict[str, FloatArray]
) -> Callable[[list[str]], FloatArray]:
    """``embed`` that reuses vectors already computed (a whole text's sentences without asides)."""

    def run(texts: list[str]) -> FloatArray:
        miss = [t for t in texts if t not in known]
        if miss:
            known.update(zip(miss, np.asarray(embed(miss), dtype=np.float32), strict=True))
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    return run


def _group_max(m: npt.NDArray[np.float32], owner: npt.NDArray[np.int64], n_groups: int) -> npt.NDArray[np.float32]:
    out = np.full((m.shape[0], n_groups), -1.0, dtype=np.float32)
    for g in range(n_groups):
        cols = owner == g
        if cols.any():
            out[:, g] = m[:, cols].max(axis=1)
    return out


def _group_top2(m: npt.NDArray[np.float32], owner: npt.NDArray[np.int64], n_groups: int) -> npt.NDArray[np.float32]:
    out = np.zeros((m.shape[0], n_groups), dtype=np.float32)
    for g in range(n_groups):
        cols = owner == g
        if cols.any():
            out[:, g] = np.sort(m[:, cols], axis=1)[:, -2:].mean(axis=1)
    return out


def _rows_max(m: npt.NDArray[np.float32], owner: npt.NDArray[np.int64], n_rows: int) -> npt.NDArray[np.float32]:
    out = np.full((n_rows, m.shape[1]), -1.0, dtype=np.float32)
    np.maximum.at(out, owner, m)
    return out


def lexicon_matrix(batch: TextBatch, space: LabelSpace) -> npt.NDArray[np.float32]:
    """Weighted lexicon mass per (text, label) of ``space``'s framework."""
    col = {c: i for i, c in enumerate(space.codes)}
    out = np.zeros((len(batch.texts), len(space.codes)), dtype=np.float32)
    for i, (scores, _) in enumerate(batch.lexicon):
        for (fw, code), value in scores.items():
            if fw == space.framework and code in col:
                out[i, col[code]] = value
    return out


def view_matrices(batch: TextBatch, space: LabelSpace) -> dict[str, npt.NDArray[np.float32]]:
    """The (n_texts, n_labels) similarity views the features are derived from.

    ``combined`` compares every label by the same number of texts: a label's themes count in its
    target views but not in ``combined``, which the WSIS->SDG prior turns into a distribution over
    the action lines. A line with ten themes would otherwise take a larger share of every text
    (the best of ten comparisons is higher than the best of two) for having more themes.
    """
    n, k = len(batch.texts), len(space.codes)
    tgt = batch.emb @ space.target_emb.T
    sent_goal = batch.sent_emb @ space.goal_emb.T
    sent_all = batch.sent_emb @ space.target_emb.T
    sent_tgt = _group_max(sent_all, space.target_owner, k)
    views = {
        "goal": batch.emb @ space.goal_emb.T,
        "keywords": batch.emb @ space.keyword_emb.T,
        "target_max": _group_max(tgt, space.target_owner, k),
        "target_top2": _group_top2(tgt, space.target_owner, k),
        "sent_goal": _rows_max(sent_goal, batch.sent_owner, n),
        "sent_target": _rows_max(sent_tgt, batch.sent_owner, n),
        "lexicon": lexicon_matrix(batch, space),
    }
    line_max, line_sent = views["target_max"], views["sent_target"]
    if space.target_is_theme is not None:
        own = ~space.target_is_theme
        line_max = _group_max(tgt[:, own], space.target_owner[own], k)
        line_sent = _rows_max(_group_max(sent_all[:, own], space.target_owner[own], k), batch.sent_owner, n)
    views["combined"] = views["goal"] + views["keywords"] + line_max + line_sent
    return views


def view_features(m: npt.NDArray[np.float64], *, lexicon: bool = False) -> list[npt.NDArray[np.float64]]:
    """Value, z-score across labels, top-1, top-3 and soft-max share (log1p for lexicon mass)."""
    z = (m - m.mean(axis=1, keepdims=True)) / (m.std(axis=1, keepdims=True) + 1e-6)
    rank = (-m).argsort(axis=1, kind="stable").argsort(axis=1, kind="stable")
    if lexicon:
        share = np.log1p(m)
    else:
        e = np.exp((m - m.max(axis=1, keepdims=True)) / SOFTMAX_T)
        share = e / e.sum(axis=1, keepdims=True)
    return [m, z, (rank == 0).astype(np.float64), (rank < 3).astype(np.float64), share]


def feature_tensor(views: dict[str, npt.NDArray[np.float32]]) -> npt.NDArray[np.float64]:
    """Features of every (text, label) pair: shape ``(n_texts, n_labels, len(FEATURE_NAMES))``."""
    feats: list[npt.NDArray[np.float64]] = []
    for name in VIEWS:
        feats += view_features(views[name].astype(np.float64), lexicon=name == "lexicon")
    lex = views["lexicon"].astype(np.float64)
    feats += [lex / (lex.sum(axis=1, keepdims=True) + 1.0), (lex > 0).astype(np.float64)]
    return np.stack(feats, axis=-1)


def wsis_prior_features(
    wsis_views: dict[str, npt.NDArray[np.float32]], wsis: LabelSpace, sdg_codes: Sequence[str]
) -> npt.NDArray[np.float64]:
    """The WSIS->SDG prior as an SDG view, shape ``(n_texts, n_sdgs, len(SDG_ONLY_FEATURES))``.

    A text's soft-max distribution over the WSIS action lines, times the ``sdg_prior`` table, gives
    each SDG the share of the text that sits on action lines serving it. On the benchmark dev half
    this view raised out-of-fold mean F1 in every CV shuffle (bench/align_ablations.py).
    """
    prior = wsis_sdg_prior()
    col = {c: j for j, c in enumerate(sdg_codes)}
    table = np.zeros((len(wsis.codes), len(sdg_codes)))
    for w, code in enumerate(wsis.codes):
        for g in prior.get(code, ()):
            if g in col:
                table[w, col[g]] = 1.0
    mass = wsis_distribution(wsis_views) @ table
    return np.stack(view_features(mass), axis=-1)


def wsis_distribution(wsis_views: dict[str, npt.NDArray[np.float32]]) -> npt.NDArray[np.float64]:
    """Soft-max over the WSIS action lines of each text's "combined" similarity (rows sum to 1)."""
    sims = wsis_views["combined"].astype(np.float64)
    e = np.exp((sims - sims.max(axis=1, keepdims=True)) / SOFTMAX_T)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)
