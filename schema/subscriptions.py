"""Subscriptions: the live feed of report events, and one report as it changes.

Both take `after`, a cursor (the `cursor` of an event): the events committed after it are
replayed from the database first, then the feed continues live, with no gap and no duplicate.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Annotated, Any

import strawberry

from models import ReportStatus
from realtime.feed import EventSelector, FeedEvent
from resolvers import report_queries
from resolvers.errors import ErrorCode, fail
from resolvers.identity import Principal
from resolvers.live_selection import event_selector, parse_event_cursor
from resolvers.permissions import sees_internal_notes
from resolvers.privacy import event_as_seen, sees_moderated
from schema.context import Info
from schema.ids import from_global_id, optional_global_id
from schema.live import LiveSource
from schema.notifications import Notification, my_notifications
from schema.reports import Report, ReportEvent

AFTER_DESCRIPTION = "Resume after this event cursor: missed events are replayed first, then live"


@strawberry.input(description="Which events to follow; every given condition must hold")
class ReportEventFilter:
    report_id: strawberry.ID | None = strawberry.field(
        default=None, description="Satu laporan saja / One report only"
    )
    agency: strawberry.ID | None = strawberry.field(
        default=None, description="Reports routed to this agency, or re-routed away from it"
    )
    category: strawberry.ID | None = strawberry.field(
        default=None, description="Laporan kategori ini / Reports in this category"
    )
    area: strawberry.ID | None = strawberry.field(
        default=None, description="A kecamatan includes its kelurahan"
    )
    statuses: list[ReportStatus] | None = strawberry.field(
        default=None, description="Reports entering or leaving one of these statuses"
    )

    async def to_selector(self) -> EventSelector:
        return await event_selector(
            report_id=optional_global_id(self.report_id, "Report", "reportId"),
            agency_id=optional_global_id(self.agency, "Agency", "agency"),
            category_id=optional_global_id(self.category, "Category", "category"),
            area_id=optional_global_id(self.area, "Area", "area"),
            statuses=self.statuses or (),
        )


@strawberry.type(description="One change on the live feed, with the report as you may see it")
class LiveReportEvent:
    cursor: str = strawberry.field(description="Pass it as `after` to resume after this event")
    event: ReportEvent = strawberry.field(description="Kejadian itu / The event itself")
    report: Report | None = strawberry.field(
        description="The report as it is when the event is delivered, live or replayed (so a "
        "replayed event shows the report now); the report as the event found and left it is "
        "`event.before` and `event.after`"
    )

    @classmethod
    def from_feed(cls, item: FeedEvent, event: dict[str, Any]) -> LiveReportEvent:
        """`event`: the item's event as the subscriber may see it (resolvers.privacy)."""
        return cls(
            cursor=str(item.id),
            event=ReportEvent.from_row(event),
            report=Report.from_row(item.report) if item.report else None,
        )


def _hidden_from(principal: Principal, item: FeedEvent) -> bool:
    """Internal notes reach only those who may read them, on the live feed as everywhere: staff
    of the agency the note was written in (as of the event, so that a replay equals live)."""
    if not item.event.get("is_internal"):
        return False
    agency_id = item.event.get("agency_after_id")
    if agency_id is None:
        agency_id = item.report["agency_id"] if item.report else None
    return agency_id is None or not sees_internal_notes(principal, agency_id)


def _event_as_seen(principal: Principal, item: FeedEvent) -> dict[str, Any] | None:
    """The event as the principal may see it: no internal note outside the handling staff, and a
    comment a moderator hid or redacted (by the time of a replay) as resolvers.privacy says."""
    if _hidden_from(principal, item):
        return None
    agency_id = item.report["agency_id"] if item.report else item.event.get("agency_after_id")
    moderator = agency_id is not None and sees_moderated(principal, agency_id=agency_id)
    return event_as_seen(item.event, sees_moderated=moderator)


def _events_for(principal: Principal) -> Callable[[FeedEvent], LiveReportEvent | None]:
    # A group's executions share one principal's view: all its subscribers have the same visibility.
    def payload(item: FeedEvent) -> LiveReportEvent | None:
        event = _event_as_seen(principal, item)
        return None if event is None else LiveReportEvent.from_feed(item, event)

    return payload


def _reports_for(principal: Principal) -> Callable[[FeedEvent], Report | None]:
    def payload(item: FeedEvent) -> Report | None:
        if item.report is None or _hidden_from(principal, item):
            return None
        return Report.from_row(item.report)

    return payload


@strawberry.type(
    description="Langganan langsung (WebSocket atau SSE) / Live subscriptions (WebSocket or SSE)"
)
class Subscription:
    @strawberry.subscription(description="Events of the city's reports as they are committed")
    async def report_events(
        self,
        info: Info,
        filter: Annotated[
            ReportEventFilter | None,
            strawberry.argument(
                description="Kejadian yang diikuti; kosong = semua yang boleh Anda lihat / "
                "Which events; none = all you may see"
            ),
        ] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> AsyncGenerator[LiveReportEvent, None]:
        source = LiveSource(
            selector=await (filter or ReportEventFilter()).to_selector(),
            after=parse_event_cursor(after),
            payload=_events_for(info.context.principal),
        )
        async for payload in info.context.live.stream(source):
            yield payload  # type: ignore[misc]

    @strawberry.subscription(
        description="Pemberitahuan baru saya saat ditulis (harus masuk) / My new notifications as they are "
        "written (signed in)"
    )
    async def my_notifications(
        self,
        info: Info,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Lanjut setelah kursor ini (`cursor` pemberitahuan); yang terlewat "
                "dikirim dulu / Resume after this notification `cursor`; missed ones come first"
            ),
        ] = None,
    ) -> AsyncGenerator[Notification, None]:
        async for notification in my_notifications(info, after):
            yield notification

    @strawberry.subscription(description="A report, again after each change to it")
    async def report_updated(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="ID laporan yang diikuti / The report to follow")
        ],
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> AsyncGenerator[Report, None]:
        report_id = from_global_id(id, "Report")
        if await report_queries.report_by_id(report_id) is None:
            raise fail(ErrorCode.NOT_FOUND, "Laporan tidak ditemukan", "Report not found", "id")
        source = LiveSource(
            selector=EventSelector(report_ids=frozenset({report_id})),
            after=parse_event_cursor(after),
            payload=_reports_for(info.context.principal),
        )
        async for payload in info.context.live.stream(source):
            yield payload  # type: ignore[misc]
