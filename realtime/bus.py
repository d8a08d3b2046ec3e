"""The bus that carries "an event was committed" between processes, picked by URL scheme:
`memory://` (one process, the embedded default) or `redis://` / `rediss://` (Redis pub/sub).

A message is only a wake-up carrying an event id: the database stays the source of truth, so a
lost message costs latency, never an event. Whenever a bus may have lost messages (its queue
overflowed, Redis reconnected) it hands subscribers `RESYNC`, telling them to read the database.

Each process holds at most ONE subscription on the backend and fans it out to its local inboxes;
every inbox is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import redis.asyncio as redis
from redis.exceptions import RedisError

log = logging.getLogger("sigap.bus")

RESYNC = b"resync"
INBOX_SIZE = 256
DEFAULT_CHANNEL = "sigap:report-events"


class BusUnavailable(RuntimeError):
    """The bus could not take a message now; the relay retries later."""


class Inbox:
    """A bounded queue of bus messages. When full, what it held is replaced by one RESYNC:
    wake-ups are cumulative, so the reader loses nothing but has to read the database."""

    def __init__(self, size: int = INBOX_SIZE) -> None:
        self._messages: deque[bytes] = deque()
        self._size = size
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, message: bytes) -> None:
        if len(self._messages) >= self._size:
            self._messages.clear()
            message = RESYNC
        self._messages.append(message)
        self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        while not self._messages:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._messages.popleft()

    def drain(self) -> list[bytes]:
        """Everything already waiting, without blocking."""
        messages = list(self._messages)
        self._messages.clear()
        return messages


class Bus(ABC):
    def __init__(self) -> None:
        self._inboxes: set[Inbox] = set()

    @abstractmethod
    async def publish(self, messages: Sequence[bytes]) -> None:
        """Send messages in order; raise BusUnavailable if they may not have been sent."""

    async def ping(self) -> None:  # noqa: B027 - the in-process bus is always there
        """Return if the bus answers; raise BusUnavailable otherwise (readiness checks)."""

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Inbox]:
        """Receive every message published from now on, until the block ends."""
        inbox = Inbox()
        self._inboxes.add(inbox)
        try:
            await self._subscribed()
            yield inbox
        finally:
            self._inboxes.discard(inbox)
            inbox.close()
            if not self._inboxes:
                await self._unsubscribed()

    def _fan_out(self, message: bytes) -> None:
        for inbox in list(self._inboxes):
            inbox.put(message)

    async def _subscribed(self) -> None:  # noqa: B027 - an optional hook
        """Hook: the first local subscriber arrived."""

    async def _unsubscribed(self) -> None:  # noqa: B027 - an optional hook
        """Hook: the last local subscriber left."""

    async def close(self) -> None:
        for inbox in list(self._inboxes):
            inbox.close()
        self._inboxes.clear()
        await self._unsubscribed()


class MemoryBus(Bus):
    """Within one process: what is published reaches the local subscribers directly."""

    async def publish(self, messages: Sequence[bytes]) -> None:
        for message in messages:
            self._fan_out(message)


class RedisBus(Bus):
    """Redis pub/sub: one publishing connection at a time and one subscribing connection per
    process, whatever the number of local subscribers."""

    def __init__(self, url: str, channel: str = DEFAULT_CHANNEL) -> None:
        super().__init__()
        self.channel = channel
        # A small blocking pool: the relay publishes from one task, so more connections than
        # this would only mean a leak; the default pool would fail with "Too many connections".
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=4, timeout=2, socket_connect_timeout=2, socket_timeout=5
        )
        self._redis = redis.Redis.from_pool(pool)  # owns the pool: closing it closes them all
        self._listener: asyncio.Task[None] | None = None

    async def publish(self, messages: Sequence[bytes]) -> None:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for message in messages:
                    pipe.publish(self.channel, message)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise BusUnavailable(f"Redis publish failed: {exc!r}") from exc

    async def ping(self) -> None:
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise BusUnavailable(f"Redis does not answer: {exc!r}") from exc

    async def _subscribed(self) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="sigap-redis-listener")

    async def _unsubscribed(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    async def _listen(self) -> None:
        delay = 0.1
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        # (Re)connected: whatever was published meanwhile is gone from pub/sub.
                        delay = 0.1
                        self._fan_out(RESYNC)
                    elif message["type"] == "message":
                        self._fan_out(message["data"])
            except (RedisError, OSError) as exc:
                log.warning("Redis subscription lost (%r); retrying in %.1f s", exc, delay)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def close(self) -> None:
        await super().close()
        await self._redis.aclose()


def open_bus(url: str | None, channel: str = DEFAULT_CHANNEL) -> Bus:
    """The bus for a URL: unset or `memory://` is in-process; `redis://` and `rediss://` use Redis."""
    if not url or url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url, channel)
    raise ValueError(f"unsupported bus URL scheme: {url.split('://', 1)[0]!r}")
