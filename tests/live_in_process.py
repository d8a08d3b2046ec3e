"""The live feed of one server process, in-process: the relay hearing commit announcements, the bus,
the hub, and GraphQL subscribers executed by the real schema. The relay's periodic sweep is off,
so only a change's own announcement can deliver its events."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from realtime.bus import MemoryBus
from realtime.hub import Hub
from realtime.outbox import on_commit
from realtime.relay import Relay
from resolvers.identity import Principal
from schema import schema
from schema.context import Context
from schema.live import FollowHub
from tests.graphql import SIGNER

SWEEP_OFF = 24 * 3600.0  # seconds: longer than any test

FEED = """subscription($filter: ReportEventFilter, $after: String) {
  reportEvents(filter: $filter, after: $after) { cursor event { kind } }
}"""


@contextlib.asynccontextmanager
async def live_feed(*, sweep_interval: float = SWEEP_OFF, grace: float = SWEEP_OFF) -> AsyncIterator[Hub]:
    """The relay's sweep is off unless given (the benchmark runs it as deployed)."""
    bus = MemoryBus()
    relay = Relay(bus, sweep_interval=sweep_interval, grace=grace)
    hub = Hub(bus)
    await hub.start()
    relaying = asyncio.create_task(relay.run(), name="test-relay")
    try:
        with on_commit(relay.committed):
            yield hub
    finally:
        relaying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relaying
        await hub.stop()
        await bus.close()


@dataclass
class Subscriber:
    """A `reportEvents` subscription, its events collected as (cursor, kind) as they arrive."""

    received: asyncio.Queue[tuple[int, str]] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        hub: Hub,
        principal: Principal,
        *,
        filter: dict[str, Any] | None = None,
        after: int | None = None,
    ) -> Subscriber:
        subscriber = cls()
        listeners = hub.listener_count
        context = Context(principal=principal, tokens=SIGNER, live=FollowHub(hub))
        variables = {"filter": filter, "after": None if after is None else str(after)}
        stream = await schema.subscribe(FEED, variable_values=variables, context_value=context)
        assert not hasattr(stream, "errors"), stream

        async def collect() -> None:
            async for result in stream:  # type: ignore[union-attr]
                assert not result.errors, result.errors
                assert result.data is not None
                item = result.data["reportEvents"]
                subscriber.received.put_nowait((int(item["cursor"]), item["event"]["kind"]))

        subscriber.task = asyncio.create_task(collect())
        while hub.listener_count <= listeners:  # registered with the hub: events from now on reach it
            if subscriber.task.done():
                subscriber.task.result()
            await asyncio.sleep(0.005)
        return subscriber

    async def next(self) -> tuple[int, str]:
        return await self.received.get()

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
