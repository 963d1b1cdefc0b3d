"""Hostile input, at volume: more than 10,000 generated inputs fed to the text, Word and PDF readers
and to the store, and one large paragraph timed at two sizes.

The contract: every input is parsed or refused with one clear line (:class:`RihubError`); nothing
else escapes, no input is slow, and a refused file leaves the database as it was. The corpus is
generated here from the bundled report (seeded, so a failure reproduces) and by Hypothesis.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import time
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import inspect, text

from rihub import Hub
from rihub.config import Settings
from rihub.errors import RihubError
from rihub.hub import demo_report_bytes
from rihub.ingest import parse_bytes

sys.path.insert(0, str(Path(__file__).parent))
import hostile
from variants import wrapped_text, write_docx

REPORT = demo_report_bytes().decode("utf-8")
LIMITS = Settings(parse_seconds=30)  # the default limits; a slow input is caught by SLOW, not refused
SLOW = 150  # no single generated input may take longer than this many parses of the bundled report


@cache
def slow_seconds() -> float:
    """``SLOW`` x the best of five parses of the bundled report, timed now: a bound that moves with the
    machine's speed, as the benchmarks' ratios do (3 s, fixed, failed on a machine running 3x slow).
    On 2026-12-04 a parse took 0.04 s and the slowest input, a 16 MB PDF of 100,000 pages, 64 parses'
    time (2.5 s); before their fixes that PDF took 20.6 s and a 400 KB paragraph 25 s."""
    data = REPORT.encode()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        parse_bytes(data, "report.txt")
        best = min(best, time.perf_counter() - start)
    return SLOW * best


def PROPERTY(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)


class Feed:
    """Feeds inputs to ``parse_bytes`` and keeps the score: parsed, refused, crashed, slowest."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.crashes: list[str] = []
        self.slowest = (0.0, "")
        self._slowest_input = (b"", "")

    def __call__(self, data: bytes, name: str, label: str) -> None:
        start = time.perf_counter()
        try:
            parse_bytes(data, name, LIMITS)
            self.counts["parsed"] += 1
        except RihubError as exc:
            self.counts["refused"] += 1
            if not str(exc) or "\n" in str(exc):
                self.crashes.append(f"{label}: refusal is not one line: {str(exc)[:200]!r}")
        except Exception as exc:  # the bug this test exists to find
            self.crashes.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
        elapsed = time.perf_counter() - start
        if elapsed > self.slowest[0]:
            self.slowest, self._slowest_input = (elapsed, label), (data, name)

    def _best_of_three(self) -> float:
        """The slowest input timed again: one pause of a shared machine (the 16 MB PDF once took 160
        parses' time, 64 the run before) is not the input being slow; a slow input is slow each time."""
        data, name = self._slowest_input
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            with contextlib.suppress(RihubError):
                parse_bytes(data, name, LIMITS)
            best = min(best, time.perf_counter() - start)
        return best

    @property
    def total(self) -> int:
        return self.counts["parsed"] + self.counts["refused"] + len(self.crashes)

    def check(self, at_least: int) -> None:
        assert not self.crashes, f"{len(self.crashes)} crashes, first: {self.crashes[:5]}"
        bound, (took, label) = slow_seconds(), self.slowest
        if took >= bound:
            took = min(took, self._best_of_three())
        assert took < bound, f"slowest input took {took:.1f} s (bound {bound:.1f} s): {label}"
        assert self.total >= at_least, self.counts


def _window(rng: random.Random, size: int) -> str:
    start = rng.randrange(max(1, len(REPORT) - size))
    return REPORT[start : start + size]


def _region_window(rng: random.Random, size: int) -> str:
    """A piece of the report that starts at a region heading, so it often still parses."""
    heads = [i for i in range(len(REPORT)) if REPORT.startswith(("2.1 ", "2.2 ", "2.3 ", "2.4 ", "2.5 ", "2.6 "), i)]
    start = rng.choice(heads)
    return REPORT[start : start + size]


# --- text -----------------------------------------------------------------------------------------


def test_text_reader_corpus() -> None:
    feed = Feed()
    rng = random.Random(9)
    for n in range(250):  # the whole report, edited
        feed(hostile.mutate_text(REPORT, rng, rng.randint(1, 6)).encode(), "report.txt", f"report-edit-{n}")
    for n in range(1800):  # pieces of it, edited
        piece = _region_window(rng, rng.randint(500, 6000)) if n % 2 else _window(rng, rng.randint(200, 6000))
        feed(hostile.mutate_text(piece, rng, rng.randint(0, 5)).encode(), "report.txt", f"window-{n}")
    for n in range(250):  # hard-wrapped as a PDF extractor gives them (the rejoiner's input)
        piece = wrapped_text(_region_window(rng, rng.randint(1000, 8000)), width=rng.choice([60, 80, 100]))
        feed(hostile.mutate_text(piece, rng, rng.randint(0, 4)).encode(), "report.txt", f"wrapped-{n}")
    for n in range(1500):  # random bytes
        feed(rng.randbytes(rng.randint(0, 3000)), rng.choice(["r.txt", "r", "r.md"]), f"bytes-{n}")
    for n in range(600):  # junk lines only
        junk = "\n".join(rng.choice(hostile.JUNK_LINES) for _ in range(rng.randint(1, 60)))
        feed(junk.encode(), "junk.txt", f"junk-{n}")
    for n in range(200):  # other encodings and byte-level damage
        piece = _region_window(rng, rng.randint(500, 4000))
        encoding = rng.choice(["utf-8-sig", "cp1252", "utf-16", "latin-1"])
        data = piece.encode(encoding, "replace")
        feed(hostile.mutate_bytes(data, rng, rng.randint(0, 6)), "report.txt", f"encoded-{n}-{encoding}")
    feed.check(4600)
    assert feed.counts["parsed"] > 300  # the corpus is not all junk: many edits still read as reports


