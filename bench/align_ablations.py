"""Ablations behind the alignment design: what was tried, on what data, and why it is (not) shipped.

Usage: python bench/align_ablations.py [--seeds N]

1. Roll-up rules, on the SDG benchmark dev half: each text's sentences stand in for an initiative's
   parts, scored by a combiner fitted out of fold; the rules rank the 17 SDGs and are compared on the
   positive rows (MRR, recall@k) and on all rows (ROC AUC of the row's SDG).
2. SDG views for the combiner, out of fold on the dev half over N CV shuffles: the shipped WSIS->SDG
   prior view taken out, and nearest labelled exemplars added (cosine to the k most similar dev-half
   texts labelled True for the SDG; a training row never sees itself). The EUR hold-out (SDG
   recall@5 and MAP) is printed beside each, from a model fitted on all dev rows: it is the only
   in-domain evidence, so it is reported, never fitted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from rihub.align.classify import noisy_or
from rihub.align.combiner import Combiner, pair_matrix
from rihub.align.embed import get_embedder
from rihub.align.evaluate import average_precision, sdg_metrics
from rihub.align.features import (
    SDG_ONLY_FEATURES,
    TextBatch,
    build_label_space,
    feature_tensor,
    prepare_texts,
    view_features,
    view_matrices,
    wsis_prior_features,
)
from rihub.align.report import holdout_items
from rihub.align.train import DEFAULT_BENCHMARK, fit_with_threshold, pair_features, read_benchmark
from rihub.hub import DEMO_REPORT, demo_report_bytes
from rihub.ingest import parse_bytes

F = npt.NDArray[np.float64]
Rows = npt.NDArray[np.int64]
View = Callable[[TextBatch, Rows, Rows | None], F]
ENC = get_embedder().encode
ROWS = [r for r in read_benchmark(DEFAULT_BENCHMARK) if r.label is not None]
SDGS = np.array([r.sdg for r in ROWS], dtype=np.int64)
Y = np.array([bool(r.label) for r in ROWS])
SDG_SPACE = build_label_space("SDG", ENC)
WSIS_SPACE = build_label_space("WSIS", ENC)
BATCH = prepare_texts([r.text for r in ROWS], ENC)
POOL = BATCH.emb.astype(np.float64)
X0 = pair_features(BATCH, SDG_SPACE, WSIS_SPACE, SDGS)
PRIOR_COLS = np.arange(X0.shape[1] - 17 - len(SDG_ONLY_FEATURES), X0.shape[1] - 17)


def _strata() -> Rows:
    return SDGS * 2 + Y.astype(np.int64)


def label_scores(model: Combiner, batch: TextBatch, *, prior: bool = True, extra: F | None = None) -> F:
    """(n, 17) SDG scores as the shipped Aligner computes them, with or without the prior view;
    ``extra`` (n, 17, m) is appended before the SDG one-hot."""
    n = len(batch.texts)
    blocks = [feature_tensor(view_matrices(batch, SDG_SPACE)).reshape(n * 17, -1)]
    if prior:
        blocks.append(
            wsis_prior_features(view_matrices(batch, WSIS_SPACE), WSIS_SPACE, SDG_SPACE.codes).reshape(n * 17, -1)
        )
    if extra is not None:
        blocks.append(extra.reshape(n * 17, -1))
    return model.proba(
        pair_matrix(np.hstack(blocks), np.tile(np.arange(17), n), np.zeros((n * 17, 0))), sdg=True
    ).reshape(n, 17)


# --- 1. roll-up rules -------------------------------------------------------------------------


def rollup_rules(seeds: int) -> None:
    def meanpool(b: TextBatch) -> TextBatch:
        emb = b.emb.copy()
        for i in range(len(b.texts)):
            own = b.sent_owner == i
            if own.any():
                v = b.sent_emb[own].mean(axis=0)
                emb[i] = v / (np.linalg.norm(v) + 1e-9)
        return dataclasses.replace(b, emb=emb)

    rules: dict[str, Callable[[F, F, F], F]] = {
        "noisy-OR of sentences (shipped)": lambda w, m, s: noisy_or(s, axis=0),
        "max of sentences": lambda w, m, s: s.max(axis=0),
        "mean of sentences": lambda w, m, s: s.mean(axis=0),
        "whole text (not possible past 256 tokens)": lambda w, m, s: w,
        "mean-pooled sentence embeddings": lambda w, m, s: m,
        "noisy-OR of sentences + whole text": lambda w, m, s: noisy_or(np.vstack([w, s]), axis=0),
        "mean(whole text, noisy-OR)": lambda w, m, s: (w + noisy_or(s, axis=0)) / 2,
        "mean(mean-pooled, noisy-OR)": lambda w, m, s: (m + noisy_or(s, axis=0)) / 2,
    }
    acc = {name: np.zeros((len(Y), 17)) for name in rules}
    for seed in range(seeds):
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(X0, _strata()):
            model = fit_with_threshold(X0[tr], Y[tr], SDGS[tr], seed)
            whole_b = prepare_texts([ROWS[i].text for i in te], ENC)
            whole, pooled = label_scores(model, whole_b), label_scores(model, meanpool(whole_b))
            for k, i in enumerate(te):
                sents = label_scores(model, prepare_texts(list(whole_b.sentences[k]) or [ROWS[i].text], ENC))
                for name, rule in rules.items():
                    acc[name][i] += rule(whole[k], pooled[k], sents) / seeds
    pos = np.flatnonzero(Y)
    print(f"1. Roll-up rules, dev half, sentences as parts, {len(pos)} positive rows, {seeds} CV shuffles averaged")
    print(f"   {'rule':<44}{'MRR':>7}{'r@1':>7}{'r@3':>7}{'r@5':>7}{'AUC':>7}")
    for name in rules:
        sc = acc[name]
        ranks = np.array([1 + int((sc[i] > sc[i, SDGS[i] - 1]).sum()) for i in pos])
        auc = roc_auc_score(Y, sc[np.arange(len(Y)), SDGS - 1])
        figures = [np.mean(1 / ranks), *(np.mean(ranks <= k) for k in (1, 3, 5)), auc]
        print(f"   {name:<44}" + "".join(f"{v:>7.3f}" for v in figures))


# --- 2. extra views ---------------------------------------------------------------------------


def exemplar_view(k: int) -> View:
    def view(batch: TextBatch, pool: Rows, self_rows: Rows | None) -> F:
        sims = batch.emb.astype(np.float64) @ POOL[pool].T
        if self_rows is not None:  # a training row may not be its own exemplar (pool is sorted)
            sims[np.arange(len(self_rows)), np.searchsorted(pool, self_rows)] = -np.inf
        out = np.zeros((len(sims), 17))
        for g in range(17):
            cols = np.flatnonzero((SDGS[pool] == g + 1) & Y[pool])
            top = -np.sort(-sims[:, cols], axis=1)[:, :k]
            out[:, g] = top.mean(axis=1)
        return np.stack(view_features(out), axis=-1)

    return view


def _sub_batch(rows: Rows) -> TextBatch:
    keep = np.isin(BATCH.sent_owner, rows)
    remap = {int(r): n for n, r in enumerate(rows)}
    return dataclasses.replace(
        BATCH,
        texts=tuple(BATCH.texts[i] for i in rows),
        emb=BATCH.emb[rows],
        sentences=tuple(BATCH.sentences[i] for i in rows),
        sent_emb=BATCH.sent_emb[keep],
        sent_owner=np.array([remap[int(o)] for o in BATCH.sent_owner[keep]], dtype=np.int64),
        lexicon=tuple(BATCH.lexicon[i] for i in rows),
    )


def extra_views(seeds: int) -> None:
    variants: dict[str, tuple[bool, View | None]] = {
        "shipped (WSIS prior view)": (True, None),
        "without the WSIS prior view": (False, None),
        "+ nearest exemplar (k=1)": (True, exemplar_view(1)),
        "+ exemplars (k=3)": (True, exemplar_view(3)),
        "+ exemplars (k=5)": (True, exemplar_view(5)),
    }
    items = holdout_items(parse_bytes(demo_report_bytes(), DEMO_REPORT))
    everything = np.arange(len(Y))
    print(f"\n2. SDG views: dev half out of fold ({seeds} CV shuffles, paired) | EUR hold-out, fitted on all rows")
    print(f"   {'variant':<28}{'mean F1':>9}{'Δ vs shipped':>14}{'better / worse':>16}{'EUR r@5':>9}{'EUR MAP':>9}")
    base: list[float] = []
    for name, (prior, view) in variants.items():
        f1s = []
        for seed in range(seeds):
            pred = np.zeros(len(Y), dtype=bool)
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(X0, _strata()):
                model = fit_with_threshold(_with(prior, view, tr, tr, train=True), Y[tr], SDGS[tr], seed)
                test_x = _with(prior, view, te, tr, train=False)
                pred[te] = model.proba(test_x, sdg=True) >= model.default_threshold
            f1s.append(sdg_metrics(SDGS, Y, pred)["mean_f1"])
        base = base or f1s
        model = fit_with_threshold(_with(prior, view, everything, everything, train=True), Y, SDGS)
        recalls, aps = [], []
        for item in items:
            parts = prepare_texts(item.parts(), ENC)
            extra = view(parts, everything, None) if view else None
            agg_parts = label_scores(model, parts, prior=prior, extra=extra)
            order = np.lexsort((-agg_parts.max(axis=0), -noisy_or(agg_parts, axis=0)))
            ranked = [str(j + 1) for j in order]
            gold = item.gold["SDG"]
            recalls.append(len(set(ranked[:5]) & gold) / min(5, len(gold)))
            aps.append(average_precision(ranked, gold))
        delta = np.array(f1s) - np.array(base)
        paired = "—" if f1s is base else f"{int((delta > 0).sum())} / {int((delta < 0).sum())}"
        print(
            f"   {name:<28}{np.mean(f1s):>9.4f}{np.mean(delta):>+14.4f}{paired:>16}"
            f"{np.mean(recalls):>9.3f}{np.mean(aps):>9.3f}"
        )


def _with(prior: bool, view: View | None, rows: Rows, pool: Rows, *, train: bool) -> F:
    """Pair features of ``rows`` (without the prior view if not ``prior``), plus ``view`` against ``pool``."""
    x = X0[rows] if prior else np.delete(X0[rows], PRIOR_COLS, axis=1)
    if view is None:
        return x
    block = view(_sub_batch(rows), pool, rows if train else None)[np.arange(len(rows)), SDGS[rows] - 1]
    return np.hstack([x[:, :-17], block, x[:, -17:]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=5, help="CV shuffles per figure (default 5)")
    args = ap.parse_args()
    rollup_rules(min(args.seeds, 3))
    extra_views(args.seeds)


if __name__ == "__main__":
    main()
