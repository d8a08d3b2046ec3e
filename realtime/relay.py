"""The relay: puts committed events on the bus, in id order, and marks them published.

- After commit: events this process announced are published at once.
- At start: everything still unpublished (a crashed process committed it and died before
  publishing) is published.
- Every `sweep_interval`: events unpublished for longer than `grace` (a peer died meanwhile).
- While the bus is down, nothing is lost: the events stay unpublished and the relay retries
  with backoff. Filing never waits for the bus.

Publishing is at-least-once (a crash between publish and mark, or two relays sweeping the same
orphan); consumers drop duplicates by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import orjson

from models import ReportEvent
from realtime.bus import Bus

log = logging.getLogger("sigap.relay")

BATCH = 500


def event_message(event_id: int) -> bytes:
    return orjson.dumps({"id": event_id})


class Relay:
    def __init__(
        self,
        bus: Bus,
        *,
        sweep_interval: float = 10.0,
        grace: float = 5.0,
    ) -> None:
        self._bus = bus
        self._sweep_interval = sweep_interval
        self._grace = timedelta(seconds=grace)
        self._pending: set[int] = set()
        self._wake = asyncio.Event()

    def committed(self, event_id: int) -> None:
        """Called after a transaction that wrote this event committed; never blocks."""
        self._pending.add(event_id)
        self._wake.set()

    async def run(self) -> None:
        delay = 0.2
        started = False
        loop = asyncio.get_running_loop()
        next_sweep = loop.time()
        while True:
            try:
                if not started:
                    await self._publish_unpublished(older_than=None)
                    started = True
                await self._publish_pending()
                if loop.time() >= next_sweep:
                    await self._publish_unpublished(older_than=datetime.now(UTC) - self._grace)
                    next_sweep = loop.time() + self._sweep_interval
                delay = 0.2
                timeout = max(0.0, next_sweep - loop.time())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - bus or database down: retry, never stop
                log.warning("relay could not publish (%r); retrying in %.1f s", exc, delay)
                timeout, delay = delay, min(delay * 2, 5.0)
                await asyncio.sleep(timeout)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    async def _publish_pending(self) -> None:
        self._wake.clear()
        if not self._pending:
            return
        ids = sorted(self._pending)
        await self._publish(ids)
        self._pending.difference_update(ids)

    async def flush(self) -> None:
        """Publish what this process announced, now: for a short-lived process (`sigap jobs
        run-once` from cron) that ends before any loop would. Raises BusUnavailable; what it
        could not publish stays unpublished for a server's sweep."""
        await self._publish_pending()

    async def _publish_unpublished(self, *, older_than: datetime | None) -> None:
        after = 0
        while True:
            query = ReportEvent.filter(published_at__isnull=True, id__gt=after)
            if older_than is not None:
                query = query.filter(created_at__lt=older_than)
            ids = [int(i) for i in await query.order_by("id").limit(BATCH).values_list("id", flat=True)]  # type: ignore[call-overload]
            if not ids:
                return
            log.info("relay: publishing %d event(s) left unpublished, from id %d", len(ids), ids[0])
            await self._publish(ids)
            self._pending.difference_update(ids)
            after = ids[-1]

    async def _publish(self, ids: Sequence[int]) -> None:
        await self._bus.publish([event_message(i) for i in ids])  # BusUnavailable: retried by run()
        await ReportEvent.filter(id__in=list(ids)).update(published_at=datetime.now(UTC))
