"""The city admin's edits of the directory: agencies, category routing and targets, area outlines."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from models import Agency, Area, Category, EventKind, Report
from resolvers.area_outlines import MAX_OUTLINE_BYTES, outline_problem
from resolvers.category_look import CategoryLookChanges, apply_look
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.geo import BoundingBox
from resolvers.identity import Principal
from resolvers.permissions import require_city_admin
from resolvers.report_change import ReportChange, report_change
from resolvers.routing import place_reports
from resolvers.timeline import utcnow
from resolvers.validation import clean_text

MAX_TARGET_HOURS = 24 * 90
NO_LOOK_CHANGES = CategoryLookChanges()  # frozen: one shared default is safe


@dataclass(frozen=True)
class CategoryChanges:
    name: str | None = None
    name_en: str | None = None
    agency_id: int | None = None
    response_hours: float | None = None
    resolution_hours: float | None = None
    is_active: bool | None = None
    is_sensitive: bool | None = None
    requires_after_photo: bool | None = None
    look: CategoryLookChanges = NO_LOOK_CHANGES


async def update_category(principal: Principal, category_id: int, changes: CategoryChanges) -> Category:
    """Re-route a category, change its service levels or names. Existing reports keep their
    agency and due times; new filings follow the new settings. A change of sensitivity applies to
    the existing reports at once, in the same transaction: their public places are re-made."""
    require_city_admin(principal)
    async with report_change() as change:
        connection = change.connection
        category = await Category.filter(id=category_id).select_for_update().using_db(connection).first()
        if category is None:
            raise fail(ErrorCode.NOT_FOUND, "Kategori tidak ditemukan", "Category not found", "id")
        was_sensitive = category.is_sensitive
        errors = _apply(category, changes)
        agency = changes.agency_id
        if agency is not None and not await Agency.filter(id=agency).using_db(connection).exists():
            errors.append(
                FieldError(ErrorCode.NOT_FOUND, "Dinas tidak ditemukan", "Agency not found", "agencyId")
            )
        if errors:
            raise DomainError(*errors)
        await category.save(using_db=connection)
        if category.is_sensitive != was_sensitive:
            await place_reports_anew(change, category, principal)
    return category


async def place_reports_anew(change: ReportChange, category: Category, principal: Principal) -> None:
    """Re-make the public place (rounded point, area) of every report of the category after its
    sensitivity changed, each with its event; reports locked in id order (a stable lock order)."""
    now = utcnow()
    of_category = Report.filter(category_id=category.id).using_db(change.connection)
    ids: list[int] = await of_category.values_list("id", flat=True)  # type: ignore[assignment]
    reports = await change.lock_all((report_id, "id") for report_id in ids)
    placements = await place_reports(category.is_sensitive, [(r.latitude, r.longitude) for r in reports])
    for report, placement in zip(reports, placements, strict=True):
        report.public_latitude, report.public_longitude = (
            placement.public_latitude,
            placement.public_longitude,
        )
        report.area_id = placement.area_id
        report.updated_at = now
        await report.save(using_db=change.connection)
        sensitivity = {"isSensitive": category.is_sensitive}
        await change.record(report, EventKind.PLACE_CHANGED, actor=principal.user, at=now, data=sensitivity)


def _apply(category: Category, changes: CategoryChanges) -> list[FieldError]:
    """Set the changed fields; the errors of the values (nothing is set past a wrong target)."""
    errors = apply_look(category, changes.look)
    for field, value in (("name", changes.name), ("nameEn", changes.name_en)):
        if value is not None:
            text = clean_text(errors, field, value, max_length=200, required=True)
            setattr(category, "name" if field == "name" else "name_en", text)
    if changes.agency_id is not None:
        category.agency_id = changes.agency_id
    response = changes.response_hours if changes.response_hours is not None else category.response_hours
    resolution = (
        changes.resolution_hours if changes.resolution_hours is not None else category.resolution_hours
    )
    if not (0 < response <= resolution <= MAX_TARGET_HOURS):
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                "Target tanggapan harus > 0 dan tidak melebihi target penyelesaian",
                f"Targets need 0 < response <= resolution <= {MAX_TARGET_HOURS} hours",
                "responseHours",
            )
        )
    if errors:
        return errors
    category.response_hours, category.resolution_hours = response, resolution
    if changes.is_active is not None:
        category.is_active = changes.is_active
    if changes.is_sensitive is not None:
        category.is_sensitive = changes.is_sensitive
    if changes.requires_after_photo is not None:
        category.requires_after_photo = changes.requires_after_photo
    return errors


async def create_agency(principal: Principal, *, code: str, name: str, name_en: str) -> Agency:
    require_city_admin(principal)
    errors: list[FieldError] = []
    clean_code = (clean_text(errors, "code", code, max_length=32, required=True) or "").upper()
    clean_name = clean_text(errors, "name", name, max_length=200, required=True)
    clean_name_en = clean_text(errors, "nameEn", name_en, max_length=200, required=True)
    if errors or clean_name is None or clean_name_en is None:
        raise DomainError(*errors)
    try:
        return await Agency.create(code=clean_code, name=clean_name, name_en=clean_name_en)
    except IntegrityError as exc:
        raise fail(
            ErrorCode.INVALID_INPUT, "Kode dinas sudah dipakai", "This agency code exists", "code"
        ) from exc


async def set_area_outline(
    principal: Principal, area_id: int, geojson: str | None, frame: BoundingBox
) -> Area:
    """Load (or clear) an area's GeoJSON outline; reports filed inside it are routed to it."""
    require_city_admin(principal)
    area = await Area.filter(id=area_id).first()
    if area is None:
        raise fail(ErrorCode.NOT_FOUND, "Wilayah tidak ditemukan", "Area not found", "id")
    if geojson is not None:
        if len(geojson) > MAX_OUTLINE_BYTES:
            raise fail(
                ErrorCode.TOO_LONG, "Batas wilayah terlalu besar", "The outline is too large", "geojson"
            )
        try:
            problem = outline_problem(json.loads(geojson), frame)
        except ValueError:
            problem = ("Batas wilayah bukan JSON", "The outline is not JSON")
        if problem is not None:
            raise fail(ErrorCode.INVALID_INPUT, *problem, "geojson")
    area.polygon = geojson  # type: ignore[assignment]  # a nullable TextField
    await area.save()
    return area
