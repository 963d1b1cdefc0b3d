"""Settings from the environment (prefix ``RIHUB_``), so deployments need no config file."""

from __future__ import annotations

import os
from dataclasses import dataclass

from rihub.errors import RihubError

DEFAULT_DATABASE_URL = "sqlite:///rihub.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    # RIHUB_ALLOWED_HOSTS: Host headers the web app answers (comma-separated, "*." wildcards);
    # "*" answers any. Links never use the Host header; this refuses requests meant for other sites.
    allowed_hosts: tuple[str, ...] = ("*",)
    # Input limits (docs/security.md). Real ITU reports are well under a tenth of each; "inf" lifts one.
    max_file_mb: float = 50.0  # RIHUB_MAX_FILE_MB: any report file, read or uploaded
    max_docx_unpacked_mb: float = 200.0  # RIHUB_MAX_DOCX_UNPACKED_MB: all members of a .docx, unpacked
    max_docx_member_mb: float = 50.0  # RIHUB_MAX_DOCX_MEMBER_MB: one member of a .docx, unpacked
    max_docx_members: int = 2000  # RIHUB_MAX_DOCX_MEMBERS: files inside a .docx
    max_pdf_pages: int = 2000  # RIHUB_MAX_PDF_PAGES
    max_paragraph_chars: int = 100_000  # RIHUB_MAX_PARAGRAPH_CHARS: one paragraph, heading or table row
    max_paragraphs: int = 200_000  # RIHUB_MAX_PARAGRAPHS: paragraphs and rows of a report (lines of a text file)
    parse_seconds: float = 60.0  # RIHUB_PARSE_SECONDS: time budget for reading one report
    # RIHUB_SECRET_KEY: signs session cookies; unset, one is generated and kept in the database.
    secret_key: str | None = None
    # RIHUB_WRITABLE: a worker built by rihub.web.app:from_env turns accounts and writes on (`serve --writable`).
    writable: bool = False
    # The IATI reporting organisation of `rihub export --format iati` (docs/monitoring.md): set the
    # identifier to your organisation's (org-id.guide); the placeholder default marks an unset one.
    iati_org_ref: str = "XX-RIHUB"  # RIHUB_IATI_ORG_REF
    iati_org_name: str = "International Telecommunication Union (ITU-D)"  # RIHUB_IATI_ORG_NAME
    iati_org_type: str = "40"  # RIHUB_IATI_ORG_TYPE: IATI OrganisationType code (40: multilateral)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("RIHUB_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=os.environ.get("RIHUB_HOST", "127.0.0.1"),
            port=int(os.environ.get("RIHUB_PORT", "8000")),
            allowed_hosts=tuple(h.strip() for h in os.environ.get("RIHUB_ALLOWED_HOSTS", "*").split(",") if h.strip())
            or ("*",),
            max_file_mb=_limit("RIHUB_MAX_FILE_MB", cls.max_file_mb),
            max_docx_unpacked_mb=_limit("RIHUB_MAX_DOCX_UNPACKED_MB", cls.max_docx_unpacked_mb),
            max_docx_member_mb=_limit("RIHUB_MAX_DOCX_MEMBER_MB", cls.max_docx_member_mb),
            max_docx_members=_count("RIHUB_MAX_DOCX_MEMBERS", cls.max_docx_members),
            max_pdf_pages=_count("RIHUB_MAX_PDF_PAGES", cls.max_pdf_pages),
            max_paragraph_chars=_count("RIHUB_MAX_PARAGRAPH_CHARS", cls.max_paragraph_chars),
            max_paragraphs=_count("RIHUB_MAX_PARAGRAPHS", cls.max_paragraphs),
            parse_seconds=_limit("RIHUB_PARSE_SECONDS", cls.parse_seconds),
            secret_key=os.environ.get("RIHUB_SECRET_KEY", "").strip() or None,
            writable=os.environ.get("RIHUB_WRITABLE", "").strip().lower() in {"1", "true", "yes"},
            iati_org_ref=os.environ.get("RIHUB_IATI_ORG_REF", "").strip() or cls.iati_org_ref,
            iati_org_name=os.environ.get("RIHUB_IATI_ORG_NAME", "").strip() or cls.iati_org_name,
            iati_org_type=os.environ.get("RIHUB_IATI_ORG_TYPE", "").strip() or cls.iati_org_type,
        )


def _limit(variable: str, default: float) -> float:
    """A positive number from the environment; ``inf`` lifts the limit."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:  # also refuses nan
        raise RihubError(f"{variable} must be a positive number (or inf), not {raw!r}")
    return value


def _count(variable: str, default: int) -> int:
    """A positive whole number from the environment; ``inf`` lifts the limit."""
    value = _limit(variable, default)
    if value == float("inf"):
        return 2**62
    if value != int(value):
        raise RihubError(f"{variable} must be a whole number (or inf), not {os.environ[variable]!r}")
    return int(value)
