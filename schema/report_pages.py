"""Pages of reports: the filter, the Relay connection, and every `reports` field's one way there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from models import IntakeChannel, PublicGroup, ReportStatus
from resolvers import report_queries
from resolvers.errors import ErrorCode, fail
from resolvers.geo import BoundingBox, Circle
from resolvers.privacy import filter_as_seen
from resolvers.report_page_sql import EVERYTHING, Reading
from resolvers.report_queries import ReportOrder
from schema.context import Context, Info
from schema.descriptions import FILTER_HELP, After, Order, PageSize
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
    page = await visible_page(info.context, filter, first=first, after=after, order_by=order_by, scope=scope)
    await prefetch_directory(info, page.rows)
    return ReportConnection.from_page(page, order_by)


async def visible_page(
    context: Context,
    filter: ReportFilter | None,
    *,
    first: int,
    after: str | None,
    order_by: ReportOrder,
    scope: Callable[[report_queries.ReportFilter], report_queries.ReportFilter] | None = None,
    reading: Reading = EVERYTHING,
) -> report_queries.ReportPage:
    """The rows of a page as the caller may search them (also schema.compiled's one way there)."""
    domain_filter = visible_filter(context, filter, scope)
    return await report_queries.report_page(
        domain_filter, first=first, after=after, order=order_by, reading=reading
    )


def visible_filter(
    context: Context,
    filter: ReportFilter | None,
    scope: Callable[[report_queries.ReportFilter], report_queries.ReportFilter] | None = None,
) -> report_queries.ReportFilter:
    """The `reports` filter as the caller may search by it (resolvers.privacy.filter_as_seen, the
    door exports and Open311 go through too): pages and map clusters all go through here."""
    domain_filter = filter.to_domain() if filter else report_queries.ReportFilter()
    if scope is not None:
        domain_filter = scope(domain_filter)
    domain_filter = filter_as_seen(domain_filter, context.principal)
    if domain_filter.overdue is not None:
        context.cache_policy.cacheable = False  # which reports are overdue moves with the clock
    return domain_filter


async def prefetch_directory(info: Info, rows: list[dict[str, Any]]) -> None:
    """Categories and agencies of a page in two batched queries, resolved synchronously after."""
    loaders = info.context.loaders
    await loaders.prefetch("category", (row["category_id"] for row in rows))
    category_agencies = (row["agency_id"] for row in loaders.known_rows("category"))
    await loaders.prefetch("agency", [*(row["agency_id"] for row in rows), *category_agencies])


@strawberry.input(description="Kotak koordinat (WGS84, derajat) / A box of coordinates (WGS84, degrees)")
class BoundingBoxInput:
    min_lat: float = strawberry.field(description="Lintang selatan / Southern latitude")
    min_lon: float = strawberry.field(description="Bujur barat / Western longitude")
    max_lat: float = strawberry.field(description="Lintang utara / Northern latitude")
    max_lon: float = strawberry.field(description="Bujur timur / Eastern longitude")


@strawberry.input(description="Lingkaran di sekitar titik / A circle around a point")
class NearInput:
    lat: float = strawberry.field(description="Lintang pusat, derajat / Centre latitude, degrees")
    lon: float = strawberry.field(description="Bujur pusat, derajat / Centre longitude, degrees")
    radius_meters: float = strawberry.field(description="Jari-jari dalam meter / Radius in metres")


MAX_FILTER_IDS = 100  # the city has a few dozen categories, agencies and areas


@strawberry.input(description="All given conditions must hold")
class ReportFilter:
    statuses: list[ReportStatus] | None = strawberry.field(
        default=None, description="Salah satu status ini / Any of these statuses"
    )
    public_groups: list[PublicGroup] | None = strawberry.field(
        default=None, description="Salah satu warna publik ini / Any of these public groups"
    )
    category_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Salah satu kategori ini / Any of these categories"
    )
    agency_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Salah satu dinas ini / Any of these agencies"
    )
    area_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Salah satu wilayah ini / Any of these areas"
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Dikirim pada atau setelah / Filed at or after"
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Dikirim sebelum / Filed before"
    )
    bounding_box: BoundingBoxInput | None = strawberry.field(
        default=None, description="Di dalam kotak ini / Inside this box"
    )
    near: NearInput | None = strawberry.field(
        default=None, description="Di dalam lingkaran ini / Inside this circle"
    )
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
        lists: tuple[tuple[str, list[Any] | None], ...] = (
            ("categoryIds", self.category_ids),
            ("agencyIds", self.agency_ids),
            ("areaIds", self.area_ids),
            ("assigneeIds", self.assignee_ids),
            ("statuses", self.statuses),
            ("publicGroups", self.public_groups),
        )
        for field, ids in lists:
            if ids is not None and len(ids) > MAX_FILTER_IDS:
                raise fail(
                    ErrorCode.INVALID_INPUT,
                    f"Paling banyak {MAX_FILTER_IDS} nilai per daftar",
                    f"At most {MAX_FILTER_IDS} values per list",
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


@strawberry.type(description="Posisi halaman dalam daftar / Where this page sits in the list")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Masih ada halaman berikutnya / More reports follow")
    has_previous_page: bool = strawberry.field(
        description="Ada halaman sebelumnya / Reports precede this page"
    )
    start_cursor: str | None = strawberry.field(
        description="Kursor item pertama; null bila kosong / The first item's cursor; null when empty"
    )
    end_cursor: str | None = strawberry.field(
        description="Kursor item terakhir, untuk `after`; null bila kosong / "
        "The last item's cursor, for `after`; null when empty"
    )


@strawberry.type(description="Satu laporan dalam daftar / One report in a list")
class ReportEdge:
    cursor: str = strawberry.field(description="Kursor untuk `after` / Cursor for `after`")
    node: Report = strawberry.field(description="Laporan / The report")


@strawberry.type(description="A page of reports (Relay connection)")
class ReportConnection:
    edges: list[ReportEdge] = strawberry.field(
        description="Laporan halaman ini dengan kursornya / This page's reports with their cursors"
    )
    page_info: PageInfo = strawberry.field(description="Posisi halaman / Where this page sits")
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


async def report_row(
    context: Context, id: strawberry.ID | None, code: str | None, tracking_token: str | None
) -> dict[str, Any] | None:
    """The row `report(...)` answers with (also schema.compiled's one way there)."""
    if id is not None:
        return await report_queries.report_by_id(from_global_id(id, "Report"))
    if code is not None:
        return await report_queries.report_by_code(code)
    if tracking_token is not None:
        row = await report_queries.report_by_tracking_token(tracking_token)
        if row is not None:
            context.tracked_report_ids.add(row["id"])  # the token proves being the filer
        return row
    raise fail(ErrorCode.REQUIRED, "Sebutkan id atau kode laporan", "Give an id or a code", "id")


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="A report by its ID, its public code, or the tracking token its anonymous filer got"
    )
    async def report(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="ID global; atau `code` atau `trackingToken` / "
                "Global ID; or `code` or `trackingToken`"
            ),
        ] = None,
        code: Annotated[
            str | None, strawberry.argument(description="Kode publik laporan / The report's public code")
        ] = None,
        tracking_token: Annotated[
            str | None,
            strawberry.argument(
                description="Token pelacak rahasia dari pelaporan anonim / "
                "The secret tracking token of an anonymous filing"
            ),
        ] = None,
    ) -> Report | None:
        row = await report_row(info.context, id, code, tracking_token)
        return Report.from_row(row) if row else None

    @strawberry.field(description="Reports matching a filter, a page at a time (first: 1..100)")
    async def reports(
        self,
        info: Info,
        first: PageSize = 20,
        after: After = None,
        filter: Annotated[ReportFilter | None, strawberry.argument(description=FILTER_HELP)] = None,
        order_by: Order = ReportOrder.NEWEST,
    ) -> ReportConnection:
        return await report_connection(info, filter, first=first, after=after, order_by=order_by)
