"""One trace, and one request id, from the client through Hive Gateway and a subgraph down to
SQL: the loopback topology with both the gateway (OPENTELEMETRY) and the subgraphs
(OTEL_EXPORTER_OTLP_ENDPOINT) exporting to an OTLP/HTTP receiver run by the test."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from federation.loopback import LoopbackConfig, run_topology
from tests.databases import create_postgres_database, drop_postgres_database
from tests.gateway_stack import require_node
from tests.live_clients import wait_until
from tests.server_process import free_port

pytestmark = [pytest.mark.gateway, pytest.mark.postgres]

TRACE_ID, CLIENT_SPAN_ID = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
SPAN_KIND_SERVER, SPAN_KIND_CLIENT = 2, 3  # OTLP's enum


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str]


class OtlpReceiver(BaseHTTPRequestHandler):
    """POST /v1/traces, in OTLP's protobuf (Python) or JSON (Hive Gateway) encoding."""

    spans: list[ReceivedSpan]

    def do_POST(self) -> None:
        body = self._body()
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        if "json" in self.headers.get("content-type", ""):
            self.spans.extend(_from_json(json.loads(body)))
        else:
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            self.spans.extend(_from_protobuf(request))
        self.send_response(200)
        self.send_header("content-type", self.headers.get("content-type", "application/x-protobuf"))
        self.send_header("content-length", "0")
        self.end_headers()

    def _body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("content-length", 0)))
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0], 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        self.rfile.readline()
        return b"".join(chunks)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _from_protobuf(request: ExportTraceServiceRequest) -> Iterator[ReceivedSpan]:
    for resource_spans in request.resource_spans:
        service = next(
            (a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"), ""
        )
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                attributes = {a.key: a.value.string_value for a in span.attributes}
                yield ReceivedSpan(
                    service, span.name, span.kind, span.trace_id.hex(), span.span_id.hex(),
                    span.parent_span_id.hex(), attributes,
                )  # fmt: skip


def _from_json(request: dict[str, list[dict]]) -> Iterator[ReceivedSpan]:  # type: ignore[type-arg]
    for resource_spans in request.get("resourceSpans", []):
        resource = resource_spans.get("resource", {}).get("attributes", [])
        service = next(
            (a["value"].get("stringValue", "") for a in resource if a["key"] == "service.name"), ""
        )
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                attributes = {
                    a["key"]: str(a["value"].get("stringValue", "")) for a in span.get("attributes", [])
                }
                yield ReceivedSpan(
                    service, span["name"], span.get("kind", 0), span["traceId"], span["spanId"],
                    span.get("parentSpanId", ""), attributes,
                )  # fmt: skip


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[ReceivedSpan]]]:
    spans: list[ReceivedSpan] = []
    handler = type("Receiver", (OtlpReceiver,), {"spans": spans})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", spans
    finally:
        server.shutdown()
        server.server_close()


def test_one_trace_from_the_client_through_the_gateway_to_sql(
    receiver: tuple[str, list[ReceivedSpan]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_node()
    endpoint, spans = receiver
    monkeypatch.setenv("OPENTELEMETRY", endpoint + "/v1/traces")  # Hive Gateway's --opentelemetry
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)  # the subgraphs
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "200")  # export within a fifth of a second
    database_url = asyncio.run(create_postgres_database(migrated=True))
    config = LoopbackConfig(
        state_dir=tmp_path,
        database_url=database_url,
        ports={name: free_port() for name in ("redis", "directory", "reports", "gateway")},
        reports_replicas=1,
    )
    try:
        with run_topology(config) as stack:
            response = httpx.post(
                stack.gateway_url,
                json={"query": "query Agencies { agencies { code name } }"},
                headers={"traceparent": f"00-{TRACE_ID}-{CLIENT_SPAN_ID}-01"},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            assert response.json()["data"]["agencies"]

            def linked() -> bool:
                """The subgraph's server span and the gateway span it hangs from have arrived."""
                in_trace = {s.span_id: s for s in spans if s.trace_id == TRACE_ID}
                return any(
                    s.service == "sigap-directory"
                    and s.kind == SPAN_KIND_SERVER
                    and in_trace.get(s.parent_id, s).service == "hive-gateway"
                    for s in in_trace.values()
                )

            wait_until(linked, timeout=30, what="the gateway's and the subgraph's spans")
    finally:
        asyncio.run(drop_postgres_database(database_url))

    in_trace = [s for s in spans if s.trace_id == TRACE_ID]
    by_id = {s.span_id: s for s in in_trace}
    gateway = {s.span_id for s in in_trace if s.service == "hive-gateway"}
    [subgraph_server] = [s for s in in_trace if s.service == "sigap-directory" and s.kind == SPAN_KIND_SERVER]
    sql = [s for s in in_trace if s.service == "sigap-directory" and s.kind == SPAN_KIND_CLIENT]

    assert gateway, {s.service for s in spans}  # the gateway continued the client's trace
    assert subgraph_server.parent_id in gateway  # ... and passed it to the subgraph (traceparent)
    assert subgraph_server.attributes.get("graphql.operation.name")
    # The gateway's request id (its x-request-id answer) is the subgraph's too: one id, both hops.
    assert subgraph_server.attributes["sigap.request_id"] == response.headers["x-request-id"]
    assert sql
    for statement in sql:
        chain = statement
        while chain.parent_id in by_id and chain is not subgraph_server:
            chain = by_id[chain.parent_id]
        assert chain is subgraph_server, statement
