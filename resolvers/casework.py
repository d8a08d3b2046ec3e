"""Changing a report: status, assignment and re-routing, each one unit of work
(resolvers.report_change): the report locked, changed, its event written, committed, announced."""

from __future__ import annotations

from datetime import timedelta

from models import Agency, Category, EventKind, Report, ReportEvent, ReportStatus, ResolutionOutcome, User
from models.lifecycle import OPEN_STATUSES, STATUS_LABELS, can_transition
from resolvers.duplicates import merge_into_original
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.identity import STAFF_ROLES, Principal
from resolvers.permissions import require_can_reroute, require_signed_in, require_works_on
from resolvers.photos import require_after_photo
from resolvers.report_change import ReportChange, report_change
from resolvers.routing import place_report
from resolvers.timeline import utcnow
from resolvers.validation import checked_note

S = ReportStatus


async def update_status(
    report_id: int,
    status: ReportStatus,
    *,
    note: str | None,
    principal: Principal,
    duplicate_of_id: int | None = None,
) -> tuple[Report, ReportEvent]:
    require_signed_in(principal)
    if status is S.REJECTED:
        reason = checked_note("note", note, required=True)
    else:
        reason = checked_note("note", note, required=False)
    async with report_change() as change:
        report, original = await _lock_with_original(change, report_id, status, duplicate_of_id)
        require_works_on(principal, report.agency_id)
        current = report.status
        if not can_transition(current, status):
            raise fail(
                ErrorCode.ILLEGAL_TRANSITION,
                f'Status tidak bisa diubah dari "{STATUS_LABELS[current].id}" '
                f'ke "{STATUS_LABELS[status].id}"',
                f"Cannot change status from {current.value} to {status.value}",
                "status",
            )
        if status is S.DUPLICATE:
            if original is not None:  # the merge writes to the original too: rights on both
                require_works_on(principal, original.agency_id)
            report.duplicate_of_id = _checked_original(report, original, duplicate_of_id)
        if status is S.RESOLVED:
            await require_after_photo(change.connection, report)
        now = utcnow()
        report.status = status
        report.updated_at = now
        if status is S.ACKNOWLEDGED:
            report.acknowledged_at = now
        elif status is S.RESOLVED:
            report.resolved_at = now
        elif status is S.IN_PROGRESS and current is S.RESOLVED:
            report.resolved_at = None  # reopened: the earlier resolution stays in the timeline
        elif status in {S.CLOSED, S.REJECTED, S.DUPLICATE}:
            report.closed_at = now
        if status is S.CLOSED:
            # Staff closing before the reporter answered is not a confirmed fix.
            report.resolution_outcome = (
                ResolutionOutcome.CLOSED_DESPITE_DISPUTE
                if report.dispute_count
                else ResolutionOutcome.CLOSED_BY_STAFF
            )
        if status in {S.REJECTED, S.DUPLICATE}:
            report.status_reason = reason
        await report.save(using_db=change.connection)
        data: dict[str, object] | None = None
        if status is S.DUPLICATE:
            assert original is not None
            moved = await merge_into_original(change, report, original, actor=principal.user, at=now)
            data = {"duplicateOfId": original.id, **moved}
        elif status is S.CLOSED:
            data = {"outcome": report.resolution_outcome}
        event = await change.record(
            report,
            EventKind.STATUS_CHANGED,
            actor=principal.user,
            at=now,
            from_status=current,
            to_status=status,
            note=reason,
            data=data,
        )
    return report, event


async def _lock_with_original(
    change: ReportChange, report_id: int, status: ReportStatus, duplicate_of_id: int | None
) -> tuple[Report, Report | None]:
    """The report and, when it is marked a duplicate, its original: both locked in id order, so
    that two dispatchers marking two reports duplicates of each other cannot deadlock."""
    if status is not S.DUPLICATE or duplicate_of_id is None or duplicate_of_id == report_id:
        return await change.lock(report_id), None
    if not await Report.filter(id=duplicate_of_id).using_db(change.connection).exists():
        return await change.lock(report_id), None  # refused below, once the report's rights are checked
    report, original = await change.lock_all([(report_id, "id"), (duplicate_of_id, "duplicateOfId")])
    return report, original


def _checked_original(report: Report, original: Report | None, duplicate_of_id: int | None) -> int:
    def invalid(message: str, message_en: str) -> DomainError:
        return fail(ErrorCode.INVALID_DUPLICATE, message, message_en, "duplicateOfId")

    if duplicate_of_id is None:
        raise invalid("Laporan asli wajib disebutkan", "A duplicate must name the original report")
    if duplicate_of_id == report.id:
        raise invalid("Laporan tidak bisa menjadi duplikat dirinya", "A report cannot duplicate itself")
    if original is None:
        raise invalid("Laporan asli tidak ditemukan", "The original report does not exist")
    if original.status is S.DUPLICATE:
        raise invalid(
            "Laporan asli juga duplikat; pilih laporan utamanya",
            "The original is itself a duplicate; name the report it duplicates",
        )
    return original.id


