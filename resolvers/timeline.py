"""The clock of report changes. A report's timeline is written only through the unit of work
(resolvers.report_change), inside the transaction of the change: the timeline doubles as the
live-feed outbox."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
