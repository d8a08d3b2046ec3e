"""The same problem reported again: finding open reports nearby before filing, supporting an
existing report instead of filing it, and merging a duplicate's people into its original."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from models import Category, EventKind, Report, ReportEvent, ReportFollower, ReportSupport, User
from models.lifecycle import OPEN_STATUSES
from resolvers.errors import ErrorCode, fail
from resolvers.geo import Circle
from resolvers.identity import Principal
from resolvers.permissions import require_citizen
from resolvers.privacy import filter_as_seen
from resolvers.report_change import ReportChange, report_change
from resolvers.report_queries import ReportFilter, ReportOrder, report_page
from resolvers.timeline import utcnow

DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 90
MAX_CANDIDATES = 10  # what fileReport returns; the `similarReports` query pages further


def candidate_filter(category: Category, lat: float, lon: float, *, days: int, now: datetime) -> ReportFilter:
    """Open reports of the category within its duplicate radius, filed in the last `days`."""
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise fail(
            ErrorCode.INVALID_INPUT,
            f"Jumlah hari harus 1..{MAX_WINDOW_DAYS}",
            f"days must be 1..{MAX_WINDOW_DAYS}",
            "days",
        )
    return ReportFilter(
        statuses=sorted(OPEN_STATUSES),
        category_ids=[category.id],
        near=Circle(lat, lon, category.duplicate_radius_m),
        created_after=now - timedelta(days=days),
    )


async def support_report(report_id: int, *, principal: Principal) -> tuple[Report, ReportEvent]:
    """One support per citizen; the reporter's own report needs none."""
    require_citizen(principal)
    user = principal.user
    assert user is not None
    try:
        async with report_change() as change:
            connection = change.connection
            report = await change.lock(report_id)
            if report.reporter_id == user.id:
                raise fail(
                    ErrorCode.OWN_REPORT,
                    "Laporan Anda sendiri sudah terhitung",
                    "Your own report already counts",
                    "id",
                )
            if report.status not in OPEN_STATUSES:
                raise fail(
                    ErrorCode.NOT_OPEN,
                    "Laporan ini sudah selesai",
                    "This report is finished; file a new one if the problem is back",
                    "id",
                )
            if await ReportSupport.filter(report_id=report.id, user_id=user.id).using_db(connection).exists():
                raise _already_supported()
            now = utcnow()
            await ReportSupport.create(
                report_id=report.id, user_id=user.id, created_at=now, using_db=connection
            )
            count = await ReportSupport.filter(report_id=report.id).using_db(connection).count()
            event = await change.record(
                report, EventKind.SUPPORTED, actor=user, at=now, data={"supportCount": count}
            )
    except IntegrityError as exc:  # the same citizen twice at once: the unique constraint decides
        raise _already_supported() from exc
    return report, event


def _already_supported() -> Exception:
    return fail(
        ErrorCode.ALREADY_SUPPORTED,
        "Anda sudah mendukung laporan ini",
        "You already support this report",
        "id",
    )


async def merge_into_original(
    change: ReportChange, duplicate: Report, original: Report, *, actor: User | None, at: datetime
) -> dict[str, int]:
    """Move a duplicate's supporters and followers to its original, with the duplicate's reporter
    among them (they reported the same problem). Runs inside the change that marks the duplicate,
    both rows locked by it; writes a DUPLICATE_MERGED event on the original."""
    connection = change.connection
    supporters = await _move(connection, ReportSupport, duplicate, original, include_reporter=True, at=at)
    followers = await _move(
        connection, ReportFollower, duplicate, original, include_reporter=duplicate.reporter_follows, at=at
    )
    moved = {"supportersMoved": supporters, "followersMoved": followers}
    original.updated_at = at
    await original.save(using_db=connection, update_fields=["updated_at"])
    await change.record(
        original,
        EventKind.DUPLICATE_MERGED,
        actor=actor,
        at=at,
        data={"duplicateId": duplicate.id, **moved},
    )
    return moved


async def _move(
    connection: BaseDBAsyncClient,
    model: type[ReportSupport] | type[ReportFollower],
    duplicate: Report,
    original: Report,
    *,
    include_reporter: bool,
    at: datetime,
) -> int:
    """Re-point the duplicate's rows at the original; people already there (or its reporter) are
    not counted twice. Returns how many people the original gained."""
    rows = model.filter(report_id=duplicate.id).using_db(connection)
    people = {int(row["user_id"]) for row in await rows.values("user_id")}
    if include_reporter and duplicate.reporter_id is not None:
        people.add(duplicate.reporter_id)
    there = model.filter(report_id=original.id).using_db(connection)
    present = {int(row["user_id"]) for row in await there.values("user_id")}
    if original.reporter_id is not None:
        present.add(original.reporter_id)
    arriving = sorted(people - present)
    await rows.delete()
    for user_id in arriving:  # a handful of people per duplicate
        await model.create(report_id=original.id, user_id=user_id, created_at=at, using_db=connection)
    return len(arriving)


async def similar_reports(
    category: Category,
    lat: float,
    lon: float,
    *,
    principal: Principal,
    days: int = DEFAULT_WINDOW_DAYS,
    exclude_id: int | None = None,
) -> list[dict[str, Any]]:
    """The newest open candidates, searched where the caller may see them (public places for
    sensitive categories, as every report list does)."""
    flt = filter_as_seen(candidate_filter(category, lat, lon, days=days, now=utcnow()), principal)
    page = await report_page(flt, first=MAX_CANDIDATES + 1, after=None, order=ReportOrder.NEWEST)
    return [row for row in page.rows if row["id"] != exclude_id][:MAX_CANDIDATES]


async def category_by_id_or_code(category_id: int | None, code: str | None) -> Category:
    query = (
        Category.filter(id=category_id)
        if category_id is not None
        else Category.filter(code=(code or "").upper())
    )
    category = await query.first() if (category_id is not None or code) else None
    if category is None:
        raise fail(ErrorCode.UNKNOWN_CATEGORY, "Kategori tidak dikenal", "Unknown category", "category")
    return category
