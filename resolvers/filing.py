"""Filing a citizen's report: replay an idempotent retry, count the client's rate, validate, route,
write the report, its FILED event, its photos and its idempotency key in one transaction."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from models import Category, EventKind, IntakeChannel, PhotoKind, Report, ReportStatus, User
from models.reports import ADDRESS_MAX, DESCRIPTION_MAX, TITLE_MAX
from resolvers import idempotency, rate_limits
from resolvers.errors import DomainError, ErrorCode, FieldError
from resolvers.identity import Principal
from resolvers.permissions import require_can_file, require_can_take_intake
from resolvers.phones import e164_phone
from resolvers.photo_storage import PhotoStorage
from resolvers.photos import IncomingPhoto, check_photo_count, clean_photos, record_photos, stored
from resolvers.public_code import new_public_code
from resolvers.report_change import report_change
from resolvers.routing import route_report
from resolvers.secrets_at_rest import digest, new_secret
from resolvers.service_area import ServiceArea
from resolvers.timeline import utcnow
from resolvers.validation import check_location, clean_text

_CODE_ATTEMPTS = 5
log = logging.getLogger("sigap.filing")


@dataclass(frozen=True)
class FilingInput:
    title: str
    description: str
    latitude: float
    longitude: float
    category_id: int | None = None
    category_code: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    photos: Sequence[IncomingPhoto] = ()
    channel: IntakeChannel = IntakeChannel.APP  # another: staff take it down for a caller


@dataclass(frozen=True)
class Filed:
    report: Report
    tracking_token: str | None  # for a filer without an account: shown once, stored hashed


async def file_report(
    data: FilingInput,
    *,
    principal: Principal,
    service_area: ServiceArea,
    photo_storage: PhotoStorage | None = None,
    idempotency_key: str | None = None,
    token_secret: str | None = None,
) -> Filed:
    """File `data` for the principal. Rate limits and idempotency keys are scoped to
    `principal.client`; a retry with the same `idempotency_key` gets the first attempt's answer
    (the tracking token too: with a key it is derived from `token_secret`, never stored)."""
    require_can_file(principal)
    require_can_take_intake(principal, data.channel)
    claim = (
        None
        if idempotency_key is None
        else idempotency.claim(principal.client, idempotency_key, _fingerprint(data))
    )
    if claim is not None and (earlier := await idempotency.earlier_report(claim)) is not None:
        return _answer(earlier, principal, data, claim, token_secret)  # a replay is not a new filing
    await rate_limits.check("file_report", principal.client)
    await rate_limits.check("file_report_per_address", principal.address)
    try:
        return await _file(data, principal, service_area, photo_storage, claim, token_secret)
    except idempotency.KeyAlreadyClaimed:
        assert claim is not None
        log.info(
            "a concurrent request with idempotency key %r filed first; answering with its report", claim.key
        )
        # The row that blocked ours may have expired since (by this process's clock): it still
        # names the twin's report.
        twin = await idempotency.earlier_report(claim, expired_too=True)
        if twin is None:  # its row was purged in between
            raise idempotency.key_in_use(claim) from None
        return _answer(twin, principal, data, claim, token_secret)


def _fingerprint(data: FilingInput) -> dict[str, object]:
    """What makes two requests the same filing: the fields, and the photos by their content."""
    fields = {name: getattr(data, name) for name in data.__dataclass_fields__ if name != "photos"}
    return {**fields, "photos": [hashlib.sha256(photo.data).hexdigest() for photo in data.photos]}


def _reporter(principal: Principal, data: FilingInput) -> User | None:
    """Who filed: the signed-in citizen; nobody for a caller whose report staff took down (the
    operator is the FILED event's actor, not the reporter)."""
    return principal.user if data.channel is IntakeChannel.APP else None


def _tracking_token(
    principal: Principal,
    data: FilingInput,
    claim: idempotency.IdempotencyClaim | None,
    secret: str | None,
    filed_at: datetime,
) -> str | None:
    if _reporter(principal, data) is not None:
        return None  # an account follows its reports without a token
    if claim is None or secret is None:
        return new_secret()
    # Derived, so that a retry of the same filing gets the same token without it being stored;
    # the filing time tells apart a key reused after it expired.
    moment = filed_at.astimezone(UTC).isoformat()
    message = f"tracking:{claim.client}:{claim.key}:{moment}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _answer(
    report: Report,
    principal: Principal,
    data: FilingInput,
    claim: idempotency.IdempotencyClaim,
    secret: str | None,
) -> Filed:
    token = _tracking_token(principal, data, claim, secret, report.created_at)
    if token is not None and report.tracking_token_hash != digest(token):
        token = None  # made without a secret (or with another): the filer has the first answer's
    return Filed(report, token)


