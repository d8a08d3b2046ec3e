"""The one door for outbound deliveries (webhooks, email, Web Push, SMS...): from the outbox (the
report timeline) to rows of `deliveries`, and from those rows to the addressee.

Fan-out, `consume_once`: a consumer reads the events after its cursor and plans deliveries, written
in one transaction with the cursor's row locked, so each event fans out exactly once per consumer
however many processes run it. Events commit in id order (realtime/outbox.py), so "after my cursor"
never skips a late commit. A new consumer starts at the newest event: it does not replay history.
A consumer whose planning only reads (webhooks) plans before that transaction, so that slow planning
holds no lock; its drafts are written only if the cursor has not moved meanwhile.

Sending, `deliver_due`: due pending deliveries are claimed with a lease (their `next_attempt_at`
moved past the send timeout) in one statement (PostgreSQL: FOR UPDATE SKIP LOCKED, so processes
share the work; SQLite serialises writers), sent concurrently, then marked. Only the oldest pending
delivery of a (channel, target, order_key) is ever claimed, so those go out in id order, retries
included. A process that dies between send and mark leaves the delivery pending; the lease runs out
and it is sent again: delivery is at-least-once (the payload carries an id to drop duplicates by).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, runtime_checkable

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import Delivery, DeliveryStatus, OutboxCursor, ReportEvent

log = logging.getLogger("sigap.deliveries")

ERROR_MAX = 500  # Delivery.last_error
RETRY_AFTER_READ_MAX = 10**7  # seconds: a larger Retry-After is read as this much (timedelta's range)


@dataclass(frozen=True)
class DeliveryDraft:
    """A delivery a consumer asks for; `consume_once` writes it."""

    channel: str
    target: str
    payload: dict[str, Any]
    order_key: str | None = None
    event_id: int | None = None
    expires_in: timedelta = timedelta(hours=24)
    not_before: datetime | None = None  # held until then (a recipient's quiet hours); None: now


class Consumer(Protocol):
    """Turns report events into deliveries. `plan` runs inside the consume transaction (ORM calls
    without `using_db` join it), so it may also write rows of its own, e.g. inbox entries; unless
    the consumer `plans_ahead` (below)."""

    name: str

    async def plan(self, events: Sequence[ReportEvent]) -> Sequence[DeliveryDraft]: ...


@runtime_checkable
class PlansAhead(Protocol):
    """A consumer with `plans_ahead = True` writes nothing in `plan` and may be slow there (webhooks
    make a GraphQL body per event and view): it is planned before the consume transaction, holding
    no lock meanwhile (SQLite's write lock would stop every writer; PostgreSQL's cursor row and a
    pooled connection would be held). Its drafts are written only if the cursor is still where the
    events were read from; otherwise another process fanned them out, and they are dropped."""

    plans_ahead: bool


@runtime_checkable
class HearsCommit(Protocol):
    """A consumer may also hear that what its `plan` wrote has committed (the notifications
    consumer then wakes its recipients' inbox subscriptions). Not called after a rollback."""

    def committed(self) -> None: ...


class RetryableFailure(Exception):
    """The addressee may take it later (5xx, timeout, connection refused): retry with backoff."""

    def __init__(self, reason: str, status_code: int | None = None, retry_after: timedelta | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """An HTTP Retry-After header (RFC 9110: seconds, or an HTTP date) as a wait, never negative;
    None when absent or unreadable. How long is honoured is the policy's (`retry_cap`)."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return timedelta(seconds=min(int(text), RETRY_AFTER_READ_MAX))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - (now or datetime.now(UTC)))


class PermanentFailure(Exception):
    """The addressee refuses it for good (410 Gone, a refused address): give up now."""

    def __init__(self, reason: str, status_code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


class Withdrawn(Exception):
    """There is nothing to send any more (a replayed event the addressee may no longer see): the
    delivery is cancelled, and the addressee is not given up on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Sender(Protocol):
    """Sends one delivery of its channel; returns (optionally) the addressee's status code.
    Raises RetryableFailure or PermanentFailure; any other exception counts as retryable."""

    channel: str

    async def send(self, delivery: Delivery) -> int | None: ...


@runtime_checkable
class GivesUp(Protocol):
    """A sender may also hear when one of its deliveries is given up (FAILED): webhooks disable the
    endpoint and tell its owner. Without it, giving up is only logged."""

    async def gave_up(self, delivery: Delivery) -> None: ...


@dataclass(frozen=True)
class DeliveryPolicy:
    send_timeout: float = 10.0  # seconds one send may take
    retry_base: float = 10.0  # seconds before the first retry; doubles per attempt
    retry_cap: float = 3600.0  # never wait longer than this between attempts (Retry-After included)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    @property
    def lease(self) -> timedelta:
        """How long a claimed delivery is left to its sender before anyone may send it again."""
        return timedelta(seconds=2 * self.send_timeout + 1)


def backoff(attempts: int, policy: DeliveryPolicy = DeliveryPolicy()) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: exponential, capped, with jitter
    (between half and all of it) so that endpoints coming back are not hit by a synchronised herd."""
    full = min(policy.retry_cap, policy.retry_base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=full * (0.5 + policy.rng.random() / 2))


# ---- fan-out --------------------------------------------------------------------------------


async def consume_once(consumer: Consumer, *, batch: int = 200) -> int:
    """Plan deliveries for up to `batch` events after the consumer's cursor; returns how many events
    it read (fewer than `batch`: caught up)."""
    known = await OutboxCursor.filter(name=consumer.name).first()
    if known is not None and not await ReportEvent.filter(id__gt=known.last_event_id).exists():
        return 0  # caught up: no write (every server polls this)
    ahead: tuple[int, list[ReportEvent], Sequence[DeliveryDraft]] | None = None
    if known is not None and isinstance(consumer, PlansAhead) and consumer.plans_ahead:
        events = await ReportEvent.filter(id__gt=known.last_event_id).order_by("id").limit(batch)
        if not events:
            return 0
        ahead = (known.last_event_id, events, await consumer.plan(events))  # no transaction open
    async with in_transaction() as connection:
        cursor = await _lock_cursor(connection, consumer.name)
        if ahead is not None:
            read_after, events, drafts = ahead
            if cursor != read_after:
                return 0  # another process fanned these events out meanwhile: its drafts stand
        else:
            events = await ReportEvent.filter(id__gt=cursor).order_by("id").limit(batch).using_db(connection)
            if not events:
                return 0
            drafts = await consumer.plan(events)
        await _insert(drafts, connection)
        await (
            OutboxCursor.filter(name=consumer.name)
            .using_db(connection)
            .update(last_event_id=events[-1].id, updated_at=datetime.now(UTC))
        )
    if isinstance(consumer, HearsCommit):
        consumer.committed()
    _deliveries_created()
    return len(events)


async def enqueue(drafts: Sequence[DeliveryDraft]) -> int:
    """Write deliveries outside a fan-out (a replay a partner asked for); joins the caller's
    transaction if there is one. Returns how many were written."""
    async with in_transaction() as connection:
        await _insert(drafts, connection)
    _deliveries_created()
    return len(drafts)


async def cancel_pending(channel: str, target: str) -> int:
    """Withdraw every pending delivery to one addressee (a disabled webhook endpoint...); an
    attempt in flight is still recorded as cancelled, whatever its outcome. Returns how many."""
    return await Delivery.filter(channel=channel, target=target, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, last_error="cancelled"
    )


SETTLED = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)


async def purge_settled(before: datetime, *, batch: int = 1000) -> int:
    """Retention: delete settled deliveries (delivered, failed, cancelled) last attempted before
    `before`, `batch` rows per statement so no transaction grows with the backlog; pending ones are
    kept whatever their age. `next_attempt_at` is the last attempt's lease (or the cancelled retry),
    and (status, next_attempt_at) is indexed. Returns how many were deleted."""
    deleted = 0
    while True:
        ids = await (
            Delivery.filter(status__in=SETTLED, next_attempt_at__lt=before)
            .order_by("id")
            .limit(batch)
            .values_list("id", flat=True)
        )
        if ids:
            deleted += await Delivery.filter(id__in=list(ids)).delete()
        if len(ids) < batch:
            return deleted


async def _insert(drafts: Sequence[DeliveryDraft], connection: BaseDBAsyncClient) -> None:
    if not drafts:
        return
    now = datetime.now(UTC)
    await Delivery.bulk_create(
        [
            Delivery(
                channel=draft.channel,
                target=draft.target,
                order_key=draft.order_key,
                event_id=draft.event_id,
                payload=draft.payload,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=max(now, draft.not_before or now),
                expires_at=now + draft.expires_in,
                created_at=now,
            )
            for draft in drafts
        ],
        using_db=connection,
    )


async def _lock_cursor(connection: BaseDBAsyncClient, name: str) -> int:
    """Make the cursor (at the newest event) if it is new, and lock it until commit. The UPDATE both
    locks the row on PostgreSQL and takes SQLite's write lock before anything is read."""
    now = datetime.now(UTC)
    p = _placeholders(connection)
    # (SQLite's parser needs a WHERE before ON CONFLICT in INSERT ... SELECT.)
    await connection.execute_query(
        "INSERT INTO outbox_cursors (name, last_event_id, updated_at) "  # noqa: S608 - values bound
        f"SELECT {p(1)}, COALESCE(MAX(id), 0), {p(2)} FROM report_events WHERE true "
        "ON CONFLICT (name) DO NOTHING",
        [name, now],
    )
    rows = await connection.execute_query_dict(  # fetches what RETURNING returns, on both
        f"UPDATE outbox_cursors SET updated_at = {p(1)} WHERE name = {p(2)} RETURNING last_event_id",  # noqa: S608
        [now, name],
    )
    return int(rows[0]["last_event_id"])


_created_listeners: list[Callable[[], None]] = []


def _deliveries_created() -> None:
    for listener in list(_created_listeners):
        listener()


def on_deliveries_created(listener: Callable[[], None]) -> None:
    """Hear (in this process) when a fan-out has written deliveries: the delivery loop wakes."""
    _created_listeners.append(listener)


def off_deliveries_created(listener: Callable[[], None]) -> None:
    _created_listeners.remove(listener)


# ---- sending --------------------------------------------------------------------------------


async def claim_due(
    channels: Sequence[str],
    *,
    limit: int,
    policy: DeliveryPolicy = DeliveryPolicy(),
    now: datetime | None = None,
) -> list[Delivery]:
    """Claim up to `limit` due deliveries of these channels (each the oldest pending of its order
    key), counting the attempt and leasing them for `policy.lease`."""
    if not channels or limit <= 0:
        return []
    now = now or datetime.now(UTC)
    async with in_transaction() as connection:
        p = _placeholders(connection)
        heads = _heads(p, channels, first=3)
        lock = " FOR UPDATE OF d SKIP LOCKED" if connection.capabilities.dialect == "postgres" else ""
        rows = await connection.execute_query_dict(
            f"UPDATE deliveries SET next_attempt_at = {p(1)}, attempts = attempts + 1 WHERE id IN ("  # noqa: S608
            f"SELECT d.id FROM deliveries d WHERE d.next_attempt_at <= {p(2)} AND {heads}"
            f" ORDER BY d.next_attempt_at, d.id LIMIT {p(3 + len(channels))}{lock}) RETURNING id",
            [now + policy.lease, now, *channels, limit],
        )
        ids = [int(row["id"]) for row in rows]
        if not ids:
            return []
        return list(await Delivery.filter(id__in=ids).order_by("id").using_db(connection))


async def next_due_at(channels: Sequence[str]) -> datetime | None:
    """When the earliest claimable delivery of these channels (the oldest pending of its order key)
    is due, or its lease runs out; None when nothing is pending."""
    if not channels:
        return None
    connection = connections.get("default")
    p = _placeholders(connection)
    rows = await connection.execute_query_dict(
        f"SELECT MIN(d.next_attempt_at) AS due FROM deliveries d WHERE {_heads(p, channels, first=1)}",  # noqa: S608
        list(channels),
    )
    due = rows[0]["due"] if rows else None
    if isinstance(due, str):  # SQLite keeps datetimes as text
        due = datetime.fromisoformat(due)
    return due


def _heads(p: Callable[[int], str], channels: Sequence[str], *, first: int) -> str:
    """Pending deliveries of these channels (placeholders from `first`) with no older pending one of
    their (channel, target, order_key): the only ones that may go, so that a key goes in order."""
    channel_list = ", ".join(p(first + i) for i in range(len(channels)))
    return (
        f"d.status = 'PENDING' AND d.channel IN ({channel_list})"  # noqa: S608 - placeholders only
        " AND (d.order_key IS NULL OR NOT EXISTS (SELECT 1 FROM deliveries o"
        " WHERE o.channel = d.channel AND o.target = d.target AND o.order_key = d.order_key"
        " AND o.status = 'PENDING' AND o.id < d.id))"
    )


async def attempt(
    delivery: Delivery,
    sender: Sender,
    *,
    policy: DeliveryPolicy = DeliveryPolicy(),
    now: datetime | None = None,
) -> DeliveryStatus:
    """Send one claimed delivery and record the outcome; returns its new status."""
    if (now or datetime.now(UTC)) >= delivery.expires_at:
        last = f"; last error: {delivery.last_error}" if delivery.last_error else ""
        return await _give_up(
            delivery, sender, f"expired before it could be sent{last}", delivery.last_status_code
        )
    try:
        async with asyncio.timeout(policy.send_timeout):
            status_code = await sender.send(delivery)
    except Withdrawn as withdrawn:
        await _mark(delivery, DeliveryStatus.CANCELLED, last_error=withdrawn.reason)
        return DeliveryStatus.CANCELLED
    except PermanentFailure as failure:
        return await _give_up(delivery, sender, failure.reason, failure.status_code)
    except RetryableFailure as failure:
        return await _retry(
            delivery, sender, policy, failure.reason, failure.status_code, failure.retry_after, now
        )
    except TimeoutError:
        return await _retry(
            delivery, sender, policy, f"no answer within {policy.send_timeout:g} s", None, None, now
        )
    except Exception as exc:  # a sender's bug must not lose the delivery
        log.exception("sender %s failed on delivery %d", sender.channel, delivery.id)
        return await _retry(delivery, sender, policy, repr(exc), None, None, now)
    await _mark(
        delivery,
        DeliveryStatus.DELIVERED,
        delivered_at=now or datetime.now(UTC),
        last_status_code=status_code,
    )
    return DeliveryStatus.DELIVERED


async def deliver_due(
    senders: Mapping[str, Sender],
    *,
    limit: int = 100,
    policy: DeliveryPolicy = DeliveryPolicy(),
    now: datetime | None = None,
) -> int:
    """Claim and send what is due now (for the CLI and tests; the runner keeps sends in flight
    instead); returns how many were attempted."""
    claimed = await claim_due(list(senders), limit=limit, policy=policy, now=now)
    await asyncio.gather(*(attempt(d, senders[d.channel], policy=policy, now=now) for d in claimed))
    return len(claimed)


async def _retry(
    delivery: Delivery,
    sender: Sender,
    policy: DeliveryPolicy,
    reason: str,
    status_code: int | None,
    retry_after: timedelta | None,
    now: datetime | None,
) -> DeliveryStatus:
    now = now or datetime.now(UTC)
    asked = min(retry_after or timedelta(0), timedelta(seconds=policy.retry_cap))
    wait = max(backoff(delivery.attempts, policy), asked)
    if now + wait >= delivery.expires_at:
        return await _give_up(
            delivery, sender, f"gave up after {delivery.attempts} attempt(s): {reason}", status_code
        )
    await _mark(
        delivery,
        DeliveryStatus.PENDING,
        next_attempt_at=now + wait,
        last_error=reason,
        last_status_code=status_code,
    )
    return DeliveryStatus.PENDING


async def _give_up(
    delivery: Delivery, sender: Sender, reason: str, status_code: int | None
) -> DeliveryStatus:
    if not await _mark(delivery, DeliveryStatus.FAILED, last_error=reason, last_status_code=status_code):
        return DeliveryStatus.FAILED  # cancelled (or settled by another process) meanwhile
    log.warning("%s delivery %d to %s given up: %s", delivery.channel, delivery.id, delivery.target, reason)
    if isinstance(sender, GivesUp):
        try:
            await sender.gave_up(delivery)
        except Exception:  # the delivery is settled either way
            log.exception("%s: handling the give-up of delivery %d failed", delivery.channel, delivery.id)
    return DeliveryStatus.FAILED


async def _mark(delivery: Delivery, status: DeliveryStatus, **changes: Any) -> bool:
    """Record an outcome, unless the delivery stopped being pending (cancelled meanwhile)."""
    if changes.get("last_error") is not None:
        changes["last_error"] = changes["last_error"][:ERROR_MAX]
    changes.setdefault("last_error", None)
    updated = await Delivery.filter(id=delivery.id, status=DeliveryStatus.PENDING).update(
        status=status, **changes
    )
    for name, value in {"status": status, **changes}.items():
        setattr(delivery, name, value)
    return bool(updated)


def _placeholders(connection: BaseDBAsyncClient) -> Callable[[int], str]:
    """Numbered placeholders; SQLite's are positional, so each number must come in order."""
    if connection.capabilities.dialect == "postgres":
        return lambda n: f"${n}"
    return lambda n: "?"
