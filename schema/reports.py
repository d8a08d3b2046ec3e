"""GraphQL types of reports, their timeline, and the report queries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from models import EventKind, PublicGroup, ReportStatus, Role
from models.lifecycle import OPEN_STATUSES, PUBLIC_GROUP, TRANSITIONS
from resolvers import report_queries
from resolvers.errors import ErrorCode, fail
from resolvers.geo import BoundingBox, Circle
from resolvers.report_queries import ReportOrder
from schema.context import Info
from schema.directory import Agency, Area, Category, Node
from schema.ids import from_global_id, to_global_id


@strawberry.type
class Location:
    lat: float
    lon: float


@strawberry.type(description="A member of staff, as the public may see them")
class StaffMember(Node):
    name: str
    role: Role

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StaffMember:
        return cls(
            id=strawberry.ID(to_global_id("User", row["id"])), name=row["name"], role=Role(row["role"])
        )


@strawberry.type(description="One entry of a report's timeline; `cursor` orders the live feed")
class ReportEvent(Node):
    cursor: str = strawberry.field(description="Monotonic position of this event in the city's feed")
    kind: EventKind
    from_status: ReportStatus | None
    to_status: ReportStatus | None
    note: str | None
    data: JSON | None
    created_at: datetime
    actor_id: strawberry.Private[int | None]

    @strawberry.field(description="The role of whoever made the change; none for anonymous citizens")
    async def actor_role(self, info: Info) -> Role | None:
        if self.actor_id is None:
            return None
        row = await info.context.loaders.user.load(self.actor_id)
        return Role(row["role"]) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ReportEvent:
        return cls(
            id=strawberry.ID(to_global_id("ReportEvent", row["id"])),
            cursor=str(row["id"]),
            kind=EventKind(row["kind"]),
            from_status=row["from_status"],
            to_status=row["to_status"],
            note=row["note"],
            data=row["data"],
            created_at=row["created_at"],
            actor_id=row["actor_id"],
        )


@strawberry.type(description="A citizen's report of a problem in the city")
class Report(Node):
    code: str = strawberry.field(description="Short public code to quote by phone or SMS")
    title: str
    description: str
    status: ReportStatus
    public_group: PublicGroup
    status_reason: str | None = strawberry.field(description="Why it was rejected or closed as duplicate")
    location: Location
    address: str | None
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    acknowledge_due_at: datetime = strawberry.field(description="When it should be acknowledged")
    due_at: datetime = strawberry.field(description="When it should be resolved, from its category's target")
    allowed_statuses: list[ReportStatus] = strawberry.field(description="Statuses it may move to next")
    pk: strawberry.Private[int]
    category_id: strawberry.Private[int]
    agency_id: strawberry.Private[int]
    area_id: strawberry.Private[int | None]
    assignee_id: strawberry.Private[int | None]
    duplicate_of_id: strawberry.Private[int | None]

    @strawberry.field(description="Still open past its due time")
    def is_overdue(self, info: Info) -> bool:
        if self.status not in OPEN_STATUSES:
            return False
        if self.due_at < datetime.now(UTC):
            return True
        info.context.cache_policy.expires_at(self.due_at)  # the answer turns at the due time
        return False

    @strawberry.field
    def category(self, info: Info) -> Category:
        return info.context.loaders.now_or_later("category", self.category_id, Category.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The agency the report is routed to")
    def agency(self, info: Info) -> Agency:
        return info.context.loaders.now_or_later("agency", self.agency_id, Agency.from_row)  # type: ignore[return-value]

    @strawberry.field
    async def area(self, info: Info) -> Area | None:
        if self.area_id is None:
            return None
        return Area.from_row(await info.context.loaders.area.load(self.area_id))

    @strawberry.field(description="The officer working on it")
    async def assignee(self, info: Info) -> StaffMember | None:
        if self.assignee_id is None:
            return None
        row = await info.context.loaders.user.load(self.assignee_id)
        return StaffMember.from_row(row) if row else None

    @strawberry.field(description="The report this one duplicates")
    async def duplicate_of(self, info: Info) -> Report | None:
        if self.duplicate_of_id is None:
            return None
        row = await info.context.loaders.report.load(self.duplicate_of_id)
        return Report.from_row(row) if row else None

    @strawberry.field(description="Everything that happened to the report, oldest first")
    async def timeline(self, info: Info) -> list[ReportEvent]:
        return [ReportEvent.from_row(row) for row in await info.context.loaders.events.load(self.pk)]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Report:
        status = ReportStatus(row["status"])
        return cls(
            id=strawberry.ID(to_global_id("Report", row["id"])),
            pk=row["id"],
            code=row["code"],
            title=row["title"],
            description=row["description"],
            status=status,
            public_group=PUBLIC_GROUP[status],
            status_reason=row["status_reason"],
            location=Location(lat=row["latitude"], lon=row["longitude"]),
            address=row["address"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            acknowledged_at=row["acknowledged_at"],
            resolved_at=row["resolved_at"],
            closed_at=row["closed_at"],
            acknowledge_due_at=row["acknowledge_due_at"],
            due_at=row["due_at"],
            allowed_statuses=sorted(TRANSITIONS[status], key=list(ReportStatus).index),
            category_id=row["category_id"],
            agency_id=row["agency_id"],
            area_id=row["area_id"],
            assignee_id=row["assignee_id"],
            duplicate_of_id=row["duplicate_of_id"],
        )


async def prefetch_directory(info: Info, rows: list[dict[str, Any]]) -> None:
    """Categories and agencies of a page in two batched queries, resolved synchronously after."""
    loaders = info.context.loaders
    await loaders.prefetch("category", (row["category_id"] for row in rows))
    category_agencies = (row["agency_id"] for row in loaders.known_rows("category"))
    await loaders.prefetch("agency", [*(row["agency_id"] for row in rows), *category_agencies])


@strawberry.input
class BoundingBoxInput:
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


@strawberry.input
class NearInput:
    lat: float
    lon: float
    radius_meters: float


MAX_FILTER_IDS = 100  # the city has a few dozen categories, agencies and areas


@strawberry.input(description="All given conditions must hold")
class ReportFilter:
    statuses: list[ReportStatus] | None = None
    public_groups: list[PublicGroup] | None = None
    category_ids: list[strawberry.ID] | None = None
    agency_ids: list[strawberry.ID] | None = None
    area_ids: list[strawberry.ID] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    bounding_box: BoundingBoxInput | None = None
    near: NearInput | None = None
    text: str | None = strawberry.field(default=None, description="Words in the title or description")
    overdue: bool | None = None

    def to_domain(self) -> report_queries.ReportFilter:
        for field, ids in (
            ("categoryIds", self.category_ids),
            ("agencyIds", self.agency_ids),
            ("areaIds", self.area_ids),
        ):
            if ids is not None and len(ids) > MAX_FILTER_IDS:
                raise fail(
                    ErrorCode.INVALID_INPUT,
                    f"Paling banyak {MAX_FILTER_IDS} ID per filter",
                    f"At most {MAX_FILTER_IDS} IDs per filter",
                    field,
                )
        box = self.bounding_box
        near = self.near
        return report_queries.ReportFilter(
            statuses=self.statuses or (),
            public_groups=self.public_groups or (),
            category_ids=[from_global_id(i, "Category", "categoryIds") for i in self.category_ids or ()],
            agency_ids=[from_global_id(i, "Agency", "agencyIds") for i in self.agency_ids or ()],
            area_ids=[from_global_id(i, "Area", "areaIds") for i in self.area_ids or ()],
            created_after=self.created_after,
            created_before=self.created_before,
            bounding_box=BoundingBox(box.min_lat, box.min_lon, box.max_lat, box.max_lon) if box else None,
            near=Circle(near.lat, near.lon, near.radius_meters) if near else None,
            text=self.text,
            overdue=self.overdue,
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ReportEdge:
    cursor: str
    node: Report


@strawberry.type(description="A page of reports (Relay connection)")
class ReportConnection:
    edges: list[ReportEdge]
    page_info: PageInfo
    page: strawberry.Private[report_queries.ReportPage]

    @strawberry.field(description="How many reports match the filter, over all pages")
    async def total_count(self) -> int:
        return await self.page.total_count()

    @classmethod
    def from_page(cls, page: report_queries.ReportPage, order: ReportOrder) -> ReportConnection:
        edges = [ReportEdge(cursor=page.cursor(row, order), node=Report.from_row(row)) for row in page.rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            page=page,
        )


@strawberry.type
class ReportQuery:
    @strawberry.field(description="A report by its ID or by its public code")
    async def report(self, id: strawberry.ID | None = None, code: str | None = None) -> Report | None:
        if id is not None:
            row = await report_queries.report_by_id(from_global_id(id, "Report"))
        elif code is not None:
            row = await report_queries.report_by_code(code)
        else:
            raise fail(ErrorCode.REQUIRED, "Sebutkan id atau kode laporan", "Give an id or a code", "id")
        return Report.from_row(row) if row else None

    @strawberry.field(description="Reports matching a filter, a page at a time (first: 1..100)")
    async def reports(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: ReportFilter | None = None,
        order_by: ReportOrder = ReportOrder.NEWEST,
    ) -> ReportConnection:
        domain_filter = filter.to_domain() if filter else report_queries.ReportFilter()
        if domain_filter.overdue is not None:
            info.context.cache_policy.cacheable = False  # which reports are overdue moves with the clock
        page = await report_queries.report_page(domain_filter, first=first, after=after, order=order_by)
        await prefetch_directory(info, page.rows)
        return ReportConnection.from_page(page, order_by)
