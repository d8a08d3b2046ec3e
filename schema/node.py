"""`node(id:)`: any object by its global ID, through the same loaders as nested fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import report_queries
from resolvers.permissions import sees_internal_notes
from resolvers.privacy import event_as_seen, sees_moderated
from schema.context import Info
from schema.directory import Agency, Area, Category, Node, StaffMember
from schema.ids import split_global_id
from schema.reports import Report, ReportEvent, visible_photo


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="ID global objek / The object's global ID")
        ],
    ) -> Node | None:
        type_name, pk = split_global_id(id)
        loaders = info.context.loaders
        if type_name == "Report":
            row = await loaders.report.load(pk)
            return Report.from_row(row) if row else None
        if type_name == "Agency":
            row = await loaders.agency.load(pk)
            return Agency.from_row(row) if row else None
        if type_name == "Category":
            row = await loaders.category.load(pk)
            return Category.from_row(row) if row else None
        if type_name == "Area":
            row = await loaders.area.load(pk)
            return Area.from_row(row) if row else None
        if type_name == "ReportEvent":
            row = await report_queries.event_by_id(pk)
            report = await loaders.report.load(row["report_id"]) if row else None
            if row is None or report is None:
                return None
            staff = sees_internal_notes(info.context.principal, report["agency_id"])
            if row["is_internal"] and not staff:
                return None  # an internal note is not there for anyone outside the handling staff
            seen = event_as_seen(
                row, sees_moderated=sees_moderated(info.context.principal, agency_id=report["agency_id"])
            )
            return ReportEvent.from_row(seen) if seen else None
        if type_name == "ReportPhoto":
            return await visible_photo(info, pk)
        if type_name == "User":
            row = await loaders.user.load(pk)
            return StaffMember.from_row(row) if row else None
        return None
