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


class ConflictError(RihubError):
    """A save based on a stale ``version``: someone else changed the row since it was read.

    ``current`` is the row as it stands now (a record), so a form can show it beside the person's
    own input and let them save again on top of it (the web answers 409).
    """

    def __init__(self, message: str, current: object) -> None:
        super().__init__(message)
        self.current = current


class ImportRowsError(InputError):
    """An import file with bad rows: nothing was written. ``errors`` are (row, column, message),
    rows numbered as a spreadsheet shows them (the header is row 1)."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"row {first[0]}, column {first[1]}: {first[2]}{more}; nothing was imported")
        self.errors = errors
