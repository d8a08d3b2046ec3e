"""OpenTelemetry traces in-process, on both databases: one GraphQL request is one server span
(continuing the caller's traceparent) with the operation's span and its SQL spans under it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from server.app import create_app
from server.observability.tracing import use_tracer_provider
from server.settings import Settings
from tests.conftest import Database
from tests.server_process import TEST_JWT_SECRET

TRACE_ID, CALLER_SPAN_ID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
AGENCIES = {"query": "query Agencies { agencies { code name } }"}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    use_tracer_provider(provider)
    try:
        yield exporter
    finally:
        use_tracer_provider(None)


async def post(tmp_path: Path, headers: dict[str, str]) -> httpx.Response:
    app = create_app(Settings(jwt_secret=TEST_JWT_SECRET, photo_dir=tmp_path, response_cache=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await client.post("/graphql", json=AGENCIES, headers=headers)


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


async def test_a_request_is_a_server_span_with_its_operation_and_sql(
    db: Database, spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    response = await post(tmp_path, {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"})
    assert response.status_code == 200
    assert response.json()["data"]["agencies"]

    finished = spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in finished}
    [server] = [span for span in finished if span.kind == SpanKind.SERVER]
    [operation] = [span for span in finished if span.name == "query Agencies"]
    sql = [span for span in finished if span.kind == SpanKind.CLIENT]

    # The caller's trace goes on: same trace id, the caller's span as parent.
    assert {span.context.trace_id for span in finished} == {int(TRACE_ID, 16)}
    assert server.parent is not None
    assert server.parent.span_id == int(CALLER_SPAN_ID, 16)
    assert server.attributes is not None
    assert server.attributes["graphql.operation.name"] == "Agencies"
    assert server.attributes["sigap.request_id"] == response.headers["x-request-id"]
    assert operation.parent is not None
    assert operation.parent.span_id == server.context.span_id
    system = {"sqlite": "sqlite", "postgres": "postgresql"}[db.backend]
    agency_selects = [
        span
        for span in sql
        if span.name == "SELECT" and span.attributes and "agencies" in str(span.attributes["db.statement"])
    ]
    assert agency_selects
    for span in sql:
        assert span.attributes is not None
        assert span.attributes["db.system"] == system
        assert ancestors(span, by_id)[-2:] == ["query Agencies", server.name]


async def test_without_a_traceparent_a_request_starts_its_own_trace(
    db: Database, spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    await post(tmp_path, {})
    [server] = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert server.parent is None
    assert server.context.trace_id != int(TRACE_ID, 16)


async def test_nothing_is_traced_unless_configured(db: Database, tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    use_tracer_provider(provider)
    use_tracer_provider(None)  # tracing switched off again: the SQL wrappers pass straight through
    response = await post(tmp_path, {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"})
    assert response.status_code == 200
    assert exporter.get_finished_spans() == ()
