"""Whatever bytes arrive, ingestion returns an Outline or raises InputError — nothing else.

The CLI and the web app turn InputError into one clear line; any other exception would
reach a person as a traceback. Inputs: random text and bytes, the bundled report with
lines deleted, duplicated, shuffled or cut off, and random bytes behind zip/PDF headers.
"""

from __future__ import annotations

import functools
import io
import sys
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rihub.errors import InputError
from rihub.ingest import parse_bytes
from rihub.model import Outline

sys.path.insert(0, str(Path(__file__).parent))
from variants import write_docx

REPORT = Path(__file__).resolve().parents[1] / "src" / "rihub" / "data" / "rpm-coordination-wtdc25.txt"
LINES = REPORT.read_text(encoding="utf-8").split("\n")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from(["report.txt", "report.docx", "report.pdf", "report", "report.doc", "report.zip"])


def outline_or_input_error(data: bytes, name: str) -> None:
    try:
        result = parse_bytes(data, name)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
        return
    assert isinstance(result, Outline)
    assert result.initiatives


@functools.cache
def report_docx() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_docx(REPORT, Path(folder) / "report.docx").read_bytes()


@PROPERTY
@given(st.text(max_size=3000))
def test_random_text(text: str) -> None:
    outline_or_input_error(text.encode("utf-8", "surrogatepass"), "random.txt")


@PROPERTY
@given(st.binary(max_size=4000), NAMES)
def test_random_bytes(data: bytes, name: str) -> None:
    outline_or_input_error(data, name)


@st.composite
def mutated_report(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "shuffle", "blank", "truncate"]))
        if operation == "delete":
            del lines[at : at + draw(st.integers(1, 40))]
        elif operation == "duplicate":
            lines[at:at] = lines[at : at + draw(st.integers(1, 30))]
        elif operation == "shuffle":
            piece = lines[at : at + 12]
            lines[at : at + 12] = draw(st.permutations(piece))
        elif operation == "blank":
            lines.insert(at, "")
        else:
            lines[at] = lines[at][: draw(st.integers(0, max(len(lines[at]) - 1, 0)))]
            del lines[at + 1 :]
    return "\n".join(lines)


@PROPERTY
@given(mutated_report())
def test_mutated_report(text: str) -> None:
    outline_or_input_error(text.encode(), "mutated.txt")


@PROPERTY
@given(st.binary(max_size=3000), st.sampled_from([b"PK\x03\x04", b"%PDF-1.4\n", b"%PDF"]), NAMES)
def test_random_bytes_behind_a_zip_or_pdf_header(data: bytes, header: bytes, name: str) -> None:
    outline_or_input_error(header + data, name)


@PROPERTY
@given(st.binary(min_size=1, max_size=2000), st.sampled_from(["word/document.xml", "word/numbering.xml",
                                                           "word/styles.xml", "word/footnotes.xml"]))  # fmt: skip
def test_docx_with_a_garbage_part(garbage: bytes, part: str) -> None:
    source = zipfile.ZipFile(io.BytesIO(report_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, garbage if item.filename == part else source.read(item))
    outline_or_input_error(buffer.getvalue(), "garbage-part.docx")


@PROPERTY
@given(st.data())
def test_docx_with_flipped_or_cut_bytes(data: st.DataObject) -> None:
    raw = bytearray(report_docx())
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        for _ in range(data.draw(st.integers(1, 8))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    outline_or_input_error(bytes(raw), "flipped.docx")
