"""CORS: pages of the origins in ALLOWED_ORIGINS (a citizen web app, a local dev server) may call the
API from the browser; no other site may read its answers. Starlette's CORSMiddleware answers the
preflights and marks the answers.

Credentials: Sigap's are headers (`Authorization`, `X-Api-Key`), allowed here, never cookies, so
`Access-Control-Allow-Credentials` is never sent and a browser refuses `credentials: "include"`
requests (Fetch standard). An allowed origin is echoed back, never `*`, with `Vary: Origin`.

CORS only decides what a page may read: a cross-site request a browser sends without a preflight
still reaches the server, and `CrossSiteRequestGuard` (server.http_guards) refuses it as before.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from server.authentication import CREDENTIAL_NAMES
from server.http_guards import PREFLIGHT_HEADERS

# What a browser app sends: JSON, its credentials and install id, the CSRF header, SSE resumption.
ALLOWED_HEADERS = sorted({"content-type", "accept", "last-event-id", *CREDENTIAL_NAMES, *PREFLIGHT_HEADERS})


def cors_middleware(allowed_origins: tuple[str, ...]) -> Middleware:
    return Middleware(
        CORSMiddleware,
        allow_origins=list(allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=ALLOWED_HEADERS,
        allow_credentials=False,
        expose_headers=["Retry-After"],  # when a rate-limited client may try again
        max_age=600,
    )
