"""The one door for every change to reports and their timeline, mutations and periodic jobs alike:

    async with report_change() as change:
        report = await change.lock(report_id)
        ...  # check, change, report.save(using_db=change.connection)
        event = await change.record(report, EventKind.COMMENTED, actor=user, at=now, note=text)
    # committed, and the event announced to this process's relay

- `lock` reads the report row FOR UPDATE (several reports: in id order, so two changes that lock
  the same pair cannot deadlock) and remembers the report's state before the change.
- `record` writes the event with the state it was made in (agency, category, area and status
  before and after: the live feed's filters match the event as it was, live and on replay) under
  the commit-order lock of realtime.outbox, held until commit: keep the tail of the change short.
- After commit every event written is announced; after a rollback none is.

Nothing else writes report events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import EventKind, Report, ReportEvent, ReportStatus, User
from realtime.outbox import announce_committed, lock_commit_order
from resolvers.locking import locked_report


@dataclass(frozen=True, slots=True)
class ReportState:
    """What the live feed's filters look at, at one moment of a report's life."""

    agency_id: int | None
    category_id: int | None
    area_id: int | None
    status: ReportStatus | None

    @classmethod
    def of(cls, report: Report) -> ReportState:
        return cls(report.agency_id, report.category_id, report.area_id, report.status)


NOT_YET_FILED = ReportState(None, None, None, None)


class EventDetails(TypedDict, total=False):
    """What an event says besides its kind and moment."""

    actor: User | None
    from_status: ReportStatus | None
    to_status: ReportStatus | None
    note: str | None
    data: dict[str, Any] | None
    is_internal: bool  # staff only (internal notes)


class ReportChange:
    """One transaction's changes to reports and the events that record them."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.connection = connection
        self._before: dict[int, ReportState] = {}
        self.event_ids: list[int] = []

    async def lock(self, report_id: int, field: str = "id") -> Report:
        """The report, locked until commit; NOT_FOUND names `field`."""
        (report,) = await self.lock_all([(report_id, field)])
        return report

    async def lock_all(self, wanted: Iterable[tuple[int, str]]) -> list[Report]:
        """Several reports (id, input field), locked in id order, returned in the order asked."""
        wanted = list(wanted)
        locked: dict[int, Report] = {}
        for report_id, field in sorted(set(wanted)):
            if report_id in locked:
                continue
            report = locked[report_id] = await locked_report(self.connection, report_id, field)
            self._before.setdefault(report_id, ReportState.of(report))
        return [locked[report_id] for report_id, _ in wanted]

    def created(self, report: Report) -> None:
        """A report this change inserted: its events start from no state at all."""
        self._before[report.id] = NOT_YET_FILED

    async def record(
        self, report: Report, kind: EventKind, *, at: datetime, **details: Unpack[EventDetails]
    ) -> ReportEvent:
        """The event of a change to `report` (locked or created by this change), as it is now."""
        if report.id not in self._before:
            raise RuntimeError(f"report {report.id} was neither locked nor created by this change")
        before, after = self._before[report.id], ReportState.of(report)
        return await self.record_state(report.id, kind, before=before, after=after, at=at, **details)

    async def record_state(
        self,
        report_id: int,
        kind: EventKind,
        *,
        before: ReportState,
        after: ReportState,
        at: datetime,
        **details: Unpack[EventDetails],
    ) -> ReportEvent:
        """For changes that locked their rows themselves (a job's `UPDATE ... RETURNING`) and
        know the states from it."""
        await lock_commit_order(self.connection)
        event = await ReportEvent.create(
            report_id=report_id,
            kind=kind,
            created_at=at,
            agency_before_id=before.agency_id,
            agency_after_id=after.agency_id,
            category_before_id=before.category_id,
            category_after_id=after.category_id,
            area_before_id=before.area_id,
            area_after_id=after.area_id,
            status_before=before.status,
            status_after=after.status,
            using_db=self.connection,
            **details,
        )
        self.event_ids.append(event.id)
        return event


@asynccontextmanager
async def report_change() -> AsyncIterator[ReportChange]:
    """A transaction for changing reports; its events are announced once it has committed."""
    async with in_transaction() as connection:
        change = ReportChange(connection)
        yield change
    for event_id in change.event_ids:
        announce_committed(event_id)
