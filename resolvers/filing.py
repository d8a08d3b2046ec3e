"""Filing a citizen's report: replay an idempotent retry, count the client's rate, validate, route,
write the report, its FILED event and its idempotency key in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import Category, EventKind, Report, ReportStatus, User
from models.reports import ADDRESS_MAX, DESCRIPTION_MAX, TITLE_MAX
from resolvers import idempotency, rate_limits
from resolvers.errors import DomainError, ErrorCode, FieldError
from resolvers.geo import BoundingBox
from resolvers.public_code import new_public_code
from resolvers.routing import route_report
from resolvers.timeline import record_event, utcnow
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


async def file_report(
    data: FilingInput,
    *,
    reporter: User | None,
    service_area: BoundingBox,
    client: str,
    idempotency_key: str | None = None,
) -> Report:
    """File `data` for `client` (principal.client, what rate limits and idempotency keys are
    scoped to). A retry with the same `idempotency_key` returns the report of the first attempt."""
    claim = None if idempotency_key is None else idempotency.claim(client, idempotency_key, data)
    if claim is not None and (earlier := await idempotency.earlier_report(claim)) is not None:
        return earlier  # a replay is not a new filing: it is not counted against the rate
    await rate_limits.check("file_report", client)
    try:
        return await _file(data, reporter=reporter, service_area=service_area, claim=claim)
    except idempotency.KeyAlreadyClaimed:
        assert claim is not None
        log.info(
            "a concurrent request with idempotency key %r filed first; answering with its report", claim.key
        )
        twin = await idempotency.earlier_report(claim)
        if twin is None:  # the twin's key expired in between: vanishingly rare, but not a 500
            raise
        return twin


async def _file(
    data: FilingInput,
    *,
    reporter: User | None,
    service_area: BoundingBox,
    claim: idempotency.IdempotencyClaim | None,
) -> Report:
    errors: list[FieldError] = []
    title = clean_text(errors, "title", data.title, max_length=TITLE_MAX, required=True)
    description = clean_text(
        errors, "description", data.description, max_length=DESCRIPTION_MAX, required=True
    )
    address = clean_text(errors, "address", data.address, max_length=ADDRESS_MAX, required=False)
    check_location(errors, data.latitude, data.longitude, service_area)
    category = await _find_category(errors, data)
    if errors or category is None or title is None or description is None:
        raise DomainError(*errors)

    route = await route_report(category, data.latitude, data.longitude)
    now = utcnow()
    for attempt in range(_CODE_ATTEMPTS):
        try:
            async with in_transaction() as connection:
                report = await Report.create(
                    code=new_public_code(),
                    title=title,
                    description=description,
                    category=category,
                    agency_id=route.agency_id,
                    area_id=route.area_id,
                    latitude=data.latitude,
                    longitude=data.longitude,
                    address=address,
                    status=ReportStatus.SUBMITTED,
                    reporter=reporter,
                    created_at=now,
                    updated_at=now,
                    acknowledge_due_at=now + timedelta(hours=category.response_hours),
                    due_at=now + timedelta(hours=category.resolution_hours),
                    using_db=connection,
                )
                await record_event(
                    connection,
                    report,
                    EventKind.FILED,
                    actor=reporter,
                    at=now,
                    to_status=ReportStatus.SUBMITTED,
                    data={"agencyId": route.agency_id, "areaId": route.area_id},
                )
                if claim is not None:
                    await idempotency.record(connection, claim, report, now)
            return report
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
    query = (
        Category.filter(id=data.category_id)
        if data.category_id is not None
        else Category.filter(code=(data.category_code or "").strip().upper())
    )
    category = await query.first()
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
