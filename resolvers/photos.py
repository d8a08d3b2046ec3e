"""Photos of reports: up to five with the filing, "after" photos from staff as proof of the fix,
removal by staff. Every change writes its timeline event in the transaction of the change.

Files are cleaned (`photo_cleaning`) before anything is written, then put in the storage, then
recorded in the database; if any later step fails, the files already put are removed again, so a
refused or failed request leaves neither a row nor a file behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Category, EventKind, PhotoKind, Report, ReportEvent, ReportPhoto, ReportStatus, User
from models.lifecycle import OPEN_STATUSES
from models.reports import NOTE_MAX
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.identity import Principal
from resolvers.locking import report_not_found
from resolvers.permissions import require_can_add_photo, require_works_on, works_on
from resolvers.photo_cleaning import CleanPhoto, clean_photo
from resolvers.photo_storage import PhotoStorage
from resolvers.report_change import ReportChange, report_change
from resolvers.timeline import utcnow
from resolvers.validation import clean_text

log = logging.getLogger("sigap.photos")

MAX_PHOTOS_PER_KIND = 5  # five with the filing, five of the fix
FILE_NAME_MAX = 255
# Images decoded at once per process: each can take a few hundred MB while it is decoded.
_DECODING_SLOTS = asyncio.Semaphore(2)


@dataclass(frozen=True)
class IncomingPhoto:
    """One uploaded file as received: its bytes, the name the client gave it, and its input path."""

    data: bytes
    file_name: str | None
    field: str


def check_file_name(file_name: str | None, field: str) -> None:
    """The name is never used (stored names are random), but one with path separators, NUL or other
    control characters is an attack or a broken client: refuse it rather than guess."""
    if file_name is None:
        return
    if (
        len(file_name) > FILE_NAME_MAX
        or any(ch in file_name for ch in "/\\")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in file_name)
    ):
        raise fail(
            ErrorCode.INVALID_FILE_NAME,
            "Nama berkas tidak valid",
            "The file name is not valid (path separators or control characters)",
            field,
        )


def check_photo_count(count: int, field: str, *, already: int = 0) -> None:
    if already + count > MAX_PHOTOS_PER_KIND:
        raise fail(
            ErrorCode.TOO_MANY_PHOTOS,
            f"Paling banyak {MAX_PHOTOS_PER_KIND} foto",
            f"At most {MAX_PHOTOS_PER_KIND} photos",
            field,
        )


async def clean_photos(incoming: Sequence[IncomingPhoto]) -> list[CleanPhoto]:
    """Every file cleaned, or DomainError for the first bad one; nothing is stored either way."""
    for photo in incoming:
        check_file_name(photo.file_name, photo.field)
    cleaned = []
    for photo in incoming:
        async with _DECODING_SLOTS:
            cleaned.append(await asyncio.to_thread(clean_photo, photo.data, photo.field))
    return cleaned


@asynccontextmanager
async def stored(storage: PhotoStorage | None, photos: Sequence[CleanPhoto]) -> AsyncIterator[None]:
    """The photos' files are in the storage inside the block; if the block (or storing) fails,
    the files put so far are removed again."""
    if photos and storage is None:
        raise RuntimeError("photo storage is not configured")
    put: list[str] = []
    try:
        for photo in photos:
            assert storage is not None
            for name, data in ((photo.name, photo.data), (photo.thumbnail_name, photo.thumbnail)):
                await storage.put(name, data, photo.content_type)
                put.append(name)
        yield
    except BaseException:
        if storage is not None:
            await _remove_files(storage, put)
        raise


async def _remove_files(storage: PhotoStorage, names: Sequence[str]) -> None:
    for name in names:
        try:
            await storage.delete(name)
        except Exception:
            log.exception("could not remove photo file %s; remove it by hand", name)


async def record_photos(
    change: ReportChange,
    report: Report,
    photos: Sequence[CleanPhoto],
    kind: PhotoKind,
    *,
    uploaded_by: User | None,
) -> ReportEvent:
    """The photos' rows and their one PHOTO_ADDED event, inside the caller's change."""
    now = utcnow()
    rows = [
        await ReportPhoto.create(
            report=report,
            kind=kind,
            stored_name=photo.name,
            thumbnail_name=photo.thumbnail_name,
            format=photo.format,
            width=photo.width,
            height=photo.height,
            byte_size=len(photo.data),
            uploaded_by=uploaded_by,
            created_at=now,
            using_db=change.connection,
        )
        for photo in photos
    ]
    return await change.record(
        report,
        EventKind.PHOTO_ADDED,
        actor=uploaded_by,
        at=now,
        data={"kind": kind.value, "photoIds": [row.id for row in rows]},
    )


async def add_report_photo(
    report_id: int,
    kind: PhotoKind | None,
    incoming: IncomingPhoto,
    *,
    principal: Principal,
    storage: PhotoStorage | None,
    tracking_token: str | None = None,
) -> tuple[Report, ReportEvent]:
    """A photo added to an open report. Staff of the handling agency: usually AFTER, the proof of
    the fix that resolving needs; BEFORE when they file for a caller or find more of the problem.
    Its reporter (signed in, or with its tracking token): more of the problem, BEFORE. `kind`
    unset: AFTER for staff, BEFORE for the reporter. The same cleaning and limits as filing."""
    report = await Report.filter(id=report_id).first()
    if report is None:
        raise report_not_found("reportId")
    if kind is None:
        staff = tracking_token is None and works_on(principal, report.agency_id)
        kind = PhotoKind.AFTER if staff else PhotoKind.BEFORE
    await _check_can_add(None, report, kind, principal, tracking_token)  # before decoding for a stranger
    (photo,) = await clean_photos([incoming])
    async with stored(storage, [photo]), report_change() as change:
        report = await change.lock(report_id, "reportId")
        # the report may have moved on while the photo was cleaned
        await _check_can_add(change.connection, report, kind, principal, tracking_token)
        report.updated_at = utcnow()
        await report.save(using_db=change.connection, update_fields=["updated_at"])
        event = await record_photos(change, report, [photo], kind, uploaded_by=principal.user)
    return report, event


async def _check_can_add(
    connection: BaseDBAsyncClient | None,
    report: Report,
    kind: PhotoKind,
    principal: Principal,
    tracking_token: str | None,
) -> None:
    require_can_add_photo(principal, report, kind, tracking_token)
    if report.status not in OPEN_STATUSES:
        raise fail(
            ErrorCode.ILLEGAL_TRANSITION,
            "Foto hanya bisa ditambahkan pada laporan yang masih dikerjakan",
            "Photos can only be added while the report is open",
            "reportId",
        )
    already = await ReportPhoto.filter(report_id=report.id, kind=kind).using_db(connection).count()
    check_photo_count(1, "file", already=already)


async def remove_report_photo(
    photo_id: int, *, reason: str | None, principal: Principal, storage: PhotoStorage | None
) -> tuple[Report, ReportEvent]:
    """Staff take down a photo (a face, a number plate, something that is not the problem). The
    row goes in the transaction; the files after the commit, so a rollback never loses them."""
    errors: list[FieldError] = []
    note = clean_text(errors, "reason", reason, max_length=NOTE_MAX, required=True)
    if errors:
        raise DomainError(*errors)
    async with report_change() as change:
        connection = change.connection
        photo = await ReportPhoto.filter(id=photo_id).using_db(connection).first()
        if photo is None:
            raise fail(ErrorCode.NOT_FOUND, "Foto tidak ditemukan", "Photo not found", "id")
        report = await change.lock(photo.report_id, "reportId")
        require_works_on(principal, report.agency_id)
        names = [photo.stored_name, photo.thumbnail_name]
        await photo.delete(using_db=connection)
        now = utcnow()
        report.updated_at = now
        await report.save(using_db=connection, update_fields=["updated_at"])
        event = await change.record(
            report,
            EventKind.PHOTO_REMOVED,
            actor=principal.user,
            at=now,
            note=note,
            data={"kind": photo.kind.value, "photoId": photo_id},
        )
    if storage is not None:
        await _remove_files(storage, names)
    return report, event


async def require_after_photo(connection: BaseDBAsyncClient, report: Report) -> None:
    """Resolving needs proof where the category asks for it: an AFTER photo added since the report
    was last reopened (a photo of a fix that did not hold proves nothing)."""
    category = await Category.filter(id=report.category_id).using_db(connection).first()
    if category is None or not category.requires_after_photo:
        return
    reopened = (
        await ReportEvent.filter(
            report_id=report.id,
            kind=EventKind.STATUS_CHANGED,
            from_status=ReportStatus.RESOLVED,
            to_status=ReportStatus.IN_PROGRESS,
        )
        .using_db(connection)
        .order_by("-id")
        .first()
    )
    proofs = ReportPhoto.filter(report_id=report.id, kind=PhotoKind.AFTER)
    if reopened is not None:
        proofs = proofs.filter(created_at__gt=reopened.created_at)
    if not await proofs.using_db(connection).exists():
        raise fail(
            ErrorCode.AFTER_PHOTO_REQUIRED,
            "Tambahkan foto hasil perbaikan (AFTER) sebelum menyelesaikan laporan ini",
            "Add a photo of the fix (kind AFTER, addReportPhoto) before resolving this report",
            "status",
        )
