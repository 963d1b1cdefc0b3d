"""One exception family, so the CLI and the web app can turn any failure into one clear line."""

from __future__ import annotations


class RihubError(Exception):
    """Base of every error rihub reports to a person: the message is the whole story."""


class InputError(RihubError):
    """A source file cannot be read or does not look like an RPM outcome report."""


class NotFoundError(RihubError):
    """A requested record (initiative, region, document…) does not exist."""


class StoreError(RihubError):
    """The database cannot be opened or migrated."""
