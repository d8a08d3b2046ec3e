"""Mutations on report photos: staff add one (the AFTER photo that resolving needs) or take one down."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from models import PhotoKind
from resolvers import photos
from resolvers.errors import DomainError
from schema.context import Info
from schema.errors import user_errors
from schema.ids import from_global_id
from schema.mutations import ReportChangePayload, changed_payload
from schema.photos import read_upload


@strawberry.input(
    description="A photo added by staff of the handling agency, as the file of a GraphQL multipart "
    "request (send the header `x-sigap-csrf: 1` or `apollo-require-preflight: true`)"
)
class AddReportPhotoInput:
    report_id: strawberry.ID
    file: Upload
    kind: PhotoKind = strawberry.field(
        default=PhotoKind.AFTER, description="AFTER (the default): proof of the fix, which resolving needs"
    )


@strawberry.input
class RemoveReportPhotoInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Why it is taken down; kept in the timeline")


@strawberry.type
class PhotoMutation:
    @strawberry.mutation(description="Staff: add a photo to an open report (PHOTO_ADDED in its timeline)")
    async def add_report_photo(self, info: Info, input: AddReportPhotoInput) -> ReportChangePayload:
        try:
            report, event = await photos.add_report_photo(
                from_global_id(input.report_id, "Report", "reportId"),
                input.kind,
                await read_upload(input.file, "file"),
                principal=info.context.principal,
                storage=info.context.photo_storage,
            )
        except DomainError as exc:
            return ReportChangePayload(errors=user_errors(exc))
        return await changed_payload(report.id, event.id)

    @strawberry.mutation(description="Staff: take a photo down (PHOTO_REMOVED in its timeline)")
    async def remove_report_photo(self, info: Info, input: RemoveReportPhotoInput) -> ReportChangePayload:
        try:
            report, event = await photos.remove_report_photo(
                from_global_id(input.id, "ReportPhoto"),
                reason=input.reason,
                principal=info.context.principal,
                storage=info.context.photo_storage,
            )
        except DomainError as exc:
            return ReportChangePayload(errors=user_errors(exc))
        return await changed_payload(report.id, event.id)
