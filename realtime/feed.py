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
    """One committed event (with the report's state it was made in) and the report as it is
    when the event is read (None if the report is gone)."""

    event: Row
    report: Row | None

    @property
    def id(self) -> int:
        return int(self.event["id"])


@dataclass(frozen=True)
class EventSelector:
    """Which events a subscriber follows; every given condition must hold (empty = any).

    Conditions are matched against the report as the event found and left it (the event's as-of
    columns), never as the report is now: an event concerns the same subscribers live and on
    replay, whatever happened to the report since. A report leaving an agency, a category or a
    status still concerns whoever followed it there, so each condition matches either side.
    """

    report_ids: frozenset[int] = frozenset()
    agency_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    area_ids: frozenset[int] = frozenset()
    statuses: frozenset[ReportStatus] = frozenset()

    def matches(self, item: FeedEvent) -> bool:
        event = item.event
        if self.report_ids and event["report_id"] not in self.report_ids:
            return False
        return (
            _either_side(self.agency_ids, event, "agency")
            and _either_side(self.category_ids, event, "category")
            and _either_side(self.area_ids, event, "area")
            and (
                not self.statuses
                or not self.statuses.isdisjoint({event["status_before"], event["status_after"]})
            )
        )


def _either_side(wanted: frozenset[int], event: Row, name: str) -> bool:
    return not wanted or event[f"{name}_before_id"] in wanted or event[f"{name}_after_id"] in wanted


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
