"""Every kind of report event, by every path that writes it (mutations and periodic jobs), reaches
a live subscriber at once: within a second of the change returning, with the relay's periodic
sweep off, so that only the change's own announcement after commit can deliver it.

The kinds come from the enum: a new kind without a writer in tests/event_writers.py fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from models import EventKind
from realtime.feed import latest_event_id
from realtime.hub import Hub
from tests.conftest import Database
from tests.event_writers import WRITERS, City, make_city
from tests.live_in_process import Subscriber, live_feed

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
