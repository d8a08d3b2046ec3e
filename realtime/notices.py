"""Wake-ups for users' inboxes: "user U has new notifications", within a process and across them.

The notifications consumer writes inbox entries in its own transaction, after the event that
caused them, so an inbox subscription cannot follow the report events: it waits for these
wake-ups instead and then reads the database, the source of truth. A wake-up carries only user
ids; a lost one costs latency (subscriptions also re-read now and then), never an entry.

Across processes the wake-ups ride the event bus as `{"id": 0, "notified": [user ids]}`: the
hub reads "id": 0 as nothing new, and `Board.heard` picks out the user ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import orjson

from realtime.bus import RESYNC, Bus, BusUnavailable, Inbox

log = logging.getLogger("sigap.notices")

_announcers: list[Callable[[frozenset[int]], None]] = []


def announce_notified(user_ids: Iterable[int]) -> None:
    """Call after the transaction that wrote these users' inbox entries has committed."""
    users = frozenset(user_ids)
    if users:
        for announcer in list(_announcers):
            announcer(users)


@contextmanager
def on_notified(announcer: Callable[[frozenset[int]], None]) -> Iterator[None]:
    """Hear this process's announcements while the block runs (the live service publishes them)."""
    _announcers.append(announcer)
    try:
        yield
    finally:
        _announcers.remove(announcer)


def bus_message(user_ids: Iterable[int]) -> bytes:
    return orjson.dumps({"id": 0, "notified": sorted(user_ids)})


class Board:
    """This process's inbox watchers, woken per user."""

    def __init__(self) -> None:
        self._watchers: dict[int, set[asyncio.Event]] = {}

    @contextmanager
    def watch(self, user_id: int) -> Iterator[asyncio.Event]:
        """An event set whenever `user_id` may have new notifications."""
        woken = asyncio.Event()
        self._watchers.setdefault(user_id, set()).add(woken)
        try:
            yield woken
        finally:
            watchers = self._watchers.get(user_id, set())
            watchers.discard(woken)
            if not watchers:
                self._watchers.pop(user_id, None)

    def watching(self, user_id: int | None = None) -> int:
        """How many inbox subscriptions wait here (for one user, or all): operators and tests."""
        if user_id is not None:
            return len(self._watchers.get(user_id, ()))
        return sum(len(watchers) for watchers in self._watchers.values())

    def wake(self, user_ids: Iterable[int]) -> None:
        for user_id in user_ids:
            for woken in self._watchers.get(user_id, ()):
                woken.set()

    def wake_everyone(self) -> None:
        self.wake(list(self._watchers))

    def heard(self, message: bytes) -> None:
        """A bus message: wake the users it names; after a RESYNC anything may have been missed."""
        if message == RESYNC:
            self.wake_everyone()
            return
        if b"notified" not in message:
            return  # a report event's wake-up
        try:
            users = orjson.loads(message)["notified"]
            self.wake(int(user) for user in users)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return


board = Board()  # this process's watchers: the live service wakes it, subscriptions watch it


class NoticeRelay:
    """One process's link between its announcements, the bus and its board: publishes what this
    process announces, and wakes the board with what any process published."""

    def __init__(self, bus: Bus, watchers: Board = board) -> None:
        self._bus = bus
        self._board = watchers
        self._pending: set[int] = set()
        self._ready = asyncio.Event()

    def announced(self, user_ids: frozenset[int]) -> None:
        self._pending |= user_ids
        self._ready.set()

    async def run(self) -> None:
        async with self._bus.subscribe() as inbox:
            listening = asyncio.create_task(self._listen(inbox), name="sigap-notice-listener")
            try:
                await self._publish_forever()
            finally:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening

    async def _publish_forever(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            users, self._pending = self._pending, set()
            try:
                await self._bus.publish([bus_message(users)])
            except BusUnavailable as exc:
                # This process's own watchers still hear it; the others re-read on their own.
                log.warning("could not publish inbox wake-ups (%r)", exc)
                self._board.wake(users)

    async def _listen(self, inbox: Inbox) -> None:
        async for message in inbox:
            self._board.heard(message)
