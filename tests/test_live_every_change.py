"""Every kind of report event, by every path that writes it (mutations and periodic jobs), reaches
a live subscriber at once: within a second of the change returning, with the relay's periodic
sweep off, so that only the change's own announcement after commit can deliver it.

The kinds come from the enum: a new kind without a writer in tests/event_writers.py fails."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from models import EventKind, Report, ReportEvent
from realtime.bus import RESYNC, RedisBus
from realtime.feed import latest_event_id
from realtime.hub import Hub
from realtime.relay import event_message
from resolvers.timeline import utcnow
from schema.ids import from_global_id
from tests.conftest import Database
from tests.event_writers import WRITERS, City, make_city
from tests.live_in_process import Subscriber, live_feed
from tests.redis_servers import require_shared_redis, unique_channel
from tests.server_process import REPO

DELIVERED_WITHIN = 1.0  # seconds after the change returned (the promise)


@pytest.fixture
async def hub(db: Database) -> AsyncIterator[Hub]:
    async with live_feed() as running:
        yield running


@pytest.fixture
async def city(db: Database, tmp_path: Path) -> City:
    return await make_city(tmp_path / "photos")


@pytest.mark.parametrize("kind", list(EventKind), ids=str)
async def test_every_kind_reaches_a_live_subscriber_within_a_second(
    kind: EventKind, hub: Hub, city: City
) -> None:
    assert WRITERS.get(kind), f"no writer of {kind}: add the change that writes it to tests/event_writers.py"
    subscriber = await Subscriber.open(hub, city.dispatcher)  # city-wide: sees internal notes too
    try:
        for writer in WRITERS[kind]:
            act = await writer(city)
            before = await latest_event_id()
            await act()
            try:
                async with asyncio.timeout(DELIVERED_WITHIN):
                    await _delivered(subscriber, after=before, kind=kind)
            except TimeoutError:
                pytest.fail(f"{kind} by {writer.__name__}: not delivered within {DELIVERED_WITHIN} s")
    finally:
        await subscriber.close()


async def _delivered(subscriber: Subscriber, *, after: int, kind: EventKind) -> None:
    while True:
        cursor, got = await subscriber.next()
        if cursor > after and got == kind.value:
            return


def test_the_writers_cover_exactly_the_kinds() -> None:
    assert set(WRITERS) == set(EventKind)
    assert all(asyncio.iscoroutinefunction(writer) for writers in WRITERS.values() for writer in writers)


async def test_a_cron_run_of_the_jobs_is_published_at_once(db: Database, city: City) -> None:
    """`sigap jobs run-once` (another process, no server's relay in it) publishes what it wrote
    before it ends, instead of leaving it to a server's sweep."""
    url, channel = require_shared_redis(), unique_channel()
    report_id = from_global_id(await city.filed(), "Report")
    await Report.filter(id=report_id).update(acknowledge_due_at=utcnow() - timedelta(minutes=1))
    bus = RedisBus(url, channel)
    try:
        async with bus.subscribe() as inbox:
            assert await asyncio.wait_for(anext(inbox), 5) == RESYNC  # subscribed
            env = {**os.environ, "DATABASE_URL": db.url, "REDIS_URL": url, "EVENT_CHANNEL": channel}
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "server.cli", "jobs", "run-once", cwd=REPO, env=env
            )
            assert await asyncio.wait_for(process.wait(), 60) == 0
            message = await asyncio.wait_for(anext(inbox), 5)
    finally:
        await bus.close()

    escalated = await ReportEvent.get(report_id=report_id, kind=EventKind.ESCALATED)
    assert message == event_message(escalated.id)
    assert escalated.published_at is not None
