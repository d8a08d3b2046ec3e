"""Reading photo rows: a report's photos and photos by id (batched for DataLoaders), one photo by
stored name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.expressions import Q

from models import ReportPhoto
from resolvers.directory_queries import Row, rows_by_id

PHOTO_COLUMNS = (
    "id", "report_id", "kind", "stored_name", "thumbnail_name", "format", "width", "height",
    "byte_size", "created_at", "moderation",
)  # fmt: skip


async def photos_by_report(report_ids: Sequence[int]) -> list[list[Row]]:
    rows = await ReportPhoto.filter(report_id__in=list(report_ids)).order_by("id").values(*PHOTO_COLUMNS)
    grouped: dict[int, list[Row]] = {i: [] for i in report_ids}
    for row in rows:
        grouped[row["report_id"]].append(row)
    return [grouped[i] for i in report_ids]


async def photos_by_id(photo_ids: Sequence[int]) -> list[Row | None]:
    return rows_by_id(await ReportPhoto.filter(id__in=list(photo_ids)).values(*PHOTO_COLUMNS), photo_ids)


async def photo_by_id(photo_id: int) -> Row | None:
    return await ReportPhoto.filter(id=photo_id).first().values(*PHOTO_COLUMNS)


async def photo_to_serve(name: str) -> dict[str, Any] | None:
    """The photo stored under `name` (full size or thumbnail), with what decides who may see it."""
    return (
        await ReportPhoto.filter(Q(stored_name=name) | Q(thumbnail_name=name))
        .first()
        .values(
            "format",
            "moderation",
            agency_id="report__agency_id",
            reporter_id="report__reporter_id",
            is_sensitive="report__category__is_sensitive",
        )
    )
