"""Security headers on every response, a read-only guard, HEAD for every GET route, the body
limit, and the credential check that write endpoints need before their body is parsed — one small ASGI middleware.

Pure ASGI rather than ``BaseHTTPMiddleware``: it adds no task hop per request, which keeps
latency low under load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS: dict[str, str] = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_RAW = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]


def is_data_path(path: str) -> bool:
    """Machine-readable URLs: the API and every .json/.csv twin (open data: any origin may read them)."""
    return path.startswith("/api") or path.endswith((".json", ".csv")) or path == "/openapi.json"


def with_headers(raw: Iterable[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
    present = {k.lower() for k, _ in raw}
    out = list(raw)
    out.extend((k, v) for k, v in _RAW if k not in present)
    if is_data_path(path) and b"access-control-allow-origin" not in present:
        out.append((b"access-control-allow-origin", b"*"))
    return out


class SecurityHeaders:
    """Adds the headers above; with ``read_only`` refuses unsafe methods before any route runs.

    ``body_limits`` maps path prefixes to a larger body limit than :data:`MAX_BODY` (the longest
    matching prefix wins), for routes that take uploads. A key with ``{id}`` is one route, not a
    prefix: ``/updates/{id}/edit`` matches ``/updates/12/edit`` and nothing else.
    """

    def __init__(self, app: ASGIApp, read_only: bool = True, body_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.read_only = read_only
        limits = body_limits or {}
        self.body_limits = sorted(
            ((k, v) for k, v in limits.items() if "{id}" not in k), key=lambda item: -len(item[0])
        )
        self.route_limits = [(_route(k), v) for k, v in limits.items() if "{id}" in k]

    def limit_for(self, path: str) -> int:
        routed = next((limit for pattern, limit in self.route_limits if pattern.fullmatch(path)), None)
        if routed is not None:
            return routed
        return next((limit for prefix, limit in self.body_limits if path.startswith(prefix)), MAX_BODY)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        head = scope["method"] == "HEAD"
        # Pages of a server that reviews carry form tokens: no cache may keep them.
        private = not self.read_only and not path.startswith("/static")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = with_headers(message.get("headers", []), path)
                if private and not any(k.lower() == b"cache-control" for k, _ in raw):
                    raw.append((b"cache-control", b"no-store"))
                message["headers"] = raw
            elif head and message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)}
            await send(message)

        if self.read_only and scope["method"] not in SAFE_METHODS:
            from rihub.web.errors import method_not_allowed

            await method_not_allowed(scope)(scope, receive, send_with_headers)
            return
        if scope["method"] in WRITES and path.startswith("/api/") and not _has_credential(scope):
            from rihub.web.errors import unauthorized

            await unauthorized(scope)(scope, receive, send_with_headers)
            return
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            from rihub.web.errors import nul_in_request

            await nul_in_request(scope)(scope, receive, send_with_headers)
            return
        if head:  # answered like GET, without the body (Starlette's routes would say 405)
            scope = dict(scope, method="GET")
        limit = self.limit_for(path)
        if _declared_length(scope, limit) > limit:
            from rihub.web.errors import too_large

            await too_large(scope, limit)(scope, receive, send_with_headers)
            return
        await self.app(scope, _bounded(receive, limit), send_with_headers)


def _route(template: str) -> re.Pattern[str]:
    return re.compile("[0-9]{1,19}".join(re.escape(part) for part in template.split("{id}")))


MAX_BODY = 64 * 1024  # a form or JSON body is a few hundred bytes; upload routes raise it (body_limits)


def _declared_length(scope: Scope, limit: int) -> int:
    for k, v in scope.get("headers", []):
        if k.lower() == b"content-length":
            return int(v) if v.isdigit() else limit + 1
    return 0


def _bounded(receive: Receive, limit: int) -> Receive:
    """A request body that says no length (chunked) is cut off past the limit all the same."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                from starlette.exceptions import HTTPException

                raise HTTPException(413, f"the request body is over {limit // 1024} KB")
        return message

    return wrapped


def _has_credential(scope: Scope) -> bool:
    return any(k.lower() == b"authorization" and v.strip() for k, v in scope.get("headers", []))
