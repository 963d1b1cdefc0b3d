"""How themes are assigned on a registry, and the calibration of the semantic fallback: the figures
behind docs/themes.md.

Leave-one-out over the expected results that terms tag: each result's vector is compared with the
theme centroids of the *other* tagged results; the fallback is right when the nearest centroid is one
of the result's own term themes. For each threshold: how many results reach it, and how often the
nearest theme is then right. The untagged results' nearest themes are listed for a person to judge.
Run: PYTHONPATH=src .venv/bin/python bench/themes.py --db PATH (a registry after `rihub align`).
"""

from __future__ import annotations

import argparse

from rihub.analysis.themes import FALLBACK_THRESHOLD, Centroids, leave_one_out, match_terms
from rihub.hub import Hub
from rihub.store import read
from rihub.store.coverage import vectors_of

THRESHOLDS = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="SQLite path of a registry after `rihub align`")
    parser.add_argument("--cycle", default=None)
    args = parser.parse_args()
    hub = Hub(f"sqlite:///{args.db}")
    print(hub.themes(args.cycle).counts)
    with hub.engine.connect() as conn:
        items = read.initiatives(conn, conference=hub.cycle(args.cycle))
        vectors = vectors_of(conn, [i.id for i in items])
    rows = [(i, r) for i in items for r in i.expected_results if (i.id, r.id) in vectors]
    tagged = [set(match_terms(r.full_text)) for _, r in rows]
    found = leave_one_out([vectors[(i.id, r.id)] for i, r in rows], tagged)
    print(f"\nleave-one-out over {len(found)} term-tagged results (threshold in use: {FALLBACK_THRESHOLD})")
    print("threshold  reached  right  precision")
    for cut in THRESHOLDS:
        reached = [ok for cosine, ok in found if cosine >= cut]
        right = sum(reached)
        share = right / len(reached) if reached else float("nan")
        print(f"{cut:9.2f}  {len(reached):7d}  {right:5d}  {share:9.2f}")
    print("\ncosine bin     results  right  precision")
    for lo, hi in zip(THRESHOLDS, (*THRESHOLDS[1:], 1.01), strict=True):
        inside = [ok for cosine, ok in found if lo <= cosine < hi]
        share = sum(inside) / len(inside) if inside else float("nan")
        print(f"[{lo:.2f}, {hi:.2f})  {len(inside):7d}  {sum(inside):5d}  {share:9.2f}")
    below = [ok for cosine, ok in found if cosine < THRESHOLDS[0]]
    print(f"below {THRESHOLDS[0]:.2f}     {len(below):7d}  {sum(below):5d}")
    centroids = Centroids.of([vectors[(i.id, r.id)] for i, r in rows], tagged)
    print("\nresults no term tags: nearest theme")
    for (i, r), own in zip(rows, tagged, strict=True):
        if not own:
            nearest = centroids.nearest(vectors[(i.id, r.id)])
            print(f"  {i.code}.{r.number}  {nearest}  {r.text[:90]}")


if __name__ == "__main__":
    main()