async def _file(
    data: FilingInput,
    principal: Principal,
    service_area: ServiceArea,
    photo_storage: PhotoStorage | None,
    claim: idempotency.IdempotencyClaim | None,
    token_secret: str | None,
) -> Filed:
    reporter = _reporter(principal, data)
    errors: list[FieldError] = []
    title = clean_text(errors, "title", data.title, max_length=TITLE_MAX, required=True)
    description = clean_text(
        errors, "description", data.description, max_length=DESCRIPTION_MAX, required=True
    )
    address = clean_text(errors, "address", data.address, max_length=ADDRESS_MAX, required=False)
    contact_name = clean_text(errors, "contactName", data.contact_name, max_length=200, required=False)
    contact_phone = e164_phone(errors, "contactPhone", data.contact_phone)
    check_location(errors, data.latitude, data.longitude, service_area)
    category = await _find_category(errors, data)
    if errors or category is None or title is None or description is None:
        raise DomainError(*errors)
    check_photo_count(len(data.photos), "photos")
    photos = await clean_photos(data.photos)  # refused files stop the filing before anything is written

    route = await route_report(category, data.latitude, data.longitude)
    now = utcnow()
    tracking_token = _tracking_token(principal, data, claim, token_secret, now)
    async with stored(photo_storage, photos):
        for attempt in range(_CODE_ATTEMPTS):
            try:
                async with report_change() as change:
                    connection = change.connection
                    report = await Report.create(
                        code=new_public_code(),
                        title=title,
                        description=description,
                        category=category,
                        agency_id=route.agency_id,
                        area_id=route.area_id,
                        latitude=data.latitude,
                        longitude=data.longitude,
                        public_latitude=route.placement.public_latitude,
                        public_longitude=route.placement.public_longitude,
                        address=address,
                        contact_name=contact_name,
                        contact_phone=contact_phone,
                        tracking_token_hash=digest(tracking_token) if tracking_token else None,
                        status=ReportStatus.SUBMITTED,
                        reporter=reporter,
                        channel=data.channel,
                        created_at=now,
                        updated_at=now,
                        acknowledge_due_at=now + timedelta(hours=category.response_hours),
                        due_at=now + timedelta(hours=category.resolution_hours),
                        using_db=connection,
                    )
                    change.created(report)
                    await change.record(
                        report,
                        EventKind.FILED,
                        actor=principal.user,  # the citizen, or the operator who took the call
                        at=now,
                        to_status=ReportStatus.SUBMITTED,
                        data={
                            "agencyId": route.agency_id,
                            "areaId": route.area_id,
                            "channel": data.channel.value,
                        },
                    )
                    if photos:
                        await record_photos(
                            change, report, photos, PhotoKind.BEFORE, uploaded_by=principal.user
                        )
                    if claim is not None:
                        await idempotency.record(connection, claim, report, now)
                return Filed(report, tracking_token)
            except IntegrityError:
                # A public code collision (about one in 10^12 per pair): draw another code.
                if attempt == _CODE_ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")


async def _find_category(errors: list[FieldError], data: FilingInput) -> Category | None:
    if data.category_id is None and not data.category_code:
        errors.append(
            FieldError(ErrorCode.REQUIRED, "Kategori wajib dipilih", "A category is required", "category")
        )
        return None
    code = (data.category_code or "").strip().upper() or None
    query = (
        Category.filter(id=data.category_id) if data.category_id is not None else Category.filter(code=code)
    )
    category = await query.first()
    if category is not None and code is not None and category.code != code:
        # Both given and naming different categories: which one the filer meant is a guess.
        errors.append(
            FieldError(
                ErrorCode.CATEGORY_MISMATCH,
                f"ID kategori dan kode kategori menunjuk kategori yang berbeda ({category.code} dan {code}); "
                "kirim salah satu saja",
                f"categoryId and categoryCode name different categories ({category.code} and {code}); "
                "send one of them",
                "category",
            )
        )
        return None
    if category is None:
        errors.append(
            FieldError(ErrorCode.UNKNOWN_CATEGORY, "Kategori tidak dikenal", "Unknown category", "category")
        )
    elif not category.is_active:
        errors.append(
            FieldError(
                ErrorCode.INACTIVE_CATEGORY,
                "Kategori ini tidak lagi menerima laporan",
                "This category no longer accepts reports",
                "category",
            )
        )
        return None
    return category
