"""The report as an event found it and as it left it: its routing and status at that moment.

The live feed's filters match these (realtime.feed.EventSelector), so a client can tell why an
event reached it, live and on replay alike, whatever happened to the report since."""

from __future__ import annotations

from typing import Any

import strawberry

from models import ReportStatus
from schema.context import Info
from schema.directory import Agency, Area, Category


@strawberry.type(description="A report's agency, category, area and status at the moment of an event")
class ReportAsOf:
    status: ReportStatus | None
    agency_id: strawberry.Private[int | None]
    category_id: strawberry.Private[int | None]
    area_id: strawberry.Private[int | None]

    @strawberry.field
    def agency(self, info: Info) -> Agency | None:
        if self.agency_id is None:
            return None
        return info.context.loaders.now_or_later("agency", self.agency_id, Agency.from_row)  # type: ignore[return-value]

    @strawberry.field
    def category(self, info: Info) -> Category | None:
        if self.category_id is None:
            return None
        return info.context.loaders.now_or_later("category", self.category_id, Category.from_row)  # type: ignore[return-value]

    @strawberry.field
    async def area(self, info: Info) -> Area | None:
        if self.area_id is None:
            return None
        return Area.from_row(await info.context.loaders.area.load(self.area_id))

    @classmethod
    def from_event_row(cls, row: dict[str, Any], side: str) -> ReportAsOf | None:
        """`side` is "before" or "after"; None when the report did not exist yet (a filing)."""
        state = {name: row[f"{name}_{side}_id"] for name in ("agency", "category", "area")}
        status = row[f"status_{side}"]
        if status is None and all(value is None for value in state.values()):
            return None
        return cls(
            status=None if status is None else ReportStatus(status),
            agency_id=state["agency"],
            category_id=state["category"],
            area_id=state["area"],
        )