ALPHABET = st.sampled_from([*"EURAFRCISASPAMSRBI0123456789 .:;-–—()[]|\t\n\r\f·•#*a)b)xyz", "\x00", "\x1b", "é"])


@PROPERTY(2500)
@given(st.binary(max_size=2000), st.sampled_from(["r.txt", "r", "r.docx", "r.pdf", "r.doc"]))
def test_any_bytes_are_read_or_refused(data: bytes, name: str) -> None:
    feed = Feed()
    feed(data, name, repr(data[:80]))
    feed.check(1)


@PROPERTY(1500)
@given(st.lists(st.text(ALPHABET, max_size=120) | st.sampled_from(hostile.JUNK_LINES), max_size=40))
def test_any_report_shaped_text_is_read_or_refused(lines: list[str]) -> None:
    head = "2.2 Europe Region\nEUR1: Title\nExpected results:\n"
    feed = Feed()
    feed((head + "\n".join(lines)).encode(), "report.txt", repr(lines[:5]))
    feed.check(1)


# --- Word -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A Word file of one region section (quick to read, so it can be mutated many times)."""
    folder = tmp_path_factory.mktemp("fuzz-docx")
    start = REPORT.index("2.2 Europe Region")
    (folder / "piece.txt").write_text(REPORT[start : start + 7000], encoding="utf-8")
    return write_docx(folder / "piece.txt", folder / "piece.docx").read_bytes()


def _mutate_document_xml(docx: bytes, rng: random.Random) -> bytes:
    """Delete, duplicate or move random elements of the body (paragraphs, runs, numbering, tables)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(rng.randint(1, 8)):
        element = rng.choice(elements)
        parent = element.getparent()
        if parent is None:
            continue
        op = rng.randrange(4)
        if op == 0:
            parent.remove(element)
        elif op == 1:
            for _ in range(rng.randint(1, 30)):
                parent.append(etree.fromstring(etree.tostring(element)))
        elif op == 2:
            junk = rng.choice(hostile.JUNK_LINES)
            element.text = "".join(c for c in junk if c >= " " or c in "\t\n")  # what XML can hold
        else:
            for key in list(element.attrib):
                element.set(key, rng.choice(["", "-1", "999999999999", "x", "%9", "0"]))
    return hostile.rezip(docx, {"word/document.xml": etree.tostring(root)})


def test_word_reader_corpus(small_docx: bytes) -> None:
    feed = Feed()
    rng = random.Random(3)
    feed(small_docx, "piece.docx", "unchanged")
    assert feed.counts["parsed"] == 1
    for n in range(150):
        feed(_mutate_document_xml(small_docx, rng), "piece.docx", f"xml-edit-{n}")
    for n in range(120):
        feed(hostile.mutate_bytes(small_docx, rng, rng.randint(1, 20)), "piece.docx", f"bytes-{n}")
    for n in range(80):
        feed(small_docx[: rng.randrange(len(small_docx))], "piece.docx", f"truncated-{n}")
    for n in range(40):  # a member replaced by junk, or removed from the archive
        member = rng.choice(["word/document.xml", "word/styles.xml", "word/numbering.xml", "[Content_Types].xml"])
        feed(hostile.rezip(small_docx, {member: rng.randbytes(rng.randint(0, 500))}), "piece.docx", f"member-{n}")
    feed(hostile.zip_bomb(1 << 30), "bomb.docx", "1 GiB member")
    feed(hostile.zip_bomb(40 << 20, "word/a.xml") + b"", "bomb.docx", "40 MiB member")
    feed(hostile.many_members(5000), "many.docx", "5000 members")
    feed.check(390)


@PROPERTY(600)
@given(st.binary(max_size=1500))
def test_any_bytes_behind_a_zip_header_are_refused(data: bytes) -> None:
    feed = Feed()
    feed(b"PK\x03\x04" + data, "report.docx", repr(data[:80]))
    feed.check(1)


# --- PDF ------------------------------------------------------------------------------------------


def _deep_tree(depth: int) -> bytes:
    """A page tree nested ``depth`` levels deep (recursion in the reader)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        kid = f"{level + 3} 0 R"
        objects.append(f"<< /Type /Pages /Kids [{kid}] /Count 1 >>".encode())
    objects.append(b"<< /Type /Page /MediaBox [0 0 612 792] >>")
    return hostile.pdf_file(objects)


