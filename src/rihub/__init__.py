"""rihub — the Regional Initiatives hub of ITU-D's regional preparatory process."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Hub", "__version__"]


def __getattr__(name: str) -> object:
    # Lazy, so `import rihub` stays cheap for tools that only need the version.
    if name == "Hub":
        from rihub.hub import Hub

        return Hub
    raise AttributeError(name)
