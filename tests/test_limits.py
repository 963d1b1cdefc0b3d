"""Every input limit: a file just over it is refused with one line naming the limit and its setting,
a file just under it is read. Also: what ``read_file`` refuses to open, CSV cells a spreadsheet
would run, and names that reach the terminal. See docs/security.md."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from rihub.config import Settings
from rihub.errors import InputError, RihubError
from rihub.hub import Hub, demo_report_bytes
from rihub.ingest import parse_bytes, read_file
from rihub.ingest.limits import MB
from rihub.safe import csv_cell, terminal

sys.path.insert(0, str(Path(__file__).parent))
import hostile

REPORT = demo_report_bytes()


def refused(data: bytes, name: str, settings: Settings, variable: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_bytes(data, name, settings)
    message = str(caught.value)
    assert variable in message and name in message and "\n" not in message, message
    return message


# --- settings -----------------------------------------------------------------------------------


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIHUB_MAX_FILE_MB", "12.5")
    monkeypatch.setenv("RIHUB_MAX_PDF_PAGES", "inf")
    monkeypatch.setenv("RIHUB_PARSE_SECONDS", "5")
    settings = Settings.from_env()
    assert settings.max_file_mb == 12.5 and settings.max_pdf_pages > 10**15 and settings.parse_seconds == 5
    assert Settings().max_file_mb == 50 and Settings().max_paragraphs == 200_000
    for bad in ("0", "-1", "lots", "nan"):
        monkeypatch.setenv("RIHUB_MAX_FILE_MB", bad)
        with pytest.raises(RihubError, match="RIHUB_MAX_FILE_MB must be a positive number"):
            Settings.from_env()
    monkeypatch.setenv("RIHUB_MAX_FILE_MB", "1")
    monkeypatch.setenv("RIHUB_MAX_DOCX_MEMBERS", "2.5")
    with pytest.raises(RihubError, match="RIHUB_MAX_DOCX_MEMBERS must be a whole number"):
        Settings.from_env()


# --- file size ----------------------------------------------------------------------------------


def test_file_size_limit_in_memory() -> None:
    exact = Settings(max_file_mb=len(REPORT) / MB)
    assert parse_bytes(REPORT, "report.txt", exact).initiatives
    message = refused(REPORT + b"\n", "report.txt", exact, "RIHUB_MAX_FILE_MB")
    assert "file-size limit" in message and f"{len(REPORT) + 1:,} bytes" in message


def test_file_size_limit_on_disk_reads_nothing_past_it(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT)
    assert read_file(path, Settings(max_file_mb=len(REPORT) / MB)) == REPORT
    with pytest.raises(InputError, match=r": 63,286 bytes is over the 0.06 MB file-size limit \(RIHUB_MAX_FILE_MB\)"):
        read_file(path, Settings(max_file_mb=0.06))
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # 250 MB, sparse: refused from its size, never read
        handle.truncate(250 * MB)
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"big.txt: 250 MB is over the 50 MB file-size limit \(RIHUB_MAX_FILE_MB\)"):
        read_file(big, Settings())
    assert time.perf_counter() - start < 0.5


def test_file_size_limit_through_the_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = Hub(f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("RIHUB_MAX_FILE_MB", str(len(REPORT) / MB))
    assert hub.ingest_bytes(REPORT, "report.txt").initiatives == 31
    monkeypatch.setenv("RIHUB_MAX_FILE_MB", str((len(REPORT) - 1) / MB))
    with pytest.raises(InputError, match="RIHUB_MAX_FILE_MB"):
        hub.ingest_bytes(REPORT.replace(b"WTDC-25", b"WTDC-29"), "other.txt")
    assert hub.stats().source_documents == 1


# --- paragraphs ---------------------------------------------------------------------------------


def _longest_block(data: bytes, name: str) -> int:
    outline = parse_bytes(data, name, Settings(max_paragraph_chars=10**9))
    return max(max([len(b.text), *map(len, b.cells)]) for b in outline.blocks)


def test_paragraph_length_limit_text() -> None:
    longest = _longest_block(REPORT, "report.txt")
    assert parse_bytes(REPORT, "report.txt", Settings(max_paragraph_chars=longest)).initiatives
    message = refused(REPORT, "report.txt", Settings(max_paragraph_chars=longest - 1), "RIHUB_MAX_PARAGRAPH_CHARS")
    assert f"{longest:,} characters" in message or "characters" in message


def test_paragraph_length_limit_wrapped_text() -> None:
    from variants import wrapped_text

    data = wrapped_text(REPORT.decode()).encode()
    longest = _longest_block(data, "wrapped.txt")
    assert parse_bytes(data, "wrapped.txt", Settings(max_paragraph_chars=longest)).initiatives
    refused(data, "wrapped.txt", Settings(max_paragraph_chars=longest - 1), "RIHUB_MAX_PARAGRAPH_CHARS")


def test_paragraph_length_limit_word(docx_path: Path) -> None:
    data = docx_path.read_bytes()
    longest = _longest_block(data, "report.docx")
    assert parse_bytes(data, "report.docx", Settings(max_paragraph_chars=longest)).initiatives
    refused(data, "report.docx", Settings(max_paragraph_chars=longest - 1), "RIHUB_MAX_PARAGRAPH_CHARS")


def test_one_huge_line_is_refused_before_it_is_read() -> None:
    data = b"EUR1: " + b"x" * (5 * MB)
    start = time.perf_counter()
    message = refused(data, "line.txt", Settings(), "RIHUB_MAX_PARAGRAPH_CHARS")
    assert "line 1" in message and time.perf_counter() - start < 0.5


def test_paragraph_count_limit() -> None:
    lines = REPORT.count(b"\n") + 1
    assert parse_bytes(REPORT, "report.txt", Settings(max_paragraphs=lines)).initiatives
    message = refused(REPORT, "report.txt", Settings(max_paragraphs=lines - 1), "RIHUB_MAX_PARAGRAPHS")
    assert f"{lines:,} lines" in message


def test_paragraph_count_limit_word(docx_path: Path) -> None:
    data = docx_path.read_bytes()
    blocks = len(parse_bytes(data, "report.docx").blocks)  # footnote bodies are blocks too
    assert parse_bytes(data, "report.docx", Settings(max_paragraphs=blocks)).initiatives
    refused(data, "report.docx", Settings(max_paragraphs=blocks - 1), "RIHUB_MAX_PARAGRAPHS")


# --- Word ---------------------------------------------------------------------------------------


def _sizes(data: bytes) -> list[int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [info.file_size for info in archive.infolist()]


def test_docx_unpacked_size_limit(docx_path: Path) -> None:
    data = docx_path.read_bytes()
    total = sum(_sizes(data))
    assert parse_bytes(data, "report.docx", Settings(max_docx_unpacked_mb=total / MB)).initiatives
    message = refused(
        data, "report.docx", Settings(max_docx_unpacked_mb=(total - 1) / MB), "RIHUB_MAX_DOCX_UNPACKED_MB"
    )
    assert "unpacked .docx limit" in message


def test_docx_member_size_limit(docx_path: Path) -> None:
    data = docx_path.read_bytes()
    largest = max(_sizes(data))
    assert parse_bytes(data, "report.docx", Settings(max_docx_member_mb=largest / MB)).initiatives
    refused(data, "report.docx", Settings(max_docx_member_mb=(largest - 1) / MB), "RIHUB_MAX_DOCX_MEMBER_MB")


def test_docx_member_count_limit(docx_path: Path) -> None:
    data = docx_path.read_bytes()
    count = len(_sizes(data))
    assert parse_bytes(data, "report.docx", Settings(max_docx_members=count)).initiatives
    message = refused(data, "report.docx", Settings(max_docx_members=count - 1), "RIHUB_MAX_DOCX_MEMBERS")
    assert f"{count:,} files" in message


def test_zip_bomb_is_refused_from_the_directory() -> None:
    """3.6 MB → 1 GiB once reached 5.9 GB of memory; the directory alone now refuses it."""
    bomb = hostile.zip_bomb(1 << 30)
    start = time.perf_counter()
    message = refused(bomb, "bomb.docx", Settings(), "RIHUB_MAX_DOCX_MEMBER_MB")
    assert "1074 MB" in message and time.perf_counter() - start < 0.5
    message = refused(bomb, "bomb.docx", Settings(max_docx_member_mb=2000), "RIHUB_MAX_DOCX_UNPACKED_MB")
    many = hostile.many_members(2001)
    start = time.perf_counter()
    refused(many, "many.docx", Settings(), "RIHUB_MAX_DOCX_MEMBERS")
    assert time.perf_counter() - start < 0.5


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused() -> None:
    """zipfile stops at the declared size and the checksum fails: a lying directory gains nothing."""
    bomb = bytearray(hostile.zip_bomb(1 << 24))
    directory = bomb.rindex(b"PK\x01\x02")
    bomb[directory + 24 : directory + 28] = (1000).to_bytes(4, "little")  # declared size: 1000 bytes
    with pytest.raises(InputError, match=r"not a valid \.docx"):
        parse_bytes(bytes(bomb), "liar.docx", Settings())


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_page_limit() -> None:
    pages = [["2.2 Europe Region"], ["EUR1: Digital inclusion"], ["Expected results:"], ["1. Assistance"]]
    data = hostile.make_pdf(pages)
    assert parse_bytes(data, "four.pdf", Settings(max_pdf_pages=4)).initiatives
    message = refused(data, "four.pdf", Settings(max_pdf_pages=3), "RIHUB_MAX_PDF_PAGES")
    assert "4 pages is over the 3-page PDF limit" in message


def test_pdf_page_count_is_read_before_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """100,000 pages once took 20.6 s and 448 MB to refuse; the page tree's /Count is read first, so
    not one page is built (checked by refusing to build any, not by a clock on a shared machine)."""
    from rihub.ingest import pdf

    def no_pages(*_: object) -> None:
        raise AssertionError("a page was built before the page count was checked")

    monkeypatch.setattr(pdf, "_pages", no_pages)
    data = hostile.make_pdf(blank_pages=100_000)
    message = refused(data, "huge.pdf", Settings(), "RIHUB_MAX_PDF_PAGES")
    assert "100,000 pages" in message


def test_pdf_whose_page_count_lies_stops_at_the_limit() -> None:
    data = hostile.make_pdf(blank_pages=50, count=1)
    refused(data, "lying.pdf", Settings(max_pdf_pages=10), "RIHUB_MAX_PDF_PAGES")


# --- time ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.txt", "report.docx"])
def test_parse_time_budget(name: str, docx_path: Path) -> None:
    data = REPORT if name.endswith(".txt") else docx_path.read_bytes()
    assert parse_bytes(data, name, Settings(parse_seconds=30)).initiatives
    message = refused(data, name, Settings(parse_seconds=1e-6), "RIHUB_PARSE_SECONDS")
    assert "time budget" in message


def test_parse_time_budget_pdf() -> None:
    text = REPORT.decode()
    data = hostile.report_pdf(text[text.index("2.2 Europe Region") :][:4000])
    assert parse_bytes(data, "piece.pdf", Settings(parse_seconds=30)).initiatives
    refused(data, "piece.pdf", Settings(parse_seconds=1e-6), "RIHUB_PARSE_SECONDS")


# --- what is read at all ------------------------------------------------------------------------


def _quickly_refused(path: Path, match: str) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError, match=match):
        read_file(path)
    assert time.perf_counter() - start < 1


def test_a_named_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    pipe = tmp_path / "report.txt"
    os.mkfifo(pipe)  # nobody writes to it: opening it for reading would hang for ever
    _quickly_refused(pipe, r"report.txt: is a named pipe \(FIFO\), not a regular file")


def test_a_symlink_loop_is_reported_as_a_loop(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    _quickly_refused(tmp_path / "a.txt", "a.txt: is a symbolic link loop")


def test_devices_sockets_and_directories_are_refused(tmp_path: Path) -> None:
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")  # once read to 5.9 GB
    _quickly_refused(zero, "zero.txt: is a character device, not a regular file")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "s.txt"))
        _quickly_refused(tmp_path / "s.txt", "s.txt: is a socket")
    finally:
        server.close()
    _quickly_refused(tmp_path, "is a directory")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    _quickly_refused(tmp_path / "broken.txt", "broken symbolic link")
    _quickly_refused(tmp_path / "missing.txt", "no such file")


def test_cli_refuses_a_pipe_in_one_line(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    env = {**os.environ, "RIHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "rihub.cli", "ingest", str(pipe)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {pipe}: is a named pipe (FIFO), not a regular file; "
                                                  "only report files are read"]  # fmt: skip


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    for formula in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")'):
        assert csv_cell(formula) == "'" + formula
    for kept in ("Digital inclusion", "", " =1", "'quoted", "1-2", "EUR1", None, -3, 2.5, 0):
        assert csv_cell(kept) == kept


def test_exported_csv_is_neutralised_and_ordinary_text_round_trips(tmp_path: Path, demo_hub: Hub) -> None:
    """Reading an export back: ordinary text comes back as stored; numbers stay numbers (-3 too)."""
    from rihub import export

    rows = [
        {"code": "EUR1", "title": "=cmd|' /C calc'!A0", "number": -3, "score": -0.5, "text": "- a dash"},
        {"code": "EUR2", "title": "Digital inclusion", "number": 2, "score": 0.25, "text": "@someone"},
    ]
    table = ("probe", "probe", [("code", "string"), ("title", "string"), ("number", "integer"), ("score", "number"),
             ("text", "string")], [], lambda _doc: iter(rows))  # fmt: skip
    original = export.TABLES
    try:
        export.TABLES = [table]
        with demo_hub.engine.connect() as conn:
            export.write_csv(conn, tmp_path)
    finally:
        export.TABLES = original
    with (tmp_path / "probe.csv").open(encoding="utf-8-sig", newline="") as handle:
        back = list(csv.DictReader(handle))
    assert back[0] == {"code": "EUR1", "title": "'=cmd|' /C calc'!A0", "number": "-3", "score": "-0.5",
                       "text": "'- a dash"}  # fmt: skip
    assert back[1] == {"code": "EUR2", "title": "Digital inclusion", "number": "2", "score": "0.25",
                       "text": "'@someone"}  # fmt: skip


def test_the_real_export_round_trips_unchanged(tmp_path: Path, demo_hub: Hub) -> None:
    """The open-data contract: every CSV cell of the bundled registry reads back as the JSON says."""
    demo_hub.export_csv(tmp_path)
    document = demo_hub.export_json()
    with (tmp_path / "initiatives.csv").open(encoding="utf-8-sig", newline="") as handle:
        titles = {row["code"]: row["title"] for row in csv.DictReader(handle)}
    assert titles == {i["code"]: i["title"] for i in document["initiatives"]}


def test_web_csv_download_is_neutralised() -> None:
    from starlette.requests import Request

    from rihub.records import Record
    from rihub.web.output import csv_response

    class Row(Record):
        by: str
        reason: str
        score: int
        note: list[str]

    request = Request({"type": "http", "query_string": b"_bom=0", "headers": []})
    body = csv_response(request, [Row(by="=evil()", reason="+1", score=-3, note=["fine", "@x"])], "x").body
    assert bytes(body).decode().splitlines() == ["by,reason,score,note", "'=evil(),'+1,-3,fine; @x"]


# --- terminal -----------------------------------------------------------------------------------


def test_terminal_escapes_control_characters() -> None:
    assert terminal("report\x1b[31m.txt") == "report\\x1b[31m.txt"
    assert terminal("a\nerror: fake\r") == "a\\x0aerror: fake\\x0d"
    assert terminal("\u202egnp.exe") == "\\u202egnp.exe"
    assert terminal("Résumé — ok.txt") == "Résumé — ok.txt"


def test_cli_names_with_control_characters_cannot_fake_a_line(tmp_path: Path) -> None:
    name = tmp_path / "x\nerror: fake [bold]\x1b[2J.txt"
    name.write_bytes(b"")
    env = {**os.environ, "RIHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    for command in (["ingest"], ["lint"]):
        result = subprocess.run(
            [sys.executable, "-m", "rihub.cli", *command, str(name)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "\x1b" not in result.stderr and "x\\x0aerror: fake [bold]\\x1b[2J.txt" in lines[0]
        assert "Traceback" not in result.stderr


def test_settings_is_a_plain_dataclass() -> None:
    """Limits are fields of Settings (documented in docs/security.md and docs/configuration.md)."""
    names = {f.name for f in dataclasses.fields(Settings)}
    assert {"max_file_mb", "max_docx_unpacked_mb", "max_docx_member_mb", "max_docx_members", "max_pdf_pages",
            "max_paragraph_chars", "max_paragraphs", "parse_seconds"} <= names  # fmt: skip
    docs = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    for variable in ("RIHUB_MAX_FILE_MB", "RIHUB_MAX_DOCX_UNPACKED_MB", "RIHUB_MAX_DOCX_MEMBER_MB",
                     "RIHUB_MAX_DOCX_MEMBERS", "RIHUB_MAX_PDF_PAGES", "RIHUB_MAX_PARAGRAPH_CHARS",
                     "RIHUB_MAX_PARAGRAPHS", "RIHUB_PARSE_SECONDS"):  # fmt: skip
        assert variable in docs
