"""Hostile inputs built in the tests: PDFs with any page tree, zip bombs, and mutations of real reports.

Everything is generated (nothing is downloaded or stored in the repository) and cheap: a PDF of
100,000 pages is a few megabytes of repeated page objects, a 1 GiB zip member is a stream of
compressed zeros written in chunks.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

# --- PDF ----------------------------------------------------------------------------------------


def _escape_pdf(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]] | None = None, *, blank_pages: int = 0, count: int | None = None) -> bytes:
    """A PDF with a text page per entry of ``pages`` (Helvetica lines) and ``blank_pages`` more that
    share one empty content stream; ``count`` overrides the page tree's ``/Count`` (a lying tree)."""
    pages = pages or []
    objects: list[bytes] = []  # object n is objects[n - 1]
    total = len(pages) + blank_pages
    first_page = 5
    kids = " ".join(f"{first_page + i} 0 R" for i in range(total))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count if count is not None else total} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Length 0 >>\nstream\n\nendstream")
    streams: list[bytes] = []
    for index in range(total):
        content_id = first_page + total + index if index < len(pages) else 4  # 4: the shared empty stream
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
    for lines in pages:
        body = ["BT", "/F1 10 Tf", "12 TL", "56 760 Td"]
        for line in lines:
            body.append(f"({_escape_pdf(line)}) Tj T*")
        body.append("ET")
        data = "\n".join(body).encode("cp1252", "replace")
        streams.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    objects.extend(streams)
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of these numbered objects (object 1 the catalog), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def report_pdf(text: str, lines_per_page: int = 60, width: int = 95) -> bytes:
    """A report's text laid out as a plain PDF (hard-wrapped lines, no tables)."""
    import textwrap

    lines: list[str] = []
    for raw in text.split("\n"):
        raw = raw.replace("\t", " ").strip()
        lines.extend(textwrap.wrap(raw, width) if raw else [""])
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    return make_pdf(pages)


# --- zip ----------------------------------------------------------------------------------------


def zip_bomb(unpacked: int, name: str = "word/document.xml", chunk: int = 1 << 22) -> bytes:
    """A .docx-shaped zip whose one member really unpacks to ``unpacked`` zero bytes (a multiple of
    ``chunk``). Built in well under a second: after a full flush deflate starts afresh, so every
    chunk of zeros compresses to the same bytes and is written once, then repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = unpacked // chunk
    data = piece * count + b"\x03\x00"  # an empty final block ends the stream
    zeros = bytes(chunk)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    return _zip_raw([(name, data, count * chunk, crc)])


def _zip_raw(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated members: (name, deflated bytes, unpacked size, crc)."""
    out = io.BytesIO()
    central = []
    for name, data, size, crc in members:
        offset = out.tell()
        encoded = name.encode()
        zip64 = size >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, size, len(data)) if zip64 else b""
        shown = 0xFFFFFFFF if zip64 else size
        shown_c = 0xFFFFFFFF if zip64 else len(data)
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, 0, 8, 0, 0, crc, shown_c, shown, len(encoded), len(extra))
        )
        out.write(encoded + extra + data)
        central.append(
            struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 45, 45, 0, 8, 0, 0, crc, shown_c, shown,
                len(encoded), len(extra), 0, 0, 0, 0, offset,
            )
            + encoded
            + extra
        )  # fmt: skip
    start = out.tell()
    out.write(b"".join(central))
    size_cd = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), size_cd, start, 0))
    return out.getvalue()


def many_members(count: int) -> bytes:
    """A zip of ``count`` empty members (a directory that costs memory to parse)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(f"word/m{index}.xml", b"")
    return out.getvalue()


def rezip(docx: bytes, replace: dict[str, bytes]) -> bytes:
    """The same .docx with some members' bytes replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()


# --- mutations ----------------------------------------------------------------------------------

JUNK_LINES = [
    "\t",
    "\t\t\t",
    "|a|b|",
    "|---|",
    "EUR1:",
    "AFR RI 2",
    "RI 3",
    "Expected results:",
    "Objective:",
    "1.",
    "a)",
    "· ",
    "[1: unclosed",
    "[footnoteRef:1]",
    "[99999999999999999999: x]",
    "Document 123456789012345678901234567890 on nothing",
    "9" * 5000,
    "x" * 3000,
    "- " * 500,
    "\x00\x01\x02",
    "\x1b[31merror: fake\x1b[0m",
    "\u202e\u200b\ufeff",
    '=HYPERLINK("http://x")',
    "## 2.2 Europe Region",
    "2.2 Europe Region",
    "RPM-EUR was held from 31 February to 45 March 2025 in , ,",
    "The meeting elected " * 40,
    "WSIS Action Lines: C1, C99, C0",
    "SDGs: 99, 0, -1",
    "Vice-Chairs: " + "Mr A, " * 100,
    "\f",
    "\r",
    " " * 2000,
    "Regional Initiative No. 99999",
]


def mutate_text(text: str, rng: random.Random, rounds: int = 3) -> str:
    """A few random line-level edits: drop, duplicate, swap, insert junk, cut, splice."""
    lines = text.split("\n")
    for _ in range(rounds):
        if not lines:
            lines = [""]
        op = rng.randrange(8)
        at = rng.randrange(len(lines))
        if op == 0:
            del lines[at : at + rng.randint(1, 30)]
        elif op == 1:
            lines[at:at] = lines[at : at + rng.randint(1, 20)] * rng.randint(1, 5)
        elif op == 2:
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == 3:
            lines.insert(at, rng.choice(JUNK_LINES))
        elif op == 4:
            lines = lines[: at + 1]
        elif op == 5:
            line = lines[at]
            cut = rng.randint(0, len(line))
            lines[at] = line[:cut] + rng.choice(JUNK_LINES) + line[cut:]
        elif op == 6:
            lines[at] = lines[at].upper() if rng.random() < 0.5 else "\t" + lines[at]
        else:
            lines.insert(at, "")
    return "\n".join(lines)


def mutate_bytes(data: bytes, rng: random.Random, flips: int = 8) -> bytes:
    """Random byte flips, a random insertion and sometimes a truncation."""
    buffer = bytearray(data)
    for _ in range(flips):
        if buffer:
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    if rng.random() < 0.3 and buffer:
        at = rng.randrange(len(buffer))
        buffer[at:at] = rng.randbytes(rng.randint(1, 64))
    if rng.random() < 0.3 and buffer:
        del buffer[rng.randrange(len(buffer)) :]
    return bytes(buffer)
