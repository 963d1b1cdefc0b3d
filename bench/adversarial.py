"""Parse time and peak memory of adversarial inputs: the figures behind docs/security.md.

Each case runs in a fresh process (so peak memory is its own) with the limits raised out of the
way, so the reader's own growth is measured rather than the refusal (``--default-limits`` keeps
them, to see how fast a refusal comes).
Run: .venv/bin/python bench/adversarial.py [--sizes 100,400,800] [--case wrapped]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import textwrap
import time

WORDS = [
    "the", "regional", "initiative", "will", "support", "member", "states", "in", "developing", "digital",
    "skills", "broadband", "infrastructure", "policy", "and", "regulation", "for", "inclusive", "connectivity",
    "across", "the", "region",
]  # fmt: skip


def words(size: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < size:
        word = rng.choice(WORDS)
        out.append(word)
        total += len(word) + 1
    return " ".join(out)


def report_with(paragraph: str) -> str:
    """The bundled report with ``paragraph`` as the continuation of an expected result."""
    from rihub.hub import demo_report_bytes

    base = demo_report_bytes().decode("utf-8")
    at = base.index("\n1. ", 5000)
    return base[:at] + "\n1. " + paragraph + base[at:]


def highlight_with(paragraph: str) -> str:
    """The bundled report with ``paragraph`` among the Arab States highlights (before the codes)."""
    from rihub.hub import demo_report_bytes

    base = demo_report_bytes().decode("utf-8")
    at = base.index("\n", base.index("2.1 Arab States Region"))
    return base[: at + 1] + paragraph + base[at:]


def build(case: str, kb: int) -> bytes:
    size = kb * 1000
    if case == "wrapped":  # one paragraph hard-wrapped at 80 columns (a PDF text export)
        return ("\n".join(textwrap.wrap(words(size), 80)) + "\n").encode()
    if case == "wrapped-report":  # the same, inside the bundled report
        return report_with("\n".join(textwrap.wrap(words(size), 80))).encode()
    if case == "line":  # one paragraph on one line inside the report
        return report_with(words(size)).encode()
    if case == "short-lines":  # many short paragraphs inside the report
        return report_with("\n".join(words(size).split(" "))).encode()
    if case == "objective-lines":  # many one-word paragraphs continuing an objective
        from rihub.hub import demo_report_bytes

        base = demo_report_bytes().decode("utf-8")
        at = base.index("Objective:", 5000)
        return (base[:at] + "\n".join(words(size).split(" ")) + "\n" + base[at:]).encode()
    if case == "elected":  # a highlight paragraph repeating a trigger word of a regex
        return highlight_with("The meeting elected " * (size // 20) + " Chair").encode()
    if case == "reviewed":  # "reviewed" again and again, never followed by "documents"
        return highlight_with("reviewed " * (size // 9)).encode()
    if case == "held-in":  # a venue phrase again and again before a date
        return highlight_with("RPM-ARB was held " + "in Amman " * (size // 9) + "on 4 February 2025").encode()
    if case == "footnote-open":  # "[1:" again and again, never closed
        return report_with("[1: x " * (size // 6)).encode()
    if case == "one-word":  # one very long word
        return report_with("a" * size).encode()
    if case == "spaces":  # a long run of spaces inside a line
        return report_with("a" + " " * size + "b").encode()
    if case == "repeat":  # the whole report repeated (a large, realistic file)
        from rihub.hub import demo_report_bytes

        data = demo_report_bytes()
        return data * max(1, size // len(data))
    raise SystemExit(f"unknown case {case}")


def run_one(case: str, kb: int, lift: bool) -> None:
    if lift:
        for variable in ("FILE_MB", "PARAGRAPH_CHARS", "PARAGRAPHS", "PARSE_SECONDS"):
            os.environ[f"RIHUB_MAX_{variable}".replace("MAX_PARSE", "PARSE")] = "inf"
    from rihub.errors import RihubError
    from rihub.hub import findings_for
    from rihub.ingest import parse_bytes

    data = build(case, kb)
    start = time.perf_counter()
    outcome = "ok"
    lint = 0.0
    try:
        outline = parse_bytes(data, f"{case}.txt")
        elapsed = time.perf_counter() - start
        findings_for(outline, data)
        lint = time.perf_counter() - start - elapsed
    except RihubError as exc:
        elapsed = time.perf_counter() - start
        outcome = f"refused: {str(exc)[:60]}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"case": case, "kb": kb, "bytes": len(data), "s": round(elapsed, 3), "lint_s": round(lint, 3)}
    print(json.dumps(figures | {"mb": round(peak), "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,400,800", help="kilobytes, comma-separated")
    parser.add_argument("--case", action="append", help="one case (repeatable); default all")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--default-limits", action="store_true", help="keep the default limits (see refusals)")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "KB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], int(args.one[1]), not args.default_limits)
        return
    cases = args.case or [
        "wrapped", "wrapped-report", "line", "short-lines", "objective-lines", "elected", "footnote-open",
        "one-word", "spaces", "reviewed", "held-in",
    ]  # fmt: skip
    for case in cases:
        for kb in (int(k) for k in args.sizes.split(",")):
            try:
                done = subprocess.run(
                    [sys.executable, __file__, "--one", case, str(kb)] + (["--default-limits"] * args.default_limits),
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    check=False,
                )
                print(done.stdout.strip() or done.stderr.strip()[-300:], flush=True)
            except subprocess.TimeoutExpired:
                print(json.dumps({"case": case, "kb": kb, "s": f">{args.timeout:g}", "outcome": "timeout"}), flush=True)


if __name__ == "__main__":
    main()
