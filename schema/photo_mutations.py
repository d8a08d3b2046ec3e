"""Mutations on report photos: staff add one (the AFTER photo that resolving needs) or take one down."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from models import PhotoKind
from resolvers import photos
from schema.context import Info
from schema.descriptions import INPUT_HELP
from schema.ids import from_global_id
from schema.mutations import ReportChangePayload, report_change
from schema.photos import read_upload


@strawberry.input(
    description="Foto yang ditambahkan petugas dinas penangan, atau pelapor pada laporannya sendiri, "
    "sebagai berkas permintaan multipart GraphQL (kirim header `x-sigap-csrf: 1` atau "
    "`apollo-require-preflight: true`). / A photo added by staff of the handling agency, or by the "
    "reporter to their own report, as the file of a GraphQL multipart request."
)
class AddReportPhotoInput:
    report_id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    file: Upload = strawberry.field(
        description="Berkas gambar (multipart upload): JPEG, PNG atau WebP / "
        "The image file (multipart upload): JPEG, PNG or WebP"
    )
    kind: PhotoKind | None = strawberry.field(
        default=None,
        description="Kosong: AFTER (bukti perbaikan) untuk petugas, BEFORE (masalahnya) untuk pelapor; "
        "pelapor hanya BEFORE. / Unset: AFTER (proof of the fix, which resolving needs) for staff, "
        "BEFORE (the problem) for the reporter; the reporter adds BEFORE only.",
    )
    tracking_token: str | None = strawberry.field(
        default=None,
        description="Token pelacakan pelapor tanpa akun, untuk laporannya sendiri. / The anonymous "
        "filer's tracking token, for their own report.",
    )


@strawberry.input(description="Menghapus foto laporan / Removing a report's photo")
class RemoveReportPhotoInput:
    id: strawberry.ID = strawberry.field(description="ID foto / The photo's ID")
    reason: str = strawberry.field(description="Why it is taken down; kept in the timeline")


@strawberry.type
class PhotoMutation:
    @strawberry.mutation(
        description="Tambah foto pada laporan yang masih terbuka: petugas, atau pelapornya (BEFORE). / "
        "Add a photo to an open report: staff, or its reporter (BEFORE); PHOTO_ADDED in its timeline."
    )
    async def add_report_photo(
        self, info: Info, input: Annotated[AddReportPhotoInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        async def add() -> tuple[Any, Any]:
            return await photos.add_report_photo(
                from_global_id(input.report_id, "Report", "reportId"),
                input.kind,
                await read_upload(input.file, "file"),
                principal=info.context.principal,
                storage=info.context.photo_storage,
                tracking_token=input.tracking_token,
            )

        return await report_change(add)

    @strawberry.mutation(description="Staff: take a photo down (PHOTO_REMOVED in its timeline)")
    async def remove_report_photo(
        self,
        info: Info,
        input: Annotated[RemoveReportPhotoInput, strawberry.argument(description=INPUT_HELP)],
    ) -> ReportChangePayload:
        return await report_change(
            lambda: photos.remove_report_photo(
                from_global_id(input.id, "ReportPhoto"),
                reason=input.reason,
                principal=info.context.principal,
                storage=info.context.photo_storage,
            )
        )
