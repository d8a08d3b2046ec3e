"""The clock of report changes. A report's timeline is written only through the unit of work
(resolvers.report_change), inside the transaction of the change: the timeline doubles as the
live-feed outbox."""

from __future__ import annotations

from datetime import UTC, datetime


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
