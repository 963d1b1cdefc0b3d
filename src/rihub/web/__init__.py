"""The web app: HTML pages and a JSON API over the same hub queries (``create_app(hub)``)."""

from __future__ import annotations

from rihub.web.app import create_app

__all__ = ["create_app"]