def test_pdf_reader_corpus() -> None:
    feed = Feed()
    rng = random.Random(5)
    bases = [hostile.report_pdf(_region_window(rng, rng.randint(1500, 3000)), lines_per_page=30) for _ in range(4)]
    for base in bases:
        feed(base, "piece.pdf", "unchanged")
    assert feed.counts["parsed"] >= 2
    for n in range(130):
        feed(hostile.mutate_bytes(rng.choice(bases), rng, rng.randint(1, 30)), "piece.pdf", f"bytes-{n}")
    for n in range(60):
        base = rng.choice(bases)
        feed(base[: rng.randrange(len(base))], "piece.pdf", f"truncated-{n}")
    for n in range(40):  # junk laid out as text
        junk = [rng.choice(hostile.JUNK_LINES)[:200] for _ in range(rng.randint(1, 40))]
        feed(hostile.make_pdf([junk]), "junk.pdf", f"junk-{n}")
    feed(hostile.make_pdf(blank_pages=100_000), "huge.pdf", "100,000 pages")
    feed(hostile.make_pdf(blank_pages=3000, count=1), "lying.pdf", "3000 pages, /Count 1")
    feed(hostile.make_pdf(blank_pages=5, count=10**12), "count.pdf", "/Count 10^12")
    feed(_deep_tree(5000), "deep.pdf", "page tree 5000 deep")
    feed.check(230)


@PROPERTY(600)
@given(st.binary(max_size=1500))
def test_any_bytes_behind_a_pdf_header_are_refused(data: bytes) -> None:
    feed = Feed()
    feed(b"%PDF-1.4\n" + data, "report.pdf", repr(data[:80]))
    feed.check(1)


# --- the store ------------------------------------------------------------------------------------


def _counts(hub: Hub) -> dict[str, int]:
    with hub.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}


def test_store_refusals_leave_no_partial_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the public ``Hub.ingest_bytes``: a refused file changes no count in the database."""
    hub = Hub(f"sqlite:///{tmp_path / 'fuzz.db'}")
    hub.ingest_demo()
    rng = random.Random(11)
    stored = refused = 0
    crashes: list[str] = []

    def ingest(data: bytes, name: str, label: str) -> None:
        nonlocal stored, refused
        before = _counts(hub)
        try:
            hub.ingest_bytes(data, name)
            stored += 1
            return
        except RihubError:
            refused += 1
        except Exception as exc:
            crashes.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
        after = _counts(hub)
        if after != before:
            crashes.append(
                f"{label}: partial write {[(k, before[k], after[k]) for k in after if after[k] != before[k]]}"
            )

    for n in range(60):  # edited reports and edited pieces: stored or refused
        piece = _region_window(rng, rng.randint(800, 5000)).replace("WTDC-25", f"WTDC-{100 + n}")
        ingest(hostile.mutate_text(piece, rng, rng.randint(0, 4)).encode(), f"piece-{n}.txt", f"piece-{n}")
    for n in range(150):  # junk: refused
        ingest(rng.randbytes(rng.randint(0, 2000)), rng.choice(["j.txt", "j.docx", "j.pdf"]), f"junk-{n}")
    ingest(hostile.zip_bomb(1 << 30), "bomb.docx", "zip bomb")
    ingest(hostile.make_pdf(blank_pages=100_000), "huge.pdf", "100,000 pages")
    monkeypatch.setenv("RIHUB_MAX_FILE_MB", "0.01")  # a report over the limit set in the environment
    for n in range(20):
        ingest(REPORT.replace("WTDC-25", f"WTDC-{500 + n}").encode(), f"big-{n}.txt", f"over-limit-{n}")
    assert not crashes, crashes[:5]
    assert stored >= 5 and refused >= 170 and stored + refused >= 230


# --- growth ---------------------------------------------------------------------------------------


def test_one_large_paragraph_parses_in_linear_time() -> None:
    """A hard-wrapped paragraph of 800 KB inside the report takes at most 10x the time of 100 KB
    (before the joiner stopped rescanning the paragraph: 2 s at 100 KB, 25 s at 400 KB)."""
    rng = random.Random(1)
    words = ["digital", "inclusion", "for", "all", "broadband", "regional", "skills", "the", "of", "policy"]
    wrapped = wrapped_text(REPORT)
    at = wrapped.index("\n1. ", 20000)
    lifted = Settings(max_paragraph_chars=10**7)

    def parse_time(size: int) -> float:
        paragraph: list[str] = []
        while sum(len(w) + 1 for w in paragraph) < size:
            paragraph.extend(rng.choices(words, k=1000))
        import textwrap

        lines = textwrap.wrap(" ".join(paragraph), 80, break_on_hyphens=False)
        data = (wrapped[:at] + "\n1. " + "\n".join(lines) + wrapped[at:]).encode()
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            outline = parse_bytes(data, "big.txt", lifted)
            best = min(best, time.perf_counter() - start)
        assert max(len(r.text) for i in outline.initiatives for r in i.expected_results) >= size
        return best

    small, large = parse_time(100_000), parse_time(800_000)
    assert large / small <= 10, f"100 KB: {small:.3f} s, 800 KB: {large:.3f} s"
