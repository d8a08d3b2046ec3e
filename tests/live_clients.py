"""Clients for the live tests: a plain graphql-transport-ws client on the `websockets` library
(speaking the protocol frame by frame, to test it), HTTP helpers, and waiting on conditions."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.loopback_http import HTTP
from tests.server_process import RunningServer

FEED = """subscription Feed($after: String, $filter: ReportEventFilter) {
  reportEvents(after: $after, filter: $filter) {
    cursor
    event { kind fromStatus toStatus }
    report { id code title status agency { code } }
  }
}"""

FILE = """mutation($i: FileReportInput!) {
  fileReport(input: $i) { report { id code timeline { cursor } } errors { code } } }"""
UPDATE = """mutation($i: UpdateReportStatusInput!) {
  updateReportStatus(input: $i) { report { status } event { cursor } errors { code } } }"""


def ws_url(http_url: str) -> str:
    return "ws" + http_url.removeprefix("http") + "/graphql"


def graphql_http(
    url: str, query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = HTTP.post(
        url + "/graphql", json={"query": query, "variables": variables or {}}, headers=headers, timeout=15
    )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def file_report_http(url: str, title: str = "Sampah menumpuk", **overrides: Any) -> dict[str, Any]:
    """The filed report's id and code, and `cursor`, the cursor of its FILED event."""
    data = {
        "title": title,
        "description": "Sudah tiga hari belum diangkut",
        "categoryCode": "SAMPAH",
        "location": {"lat": -10.17, "lon": 123.607},
        **overrides,
    }
    payload = graphql_http(url, FILE, {"i": data})["fileReport"]
    assert payload["errors"] == [], payload
    report = payload["report"]
    return {"id": report["id"], "code": report["code"], "cursor": report["timeline"][0]["cursor"]}


def change_status_http(server: RunningServer, report_id: str, status: str, note: str | None = None) -> str:
    """As the command center; returns the cursor of the event the change wrote."""
    change = {"id": report_id, "status": status, "note": note}
    payload = graphql_http(server.url, UPDATE, {"i": change}, server.staff_headers())["updateReportStatus"]
    assert payload["errors"] == [], payload
    return str(payload["event"]["cursor"])


def live_stats(url: str) -> dict[str, int]:
    return dict(HTTP.get(url + "/live", timeout=5).json())


def wait_until(condition: Callable[[], bool], *, timeout: float = 10, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s")
        time.sleep(0.02)


async def wait_until_async(
    condition: Callable[[], Awaitable[bool]], *, within: float = 10, what: str = "condition"
) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {within} s")
        await asyncio.sleep(0.02)


@dataclass
class TransportWsClient:
    """graphql-transport-ws, frame by frame."""

    connection: ClientConnection
    received: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    async def open(
        cls, url: str, *, init: bool = True, subprotocol: str = "graphql-transport-ws", sock: Any = None
    ) -> TransportWsClient:
        extra = {"sock": sock} if sock is not None else {}
        connection = await websockets.connect(ws_url(url), subprotocols=[subprotocol], **extra)  # type: ignore[list-item]
        client = cls(connection)
        if init:
            await client.send({"type": "connection_init"})
            assert await client.receive() == {"type": "connection_ack"}
        return client

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(orjson.dumps(message).decode())

    async def subscribe(self, op_id: str, query: str = FEED, variables: dict[str, Any] | None = None) -> None:
        await self.send(
            {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
        )

    async def receive(self, within: float = 10) -> dict[str, Any]:
        """The next message that is not a server ping (pings are answered)."""
        while True:
            message = orjson.loads(await asyncio.wait_for(self.connection.recv(), within))
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                continue
            self.received.append(message)
            return dict(message)

    async def events(self, count: int, within: float = 10) -> list[dict[str, Any]]:
        """`count` feed results (the `reportEvents` of `next` messages)."""
        results = []
        while len(results) < count:
            message = await self.receive(within)
            assert message["type"] == "next", message
            results.append(message["payload"]["data"]["reportEvents"])
        return results

    async def closed_with(self, within: float = 10) -> tuple[int | None, str]:
        """Read until the server closes; return the close code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.connection.recv(), within)
        except ConnectionClosed as closed:
            frame = closed.rcvd
            return (frame.code, frame.reason) if frame else (None, "")

    async def close(self) -> None:
        await self.connection.close()


@dataclass
class SseEvent:
    kind: str  # "next" or "complete"
    data: dict[str, Any] | None
    id: str | None = None


@dataclass
class SseLines:
    """Turns the lines of an SSE stream into events."""

    event_id: str | None = None
    kind: str = ""

    def feed(self, line: str) -> SseEvent | None:
        """The event this line completes, if it does."""
        if line.startswith("id: "):
            self.event_id = line[4:]
        elif line.startswith("event: "):
            self.kind = line[7:]
        elif line.startswith("data:"):
            data = line[5:].strip()
            event = SseEvent(self.kind, orjson.loads(data) if data else None, self.event_id)
            self.event_id = None
            return event
        return None


class SseClient:
    """GraphQL over SSE (graphql-sse's distinct connections mode), event by event."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls,
        url: str,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        operation_name: str | None = None,
    ) -> AsyncIterator[SseClient]:
        async with (
            httpx.AsyncClient(timeout=15) as http,
            http.stream(
                "POST",
                url + "/graphql",
                json={"query": query, "variables": variables or {}, "operationName": operation_name},
                headers={"accept": "text/event-stream", **(headers or {})},
            ) as response,
        ):
            yield cls(response)

    async def next_event(self, within: float = 10) -> SseEvent | None:
        """The next event (keep-alive comments skipped); None when the server ended the stream."""
        lines = SseLines()
        while True:
            try:
                event = lines.feed(await asyncio.wait_for(anext(self._lines), within))
            except StopAsyncIteration:
                return None
            if event is not None:
                return event
