"""`rihub align evaluate`: the evaluation figures, with the EUR hold-out taken from ingestion.

The hold-out items come from parsing the bundled report with rihub's own ingestion (the EUR
initiatives are the ones whose document carries mapping tables), so the figure measures the
whole pipeline a user runs, not a hand-prepared copy.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from rihub.align.calibrate import indomain_items
from rihub.align.evaluate import DEFAULT_BENCHMARK, HoldoutItem, evaluate_all
from rihub.model import Outline


def holdout_items(outline: Outline) -> list[HoldoutItem]:
    """Every initiative with its own mapping table, the mapping hidden as the gold answer."""
    items = []
    for initiative in outline.initiatives:
        if not initiative.alignments:
            continue
        gold: dict[str, set[str]] = {"WSIS": set(), "GDC": set(), "SDG": set()}
        for link in initiative.alignments:
            gold[link.framework].add(link.code)
        results = [" ".join([r.text, *(s.text for s in r.sub_items)]) for r in initiative.expected_results]
        items.append(
            HoldoutItem(
                initiative.code,
                initiative.title,
                initiative.objective or "",
                results,
                gold,
                initiative.results_lead_in or "",
            )
        )
    return items


def evaluation(benchmark: Path | None = None, measure_speed: bool = True) -> dict[str, Any]:
    """All figures as one JSON-able object (``sdg_benchmark``, ``eur_holdout*``, ``indomain``, ``throughput``)."""
    from rihub.hub import DEMO_REPORT, demo_report_bytes
    from rihub.ingest import parse_bytes

    path = benchmark or DEFAULT_BENCHMARK
    if not Path(path).exists():
        from rihub.errors import InputError

        raise InputError(f"{path}: benchmark CSV not found; pass --benchmark PATH (columns id,text,sdg,label)")
    outline = parse_bytes(demo_report_bytes(), DEMO_REPORT)
    return evaluate_all(path, holdout_items(outline), measure_speed=measure_speed, indomain=indomain_items(outline))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def render(data: dict[str, Any], console: Console) -> None:
    bench = data["sdg_benchmark"]
    table = Table(
        "system",
        "mean P",
        "mean R",
        "mean F1",
        "McNemar p vs rihub",
        title=f"SDG benchmark, {bench.get('rows', '?')} rows (rihub out of fold)",
    )
    table.add_row("rihub", _fmt(bench["mean_precision"]), _fmt(bench["mean_recall"]), _fmt(bench["mean_f1"]), "")
    for name, figures in sorted(bench.get("published", {}).items(), key=lambda kv: -kv[1].get("mean_f1", 0)):
        test = figures.get("mcnemar_vs_rihub", {})
        table.add_row(
            name,
            _fmt(figures.get("mean_precision")),
            _fmt(figures.get("mean_recall")),
            _fmt(figures.get("mean_f1")),
            _fmt(test.get("p_value", "")),
        )
    console.print(table)
    per = Table("SDG", "P", "R", "F1", title="rihub per SDG")
    for sdg, figures in sorted(bench["per_sdg"].items(), key=lambda kv: int(kv[0])):
        per.add_row(str(sdg), _fmt(figures["precision"]), _fmt(figures["recall"]), _fmt(figures["f1"]))
    console.print(per)
    holdout = data.get("eur_holdout")
    if holdout:
        console.print(
            f"EUR hold-out ({holdout['items']} initiatives): WSIS recall@3 {_fmt(holdout['wsis_recall_at_3'])}"
            f", GDC top-1 {_fmt(holdout['gdc_top1'])}, SDG recall@5 {_fmt(holdout['sdg_recall_at_5'])}"
            f" (MAP {_fmt(holdout.get('sdg_map', math.nan))})"
        )
        columns = ("initiative", "WSIS top 3", "GDC top 1", "SDG top 5", "document's SDGs (rank)")
        items = Table(*columns, title="per initiative")
        for item in holdout.get("per_item", []):
            ranked = item.get("sdg_ranked") or []
            at = sorted((ranked.index(g) + 1 if g in ranked else 99, g) for g in item["gold"]["SDG"])
            gold_at = ", ".join(f"{g} ({r})" for r, g in at)
            items.add_row(
                item["code"], " ".join(item["wsis_top3"]), item["gdc_top1"], " ".join(item["sdg_top5"]), gold_at
            )
        console.print(items)
    content = data.get("eur_holdout_content_lines")
    if content:
        recall = _fmt(content["wsis_recall_at_3"])
        console.print(f"EUR hold-out, WSIS content lines only (C1/C11 out): recall@3 {recall}")
    indomain = data.get("indomain")
    if indomain:
        table = Table(
            "framework",
            "MAP",
            "recall@k / top-1",
            "F1 at thresholds",
            "Brier raw → calibrated (OOF)",
            title=f"In-domain set, {indomain['items']} texts of {indomain['initiatives']} initiatives",
        )
        for fw in ("SDG", "WSIS", "GDC"):
            f = indomain[fw]
            at_k = next(
                v
                for k, v in f.items()
                if (k.startswith("recall_at_") and k != "recall_at_shipped_thresholds") or k == "top1"
            )
            table.add_row(
                fw,
                _fmt(f["map"]),
                _fmt(at_k),
                _fmt(f["f1_at_shipped_thresholds"]),
                f"{_fmt(f['calibration_raw']['brier'])} → {_fmt(f['calibration_out_of_fold']['brier'])}",
            )
        console.print(table)
        rolled = [(fw, indomain[fw].get("initiatives_rolled_up")) for fw in ("SDG", "WSIS", "GDC")]
        console.print(
            "In-domain, rolled up per initiative like the EUR hold-out: "
            + "; ".join(f"{fw} " + ", ".join(f"{k} {_fmt(v)}" for k, v in r.items()) for fw, r in rolled if r)
        )
        for fw in ("SDG", "WSIS", "GDC"):
            f = indomain[fw]
            if other := f.get("without_label_priors"):
                console.print(f"{fw} label priors (shipped): MAP {_fmt(other['map'])} without → {_fmt(f['map'])}")
            elif other := f.get("with_label_priors"):
                console.print(f"{fw} label priors (not shipped): MAP {_fmt(f['map'])} → {_fmt(other['map'])} with")
    trial = data.get("eur_holdout_with_sdg_label_priors")
    if trial:
        console.print(
            f"if SDG had label priors (not shipped): EUR SDG recall@5 {_fmt(trial['sdg_recall_at_5'])},"
            f" SDG benchmark mean F1 {_fmt(trial['sdg_benchmark_mean_f1_with_these_priors'])}"
        )
    learning = data.get("review_learning")
    if learning is not None:
        if not learning:
            console.print("review learning: no reviewed links in this registry yet")
        for r in learning:
            console.print(
                f"review learning {r['framework']}: {r['reviews']} reviews, Brier {r['shipped_brier']}"
                f" shipped → {r['recalibrated_brier']} recalibrated, {r.get('per_label_brier')} with per-label"
                " offsets (leave one initiative out)"
            )
    speed = data.get("throughput")
    if speed:
        console.print("throughput: " + ", ".join(f"{k} {_fmt(v)}" for k, v in speed.items()))
