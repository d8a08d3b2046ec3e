"""The process's Prometheus metrics that count as requests happen (counters and histograms).

Values read at scrape time (live connections, relay lag, cache, pool) are in
server/observability/metrics_endpoint.py. With several uvicorn workers, PROMETHEUS_MULTIPROC_DIR
(set by `sigap serve --workers N`) makes prometheus-client keep these in shared files, so that a
scrape of any worker sums every worker's counts.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "sigap_http_requests_total",
    "HTTP requests answered, by route, method and status",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "sigap_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response (SSE streams excluded)",
    ["route", "method"],
)
OPERATIONS = Counter(
    "sigap_graphql_operations_total",
    "GraphQL operations over HTTP, by type and operation name",
    ["type", "operation"],
)
OPERATION_SECONDS = Histogram(
    "sigap_graphql_operation_duration_seconds",
    "Time to answer one GraphQL operation over HTTP (cached answers included)",
    ["type", "operation"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter(
    "sigap_graphql_errors_total",
    "Errors in GraphQL answers by code: top-level errors and mutation payloads' typed errors",
    ["code"],
)

# The routes worth telling apart; anything else (probes of unknown paths) is one label value.
_ROUTES = ("/graphql", "/health", "/ready", "/metrics", "/live", "/wall/assets", "/wall", "/photos")


def route_of(path: str) -> str:
    for route in _ROUTES:
        if path == route or path.startswith(route + "/"):
            return route
    return "other"


class RequestMetrics:
    """Counts every HTTP response by route and status and times it: the door all requests pass,
    including those refused before GraphQL (400, 401, 413, 415)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started is answered 500 by Starlette
        streaming = False

        async def observe(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                streaming = _is_event_stream(message)
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route, method = route_of(scope["path"]), scope["method"]
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            if not streaming:  # an SSE stream's length is the subscriber's, not the server's speed
                HTTP_SECONDS.labels(route, method).observe(time.perf_counter() - started)


def _is_event_stream(message: Message) -> bool:
    headers: Any = message.get("headers") or ()
    return any(name == b"content-type" and value.startswith(b"text/event-stream") for name, value in headers)
