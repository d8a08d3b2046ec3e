"""Commit order without exceptions, periodic jobs included: on PostgreSQL, a job's transaction held
open after inserting its ESCALATED event while a user's change commits. Neither a live subscriber
nor one resuming from the last cursor it saw may lose the job's event.

The hold is real and outside the code under test: a trigger makes the ESCALATED insert wait for
an advisory lock that a second connection holds until the test releases it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from tortoise import Tortoise

from models import EscalationTarget, EventKind, Report, ReportStatus, Role
from realtime.feed import latest_event_id
from realtime.outbox import _EVENT_ORDER_LOCK
from resolvers.casework import update_status
from resolvers.service_levels import escalate_overdue
from resolvers.timeline import utcnow
from schema.ids import from_global_id
from tests.conftest import Database
from tests.graphql import file_report, staff
from tests.live_clients import wait_until_async
from tests.live_in_process import Subscriber, live_feed

pytestmark = pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite: one writer

HOLD = 4242  # the advisory lock key the trigger waits on

HOLD_ESCALATIONS = f"""
CREATE OR REPLACE FUNCTION test_hold_escalations() RETURNS trigger AS $$
BEGIN
  IF NEW.kind = '{EventKind.ESCALATED.value}' THEN PERFORM pg_advisory_xact_lock_shared({HOLD}); END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_hold_escalations AFTER INSERT ON report_events
  FOR EACH ROW EXECUTE FUNCTION test_hold_escalations();
"""
RELEASE_TRIGGER = """
DROP TRIGGER IF EXISTS test_hold_escalations ON report_events;
DROP FUNCTION IF EXISTS test_hold_escalations();
"""


@pytest.fixture
async def holder(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A second connection holding the lock that escalation inserts wait for."""
    connection = Tortoise.get_connection("default")
    await connection.execute_script(HOLD_ESCALATIONS)
    second = await asyncpg.connect("postgresql://" + db.url.split("://", 1)[1])
    await second.execute("SELECT pg_advisory_lock($1)", HOLD)
    try:
        yield second
    finally:
        await second.close()
        await connection.execute_script(RELEASE_TRIGGER)


async def _waiting_on(key: int) -> bool:
    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1",
        [key & 0xFFFF_FFFF],
    )
    return bool(rows[0]["n"])


async def test_a_held_job_event_reaches_live_and_resumed_subscribers(
    db: Database, holder: asyncpg.Connection
) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Dispatcher")
    overdue = from_global_id((await file_report(title="Terlambat"))["id"], "Report")
    waiting = from_global_id((await file_report(title="Ditangani"))["id"], "Report")
    await Report.filter(id=overdue).update(acknowledge_due_at=utcnow() - timedelta(minutes=1))
    start = await latest_event_id()

    async with live_feed() as hub:
        live = await Subscriber.open(hub, dispatcher)
        seen: list[tuple[int, str]] = []

        async def collect() -> None:
            while True:
                seen.append(await live.next())

        collecting = asyncio.create_task(collect())
        job = asyncio.create_task(escalate_overdue(EscalationTarget.ACKNOWLEDGE, utcnow()))
        await wait_until_async(lambda: _waiting_on(HOLD), what="the job held after its insert")
        user = asyncio.create_task(
            update_status(waiting, ReportStatus.ACKNOWLEDGED, note=None, principal=dispatcher)
        )

        async def user_committed_or_waits_for_the_job() -> bool:
            if user.done():  # without the order lock: committed; wait until it was delivered
                return any(kind == EventKind.STATUS_CHANGED for _, kind in seen)
            return await _waiting_on(_EVENT_ORDER_LOCK)

        await wait_until_async(
            user_committed_or_waits_for_the_job, what="the user's change committed or waits"
        )
        last_cursor = seen[-1][0] if seen else start  # where a client that drops now resumes
        await holder.execute("SELECT pg_advisory_unlock($1)", HOLD)
        assert await job == 1
        _, changed = await user

        async def both_delivered() -> bool:
            return {EventKind.ESCALATED, EventKind.STATUS_CHANGED} <= {kind for _, kind in seen}

        await wait_until_async(both_delivered, within=5, what="both events delivered live")
        resumed = await Subscriber.open(hub, dispatcher, after=last_cursor)
        replayed = [await asyncio.wait_for(resumed.next(), 5) for _ in range(2)]
        collecting.cancel()
        await live.close()
        await resumed.close()

    escalated = next(cursor for cursor, kind in seen if kind == EventKind.ESCALATED)
    assert escalated < changed.id  # the job took its id first, so it committed first
    assert [cursor for cursor, _ in seen] == sorted({cursor for cursor, _ in seen})  # in order, once
    assert [kind for _, kind in replayed] == [EventKind.ESCALATED, EventKind.STATUS_CHANGED]
