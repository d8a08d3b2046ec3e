"""GraphQL types of report photos, and reading uploaded files (GraphQL multipart requests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from models import ModerationState, ModerationTarget, PhotoFormat, PhotoKind
from resolvers.errors import ErrorCode, fail
from resolvers.photo_cleaning import CONTENT_TYPE, MAX_FILE_BYTES
from resolvers.photo_urls import PhotoUrls
from resolvers.photos import IncomingPhoto, check_photo_count
from schema.content_moderation import ContentModeration, moderation_seen
from schema.context import Info
from schema.directory import Node
from schema.ids import to_global_id

# A cached answer holding signed addresses is served for at most this long, so that every
# address a client gets still works for most of its hour.
SIGNED_ANSWER_LIFETIME = timedelta(minutes=5)


@strawberry.type(
    description="A photo of a report. Sigap keeps only a re-encoded copy without any metadata "
    "(no GPS, no camera data); photos of sensitive categories are shown only to the reporter and "
    "the handling agency, through addresses that expire (`urlExpiresAt`)."
)
class ReportPhoto(Node):
    kind: PhotoKind = strawberry.field(description="Sebelum atau sesudah / Before or after")
    format: PhotoFormat = strawberry.field(description="Format tersimpan / Stored format")
    content_type: str = strawberry.field(description="Jenis MIME / MIME type")
    width: int = strawberry.field(description="Lebar, piksel / Width, pixels")
    height: int = strawberry.field(description="Tinggi, piksel / Height, pixels")
    created_at: datetime = strawberry.field(description="Waktu diunggah / When it was uploaded")
    url: str = strawberry.field(
        description="Alamat foto (tanpa metadata EXIF) / The photo's URL (EXIF stripped)"
    )
    thumbnail_url: str = strawberry.field(description="Alamat gambar kecil / The thumbnail's URL")
    url_expires_at: datetime | None = strawberry.field(
        description="When `url` and `thumbnailUrl` stop working; null when they are permanent"
    )
    pk: strawberry.Private[int]
    report_id: strawberry.Private[int]
    moderation_state: strawberry.Private[str | None]

    @strawberry.field(
        description="Bila moderator menyembunyikannya: keadaan dan alasannya, hanya untuk staf yang boleh "
        "memoderasi (publik tidak menerima foto tersembunyi) / When a moderator hid it: how and why, for the "
        "staff who may moderate only (the public never gets a hidden photo)"
    )
    async def moderation(self, info: Info) -> ContentModeration | None:
        if self.moderation_state is None:
            return None
        report = await info.context.loaders.report.load(self.report_id)
        if report is None:
            return None
        return await moderation_seen(
            info,
            report_id=self.report_id,
            agency_id=report["agency_id"],
            target=ModerationTarget.PHOTO,
            target_id=self.pk,
            state=self.moderation_state,
        )

    @classmethod
    def from_row(cls, row: dict[str, Any], urls: PhotoUrls, *, signed_at: datetime | None) -> ReportPhoto:
        photo_format = PhotoFormat(row["format"])
        expires: datetime | None = None
        if signed_at is None:
            url, thumbnail_url = urls.public(row["stored_name"]), urls.public(row["thumbnail_name"])
        else:
            url, expires = urls.signed(row["stored_name"], signed_at)
            thumbnail_url, _ = urls.signed(row["thumbnail_name"], signed_at)
        return cls(
            id=strawberry.ID(to_global_id("ReportPhoto", row["id"])),
            kind=PhotoKind(row["kind"]),
            format=photo_format,
            content_type=CONTENT_TYPE[photo_format],
            width=row["width"],
            height=row["height"],
            created_at=row["created_at"],
            url=url,
            thumbnail_url=thumbnail_url,
            url_expires_at=expires,
            pk=row["id"],
            report_id=row["report_id"],
            moderation_state=row["moderation"],
        )


def photos_as_seen(info: Info, rows: list[dict[str, Any]], *, sensitive: bool) -> list[ReportPhoto]:
    """Rows the caller may see, as GraphQL objects: signed, expiring addresses when sensitive or
    hidden by a moderator (server.photo_route serves those to nobody else)."""
    now = datetime.now(UTC)
    photos = []
    for row in rows:
        private = sensitive or row["moderation"] == ModerationState.HIDDEN
        if private:
            info.context.cache_policy.expires_at(now + SIGNED_ANSWER_LIFETIME)
        photos.append(ReportPhoto.from_row(row, info.context.photo_urls, signed_at=now if private else None))
    return photos


async def read_uploads(uploads: list[Upload] | None, field: str) -> list[IncomingPhoto]:
    """The files of a multipart request, read up to one byte past the size limit."""
    if not uploads:
        return []
    check_photo_count(len(uploads), field)
    return [await read_upload(upload, f"{field}.{index}") for index, upload in enumerate(uploads)]


async def read_upload(upload: Upload, field: str) -> IncomingPhoto:
    if not isinstance(upload, UploadFile):
        # The Upload scalar takes any JSON value; only a file part of a multipart request is a file.
        raise fail(
            ErrorCode.INVALID_UPLOAD,
            "Foto harus dikirim sebagai berkas (multipart request)",
            "Send the photo as a file in a GraphQL multipart request",
            field,
        )
    data = await upload.read(MAX_FILE_BYTES + 1)
    return IncomingPhoto(data=data, file_name=upload.filename, field=field)
