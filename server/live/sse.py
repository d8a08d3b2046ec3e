"""GraphQL over Server-Sent Events (graphql-sse's "distinct connections" mode): one operation
per request, `event: next` per result, `event: complete` at the end.

Subscriptions share the engine's executions like websockets do. Every result of a live feed
carries its cursor as the SSE `id`, so a browser's EventSource resumes by itself: it sends the
last id back as `Last-Event-ID`, which takes the place of `after`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from strawberry.types.graphql import OperationType

from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.identity import Principal
from resolvers.live_selection import parse_event_cursor
from resolvers.tokens import TokenSigner
from server.authentication import CREDENTIAL_NAMES, Unauthenticated, authenticate
from server.live.credentials import CredentialWatch, Refusal
from server.live.engine import InvalidOperation, LiveEngine, OperationRequest, operation_type
from server.live.limits import ClientConnections, ConnectionLimits, ConnectionStats
from server.live.results import coded_response, errors_json

log = logging.getLogger("sigap.sse")

MAX_BODY = 256 * 1024
OP_ID = "sse"


def wants_event_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


class SseStream:
    """The Sink of one SSE response: a bounded queue of ready-to-send events."""

    def __init__(self, limits: ConnectionLimits, stats: ConnectionStats) -> None:
        self._limits = limits
        self._stats = stats
        self._chunks: deque[str] = deque()
        self._ready = asyncio.Event()
        self._finished = False

    def next(self, op_id: str, payload: str, cursor: int | None) -> None:
        event_id = f"id: {cursor}\n" if cursor is not None else ""
        self._put(f"{event_id}event: next\ndata: {payload}\n\n")

    def error(self, op_id: str, errors: str) -> None:
        self._put(f'event: next\ndata: {{"errors":{errors}}}\n\n')
        self.complete(op_id)

    def complete(self, op_id: str) -> None:
        self._put("event: complete\ndata:\n\n")
        self._finish()

    def drop(self, reason: str) -> None:
        self._stats.dropped += 1
        self._chunks.clear()
        self._finish()

    def _put(self, chunk: str) -> None:
        if self._finished:
            return
        if len(self._chunks) >= self._limits.send_queue:
            self.drop("too slow")
            return
        self._chunks.append(chunk)
        self._ready.set()

    def _finish(self) -> None:
        self._finished = True
        self._ready.set()

    async def chunks(self) -> AsyncIterator[str]:
        while True:
            while self._chunks:
                yield self._chunks.popleft()
            if self._finished:
                return
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout=self._limits.keepalive)
            except TimeoutError:
                yield ": keep-alive\n\n"  # a comment: keeps proxies from timing the stream out


@dataclass(frozen=True)
class SseEndpoint:
    """/graphql with `Accept: text/event-stream`, sharing the websockets' engine, limits,
    per-client connection count and credential re-checks."""

    engine: LiveEngine
    limits: ConnectionLimits
    stats: ConnectionStats
    connections: ClientConnections
    signer: TokenSigner

    async def respond(self, request: Request) -> Response:
        try:
            operation = await _operation(request)
        except InvalidOperation as exc:
            invalid = fail(ErrorCode.INVALID_INPUT, "Permintaan GraphQL tidak valid", str(exc))
            return coded_response(invalid, 400)
        address = f"ip:{request.client.host}" if request.client else "ip:unknown"
        credentials = {name: value for name, value in request.headers.items() if name in CREDENTIAL_NAMES}
        try:
            principal = await authenticate(credentials, client=address, signer=self.signer)
        except Unauthenticated as exc:
            return coded_response(exc, 401, {"www-authenticate": "Bearer"})
        try:
            # A browser's EventSource sends the last `id` it saw: it takes the place of `after`.
            resume_after = parse_event_cursor(request.headers.get("last-event-id", "").strip() or None)
        except DomainError as exc:
            return coded_response(exc, 400)
        # Mutations only by POST: a GET must never change anything.
        if request.method == "GET" and operation_type(operation) is OperationType.MUTATION:
            return coded_response(MUTATION_OVER_GET, 405, {"allow": "POST"})
        if not self.connections.admit(address):
            log.info("refusing an SSE stream: %s holds %d live connections", address, self.connections.limit)
            return coded_response(too_many_connections(self.connections.limit), 429)
        watch = CredentialWatch(credentials, principal, address, self.signer, self.limits.credentials_recheck)
        stream = SseStream(self.limits, self.stats)
        body = self._body(request, operation, stream, principal, resume_after, watch)
        return HeldStream(body, release=lambda: self.connections.release(address))

    async def _body(
        self,
        request: Request,
        operation: OperationRequest,
        stream: SseStream,
        principal: Principal,
        resume_after: int | None,
        watch: CredentialWatch,
    ) -> AsyncIterator[str]:
        leave: list[Callable[[], None]] = []

        async def operate() -> None:
            try:
                await self.engine.run(
                    operation,
                    op_id=OP_ID,
                    sink=stream,
                    principal=principal,
                    request=request,
                    resume_after=resume_after,
                    allowed=(OperationType.QUERY, OperationType.SUBSCRIPTION)
                    if request.method == "GET"
                    else (OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION),
                    joined=leave.append,
                )
            except Exception as exc:
                log.exception("live operation over SSE failed")
                stream.error(OP_ID, errors_json([exc]))

        def refused(refusal: Refusal) -> None:
            stream.error(OP_ID, errors_json([refusal.error]))

        tasks = [asyncio.create_task(operate()), asyncio.create_task(watch.run(refused))]
        self.stats.connections += 1
        try:
            async for chunk in stream.chunks():
                yield chunk
        finally:
            self.stats.connections -= 1
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for step in leave:
                step()


class HeldStream(StreamingResponse):
    """An event stream holding one of its client's live connections until it ends, however it
    ends: a client gone before the first byte never starts the body, whose `finally` would not run."""

    def __init__(self, body: AsyncIterator[str], release: Callable[[], None]) -> None:
        super().__init__(
            body,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.release()


MUTATION_OVER_GET = fail(
    ErrorCode.INVALID_INPUT,
    "Mutasi hanya lewat POST",
    "Mutations are only accepted over POST; a GET never changes anything",
)


def too_many_connections(limit: int) -> DomainError:
    return fail(
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
        f"Paling banyak {limit} koneksi langsung per alamat; tutup salah satunya",
        f"At most {limit} live connections (websockets and SSE streams) per address; close one",
    )


async def _operation(request: Request) -> OperationRequest:
    if request.method == "GET":
        params = request.query_params
        variables = params.get("variables")
        try:
            parsed = orjson.loads(variables) if variables else None
        except orjson.JSONDecodeError as exc:
            raise InvalidOperation("variables must be JSON") from exc
        return OperationRequest.from_payload(
            {"query": params.get("query"), "variables": parsed, "operationName": params.get("operationName")}
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise InvalidOperation("request body too large")
    try:
        return OperationRequest.from_payload(orjson.loads(body))
    except orjson.JSONDecodeError as exc:
        raise InvalidOperation("the body must be a JSON object") from exc
