"""The deliveries framework (realtime/deliveries.py) on SQLite and PostgreSQL: each event fans out
once per consumer, deliveries of one order key go out in order through retries, failures back off
and expire, a crash between send and mark sends again, and a slow addressee delays nobody else."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from models import Delivery, DeliveryStatus, ReportEvent, Role
from realtime.deliveries import (
    DeliveryDraft,
    DeliveryPolicy,
    PermanentFailure,
    RetryableFailure,
    backoff,
    cancel_pending,
    claim_due,
    consume_once,
    deliver_due,
    enqueue,
    next_due_at,
    parse_retry_after,
    purge_settled,
)
from realtime.delivery_runner import DeliveryRunner, running_deliveries
from server.deliveries import purge_old_deliveries, run_deliveries_once
from server.settings import Settings
from tests.casework_api import move
from tests.conftest import Database
from tests.graphql import file_report, staff
from tests.live_clients import wait_until_async

POLICY = DeliveryPolicy(send_timeout=5.0, retry_base=10.0, retry_cap=3600.0, rng=random.Random(7))


@dataclass
class EveryEvent:
    """Plans one delivery per event, ordered per report, to `targets`."""

    name: str = "test-every-event"
    targets: tuple[str, ...] = ("a",)
    expires_in: timedelta = timedelta(hours=24)

    async def plan(self, events: Sequence[ReportEvent]) -> Sequence[DeliveryDraft]:
        return [
            DeliveryDraft(
                channel="test",
                target=target,
                payload={"event": event.id},
                order_key=str(event.report_id),
                event_id=event.id,
                expires_in=self.expires_in,
            )
            for event in events
            for target in self.targets
        ]


@dataclass
class EveryEventPlannedAhead(EveryEvent):
    """The same, planned before the consume transaction (realtime.deliveries.PlansAhead)."""

    plans_ahead: bool = True


@dataclass
class Recorder:
    """A sender that records what it was given; `refuse` says how each attempt goes."""

    channel: str = "test"
    sent: list[int] = field(default_factory=list)
    failures: dict[int, list[Exception]] = field(default_factory=dict)  # event id -> next outcomes
    given_up: list[int] = field(default_factory=list)

    async def send(self, delivery: Delivery) -> int | None:
        self.sent.append(int(delivery.payload["event"]))
        outcomes = self.failures.get(int(delivery.payload["event"]))
        if outcomes:
            raise outcomes.pop(0)
        return 200

    async def gave_up(self, delivery: Delivery) -> None:
        self.given_up.append(int(delivery.payload["event"]))


async def _consume_all(consumer: EveryEvent) -> None:
    while await consume_once(consumer):
        pass


async def _acknowledged(report: dict[str, object]) -> None:
    """A second event on the report."""
    await move(str(report["id"]), ["ACKNOWLEDGED"], await staff(Role.OFFICER, "DLH", "Petugas DLH"))


async def _event_ids() -> list[int]:
    return [int(i) for i in await ReportEvent.all().order_by("id").values_list("id", flat=True)]  # type: ignore[call-overload]


@pytest.mark.parametrize("planning", [EveryEvent, EveryEventPlannedAhead])
async def test_a_new_consumer_skips_history_then_fans_out_each_event_once(
    db: Database, planning: type[EveryEvent]
) -> None:
    await file_report()  # history before the consumer existed: not replayed
    consumer = planning(targets=("a", "b"))
    assert await consume_once(consumer) == 0
    for _ in range(4):
        await file_report()

    # Two consumers of one name race (on PostgreSQL on two pooled connections).
    for _ in range(3):
        await asyncio.gather(consume_once(consumer, batch=3), consume_once(consumer, batch=3))

    new_events = (await _event_ids())[1:]
    planned = await Delivery.all().order_by("id").values_list("event_id", "target")
    assert sorted(planned) == sorted((e, t) for e in new_events for t in ("a", "b"))


@dataclass
class SlowPlanner(EveryEventPlannedAhead):
    """Plans only once `go` is set, telling `planning` when it has begun."""

    planning: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)

    async def plan(self, events: Sequence[ReportEvent]) -> Sequence[DeliveryDraft]:
        self.planning.set()
        await self.go.wait()
        return await super().plan(events)


async def test_slow_planning_ahead_holds_up_no_writer(db: Database) -> None:
    """A report is filed while a webhook-like consumer is still planning: no lock is held meanwhile
    (inside the consume transaction, SQLite's write lock would hold the filing until the plan ends)."""
    consumer = SlowPlanner()
    await consume_once(consumer)
    await file_report()
    consuming = asyncio.create_task(consume_once(consumer))
    await consumer.planning.wait()

    async with asyncio.timeout(30):  # only reached when the filing waits for the plan
        await file_report()
    consumer.go.set()

    assert await consuming == 1
    assert len(await Delivery.all()) == 1  # the event read before the filing; the next batch has the other


async def test_one_order_key_goes_out_in_order_through_retries(db: Database) -> None:
    consumer = EveryEvent()
    await consume_once(consumer)
    report = await file_report()
    await file_report()
    await _acknowledged(report)
    first, second_report, later = await _event_ids()
    await _consume_all(consumer)
    sender = Recorder(failures={first: [RetryableFailure("503", status_code=503)]})
    now = datetime.now(UTC)

    assert await deliver_due({"test": sender}, policy=POLICY, now=now) == 2  # the other report is not held up
    assert sender.sent == [first, second_report]
    backing_off = now + timedelta(seconds=4)
    assert await deliver_due({"test": sender}, policy=POLICY, now=backing_off) == 0
    failed = await Delivery.get(event_id=first)
    assert (failed.status, failed.attempts, failed.last_status_code) == (DeliveryStatus.PENDING, 1, 503)
    assert timedelta(seconds=5) <= failed.next_attempt_at - now <= timedelta(seconds=10)
    assert await next_due_at(["test"]) == failed.next_attempt_at  # not its waiting successor

    await deliver_due({"test": sender}, policy=POLICY, now=now + timedelta(seconds=11))
    await deliver_due({"test": sender}, policy=POLICY, now=now + timedelta(seconds=12))
    assert sender.sent == [first, second_report, first, later]
    assert set(await Delivery.all().values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


async def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy = DeliveryPolicy(retry_base=10.0, retry_cap=60.0, rng=random.Random(1))
    for attempts, full in [(1, 10), (2, 20), (3, 40), (4, 60), (30, 60)]:
        wait = backoff(attempts, policy).total_seconds()
        assert full / 2 <= wait <= full


def test_retry_after_is_read_in_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == timedelta(seconds=120)
    assert parse_retry_after("Mon, 30 Nov 2026 08:05:00 GMT", now) == timedelta(minutes=5)
    assert parse_retry_after("Mon, 30 Nov 2026 07:00:00 GMT", now) == timedelta(0)  # past: now
    for unreadable in (None, "", "soon", "-5", "1.5", "٣"):  # "٣": a digit, but not ASCII
        assert parse_retry_after(unreadable, now) is None
    assert parse_retry_after("9" * 40, now) is not None  # read, not an overflow


async def test_retry_after_is_honoured_up_to_the_cap(db: Database) -> None:
    consumer = EveryEvent()
    await consume_once(consumer)
    await file_report()
    await file_report()
    polite, greedy = await _event_ids()
    await _consume_all(consumer)
    later = RetryableFailure("429", status_code=429, retry_after=timedelta(minutes=30))
    never = RetryableFailure("429", status_code=429, retry_after=timedelta(days=2))
    sender = Recorder(failures={polite: [later], greedy: [never]})
    now = datetime.now(UTC)

    await deliver_due({"test": sender}, policy=POLICY, now=now)

    waits = {d.event_id: d.next_attempt_at - now for d in await Delivery.all()}
    assert waits == {polite: timedelta(minutes=30), greedy: timedelta(seconds=POLICY.retry_cap)}


async def test_a_failing_delivery_is_given_up_when_it_expires(db: Database) -> None:
    consumer = EveryEvent(expires_in=timedelta(seconds=30))
    await consume_once(consumer)
    await file_report()
    (event,) = await _event_ids()
    await _consume_all(consumer)
    down = RetryableFailure("connection refused")
    sender = Recorder(failures={event: [down, down, down]})
    now = datetime.now(UTC)

    for seconds in (0, 11, 31):  # retries at 5-10 s, then 10-20 s later: past 30 s
        await deliver_due({"test": sender}, policy=POLICY, now=now + timedelta(seconds=seconds))

    given_up = await Delivery.get(event_id=event)
    assert given_up.status == DeliveryStatus.FAILED
    assert "connection refused" in str(given_up.last_error)
    assert (sender.sent, sender.given_up) == ([event, event], [event])


async def test_a_permanent_refusal_is_given_up_at_once_and_the_next_of_its_key_goes(db: Database) -> None:
    await consume_once(EveryEvent())
    await _acknowledged(await file_report())
    first, second = await _event_ids()
    await _consume_all(EveryEvent())
    sender = Recorder(failures={first: [PermanentFailure("410 Gone", status_code=410)]})

    await deliver_due({"test": sender}, policy=POLICY)
    await deliver_due({"test": sender}, policy=POLICY)

    gone = await Delivery.get(event_id=first)
    assert (gone.status, gone.last_status_code, sender.given_up) == (DeliveryStatus.FAILED, 410, [first])
    assert sender.sent == [first, second]
    assert (await Delivery.get(event_id=second)).status == DeliveryStatus.DELIVERED


async def test_a_crash_between_send_and_mark_sends_again_after_the_lease(db: Database) -> None:
    await consume_once(EveryEvent())
    await file_report()
    (event,) = await _event_ids()
    await _consume_all(EveryEvent())
    now = datetime.now(UTC)
    claimed = await claim_due(["test"], limit=10, policy=POLICY, now=now)  # then the process dies
    assert [d.event_id for d in claimed] == [event]
    sender = Recorder()

    assert await deliver_due({"test": sender}, policy=POLICY, now=now + timedelta(seconds=1)) == 0  # leased
    await deliver_due({"test": sender}, policy=POLICY, now=now + POLICY.lease)

    delivered = await Delivery.get(event_id=event)
    assert (delivered.status, delivered.attempts, sender.sent) == (DeliveryStatus.DELIVERED, 2, [event])


@dataclass
class SlowForOne:
    """Never answers target "slow" (until released); answers everyone else at once."""

    channel: str = "test"
    release: asyncio.Event = field(default_factory=asyncio.Event)
    fast_sent: int = 0

    async def send(self, delivery: Delivery) -> int | None:
        if delivery.target == "slow":
            await self.release.wait()
        return 200


async def test_a_slow_target_does_not_delay_another(db: Database) -> None:
    consumer = EveryEvent(name="test-slow-fast", targets=("slow", "fast"))
    await consume_once(consumer)
    sender = SlowForOne()
    runner = DeliveryRunner([consumer], {"test": sender}, policy=POLICY, poll_seconds=0.05)
    async with running_deliveries(runner):
        for _ in range(3):
            await file_report()

        async def fast_delivered() -> bool:
            return await Delivery.filter(target="fast", status=DeliveryStatus.DELIVERED).count() == 3

        await wait_until_async(fast_delivered, what="the fast target delivered")
        assert await Delivery.filter(target="slow", status=DeliveryStatus.PENDING).count() == 3
        sender.release.set()


async def test_cancelled_deliveries_are_never_sent_and_replays_go_out(db: Database) -> None:
    await consume_once(EveryEvent(targets=("gone", "kept")))
    await file_report()
    (event,) = await _event_ids()
    await _consume_all(EveryEvent(targets=("gone", "kept")))

    assert await cancel_pending("test", "gone") == 1
    await enqueue([DeliveryDraft("test", "kept", {"event": event}, order_key="replay", event_id=event)])
    sender = Recorder()
    await deliver_due({"test": sender}, policy=POLICY)

    statuses = await Delivery.all().order_by("id").values_list("target", "status")
    assert statuses == [
        ("gone", DeliveryStatus.CANCELLED),
        ("kept", DeliveryStatus.DELIVERED),
        ("kept", DeliveryStatus.DELIVERED),
    ]
    assert sender.sent == [event, event]


async def test_two_senders_claim_disjoint_deliveries(db: Database) -> None:
    """Two processes' claims (on PostgreSQL two connections, SKIP LOCKED) never take one delivery twice."""
    consumer = EveryEvent(targets=("a", "b"))
    await consume_once(consumer)
    for _ in range(3):
        await file_report()
    await _consume_all(consumer)

    first, second = await asyncio.gather(
        claim_due(["test"], limit=4, policy=POLICY), claim_due(["test"], limit=4, policy=POLICY)
    )

    ids = [d.id for d in first] + [d.id for d in second]
    assert sorted(ids) == sorted(await Delivery.all().values_list("id", flat=True))  # all 6, once each


async def test_retention_deletes_old_settled_deliveries_in_batches_and_keeps_the_rest(db: Database) -> None:
    """DELIVERY_RETENTION_DAYS=30, as `sigap deliveries run-once` applies it: delivered, failed and
    cancelled rows last attempted over 30 days ago go; pending ones stay whatever their age."""
    await enqueue([DeliveryDraft(channel="test", target="a", payload={"n": n}) for n in range(7)])
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    ages = [
        (DeliveryStatus.DELIVERED, old),
        (DeliveryStatus.FAILED, old),
        (DeliveryStatus.CANCELLED, old),
        (DeliveryStatus.PENDING, old),  # still owed: kept
        (DeliveryStatus.DELIVERED, recent),
        (DeliveryStatus.DELIVERED, old),
        (DeliveryStatus.CANCELLED, recent),
    ]
    ids = await Delivery.all().order_by("id").values_list("id", flat=True)
    for delivery_id, (status, at) in zip(ids, ages, strict=True):
        await Delivery.filter(id=delivery_id).update(status=status, next_attempt_at=at)

    assert await purge_settled(now - timedelta(days=30), batch=2) == 4  # two full batches
    kept = await Delivery.all().order_by("id").values_list("status", flat=True)
    run = await run_deliveries_once(Settings.from_env({"DELIVERY_RETENTION_DAYS": "1"}))
    after_one_day = await Delivery.all().values_list("status", flat=True)
    keep_all = await purge_old_deliveries(Settings.from_env({"DELIVERY_RETENTION_DAYS": "0"}))

    assert kept == [DeliveryStatus.PENDING, DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED]
    assert (run.attempted, run.purged) == (0, 2)  # the pending one is not due: another channel's
    assert after_one_day == [DeliveryStatus.PENDING]
    assert keep_all == 0
