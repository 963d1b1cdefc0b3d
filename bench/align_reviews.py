"""Learning from reviews, measured: a scripted reviewer follows the in-domain labels, then calibrate.

Builds a fresh aligned registry of the bundled report, accepts every model proposal on an item the
in-domain set labels with that code and rejects the other proposals on labelled items, runs
``Hub.calibrate`` and prints the leave-one-initiative-out figures per framework (docs/benchmarks.md).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/align_reviews.py [--reject SDG:17 ...]

``--reject FW:CODE`` gives the reviewer a convention of its own: it rejects every proposal of that
label, whatever the labels say (the EUR tables never map an initiative to SDG 17, for instance), so
the figures show what the per-label offsets learn that the framework's Platt fit cannot.
"""

from __future__ import annotations

import argparse
import tempfile

from rihub.align.calibrate import indomain_items
from rihub.hub import DEMO_REPORT, Hub, demo_report_bytes
from rihub.ingest import parse_bytes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reject", action="append", default=[], metavar="FW:CODE", help="always reject this label")
    rejected = {tuple(r.split(":", 1)) for r in ap.parse_args().reject}
    with tempfile.TemporaryDirectory() as folder:
        hub = Hub(f"sqlite:///{folder}/reviews.db")
        hub.ingest_demo()
        hub.align()
        gold = {it.key: it.gold for it in indomain_items(parse_bytes(demo_report_bytes(), DEMO_REPORT))}
        verdicts: dict[str, list[int]] = {"accept": [], "reject": []}
        for a in hub.alignments():
            key = a.initiative if a.result is None else f"{a.initiative}.{a.result}"
            if a.basis == "content" and a.provenance == "model" and key in gold:
                keep = a.code in gold[key].get(a.framework, ()) and (a.framework, a.code) not in rejected
                verdicts["accept" if keep else "reject"].append(a.id)
        for action, ids in verdicts.items():
            hub.review_many(ids, action, "bench", "follows the in-domain labelling guide")
        for r in hub.calibrate(actor="bench"):
            print(
                f"{r.framework}: {r.reviews} reviews ({r.accepted} accepted), leave one initiative out:"
                f" Brier {r.shipped_brier} -> {r.recalibrated_brier},"
                f" log loss {r.shipped_log_loss} -> {r.recalibrated_log_loss}"
                f" (with per-label offsets: Brier {r.per_label_brier}, log loss {r.per_label_log_loss})"
            )
            print("  label offsets: " + ", ".join(f"{c} {v:+.2f}" for c, v in sorted(r.label_offsets.items())))
            print(f"  {r.decision}")


if __name__ == "__main__":
    main()
