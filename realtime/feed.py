"""The live feed read from the database: committed events with their reports, in id order,
and the selectors subscriptions use to pick theirs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Max

from models import Report, ReportEvent, ReportStatus
from models.reports import EVENT_COLUMNS, REPORT_COLUMNS

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One committed event and its report as it is now (None if the report is gone)."""

    event: Row
    report: Row | None

    @property
    def id(self) -> int:
        return int(self.event["id"])


@dataclass(frozen=True)
class EventSelector:
    """Which events a subscriber follows; every given condition must hold (empty = any).

    A report leaving an agency or a status still concerns whoever followed it there, so the
    agency and status conditions also match the side a re-route or a status change left.
    """

    report_ids: frozenset[int] = frozenset()
    agency_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    area_ids: frozenset[int] = frozenset()
    statuses: frozenset[ReportStatus] = frozenset()

    def matches(self, item: FeedEvent) -> bool:
        event, report = item.event, item.report
        if self.report_ids and event["report_id"] not in self.report_ids:
            return False
        if not (self.agency_ids or self.category_ids or self.area_ids or self.statuses):
            return True
        if report is None:
            return False
        data = event["data"] or {}
        if self.agency_ids and not (
            report["agency_id"] in self.agency_ids or data.get("fromAgencyId") in self.agency_ids
        ):
            return False
        if self.category_ids and not (
            report["category_id"] in self.category_ids or data.get("fromCategoryId") in self.category_ids
        ):
            return False
        if self.area_ids and report["area_id"] not in self.area_ids:
            return False
        if self.statuses:
            touched = {event["from_status"], event["to_status"] or report["status"]}
            if touched.isdisjoint(self.statuses):
                return False
        return True


async def latest_event_id() -> int:
    row = await ReportEvent.all().annotate(top=Max("id")).first().values("top")
    return int(row["top"] or 0) if row else 0


async def load_feed_events(*, after: int, until: int | None = None, limit: int = 500) -> list[FeedEvent]:
    """Committed events with id in (after, until], oldest first, each with its report."""
    query = ReportEvent.filter(id__gt=after)
    if until is not None:
        query = query.filter(id__lte=until)
    events = await query.order_by("id").limit(limit).values(*EVENT_COLUMNS)
    reports = await _reports_by_id({event["report_id"] for event in events})
    return [FeedEvent(event, reports.get(event["report_id"])) for event in events]


async def _reports_by_id(ids: Sequence[int] | set[int]) -> dict[int, Row]:
    if not ids:
        return {}
    rows = await Report.filter(id__in=list(ids)).values(*REPORT_COLUMNS)
    return {row["id"]: row for row in rows}
