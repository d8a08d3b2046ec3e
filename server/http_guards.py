"""ASGI middleware refusing requests at the door, before GraphQL sees them.

- `BodySizeLimit`: bodies over the cap get 413, whether they announce their length or stream it.
- `CrossSiteRequestGuard`: a browser sends some requests to another site without asking first
  (no CORS preflight): POSTs of text/plain, application/x-www-form-urlencoded or
  multipart/form-data, or with no content type. A page on any site could make a visitor's
  browser send those, so they are refused unless they carry a header that only a preflighted
  request can carry (`X-Sigap-CSRF`, or Apollo's `Apollo-Require-Preflight` /
  `X-Apollo-Operation-Name`). GET carries queries only; the GraphQL view refuses mutations on it.
- `JsonCharsetGuard`: JSON is UTF-8 (RFC 8259); a body declared in another charset gets 415
  rather than being misread.

- `AmbiguousHostGuard`: two Host headers would let a proxy route by one and the app read the
  other: 400 (RFC 9112 3.2). Starlette's TrustedHostMiddleware (server.app) then checks the one
  Host against ALLOWED_HOSTS. (An absolute-form target, `POST http://other/graphql`, never
  reaches the app with its authority: uvicorn keeps only the path.)
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def refusal(status: int, code: str, message: str) -> JSONResponse:
    """Shaped like a GraphQL error, so clients read every refusal the same way."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Content types a cross-site <form> or fetch() may send without a preflight (Fetch standard).
SIMPLE_CONTENT_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
PREFLIGHT_HEADERS = ("x-sigap-csrf", "apollo-require-preflight", "x-apollo-operation-name")


class AmbiguousHostGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            hosts = [value for name, value in scope["headers"] if name == b"host"]
            if len(hosts) > 1:
                response = refusal(400, "AMBIGUOUS_HOST", "Ambiguous host: send one Host header")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyTooLarge(Exception):
    """The body went past the cap while being read."""


class BodySizeLimit:
    """`max_bytes` for every body but file uploads (multipart), which get `max_upload_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = is_multipart(headers.get("content-type"))
        cap = self.max_upload_bytes if multipart else self.max_bytes
        declared = headers.get("content-length")
        if declared is not None and (not (declared.isascii() and declared.isdigit()) or int(declared) > cap):
            await self._refuse(scope, receive, send, cap)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > cap:
                raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, cap)
        except ClientDisconnect:
            # The client left before its body came (a phone losing signal, a load generator
            # stopping): nobody to answer, and nothing went wrong here to log as an error.
            return

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        response = refusal(413, "REQUEST_TOO_LARGE", f"Request body too large: at most {cap} bytes")
        await response(scope, receive, send)


FORM_POSTING_PREFIXES = ("/open311/",)


class CrossSiteRequestGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Open311 posts forms by its specification, and carries its credential (`api_key`) in the
        # form itself, which another site cannot know: no ambient credential to ride on.
        exempt = scope["type"] == "http" and scope["path"].startswith(FORM_POSTING_PREFIXES)
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS and not exempt:
            headers = Headers(scope=scope)
            media_type = _media_type(headers.get("content-type"))
            preflighted = any(headers.get(name) for name in PREFLIGHT_HEADERS)
            if (media_type is None or media_type in SIMPLE_CONTENT_TYPES) and not preflighted:
                response = refusal(
                    403,
                    "PREFLIGHT_REQUIRED",
                    "Refused: a browser could send this request from another site. Send "
                    "Content-Type: application/json, or the header X-Sigap-CSRF: 1",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class JsonCharsetGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            content_type = Headers(scope=scope).get("content-type", "")
            charset = _parameter(content_type, "charset")
            if _media_type(content_type) == "application/json" and charset not in (None, "utf-8", "utf8"):
                response = refusal(
                    415, "UNSUPPORTED_CHARSET", f"Unsupported charset {charset!r}: JSON must be UTF-8"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def is_multipart(content_type: str | None) -> bool:
    return _media_type(content_type) == "multipart/form-data"


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type or None


def _parameter(content_type: str, name: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"').lower()
    return None
