"""Runs the deliveries framework (realtime/deliveries.py) inside a server process: the consumers,
woken by this process's commits and polled for other processes' commits, and the senders, woken
when deliveries are created and at the next due time. Every process of a deployment may run it;
the database shares the work out.

Sends are tasks of their own, up to `concurrency` at once: a slow or dead addressee holds one slot
for at most the send timeout and never delays deliveries to anyone else."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime

from realtime.deliveries import (
    Consumer,
    DeliveryPolicy,
    Sender,
    attempt,
    claim_due,
    consume_once,
    next_due_at,
    off_deliveries_created,
    on_deliveries_created,
)
from realtime.outbox import on_commit

log = logging.getLogger("sigap.deliveries")

CONSUME_BATCH = 200


class DeliveryRunner:
    def __init__(
        self,
        consumers: Sequence[Consumer],
        senders: Mapping[str, Sender],
        *,
        policy: DeliveryPolicy | None = None,
        poll_seconds: float = 2.0,
        concurrency: int = 32,
    ) -> None:
        self._consumers = list(consumers)
        self._senders = dict(senders)
        self._policy = policy or DeliveryPolicy()
        self._poll = poll_seconds
        self._concurrency = concurrency
        self._events = asyncio.Event()
        self._due = asyncio.Event()
        self._in_flight: set[asyncio.Task[object]] = set()

    def committed(self, event_id: int) -> None:
        """This process committed an event (realtime.outbox.on_commit): fan it out now."""
        self._events.set()

    def created(self) -> None:
        self._due.set()

    async def consume_forever(self) -> None:
        while True:
            self._events.clear()
            try:
                for consumer in self._consumers:
                    while await consume_once(consumer, batch=CONSUME_BATCH) == CONSUME_BATCH:
                        pass
            except asyncio.CancelledError:
                raise
            except Exception:  # the database restarting: the next poll retries
                log.exception("planning deliveries failed; retrying in %s s", self._poll)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._events.wait(), timeout=self._poll)

    async def deliver_forever(self) -> None:
        channels = list(self._senders)
        while True:
            self._due.clear()
            timeout = self._poll
            try:
                room = self._concurrency - len(self._in_flight)
                due = await next_due_at(channels) if channels else None
                if due is not None and due <= datetime.now(UTC) and room > 0:  # else no write at all
                    for delivery in await claim_due(channels, limit=room, policy=self._policy):
                        task = asyncio.create_task(
                            attempt(delivery, self._senders[delivery.channel], policy=self._policy)
                        )
                        self._in_flight.add(task)
                        task.add_done_callback(self._settled)
                    due = await next_due_at(channels)
                if due is not None:
                    timeout = min(timeout, max(0.0, (due - datetime.now(UTC)).total_seconds()))
            except asyncio.CancelledError:
                raise
            except Exception:  # the database restarting: retried at the next poll
                log.exception("sending deliveries failed; retrying in %s s", self._poll)
            if len(self._in_flight) >= self._concurrency:
                timeout = self._poll  # a finishing send wakes the loop
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._due.wait(), timeout=timeout)

    def _settled(self, task: asyncio.Task[object]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a delivery attempt failed to record its outcome", exc_info=task.exception())
        self._due.set()

    async def stop(self) -> None:
        """Sends still in flight are abandoned: their leases run out and they are sent again."""
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)


@contextlib.asynccontextmanager
async def running_deliveries(runner: DeliveryRunner) -> AsyncIterator[DeliveryRunner]:
    """Run the consumers and senders in the background while the block runs."""
    with on_commit(runner.committed):
        on_deliveries_created(runner.created)
        tasks = [
            asyncio.create_task(runner.consume_forever(), name="sigap-delivery-planning"),
            asyncio.create_task(runner.deliver_forever(), name="sigap-delivery-sending"),
        ]
        try:
            yield runner
        finally:
            off_deliveries_created(runner.created)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await runner.stop()
