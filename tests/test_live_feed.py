"""The pieces of the live feed in-process, on real databases and a real Redis: the bus, the
relay, the hub's ordering and de-duplication, commit order, and the event selectors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from models import EventKind, Report, ReportEvent, ReportStatus
from realtime.bus import RESYNC, Bus, Inbox, MemoryBus, RedisBus, open_bus
from realtime.feed import EventSelector, FeedEvent
from realtime.hub import Hub
from realtime.outbox import on_commit
from realtime.relay import Relay, event_message
from resolvers.report_change import report_change
from resolvers.timeline import utcnow
from tests.conftest import Database
from tests.graphql import file_report
from tests.live_clients import wait_until_async
from tests.redis_servers import require_shared_redis, unique_channel


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    opened = open_bus("memory://" if request.param == "memory" else require_shared_redis(), unique_channel())
    try:
        yield opened
    finally:
        await opened.close()


async def next_message(inbox: Inbox) -> bytes:
    return await asyncio.wait_for(anext(inbox), 5)


async def test_published_messages_reach_every_subscriber_in_order(bus: Bus) -> None:
    async with bus.subscribe() as first, bus.subscribe() as second:
        if isinstance(bus, RedisBus):
            assert await next_message(first) == RESYNC  # subscribed: read the database once
            assert await next_message(second) == RESYNC

        await bus.publish([b"1", b"2"])

        assert [await next_message(first), await next_message(first)] == [b"1", b"2"]
        assert [await next_message(second), await next_message(second)] == [b"1", b"2"]


async def test_redis_holds_one_subscription_per_process_and_drops_it_after_the_last() -> None:
    url, channel = require_shared_redis(), unique_channel()
    bus = RedisBus(url, channel)
    probe = redis.Redis.from_url(url)

    async def subscribers() -> int:
        return int((await probe.pubsub_numsub(channel))[0][1])

    async def unsubscribed() -> bool:
        return await subscribers() == 0

    try:
        async with bus.subscribe() as first, bus.subscribe(), bus.subscribe():
            await next_message(first)
            assert await subscribers() == 1
        await wait_until_async(unsubscribed, what="unsubscribed")
    finally:
        await bus.close()
        await probe.aclose()


def test_a_full_inbox_holds_a_resync_instead_of_growing() -> None:
    inbox = Inbox(size=3)
    sizes = []
    for n in range(10):
        inbox.put(str(n).encode())
        sizes.append(len(inbox._messages))

    assert max(sizes) == 3
    assert inbox.drain()[0] == RESYNC  # what overflowed is read from the database instead


async def test_hub_delivers_each_committed_event_once_in_id_order(db: Database) -> None:
    bus = MemoryBus()
    hub = Hub(bus)
    await hub.start()
    try:
        with hub.listen(None) as listener:
            reports = [await file_report(title=f"Laporan {n}") for n in range(3)]
            ids = sorted(await ReportEvent.all().values_list("id", flat=True))  # type: ignore[call-overload]

            # Wake-ups duplicated, out of order, some lost: only the events matter.
            await bus.publish([event_message(ids[2]), event_message(ids[0]), event_message(ids[2])])
            delivered = [await asyncio.wait_for(listener.get(), 5) for _ in ids]
            await bus.publish([event_message(ids[1]), RESYNC, event_message(ids[0])])
            later = await file_report(title="Berikutnya")
            await bus.publish([event_message(ids[-1] + 1)])
            next_one = await asyncio.wait_for(listener.get(), 5)

        assert [item.id for item in delivered] == ids
        assert [item.report["code"] for item in delivered if item.report] == [r["code"] for r in reports]
        assert next_one.report is not None
        assert next_one.report["code"] == later["code"]  # not one of the earlier events again
    finally:
        await hub.stop()


async def test_relay_publishes_after_commit_and_at_start_what_was_left_unpublished(db: Database) -> None:
    orphan = await file_report(title="Ditulis tanpa relay")  # no relay ran: left unpublished
    bus = MemoryBus()
    relay = Relay(bus)
    async with bus.subscribe() as inbox:
        task = asyncio.create_task(relay.run())
        try:
            first = await next_message(inbox)
            with on_commit(relay.committed):
                filed = await file_report(title="Ditulis dengan relay")
                second = await next_message(inbox)
            await wait_until_async(_all_published, what="all marked published")
        finally:
            task.cancel()

    events = {e.report_id: e.id for e in await ReportEvent.all()}
    codes = {r.code: r.id for r in await Report.all()}
    assert first == event_message(events[codes[orphan["code"]]])
    assert second == event_message(events[codes[filed["code"]]])


async def _all_published() -> bool:
    return not await ReportEvent.filter(published_at__isnull=True).exists()


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite serialises writers itself
async def test_events_commit_in_id_order_on_postgres(db: Database) -> None:
    """The event that takes an id first commits first: a later id never becomes visible
    before an earlier one, so "everything after my cursor" never skips a late commit."""
    await file_report(title="Laporan")
    report = await Report.first()
    assert report is not None
    hold = asyncio.Event()

    async def slow_change() -> int:
        async with report_change() as change:
            locked = await change.lock(report.id)
            event = await change.record(locked, EventKind.COMMENTED, actor=None, at=utcnow())
            await hold.wait()  # not committed yet
        return event.id

    slow = asyncio.create_task(slow_change())
    await wait_until_async(_advisory_lock_held, what="the first change holds the order lock")
    fast = asyncio.create_task(file_report(title="Menyusul"))
    await wait_until_async(_advisory_lock_awaited, what="the second change waits for it")
    hold.set()
    slow_id = await slow
    await fast
    fast_id = (
        await ReportEvent.filter(kind=EventKind.FILED).order_by("-id").first().values_list("id", flat=True)
    )

    assert fast_id > slow_id


async def _advisory_locks(granted: bool) -> bool:
    from tortoise import Tortoise

    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted = $1", [granted]
    )
    return bool(rows[0]["n"])


async def _advisory_lock_held() -> bool:
    return await _advisory_locks(True)


async def _advisory_lock_awaited() -> bool:
    return await _advisory_locks(False)


def feed_event(**event: object) -> FeedEvent:
    """An event made while report 7 was in agency 1, category 2, area 3 and ACKNOWLEDGED; the
    report is now elsewhere (agency 9, category 8, area 6, CLOSED), which must not matter."""
    state = {"agency": 1, "category": 2, "area": 3}
    row = {
        "id": 1,
        "report_id": 7,
        **{f"{name}_{side}_id": value for name, value in state.items() for side in ("before", "after")},
        "status_before": ReportStatus.ACKNOWLEDGED,
        "status_after": ReportStatus.ACKNOWLEDGED,
        **event,
    }
    report = {"id": 7, "agency_id": 9, "category_id": 8, "area_id": 6, "status": ReportStatus.CLOSED}
    return FeedEvent(row, report)


@pytest.mark.parametrize(
    ("selector", "item", "matches"),
    [
        (EventSelector(), feed_event(), True),
        (EventSelector(report_ids=frozenset({7})), feed_event(), True),
        (EventSelector(report_ids=frozenset({8})), feed_event(), False),
        (EventSelector(agency_ids=frozenset({1})), feed_event(), True),
        (EventSelector(agency_ids=frozenset({9})), feed_event(), False),  # where it is now
        (EventSelector(agency_ids=frozenset({5})), feed_event(agency_before_id=5), True),  # re-routed away
        (EventSelector(agency_ids=frozenset({5})), feed_event(), False),
        (EventSelector(category_ids=frozenset({4})), feed_event(category_before_id=4), True),
        (EventSelector(area_ids=frozenset({3, 4})), feed_event(), True),
        (EventSelector(area_ids=frozenset({6})), feed_event(), False),
        (
            EventSelector(statuses=frozenset({ReportStatus.SUBMITTED})),
            feed_event(status_before="SUBMITTED"),
            True,
        ),
        (EventSelector(statuses=frozenset({ReportStatus.SUBMITTED})), feed_event(), False),
        (EventSelector(statuses=frozenset({ReportStatus.ACKNOWLEDGED})), feed_event(), True),
        (EventSelector(statuses=frozenset({ReportStatus.CLOSED})), feed_event(), False),  # now, not then
        (
            EventSelector(agency_ids=frozenset({1}), statuses=frozenset({ReportStatus.CLOSED})),
            feed_event(status_after="CLOSED"),
            True,
        ),
    ],
)
def test_selectors(selector: EventSelector, item: FeedEvent, matches: bool) -> None:
    assert selector.matches(item) is matches
