"""A view's lift, chosen out of fold on the in-domain set (docs/benchmarks.md).

``--view custodian`` (default): the custodian / application logit, judged on SDG; ``--view
guide_terms``: ``GUIDE_TERM_LOGIT``, judged on GDC, whose scores include the label priors, fitted
out of fold (on the other initiatives' folds) for each lift as ``rihub align evaluate`` fits them.
For each lift on a grid, every labelled text is scored as the ``Aligner`` scores it; then, in five
folds grouped by initiative, each fold's lift is the one with the best mean average precision on
the other folds, and the fold is ranked with it. Prints the figures of every lift on the whole set
(what a fixed choice gives) and the nested out-of-fold figures (what choosing it is worth).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/align_lifts.py [--view guide_terms] [--grid 1 2 3 4 5 6 7 8]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import GroupKFold

from rihub.align import Aligner, views
from rihub.align.calibrate import (
    RANK_K,
    IndomainItem,
    gold_matrix,
    grouped_oof,
    indomain_items,
    prior_rescorer,
    ranking_figures,
    score_items,
)
from rihub.hub import DEMO_REPORT, demo_report_bytes
from rihub.ingest import parse_bytes

VIEWS = {"custodian": ("SDG", ("CUSTODIAN_LOGIT", "APPLICATION_LOGIT")), "guide_terms": ("GDC", ("GUIDE_TERM_LOGIT",))}


def scores_with_lift(
    aligner: Aligner, items: Sequence[IndomainItem], lift: float, view: str = "custodian"
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], tuple[str, ...]]:
    """The view's framework's scores of every item with ``lift`` as the view's logit (GDC: with label
    priors fitted out of fold, grouped by initiative)."""
    framework, names = VIEWS[view]
    saved = [getattr(views, name) for name in names]
    for name in names:
        setattr(views, name, lift)
    try:
        fs = score_items(aligner, items, label_priors=False)[framework]
        scores = fs.scores
        if framework in aligner.label_priors:
            gold, groups = gold_matrix(items, framework, fs.codes), [it.initiative for it in items]
            rescore = prior_rescorer(aligner, items, framework, fs.codes)
            scores = grouped_oof(fs.scores, gold, groups, rescore=rescore)[0]
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(views, name, value)
    return scores, fs.thresholds, fs.codes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--view", choices=sorted(VIEWS), default="custodian", help="the lift to choose")
    ap.add_argument("--grid", type=float, nargs="+", default=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    args = ap.parse_args()
    grid, (framework, names) = args.grid, VIEWS[args.view]
    shipped = float(getattr(views, names[0]))
    aligner = Aligner.load()
    items = indomain_items(parse_bytes(demo_report_bytes(), DEMO_REPORT))
    by_lift = {lift: scores_with_lift(aligner, items, lift, args.view) for lift in grid}
    codes = by_lift[grid[0]][2]
    gold = gold_matrix(items, framework, codes)
    thresholds = by_lift[grid[0]][1]
    k = RANK_K[framework]
    print(f"in-domain set: {len(items)} texts; {framework} figures of each {names[0]} on the whole set")
    for lift in grid:
        f = ranking_figures(by_lift[lift][0], gold, thresholds, k)
        print(f"  lift {lift:.1f}: " + "  ".join(f"{key} {v:.4f}" for key, v in f.items() if key != "items"))
    groups = [it.initiative for it in items]
    oof = np.zeros_like(by_lift[grid[0]][0])
    chosen = []
    for train, test in GroupKFold(n_splits=5).split(oof, groups=groups):
        maps = {lift: ranking_figures(by_lift[lift][0][train], gold[train], thresholds, k)["map"] for lift in grid}
        best = max(grid, key=lambda lift: (maps[lift], -abs(lift - shipped)))  # ties: nearest the shipped value
        chosen.append(best)
        oof[test] = by_lift[best][0][test]
    f = ranking_figures(oof, gold, thresholds, k)
    print(f"nested out of fold (5 folds grouped by initiative): fold choices {chosen}")
    print("  " + "  ".join(f"{key} {v:.4f}" for key, v in f.items() if key != "items"))


if __name__ == "__main__":
    main()
