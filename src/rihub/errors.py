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


class AuthError(RihubError):
    """Who is asking cannot be established: no credentials, wrong ones, a disabled account (HTTP 401)."""


class ThrottledError(AuthError):
    """Too many failed sign-ins from one client or for one account in the throttle window (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many attempts, try again in {retry_after} s")


class PermissionDenied(RihubError):
    """The actor is known but their role or assignments do not allow this write (HTTP 403)."""
