"""Turning a subscriber's filter into the selector the live feed matches events with."""

from __future__ import annotations

from collections.abc import Sequence

from models import ReportStatus
from realtime.feed import EventSelector
from resolvers.errors import ErrorCode, fail
from resolvers.report_queries import with_child_areas


async def event_selector(
    *,
    report_id: int | None = None,
    agency_id: int | None = None,
    category_id: int | None = None,
    area_id: int | None = None,
    statuses: Sequence[ReportStatus] = (),
) -> EventSelector:
    """A kecamatan also selects the events of its kelurahan, as the `reports` filter does."""
    areas = await with_child_areas([area_id]) if area_id is not None else []
    return EventSelector(
        report_ids=frozenset({report_id} if report_id is not None else ()),
        agency_ids=frozenset({agency_id} if agency_id is not None else ()),
        category_ids=frozenset({category_id} if category_id is not None else ()),
        area_ids=frozenset(areas),
        statuses=frozenset(statuses),
    )


def parse_event_cursor(after: str | None) -> int | None:
    """The cursor of a live feed is an event id; anything else is refused with INVALID_CURSOR."""
    if after is None:
        return None
    text = after.strip()
    # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise fail(
            ErrorCode.INVALID_CURSOR,
            "Kursor umpan langsung tidak valid",
            "Not a valid live feed cursor (an event cursor)",
            "after",
        )
    return int(text)
