"""OpenTelemetry traces: a server span per request (continuing the caller's W3C traceparent, as
Hive Gateway sends it), a span per GraphQL operation, and a client span per SQL statement.

Off unless configured: with OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) set, spans go
to that OTLP/HTTP collector in batches (service name from OTEL_SERVICE_NAME, else
sigap-<subgraph>); without it nothing is instrumented and requests pay nothing. A process (a
test) that installs an SDK TracerProvider of its own before building the app gets the same
instrumentation.

Strawberry's OpenTelemetryExtension is not used: it adds a span per resolver, which on list
pages is hundreds of spans per request; one span per operation plus SQL says where time went.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind
from opentelemetry.util.http import ExcludeList
from starlette.middleware import Middleware
from starlette.types import Scope
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.asyncpg.client import TransactionWrapper as AsyncpgTransaction
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

from resolvers.request_ids import current_request_id

# Probes and scrapes would drown the traces that matter.
UNTRACED_PATHS = ExcludeList(["/health$", "/ready$", "/metrics$"])
SQL_METHODS = ("execute_insert", "execute_many", "execute_query", "execute_query_dict", "execute_script")
SQL_CLIENTS: tuple[tuple[type, str], ...] = (
    (SqliteClient, "sqlite"),
    (SqliteTransactionWrapper, "sqlite"),
    (AsyncpgDBClient, "postgresql"),
    (AsyncpgTransaction, "postgresql"),
)
MAX_STATEMENT_CHARS = 2000  # statements carry placeholders, never values

_provider: TracerProvider | None = None
_sql_tracer: trace.Tracer | None = None
_graphql_tracer: trace.Tracer | None = None


def tracing_active() -> bool:
    return _provider is not None


def use_tracer_provider(provider: TracerProvider | None) -> None:
    """Trace apps built from now on (and SQL from now on) into `provider`; None stops tracing."""
    global _provider, _sql_tracer, _graphql_tracer
    _provider = provider
    _sql_tracer = provider.get_tracer("sigap.sql") if provider else None
    _graphql_tracer = provider.get_tracer("sigap.graphql") if provider else None
    if provider is not None:
        _instrument_sql()


def start_tracing(service_name: str) -> bool:
    """Export to the configured OTLP collector (once per process). Returns whether requests are
    to be traced."""
    if _provider is None and (
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over this default.
        provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)  # for libraries that look for the global one
        use_tracer_provider(provider)
    return tracing_active()


def tracing_middleware() -> list[Middleware]:
    """The ASGI server span of every request and websocket, continuing an incoming traceparent;
    nothing when tracing is off."""
    if _provider is None:
        return []
    return [
        Middleware(
            OpenTelemetryMiddleware,
            tracer_provider=_provider,
            excluded_urls=UNTRACED_PATHS,
            server_request_hook=_tag_request,
            exclude_spans=["receive", "send"],  # a span per ASGI message costs more than it tells
        )
    ]


def operation_span(kind: str, name: str) -> AbstractContextManager[Any]:
    """The span of one GraphQL operation; its name also goes on the request's server span."""
    if _graphql_tracer is None:
        return contextlib.nullcontext()
    server_span = trace.get_current_span()
    if server_span.is_recording():
        server_span.set_attribute("graphql.operation.name", name)
        server_span.set_attribute("graphql.operation.type", kind)
    attributes = {"graphql.operation.name": name, "graphql.operation.type": kind}
    return _graphql_tracer.start_as_current_span(f"{kind} {name}", attributes=attributes)


def _tag_request(span: Span, scope: Scope) -> None:
    request_id = current_request_id.get()
    if request_id and span.is_recording():
        span.set_attribute("sigap.request_id", request_id)


def _instrument_sql() -> None:
    """Wrap Tortoise's statement methods (both backends, in and out of transactions): the one
    door every statement passes. Wrapped once per process; a pass-through when tracing stops."""
    for client, system in SQL_CLIENTS:
        for name in SQL_METHODS:
            method = client.__dict__.get(name)
            if method is not None and not getattr(method, "_sigap_traced", False):
                setattr(client, name, _traced_statement(method, system))


def _traced_statement(method: Callable[..., Awaitable[Any]], system: str) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def traced(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        tracer = _sql_tracer
        if tracer is None:
            return await method(self, query, *args, **kwargs)
        verb = (query.split(None, 1) or ["SQL"])[0].upper()  # SELECT, INSERT, BEGIN ...
        attributes = {"db.system": system, "db.statement": query[:MAX_STATEMENT_CHARS]}
        with tracer.start_as_current_span(verb, kind=SpanKind.CLIENT, attributes=attributes):
            return await method(self, query, *args, **kwargs)

    traced._sigap_traced = True  # type: ignore[attr-defined]
    return traced
