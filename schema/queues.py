"""Lists for the people doing the work: possible duplicates before filing, an officer's queue,
an agency's queue. All are `reports` connections with a scope (schema.report_pages.report_connection),
so privacy, paging and filters are those of every report list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

import strawberry

from models.lifecycle import OPEN_STATUSES
from resolvers import duplicates, report_queries
from resolvers.permissions import require_staff, require_works_on
from resolvers.report_queries import ReportOrder
from resolvers.timeline import utcnow
from schema.context import Context, Info
from schema.descriptions import FILTER_HELP, After, Order, PageSize
from schema.ids import from_global_id, optional_global_id
from schema.locations import LocationInput
from schema.report_pages import ReportConnection, ReportFilter, report_connection


def _open_unless_asked(flt: report_queries.ReportFilter) -> report_queries.ReportFilter:
    """Queues show the work still owed unless the filter asks for statuses or groups itself."""
    if flt.statuses or flt.public_groups:
        return flt
    return replace(flt, statuses=sorted(OPEN_STATUSES))


Scope = Callable[[report_queries.ReportFilter], report_queries.ReportFilter]


def my_queue_scope(context: Context) -> Scope:
    """`myQueue`'s reports: assigned to the signed-in member of staff (also schema.compiled's way)."""
    principal = context.principal
    require_staff(principal)
    assert principal.user is not None
    me = principal.user.id
    context.cache_policy.cacheable = False  # "me" is not part of the cache key

    def mine(flt: report_queries.ReportFilter) -> report_queries.ReportFilter:
        return replace(_open_unless_asked(flt), assignee_ids=[me])

    return mine


def agency_queue_scope(context: Context, agency_id: strawberry.ID) -> Scope:
    """`agencyQueue`'s reports: the agency's, for its staff and city-wide staff (also schema.compiled's)."""
    agency = from_global_id(agency_id, "Agency", "agencyId")
    require_works_on(context.principal, agency)

    def theirs(flt: report_queries.ReportFilter) -> report_queries.ReportFilter:
        return replace(_open_unless_asked(flt), agency_ids=[agency])

    return theirs


@strawberry.type
class QueueQuery:
    @strawberry.field(
        description="Before filing: open reports of the category near the point, filed in the last `days` "
        "(the category's duplicate radius, 100 m unless the city changed it), newest first"
    )
    async def similar_reports(
        self,
        info: Info,
        location: Annotated[
            LocationInput, strawberry.argument(description="Titik masalah / Where the problem is")
        ],
        category_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="ID kategori; atau `categoryCode` / The category's ID; or `categoryCode`"
            ),
        ] = None,
        category_code: Annotated[
            str | None,
            strawberry.argument(
                description="Kode kategori; atau `categoryId` / The category's code; or `categoryId`"
            ),
        ] = None,
        days: Annotated[
            int, strawberry.argument(description="Berapa hari ke belakang / How many days back")
        ] = duplicates.DEFAULT_WINDOW_DAYS,
        first: PageSize = duplicates.MAX_CANDIDATES,
        after: After = None,
    ) -> ReportConnection:
        category = await duplicates.category_by_id_or_code(
            optional_global_id(category_id, "Category", "categoryId"), category_code
        )
        candidates = duplicates.candidate_filter(
            category, location.lat, location.lon, days=days, now=utcnow()
        )
        info.context.cache_policy.cacheable = False  # "recent days" moves with the clock
        return await report_connection(
            info, None, first=first, after=after, order_by=ReportOrder.NEWEST, scope=lambda _: candidates
        )

    @strawberry.field(description="Reports assigned to me, open ones unless the filter says, by due time")
    async def my_queue(
        self,
        info: Info,
        first: PageSize = 20,
        after: After = None,
        filter: Annotated[ReportFilter | None, strawberry.argument(description=FILTER_HELP)] = None,
        order_by: Order = ReportOrder.DUE_SOONEST,
    ) -> ReportConnection:
        scope = my_queue_scope(info.context)
        return await report_connection(info, filter, first=first, after=after, order_by=order_by, scope=scope)

    @strawberry.field(
        description="An agency's reports, open ones unless the filter says, by due time: for its staff "
        "and city-wide staff. Filter by assignee, `unassigned`, `overdue`, category, area..."
    )
    async def agency_queue(
        self,
        info: Info,
        agency_id: Annotated[strawberry.ID, strawberry.argument(description="ID dinas / The agency's ID")],
        first: PageSize = 20,
        after: After = None,
        filter: Annotated[ReportFilter | None, strawberry.argument(description=FILTER_HELP)] = None,
        order_by: Order = ReportOrder.DUE_SOONEST,
    ) -> ReportConnection:
        scope = agency_queue_scope(info.context, agency_id)
        return await report_connection(info, filter, first=first, after=after, order_by=order_by, scope=scope)
