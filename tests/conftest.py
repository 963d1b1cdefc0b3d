"""Shared fixtures: the bundled report parsed once and ingested once per test session."""

from __future__ import annotations

import os
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
import backend  # noqa: E402  (test support modules beside this file)
from variants import write_docx, write_pdf  # noqa: E402


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
def demo_hub(tmp_path_factory: pytest.TempPathFactory, database_server: str | None) -> Hub:
    """A registry holding the bundled report; tests must not write to it."""
    hub = Hub(backend.new_url(tmp_path_factory.mktemp("demo"), database_server))
    hub.ingest_demo()
    return hub


@pytest.fixture()
def empty_hub(tmp_path: Path, database_server: str | None) -> Hub:
    return Hub(backend.new_url(tmp_path, database_server))


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
        if os.environ.get("RIHUB_REQUIRE_POSTGRES") or backend.POSTGRES:
            pytest.fail(f"PostgreSQL is required in this run (RIHUB_REQUIRE_POSTGRES / RIHUB_TEST_BACKEND): {reason}")
        message = f"POSTGRESQL TESTS SKIPPED: {reason}"
        print(f"\n{'!' * 20} {message} {'!' * 20}")
        pytest.skip(message)
    with pg_server.server() as url:
        yield url


@pytest.fixture(scope="session")
def database_server(request: pytest.FixtureRequest) -> str | None:
    """None on the SQLite pass; the throwaway PostgreSQL server's URL on the PostgreSQL pass."""
    return str(request.getfixturevalue("postgres_url")) if backend.POSTGRES else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about SQLite itself (its files, FTS5); not in the PostgreSQL pass")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass keep the tests that use a shared registry, and say what was left out."""
    if not backend.POSTGRES:
        return
    kept, sqlite_only, no_registry = [], [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("sqlite_only"):
            sqlite_only.append(item)
        elif names & backend.REGISTRY_FIXTURES:
            kept.append(item)
        else:
            no_registry.append(item)
    config.hook.pytest_deselected(items=sqlite_only + no_registry)
    items[:] = kept
    print(
        f"\nPostgreSQL pass: {len(kept)} tests on PostgreSQL registries; left to the SQLite pass: "
        f"{len(sqlite_only)} marked sqlite_only, {len(no_registry)} that use no shared registry"
    )


@pytest.fixture(scope="session")
def aligned_hub(tmp_path_factory: pytest.TempPathFactory, database_server: str | None) -> Hub:
    """The demo registry after `rihub align` (model proposals and embeddings), built once per session.

    Loading MiniLM costs ~10 s, so every test that needs proposals or vectors shares this one; tests
    that write (reviews) work on a copy (``web_fixtures.copy_hub``), never on this registry.
    """
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    hub = Hub(backend.new_url(tmp_path_factory.mktemp("aligned"), database_server))
    hub.ingest_demo()
    hub.align()
    return hub
