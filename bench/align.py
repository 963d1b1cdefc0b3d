"""Alignment benchmark: SDG dev half (out of fold) vs published systems, EUR hold-out, speed.

Usage: python bench/align.py [--repeats N] [--json out.json]
       python bench/align.py --speed-only [--runs N]   (every expected result of the report, end to end,
                                                      and one hostile megabyte-long text)
Set RIHUB_EMBED_CACHE=/tmp/dir to reuse embeddings between runs (throughput always re-embeds).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rihub.align import Aligner
from rihub.align.combiner import Combiner
from rihub.align.embed import get_embedder
from rihub.align.evaluate import evaluate_all, throughput
from rihub.align.report import holdout_items
from rihub.align.train import DEFAULT_BENCHMARK
from rihub.hub import DEMO_REPORT
from rihub.ingest import parse_file

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _print(report: dict[str, Any]) -> None:
    sb = report["sdg_benchmark"]
    print(f"SDG benchmark, dev half ({sb['rows']} rows) — {sb['protocol']}")
    print(f"{'system':<28}{'P':>7}{'R':>7}{'F1':>7}{'min F1':>8}   McNemar vs rihub (only-rihub / only-system, p)")
    row = (sb["mean_precision"], sb["mean_recall"], sb["mean_f1"], sb["min_f1"])
    print(f"{'rihub (out of fold)':<28}" + "".join(f"{v:>7.3f}" for v in row[:3]) + f"{row[3]:>8.3f}")
    for name, m in sorted(sb["published"].items(), key=lambda kv: -kv[1]["mean_f1"]):
        mc = m["mcnemar_vs_rihub"]
        print(
            f"{name:<28}{m['mean_precision']:>7.3f}{m['mean_recall']:>7.3f}{m['mean_f1']:>7.3f}{m['min_f1']:>8.3f}"
            f"   {mc['only_rihub_correct']:>3} / {mc['only_system_correct']:<3} p={mc['p_value']:.4f}"
        )
    reps = ", ".join(f"{r['mean_f1']:.3f}" for r in sb["repeats"])
    print(f"rihub mean F1 over CV repeats: {sb['mean_f1_over_repeats']:.3f} ({reps})")
    print("per SDG F1: " + " ".join(f"{k}:{v['f1']:.2f}" for k, v in sb["per_sdg"].items()))
    for key in ("eur_holdout", "eur_holdout_without_structural_links"):
        if key not in report:
            continue
        h = report[key]
        print(
            f"\n{key} ({h['items']} initiatives): WSIS recall@3 {h['wsis_recall_at_3']:.3f} "
            f"(plain {h['wsis_recall_at_3_plain']:.3f}) · GDC top-1 {h['gdc_top1']:.3f} · "
            f"SDG recall@5 {h['sdg_recall_at_5']:.3f} (plain {h['sdg_recall_at_5_plain']:.3f}, MAP {h['sdg_map']:.3f})"
        )
        for item in h["per_item"]:
            print(
                f"  {item['code']}: WSIS {item['wsis_top3']} GDC {item['gdc_top1']} SDG {item['sdg_top5']}"
                f"  gold {item['gold']}  gold SDG ranks {item['sdg_gold_ranks']}"
            )
    if "swisstext_2024_test" in report:
        sw = report["swisstext_2024_test"]
        print(
            f"\nSwissText 2024 SDG test ({sw['rows']} abstracts, extra check, nothing tuned on it): "
            f"accuracy {sw['accuracy']:.3f}, macro-F1 {sw['macro_f1']:.3f} ({sw['note']})"
        )
    if "throughput" in report:
        _print_speed(report["throughput"])


def _print_speed(t: dict[str, float | str]) -> None:
    print(
        f"\nthroughput: {t['texts_per_second']:.1f} expected results/s end to end "
        f"({int(t['texts'])} distinct texts, embedding included; {t['embedding_backend']} on "
        f"{int(t['torch_threads'])} threads, "
        f"{os.cpu_count()} CPUs, 1-min load average {t['load_average_1min']:.2f})"
    )
    print(
        f"  embedding alone: {t['embedding_only_texts_per_second']:.1f} texts/s; "
        f"classification without embedding: {t['classify_without_embedding_texts_per_second']:.1f} texts/s; "
        f"end to end = {t['end_to_end_over_embedding_only']:.2f} x one embedding pass"
    )
    if "model_load_seconds" in t:
        print(f"cold model load (fresh interpreter: import + Aligner.load): {t['model_load_seconds']:.2f} s")


def _hostile_text(sentences: list[str]) -> None:
    """One text of a megabyte (the report's results over and over, asides added) against one text
    of ``MAX_TEXT_CHARS``: bounded scoring makes the ratio about 1, whatever the input's size."""
    from rihub.align.features import MAX_TEXT_CHARS, clip_text

    emb = get_embedder()
    emb.load()
    aligner = Aligner(Combiner.load(), emb.encode_uncached)
    body = " ".join(f"{s.rstrip('.')} (e.g. health, agriculture, peace)." for s in sentences)
    huge = (body + " ") * (1_000_000 // len(body) + 1)
    timings = {}
    for name, text in (("megabyte", huge), ("limit", clip_text(huge) + " ")):
        aligner.classify([f"{text}[{name} warm-up]"])
        start = time.perf_counter()
        aligner.classify([f"{text}[{name}]"])
        timings[name] = time.perf_counter() - start
    print(
        f"hostile text: {len(huge):,} characters classified in {timings['megabyte']:.2f} s, "
        f"{timings['megabyte'] / timings['limit']:.2f}x one text of {MAX_TEXT_CHARS:,} characters "
        f"({timings['limit']:.2f} s)"
    )


def main() -> None:
    """Run every alignment evaluation and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--benchmark", type=Path, default=DEFAULT_BENCHMARK)
    ap.add_argument("--report", type=Path, default=None, help=f"report with mapping tables (default: {DEMO_REPORT})")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--swisstext", type=Path, default=SHARED / "data" / "swisstext2024-sdg" / "testdata_results.jsonl")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--speed-only", action="store_true", help="only the speed, on every expected result")
    ap.add_argument("--runs", type=int, default=2, help="speed runs with --speed-only")
    args = ap.parse_args()
    from importlib import resources

    report_path = args.report or Path(str(resources.files("rihub.data").joinpath(DEMO_REPORT)))
    if args.speed_only:
        texts = [r.text for ini in parse_file(report_path).initiatives for r in ini.expected_results]
        for _ in range(args.runs):
            _print_speed(throughput(texts, repeat=2, cold_load=False))
        _hostile_text(texts)
        return
    aligner = Aligner.load()
    report = evaluate_all(
        args.benchmark, holdout_items(parse_file(report_path)), aligner, repeats=args.repeats, swisstext=args.swisstext
    )
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
