"""The per-process hub: one bus subscription, turned into committed events delivered in id
order, exactly once, to every local listener.

Bus messages only wake the hub up; it then reads every event after its position from the
database. Because events commit in id order (realtime.outbox), reading "after my position"
never skips one, duplicates and lost wake-ups cost nothing, and a wake-up for event N also
delivers any earlier event whose own wake-up is late or lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

import orjson

from realtime.bus import RESYNC, Bus
from realtime.feed import EventSelector, FeedEvent, latest_event_id, load_feed_events

log = logging.getLogger("sigap.hub")
T = TypeVar("T")

LISTENER_CAPACITY = 256
CATCH_UP_BATCH = 500
MAX_REPLAY = 10_000  # events scanned to resume one subscriber; older cursors must reload


class FeedOverrun(RuntimeError):
    """The consumer fell more than its capacity behind; it must resume from its cursor."""


class CursorExpired(ValueError):
    """The cursor is too far behind to replay; the client must reload and follow anew."""


class Listener:
    """A bounded queue of the events one consumer selected. Overflow ends it (FeedOverrun)
    instead of growing memory or slowing the hub."""

    def __init__(self, selector: EventSelector | None, capacity: int = LISTENER_CAPACITY) -> None:
        self.selector = selector
        self._items: deque[FeedEvent] = deque()
        self._capacity = capacity
        self._ready = asyncio.Event()
        self.overrun = False

    def offer(self, item: FeedEvent) -> None:
        if self.overrun or (self.selector is not None and not self.selector.matches(item)):
            return
        if len(self._items) >= self._capacity:
            self.overrun = True
            self._items.clear()
        else:
            self._items.append(item)
        self._ready.set()

    def drain(self) -> list[FeedEvent]:
        """What is queued now, without waiting."""
        items = list(self._items)
        self._items.clear()
        return items

    async def get(self) -> FeedEvent:
        while not self._items:
            if self.overrun:
                raise FeedOverrun("the live feed ran ahead of this consumer")
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()


class Hub:
    def __init__(self, bus: Bus, *, retry_delay: float = 1.0) -> None:
        self._bus = bus
        self._listeners: set[Listener] = set()
        self._position = 0
        self._ready = asyncio.Event()
        self._retry_delay = retry_delay
        self._task: asyncio.Task[None] | None = None

    @property
    def position(self) -> int:
        """The id of the newest event delivered to listeners."""
        return self._position

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sigap-hub")
        ready = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            ready.cancel()
            self._task.result()  # raises what stopped it

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.contextmanager
    def listen(self, selector: EventSelector | None, capacity: int = LISTENER_CAPACITY) -> Iterator[Listener]:
        """Receive events delivered from now on (ids above `position` at entry)."""
        listener = Listener(selector, capacity)
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)

    async def follow(self, selector: EventSelector, after: int | None) -> AsyncIterator[FeedEvent]:
        """Events after the cursor from the database, then live, with no gap and no duplicate
        at the switch: the listener takes ids above `position`, the replay the rest."""
        with self.listen(selector) as listener:
            if after is not None:
                async for item in replay(selector, after=after, until=self._position):
                    yield item
            while True:
                yield await listener.get()

    async def _run(self) -> None:
        async with self._bus.subscribe() as inbox:
            # Subscribed first, then read the position: nothing committed in between is missed.
            self._position = await self._with_retry(latest_event_id)
            self._ready.set()
            async for message in inbox:
                if self._is_news([message, *inbox.drain()]):
                    await self._with_retry(self._catch_up)

    def _is_news(self, messages: list[bytes]) -> bool:
        for message in messages:
            if message == RESYNC:
                return True
            try:
                if int(orjson.loads(message)["id"]) > self._position:
                    return True
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                log.warning("ignoring a malformed bus message: %r", message[:100])
        return False

    async def _catch_up(self) -> None:
        while True:
            items = await load_feed_events(after=self._position, limit=CATCH_UP_BATCH)
            for item in items:
                self._position = item.id
                for listener in list(self._listeners):
                    listener.offer(item)
            if len(items) < CATCH_UP_BATCH:
                return

    async def _with_retry(self, step: Callable[[], Awaitable[T]]) -> T:
        while True:
            try:
                return await step()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database may be down for a while
                log.warning("live feed could not read the database (%r); retrying", exc)
                await asyncio.sleep(self._retry_delay)


async def replay(selector: EventSelector, *, after: int, until: int) -> AsyncIterator[FeedEvent]:
    """Committed events in (after, until] that the selector picks, oldest first."""
    scanned = 0
    while after < until:
        items = await load_feed_events(after=after, until=until, limit=CATCH_UP_BATCH)
        if not items:
            return
        scanned += len(items)
        if scanned > MAX_REPLAY:
            raise CursorExpired(f"more than {MAX_REPLAY} events behind")
        for item in items:
            if selector.matches(item):
                yield item
        after = items[-1].id
