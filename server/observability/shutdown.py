"""Graceful shutdown. On SIGTERM (or SIGINT) a process, before uvicorn's own shutdown begins:
- answers /ready with 503, so that a load balancer stops sending it work;
- closes every websocket with 1001 (going away) and ends every SSE stream, so that clients
  resume elsewhere at once (with their cursor: `after`, or SSE's Last-Event-ID), rather than
  hanging until a timeout;
then lets uvicorn stop listening and finish the requests in flight (timeout_graceful_shutdown).

Long-lived connections are run in a task of their own so that the drain can end them whatever
they are waiting on; ordinary requests pass straight through and are left to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("sigap.shutdown")

GOING_AWAY = 1001
FAREWELL_TIMEOUT_S = 3.0  # for closing frames to go out before uvicorn's shutdown starts


def _long_lived(scope: Scope) -> bool:
    if scope["type"] == "websocket":
        return True
    if scope["type"] != "http":
        return False
    return any(name == b"accept" and b"text/event-stream" in value for name, value in scope["headers"])


@dataclass
class _Connection:
    started: bool = False  # websocket accepted, or HTTP response started
    ended: bool = False  # websocket closed, or HTTP response complete
    farewell_sent: bool = False


class Drain:
    """The process's shutdown state, shared by the middleware, /ready and the signal handler."""

    def __init__(self) -> None:
        self.draining = False
        self.drained = asyncio.Event()
        self.open: set[asyncio.Future[None]] = set()

    async def drain(self) -> None:
        """Refuse new long-lived connections and end the open ones; returns once their farewells
        are sent (or after FAREWELL_TIMEOUT_S)."""
        self.draining = True
        open_now = set(self.open)
        self.drained.set()
        if open_now:
            log.info("shutting down: closing %d websocket(s) and SSE stream(s)", len(open_now))
            await asyncio.wait(open_now, timeout=FAREWELL_TIMEOUT_S)


class GracefulShutdown:
    """ASGI middleware: websockets and SSE streams end, cleanly, when the drain begins."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _long_lived(scope):
            await self.app(scope, receive, send)
            return
        if self.drain.draining:
            await _refuse(scope, send)
            return
        connection = _Connection()

        async def guarded_send(message: Message) -> None:
            if connection.farewell_sent:
                return  # the drain ended this connection; the app's own goodbyes are moot
            kind = message["type"]
            if kind in ("websocket.accept", "http.response.start"):
                connection.started = True
            elif kind == "websocket.close" or (kind == "http.response.body" and not message.get("more_body")):
                connection.ended = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        self.drain.open.add(task)
        drained = asyncio.ensure_future(self.drain.drained.wait())
        try:
            await asyncio.wait({task, drained}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():
                await _farewell(scope, send, connection)
        finally:
            drained.cancel()
            self.drain.open.discard(task)
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _farewell(scope: Scope, send: Send, connection: _Connection) -> None:
    if connection.ended:
        return
    connection.farewell_sent = True
    with contextlib.suppress(OSError, RuntimeError):  # the client left meanwhile
        if scope["type"] == "websocket":
            # Before the handshake this is a refusal (HTTP 403); after it, a close frame.
            await send({"type": "websocket.close", "code": GOING_AWAY, "reason": "server shutting down"})
        elif connection.started:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await _refuse(scope, send)


async def _refuse(scope: Scope, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": GOING_AWAY})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"text/plain"), (b"retry-after", b"1"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": b"Server shutting down; try again"})


Handler = Callable[[int, FrameType | None], Any] | int | None


@contextlib.contextmanager
def drain_on_signals(
    drain: Drain, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)
) -> Iterator[None]:
    """While the block runs, SIGTERM/SIGINT first drain, then reach the handler installed before
    (uvicorn's, which stops listening and finishes the requests in flight). Entered in the
    application's lifespan; does nothing off the main thread, where signals cannot be handled."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous: dict[int, Handler] = {}
    pending: set[asyncio.Task[None]] = set()

    def forward(sig: int, frame: FrameType | None) -> None:
        handler = previous[sig]
        if callable(handler):
            handler(sig, frame)
        else:  # nobody was listening: the signal's default action
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
            os.kill(os.getpid(), sig)

    async def drain_then_forward(sig: int, frame: FrameType | None) -> None:
        try:
            await drain.drain()
        finally:
            forward(sig, frame)

    def start_drain(sig: int, frame: FrameType | None) -> None:
        # A context of its own: the signal may have landed in any request's.
        task = loop.create_task(drain_then_forward(sig, frame), context=contextvars.Context())
        pending.add(task)
        task.add_done_callback(pending.discard)

    def on_signal(sig: int, frame: FrameType | None) -> None:
        if drain.draining:  # a second signal: no more patience
            forward(sig, frame)
            return
        drain.draining = True  # /ready answers 503 from now on
        loop.call_soon_threadsafe(start_drain, sig, frame)

    for sig in signals:
        previous[sig] = signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is on_signal:
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
