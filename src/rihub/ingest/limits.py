"""Input limits: every report is read within a size, shape and time budget (docs/security.md).

Each limit is a field of :class:`rihub.config.Settings` (environment ``RIHUB_…``) and each refusal
is one :class:`InputError` line naming the limit and the variable that raises it. The readers
call :func:`tick` in their loops; :func:`reading` sets the budget for one report.
"""

from __future__ import annotations

import errno
import math
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from rihub.config import Settings
from rihub.errors import InputError

MB = 1_000_000  # limits are in decimal megabytes, as file managers show sizes


@dataclass(frozen=True)
class Budget:
    name: str
    settings: Settings
    deadline: float


_budget: ContextVar[Budget | None] = ContextVar("rihub_ingest_budget", default=None)


@contextmanager
def reading(name: str, settings: Settings) -> Iterator[Budget]:
    """The budget for reading one report: its name (for messages), its limits and its deadline."""
    budget = Budget(name, settings, time.monotonic() + settings.parse_seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def current() -> Budget:
    """The budget of the report being read (the default limits outside :func:`reading`)."""
    budget = _budget.get()
    return budget if budget is not None else Budget("input", Settings.from_env(), float("inf"))


def tick(count: int = 0) -> None:
    """Refuse the report once its time budget is spent, or once ``count`` (the blocks read so far)
    passes the paragraph-count limit. Cheap: call it in every loop."""
    budget = _budget.get()
    if budget is None:
        return
    if count > budget.settings.max_paragraphs:
        check_paragraphs(count, counted=False)
    if time.monotonic() > budget.deadline:
        raise InputError(
            f"{budget.name}: reading took longer than the {budget.settings.parse_seconds:g} s time budget "
            "(RIHUB_PARSE_SECONDS); split the report or raise the budget"
        )


def limit_bytes(limit_mb: float) -> int:
    """A limit in MB as a whole number of bytes (``inf``: practically none)."""
    return math.floor(limit_mb * MB + 0.5) if limit_mb * MB < 2**62 else 2**62


def size_text(size: float, limit_mb: float) -> str:
    """ "250 MB", "50.1 MB": as few decimals as show the size over the limit; bytes under 1 MB."""
    if size >= MB:
        for decimals in range(4):
            shown = f"{size / MB:.{decimals}f}"
            if float(shown) > limit_mb:
                return f"{shown} MB"
    return f"{int(size):,} bytes"


def over(name: str, what: str, size: float, limit_mb: float, variable: str) -> InputError:
    return InputError(f"{name}: {size_text(size, limit_mb)} is over the {limit_mb:g} MB {what} limit ({variable})")


def check_file_size(name: str, size: int, settings: Settings) -> None:
    if size > limit_bytes(settings.max_file_mb):
        raise over(name, "file-size", size, settings.max_file_mb, "RIHUB_MAX_FILE_MB")


def check_paragraph(length: int, where: str = "") -> None:
    """Refuse a paragraph, heading or table row longer than the paragraph limit."""
    budget = current()
    limit = budget.settings.max_paragraph_chars
    if length > limit:
        at = f" ({where})" if where else ""
        raise InputError(
            f"{budget.name}: a paragraph{at} of {length:,} characters is over the {limit:,}-character "
            "paragraph limit (RIHUB_MAX_PARAGRAPH_CHARS)"
        )


def check_paragraphs(count: int, unit: str = "paragraphs and table rows", *, counted: bool = True) -> None:
    """Refuse more paragraphs (or lines) than the limit; ``counted``: the count is the whole document's."""
    budget = current()
    limit = budget.settings.max_paragraphs
    if count > limit:
        amount = f"{count:,}" if counted else f"more than {limit:,}"
        raise InputError(f"{budget.name}: {amount} {unit} is over the {limit:,}-paragraph limit (RIHUB_MAX_PARAGRAPHS)")


def check_pages(count: int) -> None:
    budget = current()
    limit = budget.settings.max_pdf_pages
    if count > limit:
        raise InputError(
            f"{budget.name}: {count:,} pages is over the {limit:,}-page PDF limit (RIHUB_MAX_PDF_PAGES); split the file"
        )


# --- reading a file from disk --------------------------------------------------------------------

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(path: Path, mode: int) -> InputError:
    if stat.S_ISDIR(mode):
        return InputError(f"{path}: is a directory; give report files (.txt, .docx, .pdf)")
    kind = next((label for test, label in _KINDS if test(mode)), "not a regular file")
    return InputError(f"{path}: is {kind}, not a regular file; only report files are read")


def _stat_error(path: Path, exc: OSError) -> InputError:
    if exc.errno == errno.ELOOP:
        return InputError(f"{path}: is a symbolic link loop (following its links leads back to them); fix the link")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if path.is_symlink():
            return InputError(f"{path}: is a broken symbolic link (its target does not exist)")
        return InputError(f"{path}: no such file; check the path")
    return InputError(f"{path}: cannot be read ({exc.strerror or exc})")


def read_regular_file(path: Path, settings: Settings) -> bytes:
    """A regular file's bytes, read with a bounded read; anything else is refused by name.

    The file is checked with ``stat`` before it is opened (a pipe or device is never opened),
    opened without blocking and checked again on the open descriptor (a file swapped for a pipe
    in between is still refused), and never read past the size limit, even if it grows.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _stat_error(path, exc) from exc
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(path, info.st_mode)
    check_file_size(str(path), info.st_size, settings)
    limit = limit_bytes(settings.max_file_mb)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _stat_error(path, exc) from exc
    with os.fdopen(fd, "rb", buffering=0) as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode):
            raise _not_regular(path, opened.st_mode)
        chunks: list[bytes] = []
        total = 0
        try:
            while total <= limit:
                chunk = handle.read(min(1 << 20, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if total > limit:
        raise InputError(
            f"{path}: more than {settings.max_file_mb:g} MB could be read, over the file-size limit (RIHUB_MAX_FILE_MB)"
        )
    return b"".join(chunks)
