"""Shared fixtures: the bundled report parsed once and ingested once per test session."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from rihub.hub import DEMO_REPORT, Hub
from rihub.ingest import parse_file
from rihub.model import Outline

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
sys.path.insert(0, str(Path(__file__).parent))
from variants import write_docx, write_pdf  # noqa: E402  (test support module beside this file)


@pytest.fixture(scope="session")
def report_path() -> Path:
    """The bundled WTDC-25 coordination report, as installed with the package."""
    return Path(str(resources.files("rihub.data").joinpath(DEMO_REPORT)))


@pytest.fixture(scope="session")
def report_text(report_path: Path) -> str:
    return report_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def outline(report_path: Path) -> Outline:
    return parse_file(report_path)


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """A SQLite registry holding the bundled report; tests must not write to it."""
    path = tmp_path_factory.mktemp("demo") / "rihub.db"
    hub = Hub(f"sqlite:///{path}")
    hub.ingest_demo()
    return hub


@pytest.fixture()
def empty_hub(tmp_path: Path) -> Hub:
    return Hub(f"sqlite:///{tmp_path / 'rihub.db'}")


@pytest.fixture(scope="session")
def docx_path(report_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled report as a real Word file (headings, tables, automatic numbering, footnote)."""
    return write_docx(report_path, tmp_path_factory.mktemp("docx") / "rpm-coordination-wtdc25.docx")


@pytest.fixture(scope="session")
def pdf_path(docx_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """That Word file rendered to PDF by LibreOffice, as ITU publishes it."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LIBREOFFICE (soffice) IS NOT INSTALLED: the PDF layout is NOT tested; run 'make system-packages'")
    return write_pdf(docx_path, tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for this session (started here from Debian's binaries)."""
    import pg_server

    reason = pg_server.available()
    if reason:
        message = f"POSTGRESQL TESTS SKIPPED: {reason}"
        print(f"\n{'!' * 20} {message} {'!' * 20}")
        pytest.skip(message)
    with pg_server.server() as url:
        yield url


@pytest.fixture(scope="session")
def aligned_hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """The demo registry after `rihub align` (model proposals and embeddings), built once per session.

    Loading MiniLM costs ~10 s, so every test that needs proposals or vectors shares this one; tests
    that write (reviews) work on a copy (``web_fixtures.copy_hub``), never on this registry.
    """
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = tmp_path_factory.mktemp("aligned") / "rihub.db"
    hub = Hub(f"sqlite:///{path}")
    hub.ingest_demo()
    hub.align()
    return hub
