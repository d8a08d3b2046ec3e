"""Reading the directory: agencies, categories, areas and people, as plain rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models import Agency, Area, AreaLevel, Category, User

AGENCY_COLUMNS = ("id", "code", "name", "name_en", "phone", "email")
CATEGORY_COLUMNS = (
    "id", "code", "name", "name_en", "agency_id", "response_hours", "resolution_hours",
    "is_emergency", "is_sensitive", "requires_after_photo", "is_active",
    "description", "description_en", "help_text", "help_text_en", "icon", "color", "sort_order",
)  # fmt: skip
AREA_COLUMNS = ("id", "code", "name", "level", "parent_id", "polygon")
USER_COLUMNS = ("id", "name", "role", "agency_id", "phone", "email")

Row = dict[str, Any]

# The directory's lists are answered whole, so each has a size the query cost can count on
# (schema.query_cost): far above a city's (Kupang: 7 agencies, 13 categories, 57 areas).
MAX_AGENCIES = 100
MAX_CATEGORIES = 200
MAX_AREAS = 500


async def list_agencies() -> list[Row]:
    return await Agency.all().order_by("code").limit(MAX_AGENCIES).values(*AGENCY_COLUMNS)


async def list_categories(*, include_inactive: bool = False) -> list[Row]:
    query = Category.all() if include_inactive else Category.filter(is_active=True)
    return await query.order_by("sort_order", "code").limit(MAX_CATEGORIES).values(*CATEGORY_COLUMNS)


async def list_areas(level: AreaLevel | None = None) -> list[Row]:
    query = Area.all() if level is None else Area.filter(level=level)
    return await query.order_by("code").limit(MAX_AREAS).values(*AREA_COLUMNS)


def rows_by_id(rows: list[Row], ids: Sequence[int]) -> list[Row | None]:
    found = {row["id"]: row for row in rows}
    return [found.get(i) for i in ids]


async def agencies_by_id(ids: Sequence[int]) -> list[Row | None]:
    return rows_by_id(await Agency.filter(id__in=list(ids)).values(*AGENCY_COLUMNS), ids)


async def categories_by_id(ids: Sequence[int]) -> list[Row | None]:
    return rows_by_id(await Category.filter(id__in=list(ids)).values(*CATEGORY_COLUMNS), ids)


async def areas_by_id(ids: Sequence[int]) -> list[Row | None]:
    return rows_by_id(await Area.filter(id__in=list(ids)).values(*AREA_COLUMNS), ids)


async def users_by_id(ids: Sequence[int]) -> list[Row | None]:
    return rows_by_id(await User.filter(id__in=list(ids)).values(*USER_COLUMNS), ids)


def agency_row(agency: Agency) -> Row:
    return {column: getattr(agency, column) for column in AGENCY_COLUMNS}


def category_row(category: Category) -> Row:
    return {column: getattr(category, column) for column in CATEGORY_COLUMNS}


def area_row(area: Area) -> Row:
    return {column: getattr(area, column) for column in AREA_COLUMNS}
