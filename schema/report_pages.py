"""Pages of reports: the filter, the Relay connection, and every `reports` field's one way there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry

from models import IntakeChannel, PublicGroup, ReportStatus
from resolvers import report_queries
from resolvers.errors import ErrorCode, fail
from resolvers.geo import BoundingBox, Circle
from resolvers.identity import Principal
from resolvers.report_queries import ReportOrder
from schema.context import Info
from schema.ids import from_global_id
from schema.reports import Report


async def report_connection(
    info: Info,
    filter: ReportFilter | None,
    *,
    first: int,
    after: str | None,
    order_by: ReportOrder,
    scope: Callable[[report_queries.ReportFilter], report_queries.ReportFilter] | None = None,
) -> ReportConnection:
    """A page of reports as the caller may see them: every `reports` field goes through here."""
    principal = info.context.principal
    domain_filter = filter.to_domain() if filter else report_queries.ReportFilter()
    if scope is not None:
        domain_filter = scope(domain_filter)
    domain_filter = domain_filter.with_exact_places(exact_places_of(principal))
    if domain_filter.overdue is not None:
        info.context.cache_policy.cacheable = False  # which reports are overdue moves with the clock
    page = await report_queries.report_page(domain_filter, first=first, after=after, order=order_by)
    await prefetch_directory(info, page.rows)
    return ReportConnection.from_page(page, order_by)


def exact_places_of(principal: Principal) -> report_queries.ExactPlaces:
    """The reports whose exact place a caller may search by: their agency's and their own."""
    return report_queries.ExactPlaces(
        agency_id=principal.agency_id, reporter_id=principal.user.id if principal.user else None
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
    overdue: bool | None = strawberry.field(
        default=None, description="true: late for a target, as `isOverdue`; false: not late"
    )
    assignee_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Assigned to these")
    unassigned: bool | None = strawberry.field(default=None, description="true: nobody assigned yet")
    channels: list[IntakeChannel] | None = strawberry.field(
        default=None, description="Masuk lewat jalur ini. / Reached the city through these channels."
    )

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
            assignee_ids=[from_global_id(i, "User", "assigneeIds") for i in self.assignee_ids or ()],
            unassigned=self.unassigned,
            channels=self.channels or (),
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
    @strawberry.field(
        description="A report by its ID, its public code, or the tracking token its anonymous filer got"
    )
    async def report(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        code: str | None = None,
        tracking_token: str | None = None,
    ) -> Report | None:
        if id is not None:
            row = await report_queries.report_by_id(from_global_id(id, "Report"))
        elif code is not None:
            row = await report_queries.report_by_code(code)
        elif tracking_token is not None:
            row = await report_queries.report_by_tracking_token(tracking_token)
            if row is not None:
                info.context.tracked_report_ids.add(row["id"])  # the token proves being the filer
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
        return await report_connection(info, filter, first=first, after=after, order_by=order_by)
