"""A blind check on other cycles' wording: constructed texts labelled by the guide (docs/benchmarks.md).

``bench/data/othercycles.json`` holds 60 texts written in the style of earlier cycles' regional
initiatives and expected results by a helper that saw only the labelling guide, split by id into
``dev`` (odd) and ``heldout`` (even). ``bench/data/othercycles-2.json`` … ``-6.json`` (``--set``)
hold 40 more each by other such helpers, all ``test``: the fourth to sixth are sealed, scored for
aggregate figures only; the second and third were sealed in their turn and are dev since
(docs/benchmarks.md).
Prints, per split, what ``rihub align evaluate`` prints for the in-domain set: mean average
precision, recall@5 (SDG) / recall@3 (WSIS) / top-1 (GDC), and P / R / F1 of the shipped thresholds.
``--items dev`` lists each dev text's gold labels and top-ranked labels (``*`` = proposed).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/align_othercycles.py [--items dev] [--set PATH]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from rihub.align import Aligner
from rihub.align.calibrate import RANK_K, ranking_figures

SET = Path(__file__).with_name("data") / "othercycles.json"
SHOWN = {"SDG": 5, "WSIS": 3, "GDC": 2}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", choices=["dev"], help="list the texts of this split one by one")
    ap.add_argument("--set", type=Path, default=SET, help=f"the labelled set (default {SET.name})")
    args = ap.parse_args()
    items = json.loads(args.set.read_text(encoding="utf-8"))["items"]
    scored = Aligner.load().scores([it["text"] for it in items])
    gold = {fw: [{lab["code"] for lab in it["labels"].get(fw, [])} for it in items] for fw in scored}
    splits = sorted({it["split"] for it in items})
    for split in [*splits, "all"] if len(splits) > 1 else splits:
        rows = [i for i, it in enumerate(items) if split in ("all", it["split"])]
        print(f"{split}: {len(rows)} texts")
        for fw, fs in scored.items():
            g = np.array([[c in gold[fw][i] for c in fs.codes] for i in rows])
            figures = ranking_figures(fs.scores[rows], g, fs.thresholds, RANK_K[fw])
            print(f"  {fw:4}", "  ".join(f"{k} {v}" for k, v in figures.items() if k != "items"))
    if args.items:
        for i, it in enumerate(items):
            if it["split"] != args.items:
                continue
            print(f"\n{it['id']} {it['text']}")
            for fw, fs in scored.items():
                threshold = dict(zip(fs.codes, fs.thresholds, strict=True))
                top = " ".join(f"{c}:{s:.2f}{'*' if s >= threshold[c] else ''}" for c, s in fs.ranked(i)[: SHOWN[fw]])
                print(f"    {fw:4} gold {sorted(gold[fw][i])}  top {top}")


if __name__ == "__main__":
    main()
