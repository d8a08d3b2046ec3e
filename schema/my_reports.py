"""What the reports subgraph adds to `Me`: the caller's own reports (filed, followed, supported),
their unread updates, and marking a report seen. Mixed into `Me` (schema.accounts) so that the
embedded schema has one type; the subgraphs split its fields by module (schema.subgraphs)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Annotated

import strawberry

from resolvers import my_reports
from resolvers.errors import DomainError
from resolvers.my_reports import RelatedTo, ReportRelation
from resolvers.report_queries import ReportOrder, report_by_id
from schema.context import Info
from schema.descriptions import FILTER_HELP, INPUT_HELP, After, Order, PageSize
from schema.directory_reports import PAGE_HELP, Connection, Filter, _scoped_reports
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import from_global_id
from schema.reports import Report


@strawberry.type
class MyReports:
    user_pk: strawberry.Private[int]

    @strawberry.field(
        description="Laporan saya: yang saya buat (FILED), ikuti (FOLLOWED) atau dukung (SUPPORTED), "
        f"dengan filter yang sama seperti `reports`. / My reports: filed, followed or supported, with "
        f"the same filters as `reports` ({PAGE_HELP})."
    )
    async def reports(
        self,
        info: Info,
        relation: Annotated[
            ReportRelation,
            strawberry.argument(
                description="Yang saya laporkan, ikuti atau dukung / Filed, followed or supported"
            ),
        ] = ReportRelation.FILED,
        first: PageSize = 20,
        after: After = None,
        filter: Annotated[Filter | None, strawberry.argument(description=FILTER_HELP)] = None,
        order_by: Order = ReportOrder.RECENTLY_UPDATED,
    ) -> Connection:
        info.context.cache_policy.cacheable = False  # the answer is the caller's
        mine = partial(replace, related_to=RelatedTo(self.user_pk, relation))
        return await _scoped_reports(info, mine, first, after, filter, order_by)

    @strawberry.field(
        description="Jumlah kabar baru pada semua laporan yang saya ikuti (yang saya buat dan tidak saya "
        "bisukan, dan yang saya ikuti), untuk lencana aplikasi. / Updates I have not seen on every report "
        "I follow (filed and not muted, or followed), for the app's badge."
    )
    async def unread_updates(self, info: Info) -> int:
        info.context.cache_policy.cacheable = False  # the answer is the caller's
        return await my_reports.unread_total(self.user_pk)


@strawberry.type(
    description="Laporan yang sudah ditandai dilihat, atau kesalahannya. / The report marked seen, or "
    "the errors."
)
class MarkReportSeenPayload:
    report: Report | None = strawberry.field(
        default=None, description="Laporan itu; null bila ditolak / The report; null when refused"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_HELP)


@strawberry.input(description="Laporan yang sudah saya lihat. / The report I have seen.")
class MarkReportSeenInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")


@strawberry.type
class MyReportsMutation:
    @strawberry.mutation(
        description="Tandai laporan sudah dilihat: `unreadUpdates` kembali 0. / Mark a report seen: its "
        "`unreadUpdates` go back to 0."
    )
    async def mark_report_seen(
        self, info: Info, input: Annotated[MarkReportSeenInput, strawberry.argument(description=INPUT_HELP)]
    ) -> MarkReportSeenPayload:
        try:
            report = await my_reports.mark_seen(from_global_id(input.id, "Report"), info.context.principal)
        except DomainError as exc:
            return MarkReportSeenPayload(errors=user_errors(exc))
        row = await report_by_id(report.id)
        return MarkReportSeenPayload(report=Report.from_row(row) if row else None)