async def assign_report(
    report_id: int, assignee_id: int, *, note: str | None, principal: Principal
) -> tuple[Report, ReportEvent]:
    require_signed_in(principal)
    note = checked_note("note", note, required=False)
    async with report_change() as change:
        report = await change.lock(report_id)
        require_works_on(principal, report.agency_id)
        if report.status not in OPEN_STATUSES:
            raise fail(
                ErrorCode.ILLEGAL_TRANSITION,
                "Laporan yang sudah selesai tidak bisa ditugaskan",
                "A finished report cannot be assigned",
                "id",
            )
        assignee = await User.filter(id=assignee_id, is_active=True).using_db(change.connection).first()
        if assignee is None:
            raise fail(ErrorCode.NOT_FOUND, "Petugas tidak ditemukan", "Officer not found", "assigneeId")
        if assignee.role not in STAFF_ROLES:
            raise fail(
                ErrorCode.NOT_STAFF,
                "Hanya petugas yang bisa ditugaskan",
                "Only staff can be assigned",
                "assigneeId",
            )
        if assignee.agency_id != report.agency_id:
            raise fail(
                ErrorCode.WRONG_AGENCY,
                "Petugas bukan dari dinas yang menangani laporan ini",
                "The officer does not belong to the agency handling this report",
                "assigneeId",
            )
        if report.assignee_id == assignee.id:
            raise fail(
                ErrorCode.NOTHING_CHANGED,
                "Laporan sudah ditugaskan ke petugas ini",
                "The report is already assigned to this officer",
                "assigneeId",
            )
        now = utcnow()
        previous = report.assignee_id
        report.assignee_id = assignee.id
        report.updated_at = now
        await report.save(using_db=change.connection)
        event = await change.record(
            report,
            EventKind.ASSIGNED,
            actor=principal.user,
            at=now,
            note=note,
            data={"assigneeId": assignee.id, "previousAssigneeId": previous},
        )
    return report, event


async def reroute_report(
    report_id: int,
    *,
    category_id: int | None,
    agency_id: int | None,
    reason: str | None,
    principal: Principal,
) -> tuple[Report, ReportEvent]:
    require_signed_in(principal)
    reason = checked_note("reason", reason, required=True)
    if category_id is None and agency_id is None:
        raise fail(
            ErrorCode.REQUIRED,
            "Pilih kategori atau dinas tujuan",
            "Give a new category or a new agency",
            "categoryId",
        )
    async with report_change() as change:
        connection = change.connection
        report = await change.lock(report_id)
        require_can_reroute(principal, report.agency_id)
        if report.status not in OPEN_STATUSES:
            raise fail(
                ErrorCode.ILLEGAL_TRANSITION,
                "Laporan yang sudah selesai tidak bisa dialihkan",
                "A finished report cannot be re-routed",
                "id",
            )
        category = await Category.filter(id=category_id or report.category_id).using_db(connection).first()
        if category is None:
            raise fail(ErrorCode.UNKNOWN_CATEGORY, "Kategori tidak dikenal", "Unknown category", "categoryId")
        target_agency_id = agency_id if agency_id is not None else category.agency_id
        if not await Agency.filter(id=target_agency_id).using_db(connection).exists():
            raise fail(ErrorCode.NOT_FOUND, "Dinas tidak ditemukan", "Agency not found", "agencyId")
        if category.id == report.category_id and target_agency_id == report.agency_id:
            raise fail(
                ErrorCode.NOTHING_CHANGED,
                "Laporan sudah berada di kategori dan dinas ini",
                "The report already has this category and agency",
                "categoryId",
            )
        now = utcnow()
        data = {
            "fromCategoryId": report.category_id,
            "toCategoryId": category.id,
            "fromAgencyId": report.agency_id,
            "toAgencyId": target_agency_id,
        }
        if target_agency_id != report.agency_id:
            report.assignee_id = None  # the officer belonged to the agency that let it go
        report.category_id = category.id
        report.agency_id = target_agency_id
        placement = await place_report(category.is_sensitive, report.latitude, report.longitude)
        report.public_latitude, report.public_longitude = (
            placement.public_latitude,
            placement.public_longitude,
        )
        report.area_id = placement.area_id
        report.acknowledge_due_at = report.created_at + timedelta(hours=category.response_hours)
        report.due_at = report.created_at + timedelta(hours=category.resolution_hours)
        report.updated_at = now
        await report.save(using_db=connection)
        event = await change.record(
            report, EventKind.REROUTED, actor=principal.user, at=now, note=reason, data=data
        )
    return report, event
