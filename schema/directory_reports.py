"""What the reports subgraph adds to the directory's entities: each agency's, category's and area's
reports and report counts.

These bases are mixed into `Agency`, `Category` and `Area` so that the embedded schema has one type
of each; the subgraphs split the fields again by the module that defines them (schema.subgraphs).
`schema.report_pages` imports the directory, so its types are referred to lazily here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import report_counts, report_queries
from resolvers.errors import ErrorCode, fail
from resolvers.report_queries import ReportOrder
from schema.context import Info

if TYPE_CHECKING:
    from schema.report_pages import ReportConnection, ReportFilter

REPORTS = "schema.report_pages"
CONNECTION_TYPE = "ReportConnection"


@strawberry.type(description="How many reports there are, by the public's three states")
class ReportCounts:
    waiting: int
    in_process: int
    done: int
    total: int
    overdue: int = strawberry.field(
        description="Open past a target they owe (acknowledgement or resolution), as `isOverdue`"
    )

    @classmethod
    def from_counts(cls, info: Info, counts: report_counts.ReportCounts) -> ReportCounts:
        if counts.turns_at is not None:
            info.context.cache_policy.expires_at(counts.turns_at)  # `overdue` moves with the clock
        return cls(
            waiting=counts.waiting,
            in_process=counts.in_process,
            done=counts.done,
            total=counts.total,
            overdue=counts.overdue,
        )


def _refuse_nested_connection(info: Info) -> None:
    """A report list inside a report list multiplies (100 x 7 x 100 ...): refused. Types, not
    response keys, are checked, so aliases cannot hide the nesting."""
    path = info.path.prev
    while path is not None:
        if path.typename == CONNECTION_TYPE:
            raise fail(
                ErrorCode.NESTED_CONNECTION,
                "Daftar laporan tidak boleh berada di dalam daftar laporan lain",
                "A list of reports cannot be nested inside another list of reports",
                info.field_name,
            )
        path = path.prev


async def _scoped_reports(
    info: Info,
    scope: Callable[[report_queries.ReportFilter], report_queries.ReportFilter],
    first: int,
    after: str | None,
    filter: ReportFilter | None,
    order_by: ReportOrder,
) -> ReportConnection:
    from schema.report_pages import report_connection  # here: that module imports this one

    _refuse_nested_connection(info)
    return await report_connection(info, filter, first=first, after=after, order_by=order_by, scope=scope)


Connection = Annotated["ReportConnection", strawberry.lazy(REPORTS)]
Filter = Annotated["ReportFilter", strawberry.lazy(REPORTS)]
PAGE_HELP = "first: 1..100; not inside another list of reports"


@strawberry.type
class AgencyReports:
    pk: strawberry.Private[int]

    @strawberry.field(description=f"Reports routed to this agency ({PAGE_HELP})")
    async def reports(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: Filter | None = None,
        order_by: ReportOrder = ReportOrder.NEWEST,
    ) -> Connection:
        only_this = partial(replace, agency_ids=[self.pk])
        return await _scoped_reports(info, only_this, first, after, filter, order_by)

    @strawberry.field(description="How many reports are routed to this agency")
    async def report_counts(self, info: Info) -> ReportCounts:
        return ReportCounts.from_counts(info, await info.context.loaders.agency_report_counts.load(self.pk))


@strawberry.type
class CategoryReports:
    pk: strawberry.Private[int]

    @strawberry.field(description=f"Reports in this category ({PAGE_HELP})")
    async def reports(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: Filter | None = None,
        order_by: ReportOrder = ReportOrder.NEWEST,
    ) -> Connection:
        only_this = partial(replace, category_ids=[self.pk])
        return await _scoped_reports(info, only_this, first, after, filter, order_by)

    @strawberry.field(description="How many reports are in this category")
    async def report_counts(self, info: Info) -> ReportCounts:
        return ReportCounts.from_counts(info, await info.context.loaders.category_report_counts.load(self.pk))


@strawberry.type
class AreaReports:
    pk: strawberry.Private[int]

    @strawberry.field(description=f"Reports in this area, a kecamatan's with its kelurahan's ({PAGE_HELP})")
    async def reports(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: Filter | None = None,
        order_by: ReportOrder = ReportOrder.NEWEST,
    ) -> Connection:
        only_this = partial(replace, area_ids=[self.pk])
        return await _scoped_reports(info, only_this, first, after, filter, order_by)

    @strawberry.field(description="How many reports are in this area, a kecamatan's with its kelurahan's")
    async def report_counts(self, info: Info) -> ReportCounts:
        return ReportCounts.from_counts(info, await info.context.loaders.area_report_counts.load(self.pk))
