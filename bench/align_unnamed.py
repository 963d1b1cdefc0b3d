"""The named-aim view's offset, fitted out of fold on the in-domain set (docs/benchmarks.md).

The view marks the (text, goal) pairs where an ICT text leaves a sector's or a group's goal unnamed
(``rihub.align.views.unnamed_aims``). Its logit offset is fitted like a label prior: the offset that
minimises log loss on the marked pairs, L2-penalised by ``PRIOR_PENALTY``. This prints

- the offset fitted on all pairs and on each of five folds grouped by initiative;
- the in-domain SDG figures with no offset, and out of fold (each fold ranked with the offset fitted
  on the other four);
- the EUR hold-out with no offset and with the shipped one;
- the SDG benchmark dev half scored the way ``rihub align predict-benchmark`` scores it (the
  ``Aligner`` with every view) out of fold — each fold's combiner fitted on the other folds — with
  the view off and on, beside the combiner alone (the benchmark protocol).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/align_unnamed.py [--no-benchmark]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import GroupKFold, StratifiedKFold

from rihub.align import Aligner, views
from rihub.align.calibrate import (
    PRIOR_PENALTY,
    RANK_K,
    _offset,
    gold_matrix,
    indomain_items,
    initiative_figures,
    ranking_figures,
    score_items,
)
from rihub.align.combiner import logit
from rihub.align.evaluate import DEFAULT_BENCHMARK, _benchmark_pairs, evaluate_holdout, sdg_metrics
from rihub.align.report import holdout_items
from rihub.align.train import fit_with_threshold
from rihub.hub import DEMO_REPORT, demo_report_bytes
from rihub.ingest import parse_bytes

MARK = -1e-6
"""An offset too small to move any score: scoring with it shows which pairs the view marks."""


@contextmanager
def offset(value: float) -> Iterator[None]:
    saved = views.UNNAMED_AIM_LOGIT
    views.UNNAMED_AIM_LOGIT = value
    try:
        yield
    finally:
        views.UNNAMED_AIM_LOGIT = saved


def line(name: str, f: dict[str, float], rolled: dict[str, float] | None = None) -> str:
    out = f"  {name:<34} MAP {f['map']:.4f}  recall@5 {f['recall_at_5']:.4f}  F1 {f['f1_at_shipped_thresholds']:.4f}"
    if rolled:
        out += f"  | per initiative MAP {rolled['map']:.4f} recall@5 {rolled['recall_at_5']:.4f}"
    return out


def benchmark_through_aligner(aligner: Aligner, shipped: float) -> None:
    """Out-of-fold decisions on the benchmark rows: combiner alone, and the Aligner with the view off / on."""
    rows, x, y, sdgs = _benchmark_pairs(DEFAULT_BENCHMARK, aligner.embed)
    texts = [r.text for r in rows]
    preds: dict[str, npt.NDArray[np.bool_]] = {k: np.zeros(len(y), dtype=bool) for k in ("protocol", "off", "on")}
    strata = sdgs * 2 + y.astype(np.int64)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), strata):
        model = fit_with_threshold(x[train], y[train], sdgs[train], 0)
        preds["protocol"][test] = model.proba(x[test], sdg=True) >= model.default_threshold
        fold = Aligner(model, aligner.embed)
        for key, value in (("off", 0.0), ("on", shipped)):
            with offset(value):
                fs = fold.scores([texts[i] for i in test])["SDG"]
            cols = [fs.codes.index(str(s)) for s in sdgs[test]]
            preds[key][test] = fs.scores[np.arange(len(test)), cols] >= fs.thresholds[cols]
    print("SDG benchmark dev half, 5-fold stratified, seed 0 (mean F1 over the 17 goals):")
    names = {"protocol": "combiner alone (the protocol)", "off": "Aligner, view off", "on": "Aligner, view on"}
    for key, pred in preds.items():
        m = sdg_metrics(sdgs, y, pred)
        print(f"  {names[key]:<34} F1 {m['mean_f1']:.4f}  P {m['mean_precision']:.4f}  R {m['mean_recall']:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-benchmark", action="store_true", help="skip the benchmark (about a minute)")
    args = ap.parse_args()
    aligner = Aligner.load()
    outline = parse_bytes(demo_report_bytes(), DEMO_REPORT)
    items = indomain_items(outline)
    groups = [it.initiative for it in items]
    with offset(MARK):
        marked = score_items(aligner, items, label_priors=False)["SDG"]
    codes, thr, k = marked.codes, marked.thresholds, RANK_K["SDG"]
    gold = gold_matrix(items, "SDG", codes)
    mask = marked.lifts["unnamed_aim"] < 0
    z, y = logit(marked.scores), gold.astype(np.float64)
    fitted = _offset(z[mask], y[mask], PRIOR_PENALTY)
    print(f"in-domain set: {len(items)} texts; marked pairs {int(mask.sum())}, labels among them {int(y[mask].sum())}")
    print(f"offset fitted on all pairs {fitted:.3f} (shipped {views.UNNAMED_AIM_LOGIT:.3f})")
    with offset(0.0):
        none = score_items(aligner, items, label_priors=False)["SDG"].scores
    oof, per_fold = np.zeros_like(none), []
    for train, test in GroupKFold(n_splits=5).split(none, groups=groups):
        m = mask[train]
        per_fold.append(round(_offset(z[train][m], y[train][m], PRIOR_PENALTY), 3))
        with offset(per_fold[-1]):
            oof[test] = score_items(aligner, [items[i] for i in test], label_priors=False)["SDG"].scores
    print(f"offsets fitted per fold: {per_fold}")
    print(line("no offset", ranking_figures(none, gold, thr, k), initiative_figures(none, gold, groups, codes, "SDG")))
    print(line("out of fold", ranking_figures(oof, gold, thr, k), initiative_figures(oof, gold, groups, codes, "SDG")))
    holdout = holdout_items(outline)
    print("EUR hold-out (content lines), SDG:")
    for name, value in (("no offset", 0.0), ("shipped", views.UNNAMED_AIM_LOGIT)):
        with offset(value):
            e = evaluate_holdout(holdout, aligner, content_only=True)
        ranks = {p["code"]: p["sdg_gold_ranks"] for p in e["per_item"]}
        print(f"  {name:<12} recall@5 {e['sdg_recall_at_5']:.4f}  MAP {e['sdg_map']:.4f}  gold ranks {ranks}")
    if not args.no_benchmark:
        benchmark_through_aligner(aligner, views.UNNAMED_AIM_LOGIT)


if __name__ == "__main__":
    main()
