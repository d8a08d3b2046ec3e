"""Mutations: every one returns its payload with the changed object or typed errors."""

from __future__ import annotations

import strawberry

from models import ReportStatus
from resolvers import casework, filing, report_queries
from resolvers.errors import DomainError
from schema.context import Info
from schema.errors import UserError, user_errors
from schema.ids import from_global_id, optional_global_id
from schema.reports import Report, ReportEvent


@strawberry.input
class LocationInput:
    lat: float
    lon: float


@strawberry.input(description="A citizen's new report. Give the category by ID or by code.")
class FileReportInput:
    title: str
    description: str = strawberry.field(description="At most 4,000 characters")
    location: LocationInput
    category_id: strawberry.ID | None = None
    category_code: str | None = None
    address: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Any unique string (a UUID) per report: retries with the same key get the same "
        "report back and file nothing new; kept 24 hours",
    )


@strawberry.input
class UpdateReportStatusInput:
    id: strawberry.ID
    status: ReportStatus
    note: str | None = strawberry.field(default=None, description="Required when rejecting: the reason")
    duplicate_of_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required when marking DUPLICATE: the original report"
    )


@strawberry.input
class AssignReportInput:
    id: strawberry.ID
    assignee_id: strawberry.ID
    note: str | None = None


@strawberry.input(description="Move a report to another category and/or agency, with a reason")
class RerouteReportInput:
    id: strawberry.ID
    reason: str
    category_id: strawberry.ID | None = None
    agency_id: strawberry.ID | None = None


@strawberry.type
class FileReportPayload:
    report: Report | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The changed report and the timeline event that records the change")
class ReportChangePayload:
    report: Report | None = None
    event: ReportEvent | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _changed(report_id: int, event_id: int) -> ReportChangePayload:
    """The payload of a successful change, read back as any query would see it."""
    row = await report_queries.report_by_id(report_id)
    event = await report_queries.event_by_id(event_id)
    return ReportChangePayload(
        report=Report.from_row(row) if row else None,
        event=ReportEvent.from_row(event) if event else None,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="File a report; it is routed to its category's agency and area")
    async def file_report(self, info: Info, input: FileReportInput) -> FileReportPayload:
        try:
            data = filing.FilingInput(
                title=input.title,
                description=input.description,
                latitude=input.location.lat,
                longitude=input.location.lon,
                category_id=optional_global_id(input.category_id, "Category", "categoryId"),
                category_code=input.category_code,
                address=input.address,
            )
            report = await filing.file_report(
                data,
                reporter=info.context.viewer,
                service_area=info.context.service_area,
                client=info.context.principal.client,
                idempotency_key=input.idempotency_key,
            )
        except DomainError as exc:
            return FileReportPayload(errors=user_errors(exc))
        row = await report_queries.report_by_id(report.id)
        return FileReportPayload(report=Report.from_row(row) if row else None)

    @strawberry.mutation(description="Move a report along its lifecycle")
    async def update_report_status(self, info: Info, input: UpdateReportStatusInput) -> ReportChangePayload:
        try:
            report, event = await casework.update_status(
                from_global_id(input.id, "Report"),
                input.status,
                note=input.note,
                actor=info.context.viewer,
                duplicate_of_id=optional_global_id(input.duplicate_of_id, "Report", "duplicateOfId"),
            )
        except DomainError as exc:
            return ReportChangePayload(errors=user_errors(exc))
        return await _changed(report.id, event.id)

    @strawberry.mutation(description="Give a report to an officer of its agency")
    async def assign_report(self, info: Info, input: AssignReportInput) -> ReportChangePayload:
        try:
            report, event = await casework.assign_report(
                from_global_id(input.id, "Report"),
                from_global_id(input.assignee_id, "User", "assigneeId"),
                note=input.note,
                actor=info.context.viewer,
            )
        except DomainError as exc:
            return ReportChangePayload(errors=user_errors(exc))
        return await _changed(report.id, event.id)

    @strawberry.mutation(description="Send a report to another category or agency")
    async def reroute_report(self, info: Info, input: RerouteReportInput) -> ReportChangePayload:
        try:
            report, event = await casework.reroute_report(
                from_global_id(input.id, "Report"),
                category_id=optional_global_id(input.category_id, "Category", "categoryId"),
                agency_id=optional_global_id(input.agency_id, "Agency", "agencyId"),
                reason=input.reason,
                actor=info.context.viewer,
            )
        except DomainError as exc:
            return ReportChangePayload(errors=user_errors(exc))
        return await _changed(report.id, event.id)
