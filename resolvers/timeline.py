"""Writing a report's timeline. Every change to a report goes through `record_event`,
inside the transaction of the change, so the timeline doubles as the live-feed outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import EventKind, Report, ReportEvent, ReportStatus, User
from realtime.outbox import lock_commit_order


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_8601(moment: datetime | str) -> str:
    """A moment as ISO 8601 in UTC ("2026-11-30T03:28:27.606365+00:00"), the one form of dates in
    event data and other JSON. Raw SQL hands SQLite's stored text ("2026-11-30 03:28:27...") back
    as a string: it is parsed, never passed through."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # stored as UTC by every writer
    return value.astimezone(UTC).isoformat()


async def record_event(
    connection: BaseDBAsyncClient,
    report: Report,
    kind: EventKind,
    *,
    actor: User | None,
    at: datetime,
    from_status: ReportStatus | None = None,
    to_status: ReportStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    is_internal: bool = False,
) -> ReportEvent:
    """Write the event; call last in the change's transaction, then `announce_committed` after
    commit (the lock taken here is held until commit, so keep the tail of the transaction short)."""
    await lock_commit_order(connection)
    return await ReportEvent.create(
        report=report,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        is_internal=is_internal,
        created_at=at,
        using_db=connection,
    )
