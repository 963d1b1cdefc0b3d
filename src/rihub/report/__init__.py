"""Reports of one cycle — consolidated, one region, one initiative — in Word, PDF, HTML, Markdown
and Excel, all drawn from one typed :class:`~rihub.report.model.Report`.

Every writer module has the same contract (:class:`Writer`): ``MEDIA_TYPE``, ``SUFFIX`` and
``write(report) -> bytes``. :meth:`rihub.hub.Hub.report` is the way in; see docs/reports.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from rihub.errors import InputError
from rihub.report.model import KINDS, Report, build_report

if TYPE_CHECKING:
    from rihub.hub import Hub

__all__ = ["FORMATS", "KINDS", "Report", "Writer", "build_report", "filename", "render", "writer"]

FORMATS: tuple[str, ...] = ("docx", "pdf", "html", "md", "xlsx")
MODULES = {"docx": "docx", "pdf": "pdf", "html": "html", "md": "markdown", "xlsx": "xlsx"}
ALIASES = {"markdown": "md", "word": "docx", "excel": "xlsx", "htm": "html"}
Progress = Callable[[int, int, str], None]


class Writer(Protocol):
    MEDIA_TYPE: str
    SUFFIX: str

    def write(self, report: Report) -> bytes: ...


def format_of(fmt: str) -> str:
    name = fmt.strip().lower().lstrip(".")
    name = ALIASES.get(name, name)
    if name not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return name


def writer(fmt: str) -> Writer:
    """The writer module of a format (imported on demand: PDF output alone loads WeasyPrint)."""
    return cast(Writer, importlib.import_module(f"rihub.report.{MODULES[format_of(fmt)]}"))


def filename(kind: str, code: str | None, cycle: str | None, fmt: str) -> str:
    """ "rihub-consolidated-WTDC-25.docx", "rihub-region-EUR-WTDC-25.pdf", "rihub-initiative-EUR1-WTDC-25.md"."""
    parts = ["rihub", kind, code.strip().upper() if code else None, cycle]
    return "-".join(p for p in parts if p) + f".{writer(fmt).SUFFIX}"


def check_writable(path: Path) -> None:
    """Refuse an output path before the work is done, with the reason in one line."""
    if path.is_dir():
        raise InputError(f"cannot write the report to {path}: it is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"cannot write the report to {path}: the folder {parent} does not exist")
    if path.exists() and not path.is_file():
        raise InputError(f"cannot write the report to {path}: it is not a regular file")


def render(
    hub: Hub,
    kind: str,
    code: str | None = None,
    cycle: str | None = None,
    fmt: str = "docx",
    progress: Progress | None = None,
    output: str | Path | None = None,
) -> bytes:
    """The report in ``fmt``; written to ``output`` too when given."""
    module = writer(fmt)
    target = Path(output) if output is not None else None
    if target is not None:
        check_writable(target)
    steps = 3 if target is not None else 2

    def step(done: int, label: str) -> None:
        if progress:
            progress(done, steps, label)

    step(0, "reading the registry")
    report = build_report(hub, kind, code, cycle)
    step(1, f"writing {format_of(fmt)}")
    data = module.write(report)
    if target is not None:
        step(2, f"saving {target.name}")
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise InputError(f"cannot write the report to {target}: {exc.strerror or exc}") from exc
    step(steps, "done")
    return data
