"""Mutations: every one returns its payload with the changed object or typed errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from models import IntakeChannel, ReportStatus
from resolvers import casework, duplicates, filing, report_queries
from resolvers.errors import DomainError
from schema.context import Info
from schema.descriptions import INPUT_HELP
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import from_global_id, optional_global_id
from schema.locations import LocationInput
from schema.photos import read_uploads
from schema.query_cost import list_size
from schema.reports import Report, ReportEvent


@strawberry.input(description="A citizen's new report. Give the category by ID or by code.")
class FileReportInput:
    title: str = strawberry.field(description="Judul singkat masalah / A short title for the problem")
    description: str = strawberry.field(description="At most 4,000 characters")
    location: LocationInput = strawberry.field(description="Lokasi masalah / Where the problem is")
    category_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="ID kategori; atau berikan `categoryCode` / The category's ID; or give `categoryCode`",
    )
    category_code: str | None = strawberry.field(
        default=None,
        description="Kode kategori; atau berikan `categoryId` / The category's code; or give `categoryId`",
    )
    address: str | None = strawberry.field(
        default=None, description="Alamat atau patokan, opsional / Address or landmark, optional"
    )
    contact_name: str | None = strawberry.field(default=None, description="Private: reporter and agency only")
    contact_phone: str | None = strawberry.field(
        default=None, description="Private: reporter and agency only"
    )
    photos: list[Upload] | None = strawberry.field(
        default=None,
        description="Up to 5 JPEG, PNG or WebP photos of the problem, as files of a GraphQL multipart "
        "request; each at most 10 MiB and 50 megapixels. Stored without their metadata (GPS, camera)",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Any unique string (a UUID) per report: retries with the same key get the same "
        "report back and file nothing new; kept 24 hours",
    )
    channel: IntakeChannel = strawberry.field(
        default=IntakeChannel.APP,
        description="Jalur masuk laporan. Selain APP: petugas mencatat laporan penelepon atau pengunjung "
        "(kontaknya di contactName/contactPhone, privat seperti pelapor lain); laporan tidak menjadi milik "
        "petugas, dan trackingToken dibuat untuk diberikan kepada penelepon. / How the report reached the "
        "city. Other than APP: staff take down a caller's or visitor's report (their contact in "
        "contactName/contactPhone, private as any reporter's); the report is not the operator's own, and a "
        "trackingToken is made to pass on to the caller.",
    )


@strawberry.input(description="Mengubah status laporan / Changing a report's status")
class UpdateReportStatusInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    status: ReportStatus = strawberry.field(
        description="Status baru, salah satu `allowedStatuses` / The new status, one of `allowedStatuses`"
    )
    note: str | None = strawberry.field(default=None, description="Required when rejecting: the reason")
    duplicate_of_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required when marking DUPLICATE: the original report"
    )


@strawberry.input(description="Menugaskan laporan ke petugas / Assigning a report to an officer")
class AssignReportInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    assignee_id: strawberry.ID = strawberry.field(
        description="ID petugas dinas yang sama / ID of an officer of the same agency"
    )
    note: str | None = strawberry.field(
        default=None, description="Catatan untuk riwayat, opsional / Optional note for the timeline"
    )


@strawberry.input(description="Move a report to another category and/or agency, with a reason")
class RerouteReportInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    reason: str = strawberry.field(
        description="Alasan pengalihan, tampil di riwayat / Why it is rerouted, shown on the timeline"
    )
    category_id: strawberry.ID | None = strawberry.field(
        default=None, description="Kategori baru / The new category"
    )
    agency_id: strawberry.ID | None = strawberry.field(
        default=None, description="Dinas baru / The new agency"
    )


@strawberry.type(description="Hasil mengirim laporan / Result of filing a report")
class FileReportPayload:
    report: Report | None = strawberry.field(
        default=None,
        description="Laporan yang dibuat; null bila ditolak / The report filed; null when refused",
    )
    tracking_token: str | None = strawberry.field(
        default=None,
        description="For a filer without an account, shown once: `report(trackingToken:)` shows them "
        "their report with its private details",
    )
    similar_reports: list[Report] = strawberry.field(
        default_factory=list,
        metadata=list_size(duplicates.MAX_CANDIDATES),
        description="Open reports of the same category nearby, filed recently: perhaps the same problem, "
        "to support instead",
    )
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.type(description="The changed report and the timeline event that records the change")
class ReportChangePayload:
    report: Report | None = strawberry.field(
        default=None,
        description="Laporan setelah perubahan; null bila ditolak / "
        "The report after the change; null when refused",
    )
    event: ReportEvent | None = strawberry.field(
        default=None,
        description="Kejadian yang dicatat; null bila ditolak / The event recorded; null when refused",
    )
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


async def report_change(change: Callable[[], Awaitable[tuple[Any, Any]]]) -> ReportChangePayload:
    """Run a change (parsing its IDs inside, so that a bad ID is a typed error too) and answer with
    the changed report and its event, or the typed errors."""
    try:
        report, event = await change()
    except DomainError as exc:
        return ReportChangePayload(errors=user_errors(exc))
    return await changed_payload(report.id, event.id)


async def changed_payload(report_id: int, event_id: int) -> ReportChangePayload:
    """The payload of a successful change, read back as any query would see it."""
    row = await report_queries.report_by_id(report_id)
    event = await report_queries.event_by_id(event_id)
    return ReportChangePayload(
        report=Report.from_row(row) if row else None,
        event=ReportEvent.from_row(event) if event else None,
    )


@strawberry.type
class ReportMutation:
    @strawberry.mutation(description="File a report; it is routed to its category's agency and area")
    async def file_report(
        self, info: Info, input: Annotated[FileReportInput, strawberry.argument(description=INPUT_HELP)]
    ) -> FileReportPayload:
        try:
            data = filing.FilingInput(
                title=input.title,
                description=input.description,
                latitude=input.location.lat,
                longitude=input.location.lon,
                category_id=optional_global_id(input.category_id, "Category", "categoryId"),
                category_code=input.category_code,
                address=input.address,
                contact_name=input.contact_name,
                contact_phone=input.contact_phone,
                photos=await read_uploads(input.photos, "photos"),
                channel=input.channel,
            )
            filed = await filing.file_report(
                data,
                principal=info.context.principal,
                service_area=info.context.service_area,
                photo_storage=info.context.photo_storage,
                idempotency_key=input.idempotency_key,
                token_secret=info.context.tokens.secret if info.context.tokens else None,
            )
        except DomainError as exc:
            return FileReportPayload(errors=user_errors(exc))
        row = await report_queries.report_by_id(filed.report.id)
        info.context.tracked_report_ids.add(filed.report.id)  # the filer sees what they filed
        similar = await duplicates.similar_reports(
            await filed.report.category,
            input.location.lat,
            input.location.lon,
            principal=info.context.principal,
            exclude_id=filed.report.id,
        )
        return FileReportPayload(
            report=Report.from_row(row) if row else None,
            tracking_token=filed.tracking_token,
            similar_reports=[Report.from_row(r) for r in similar],
        )

    @strawberry.mutation(description="Move a report along its lifecycle")
    async def update_report_status(
        self,
        info: Info,
        input: Annotated[UpdateReportStatusInput, strawberry.argument(description=INPUT_HELP)],
    ) -> ReportChangePayload:
        return await report_change(
            lambda: casework.update_status(
                from_global_id(input.id, "Report"),
                input.status,
                note=input.note,
                principal=info.context.principal,
                duplicate_of_id=optional_global_id(input.duplicate_of_id, "Report", "duplicateOfId"),
            )
        )

    @strawberry.mutation(description="Give a report to an officer of its agency")
    async def assign_report(
        self, info: Info, input: Annotated[AssignReportInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        return await report_change(
            lambda: casework.assign_report(
                from_global_id(input.id, "Report"),
                from_global_id(input.assignee_id, "User", "assigneeId"),
                note=input.note,
                principal=info.context.principal,
            )
        )

    @strawberry.mutation(description="Send a report to another category or agency")
    async def reroute_report(
        self, info: Info, input: Annotated[RerouteReportInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        return await report_change(
            lambda: casework.reroute_report(
                from_global_id(input.id, "Report"),
                category_id=optional_global_id(input.category_id, "Category", "categoryId"),
                agency_id=optional_global_id(input.agency_id, "Agency", "agencyId"),
                reason=input.reason,
                principal=info.context.principal,
            )
        )
