"""The graphql-transport-ws protocol (the graphql-ws library's PROTOCOL.md), server side, over
Starlette websockets, feeding the live engine's shared executions.

Close codes are the protocol's: 4400 invalid message, 4401 subscribe before the ack, 4403
refused init, 4406 subprotocol not acceptable, 4408 init timeout, 4409 duplicate operation
id, 4429 second init. Outside the protocol: 1013 (try again later) drops a client too slow to
take its messages, so it reconnects and resumes from its cursor; 1001 closes a peer that went
silent past the keep-alive, and the connections of a server shutting down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from resolvers.errors import ErrorCode, fail
from resolvers.identity import Principal
from resolvers.tokens import TokenSigner
from server.authentication import Unauthenticated, authenticate, credentials_of
from server.live.credentials import CredentialWatch, Refusal
from server.live.engine import InvalidOperation, LiveEngine, OperationRequest
from server.live.limits import ConnectionLimits, ConnectionStats
from server.live.results import errors_json

log = logging.getLogger("sigap.ws")

SUBPROTOCOL = "graphql-transport-ws"
LEGACY_SUBPROTOCOL = "graphql-ws"
ABORT_KEY = "sigap.abort"  # set by server.app's ExposeTransport where the server allows it

BAD_REQUEST = 4400
UNAUTHORIZED = 4401
FORBIDDEN = 4403
SUBPROTOCOL_NOT_ACCEPTABLE = 4406
INIT_TIMEOUT = 4408
SUBSCRIBER_EXISTS = 4409
TOO_MANY_INITS = 4429
GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013

CLOSE_TIMEOUT = 2.0  # a close frame stuck behind unread data: cut the connection instead


@dataclass
class Operation:
    frame_prefix: str
    task: asyncio.Task[None] | None = None
    leave: Callable[[], None] | None = None

    def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        if self.leave is not None:
            self.leave()


class TransportWsConnection:
    """One socket: reads client messages, and writes queued frames from its own task so that
    nobody ever waits on this client; past `send_queue` unsent frames it is dropped."""

    def __init__(
        self,
        websocket: WebSocket,
        engine: LiveEngine,
        limits: ConnectionLimits,
        stats: ConnectionStats,
        signer: TokenSigner,
        operations_limit: Callable[[Mapping[str, object] | None], int],
    ) -> None:
        self.ws = websocket
        self.engine = engine
        self.limits = limits
        self.stats = stats
        self.signer = signer
        self._operations_limit = operations_limit
        self.max_operations = limits.max_operations  # a client's, until init shows the gateway
        client = websocket.client.host if websocket.client else "unknown"
        self.address = f"ip:{client}"
        self.principal = Principal(client=self.address)  # until connection_init proves more
        self._operations: dict[str, Operation] = {}
        self._frames: deque[str] = deque()
        self._frames_ready = asyncio.Event()
        self._init_received = False
        self._acknowledged = False
        self._closing = False
        self._last_heard = 0.0
        self._writer: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def serve(self) -> None:
        await self.ws.accept(subprotocol=SUBPROTOCOL)
        loop = asyncio.get_running_loop()
        self._last_heard = loop.time()
        self.stats.connections += 1
        self._writer = asyncio.create_task(self._write())
        self._tasks = [self._writer, asyncio.create_task(self._watch())]
        try:
            await self._read()
        finally:
            self._closing = True
            self.stats.connections -= 1
            for operation in self._operations.values():
                operation.stop()
            self.stats.operations -= len(self._operations)
            self._operations.clear()
            for task in self._tasks:
                task.cancel()

    # -- reading -------------------------------------------------------------------------

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                message = await self.ws.receive()
            except WebSocketDisconnect:
                return
            if message["type"] == "websocket.disconnect":
                return
            self._last_heard = loop.time()
            if self._closing:
                continue
            text = message.get("text")
            if text is None:
                self.close(BAD_REQUEST, "Binary messages are not part of the protocol")
                continue
            self._handle(text)

    def _handle(self, text: str) -> None:
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            self.close(BAD_REQUEST, "Invalid message received: not JSON")
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "connection_init":
            self._on_init(message.get("payload"))
        elif kind == "ping":
            self._send_json(
                {"type": "pong", **({"payload": message["payload"]} if "payload" in message else {})}
            )
        elif kind == "pong":
            pass  # heard from: that is all a pong says
        elif kind == "subscribe":
            self._on_subscribe(message.get("id"), message.get("payload"))
        elif kind == "complete":
            self._on_complete(message.get("id"))
        else:
            self.close(BAD_REQUEST, "Invalid message received: unknown or missing type")

    def _on_init(self, payload: object) -> None:
        if self._init_received:
            self.close(TOO_MANY_INITS, "Too many initialisation requests")
            return
        if payload is not None and not isinstance(payload, dict):
            self.close(BAD_REQUEST, "Invalid message received: connection_init payload must be an object")
            return
        self._init_received = True
        self._tasks.append(asyncio.create_task(self._authenticate(payload)))

    async def _authenticate(self, payload: dict[str, object] | None) -> None:
        """Credentials are checked before any subscription starts: until the ack, a subscribe
        closes the socket (4401), and refused credentials close it with 4403."""
        credentials = credentials_of(payload, self.ws.headers)
        try:
            self.principal = await authenticate(credentials, client=self.address, signer=self.signer)
        except Unauthenticated as exc:
            self.close(FORBIDDEN, f"Forbidden: {exc}"[:120])
            return
        # Sigap's gateway carries many clients' subscriptions over this one connection.
        self.max_operations = self._operations_limit(payload)
        self._acknowledged = True
        self._send_json({"type": "connection_ack"})
        watch = CredentialWatch(
            credentials, self.principal, self.address, self.signer, self.limits.credentials_recheck
        )
        await watch.run(self._refuse)

    def _refuse(self, refusal: Refusal) -> None:
        """The credentials no longer hold: 4403, which graphql-ws clients retry as whoever they
        are now, resuming from their cursors."""
        self.close(FORBIDDEN, refusal.reason)

    def _on_subscribe(self, op_id: object, payload: object) -> None:
        if not self._acknowledged:
            self.close(UNAUTHORIZED, "Unauthorized")
            return
        if not isinstance(op_id, str) or not op_id or len(op_id) > 128:
            self.close(BAD_REQUEST, "Invalid message received: subscribe needs an id (a string)")
            return
        try:
            request = OperationRequest.from_payload(payload)
        except InvalidOperation as exc:
            self.close(BAD_REQUEST, f"Invalid message received: {exc}")
            return
        if op_id in self._operations:
            self.close(SUBSCRIBER_EXISTS, f"Subscriber for {op_id} already exists"[:120])
            return
        if len(self._operations) >= self.max_operations:
            refusal = fail(
                ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                f"Paling banyak {self.max_operations} langganan per koneksi",
                f"At most {self.max_operations} operations per connection",
            )
            self._send_text(f'{{"id":{_json(op_id)},"type":"error","payload":{errors_json([refusal])}}}')
            return
        operation = Operation(frame_prefix=f'{{"id":{_json(op_id)},"type":"next","payload":')
        self._operations[op_id] = operation
        self.stats.operations += 1
        operation.task = asyncio.create_task(self._run(op_id, request, operation))

    def _on_complete(self, op_id: object) -> None:
        if not isinstance(op_id, str):
            self.close(BAD_REQUEST, "Invalid message received: complete needs an id")
            return
        operation = self._operations.pop(op_id, None)
        if operation is not None:
            self.stats.operations -= 1
            operation.stop()

    async def _run(self, op_id: str, request: OperationRequest, operation: Operation) -> None:
        def joined(leave: Callable[[], None]) -> None:
            operation.leave = leave

        try:
            await self.engine.run(
                request, op_id=op_id, sink=self, principal=self.principal, request=self.ws, joined=joined
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("live operation %r failed", op_id)
            self.error(op_id, errors_json([exc]))

    # -- the Sink the engine writes to --------------------------------------------------

    def next(self, op_id: str, payload: str, cursor: int | None) -> None:
        operation = self._operations.get(op_id)
        if operation is not None:  # after the client's complete, nothing more is sent
            self._send_text(operation.frame_prefix + payload + "}")

    def error(self, op_id: str, errors: str) -> None:
        operation = self._operations.pop(op_id, None)
        if operation is not None:
            self.stats.operations -= 1
            operation.stop()
            self._send_text(f'{{"id":{_json(op_id)},"type":"error","payload":{errors}}}')

    def complete(self, op_id: str) -> None:
        operation = self._operations.pop(op_id, None)
        if operation is not None:
            self.stats.operations -= 1
            operation.stop()
            self._send_text(f'{{"id":{_json(op_id)},"type":"complete"}}')

    def drop(self, reason: str) -> None:
        if not self._closing:
            self.stats.dropped += 1
            log.info("dropping a websocket client: %s", reason)
            self.close(TRY_AGAIN_LATER, f"Too slow: {reason}"[:120])

    # -- writing -------------------------------------------------------------------------

    def _send_json(self, message: dict[str, object]) -> None:
        self._send_text(orjson.dumps(message).decode())

    def _send_text(self, frame: str) -> None:
        if self._closing:
            return
        if len(self._frames) >= self.limits.send_queue:
            self.drop(f"more than {self.limits.send_queue} messages unsent; resume from your cursor")
            return
        self._frames.append(frame)
        self._frames_ready.set()

    async def _write(self) -> None:
        frames = self._frames
        try:
            while True:
                while frames:
                    await self.ws.send_text(frames.popleft())
                self._frames_ready.clear()
                await self._frames_ready.wait()
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # the reader sees the disconnect and cleans up

    async def _watch(self) -> None:
        """Init timeout, then a ping every `keepalive`; a peer that stays silent for a whole
        interval after a ping (no pong, nothing) is closed."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(self.limits.init_timeout)
        if not self._init_received:
            self.close(INIT_TIMEOUT, "Connection initialisation timeout")
            return
        pinged_at: float | None = None
        while not self._closing:
            if pinged_at is not None and self._last_heard < pinged_at:
                self.close(GOING_AWAY, "Keep-alive timeout: no pong")
                return
            pinged_at = loop.time()
            self._send_json({"type": "ping"})
            await asyncio.sleep(self.limits.keepalive)

    def close(self, code: int, reason: str) -> None:
        """Close with a code; a client too slow to take even the close frame is cut off."""
        if self._closing:
            return
        self._closing = True
        self._frames.clear()
        if self._writer is not None:
            self._writer.cancel()  # it may be stuck sending to this very client
        self._tasks.append(asyncio.create_task(self._close(code, reason)))

    async def _close(self, code: int, reason: str) -> None:
        try:
            await asyncio.wait_for(self.ws.close(code, reason), timeout=CLOSE_TIMEOUT)
            return
        except TimeoutError:
            log.info("a websocket client did not take its close frame; cutting the connection")
        except (RuntimeError, OSError, WebSocketDisconnect):
            return
        abort = self.ws.scope.get(ABORT_KEY)
        if abort is not None:
            abort()


def _json(value: str) -> str:
    return orjson.dumps(value).decode()


async def refuse_subprotocol(websocket: WebSocket) -> None:
    """graphql-ws's own server answer to a client speaking no protocol it serves."""
    await websocket.accept()
    with contextlib.suppress(RuntimeError, OSError):
        await websocket.close(SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable")
