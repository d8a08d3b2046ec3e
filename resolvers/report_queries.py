"""Finding reports: one filter, keyset pages in a few orders, and lookups by id or code."""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from models import Area, IntakeChannel, PublicGroup, Report, ReportEvent, ReportStatus
from models.lateness import late_condition
from models.reports import EVENT_COLUMNS, REPORT_COLUMNS
from resolvers.directory_queries import Row, rows_by_id
from resolvers.errors import ErrorCode, fail
from resolvers.geo import BoundingBox, Circle
from resolvers.keyset import Keyset
from resolvers.my_reports import RelatedTo
from resolvers.public_code import normalise_public_code
from resolvers.report_page_sql import EVERYTHING, Directory, Reading, page_rows, report_by, status_values
from resolvers.secrets_at_rest import digest
from resolvers.timeline import utcnow

MAX_PAGE_SIZE = 100
MAX_RADIUS_M = 50_000


class ReportOrder(StrEnum):
    NEWEST = "NEWEST"
    OLDEST = "OLDEST"
    DUE_SOONEST = "DUE_SOONEST"
    RECENTLY_UPDATED = "RECENTLY_UPDATED"


# Each order's keyset (the cursor names the order: a NEWEST cursor is refused for OLDEST).
_ORDER_KEYS: dict[ReportOrder, Keyset] = {
    ReportOrder.NEWEST: Keyset(ReportOrder.NEWEST.value, "created_at", True),
    ReportOrder.OLDEST: Keyset(ReportOrder.OLDEST.value, "created_at", False),
    ReportOrder.DUE_SOONEST: Keyset(ReportOrder.DUE_SOONEST.value, "due_at", False),
    ReportOrder.RECENTLY_UPDATED: Keyset(ReportOrder.RECENTLY_UPDATED.value, "updated_at", True),
}


@dataclass(frozen=True)
class ExactPlaces:
    """Reports whose exact place the caller may search by: their agency's and their own."""

    agency_id: int | None = None
    reporter_id: int | None = None

    def condition(self) -> Q | None:
        parts = []
        if self.agency_id is not None:
            parts.append(Q(agency_id=self.agency_id))
        if self.reporter_id is not None:
            # Spelled out non-null: `reporter_id = n` is NULL for anonymous reports, and NOT NULL
            # would drop them from the negated (public) branch of a place filter.
            parts.append(Q(reporter_id=self.reporter_id) & Q(reporter_id__isnull=False))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else parts[0] | parts[1]


@dataclass(frozen=True)
class ReportFilter:
    statuses: Sequence[ReportStatus] = ()
    public_groups: Sequence[PublicGroup] = ()
    category_ids: Sequence[int] = ()
    agency_ids: Sequence[int] = ()
    area_ids: Sequence[int] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    bounding_box: BoundingBox | None = None
    near: Circle | None = None
    text: str | None = None
    overdue: bool | None = None
    assignee_ids: Sequence[int] = ()
    unassigned: bool | None = None
    exact_places: ExactPlaces = ExactPlaces()
    channels: Sequence[IntakeChannel] = ()
    related_to: RelatedTo | None = None  # a citizen's own list: filed, followed or supported

    def with_exact_places(self, exact_places: ExactPlaces) -> ReportFilter:
        return replace(self, exact_places=exact_places)


@dataclass
class ReportPage:
    rows: list[dict[str, Any]]
    has_next_page: bool
    has_previous_page: bool
    _filter: ReportFilter = field(repr=False)
    # The rows' categories and agencies, when asked for and fetched with them (report_page_sql).
    directory: Directory | None = field(default=None, repr=False)

    def cursor(self, row: dict[str, Any], order: ReportOrder) -> str:
        return encode_cursor(order, row)

    async def total_count(self) -> int:
        return await (await filtered_reports(self._filter)).count()


def encode_cursor(order: ReportOrder, row: dict[str, Any]) -> str:
    return _ORDER_KEYS[order].cursor(row)


def check_page_size(size: int, argument: str = "first") -> None:
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise fail(
            ErrorCode.INVALID_PAGE_SIZE,
            f"{argument} harus antara 1 dan {MAX_PAGE_SIZE}",
            f"{argument} must be between 1 and {MAX_PAGE_SIZE}",
            argument,
        )


async def filtered_reports(flt: ReportFilter) -> QuerySet[Report]:
    query = Report.all()
    statuses = status_values(flt)
    if statuses is not None:
        # An empty intersection (status CLOSED in group WAITING) matches nothing.
        query = query.filter(status__in=statuses)
    if flt.category_ids:
        query = query.filter(category_id__in=list(flt.category_ids))
    if flt.agency_ids:
        query = query.filter(agency_id__in=list(flt.agency_ids))
    if flt.area_ids:
        query = query.filter(area_id__in=await with_child_areas(flt.area_ids))
    if flt.created_after:
        query = query.filter(created_at__gte=flt.created_after)
    if flt.created_before:
        query = query.filter(created_at__lt=flt.created_before)
    if flt.bounding_box or flt.near:
        query = _spatially(query, flt)
    if flt.text and flt.text.strip():
        text = flt.text.strip()[:200]
        # Never into text a moderator redacted: a match would tell what the marker hides.
        query = query.filter(
            Q(title__icontains=text, title_moderation__isnull=True)
            | Q(description__icontains=text, description_moderation__isnull=True)
        )
    if flt.assignee_ids:
        query = query.filter(assignee_id__in=list(flt.assignee_ids))
    if flt.unassigned is not None:
        query = query.filter(assignee_id__isnull=flt.unassigned)
    if flt.channels:
        query = query.filter(channel__in=sorted(c.value for c in flt.channels))
    if flt.related_to is not None:
        query = query.filter(flt.related_to.condition())
    if flt.overdue is not None:
        late = late_condition(utcnow())
        query = query.filter(late if flt.overdue else ~late)
    return query


def _spatially(query: QuerySet[Report], flt: ReportFilter) -> QuerySet[Report]:
    """Where-filters search the places the caller may see: exact ones for their agency's and
    their own reports, public (coarsened) ones for the rest, so that a tiny circle cannot
    pinpoint a sensitive report that the caller sees only roughly."""
    public = _place_condition(flt, "public_latitude", "public_longitude")
    privileged = flt.exact_places.condition()
    if flt.near:
        radius = flt.near.radius_m
        query = query.annotate(
            public_distance2=RawSQL(flt.near.squared_distance_sql("public_latitude", "public_longitude")),
            exact_distance2=RawSQL(flt.near.squared_distance_sql("latitude", "longitude")),
        )
        public &= Q(public_distance2__lte=radius * radius)
    if privileged is None:
        return query.filter(public)
    exact = _place_condition(flt, "latitude", "longitude")
    if flt.near:
        exact &= Q(exact_distance2__lte=flt.near.radius_m * flt.near.radius_m)
    return query.filter((privileged & exact) | (~privileged & public))


def _place_condition(flt: ReportFilter, lat: str, lon: str) -> Q:
    condition = Q()
    boxes = [flt.bounding_box] if flt.bounding_box else []
    if flt.near:
        _check_circle(flt.near)
        boxes.append(flt.near.bounding_box())  # cheap, indexable prefilter of the circle
    for box in boxes:
        check_box(box, "boundingBox")
        bounds: dict[str, Any] = {
            f"{lat}__gte": box.min_lat,
            f"{lat}__lte": box.max_lat,
            f"{lon}__gte": box.min_lon,
            f"{lon}__lte": box.max_lon,
        }
        condition &= Q(**bounds)
    return condition


def check_box(box: BoundingBox, field_name: str) -> None:
    """The one check of a rectangle a caller sends (pages, clusters, a circle's prefilter)."""
    if (
        not all(map(math.isfinite, (box.min_lat, box.min_lon, box.max_lat, box.max_lon)))
        or not box.is_valid()
    ):
        raise fail(
            ErrorCode.INVALID_COORDINATES,
            "Kotak batas tidak valid",
            "The bounding box is not a valid rectangle",
            field_name,
        )


def _check_circle(circle: Circle) -> None:
    if not BoundingBox(-90, -180, 90, 180).contains(circle.lat, circle.lon) or not (
        0 < circle.radius_m <= MAX_RADIUS_M
    ):
        raise fail(
            ErrorCode.INVALID_COORDINATES,
            f"Titik tidak valid atau radius di luar 1..{MAX_RADIUS_M} m",
            f"Invalid point, or radius outside 1..{MAX_RADIUS_M} m",
            "near",
        )
    # A circle over a pole or the date line has no rectangle to prefilter with: refused here, before
    # either way of building the page, so the SQL-text path answers as the query builder does.
    check_box(circle.bounding_box(), "near")


async def with_child_areas(area_ids: Sequence[int]) -> list[int]:
    children = await Area.filter(parent_id__in=list(area_ids)).values_list("id", flat=True)
    return sorted(set(area_ids) | {int(area_id) for area_id in children})  # type: ignore[call-overload]


async def report_page(
    flt: ReportFilter, *, first: int, after: str | None, order: ReportOrder, reading: Reading = EVERYTHING
) -> ReportPage:
    """A page in the order asked for; `reading` may narrow the columns (see report_page_sql)."""
    check_page_size(first)
    keyset = _ORDER_KEYS[order]
    position = keyset.position(after) if after else None
    if flt.near:
        _check_circle(flt.near)  # before either way of building the page
    directory = None
    fetched = await page_rows(flt, (keyset.column, keyset.descending), position, first + 1, reading)
    if fetched is not None:
        rows, directory = fetched
    else:  # conditions the SQL shapes do not cover: the query builder
        page_query = await filtered_reports(flt)
        if position is not None:
            page_query = page_query.filter(keyset.after(*position))
        ordered = page_query.order_by(*keyset.ordering())
        rows = await ordered.limit(first + 1).values(*REPORT_COLUMNS)
    return ReportPage(
        rows=rows[:first],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        _filter=flt,
        directory=directory,
    )


async def report_batches(
    flt: ReportFilter, *, order: ReportOrder, size: int
) -> AsyncGenerator[list[dict[str, Any]]]:
    """Every report `flt` matches, in `order`, `size` rows per query: keyset batches as `reports`
    pages walk them, so that reading all of them holds one batch in memory at a time."""
    filtered = await filtered_reports(flt)
    keyset = _ORDER_KEYS[order]
    after: tuple[datetime, int] | None = None
    while True:
        query = filtered if after is None else filtered.filter(keyset.after(*after))
        rows = await query.order_by(*keyset.ordering()).limit(size).values(*REPORT_COLUMNS)
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = rows[-1][keyset.column], rows[-1]["id"]


async def report_by_id(report_id: int) -> dict[str, Any] | None:
    found = await report_by("id", report_id)  # SQL text built once, on PostgreSQL
    if found is not None:
        return found[0] if found else None
    return await Report.filter(id=report_id).first().values(*REPORT_COLUMNS)


async def report_by_code(code: str) -> dict[str, Any] | None:
    normalised = normalise_public_code(code)
    if normalised is None:
        return None
    found = await report_by("code", normalised)
    if found is not None:
        return found[0] if found else None
    return await Report.filter(code=normalised).first().values(*REPORT_COLUMNS)


async def reports_by_codes(codes: Sequence[str]) -> list[dict[str, Any]]:
    """The reports with these public codes, in the order asked, each once; unknown codes left out.
    One query, however many codes."""
    wanted = [c for c in dict.fromkeys(normalise_public_code(code) for code in codes) if c is not None]
    if not wanted:
        return []
    rows = {row["code"]: row for row in await Report.filter(code__in=wanted).values(*REPORT_COLUMNS)}
    return [rows[code] for code in wanted if code in rows]


async def report_by_tracking_token(token: str) -> dict[str, Any] | None:
    if not 20 <= len(token) <= 100:
        return None
    return await Report.filter(tracking_token_hash=digest(token)).first().values(*REPORT_COLUMNS)


async def reports_by_id(ids: Sequence[int]) -> list[Row | None]:
    return rows_by_id(await Report.filter(id__in=list(ids)).values(*REPORT_COLUMNS), ids)


async def events_by_report(report_ids: Sequence[int]) -> list[list[Row]]:
    rows = await ReportEvent.filter(report_id__in=list(report_ids)).order_by("id").values(*EVENT_COLUMNS)
    grouped: dict[int, list[Row]] = {i: [] for i in report_ids}
    for row in rows:
        grouped[row["report_id"]].append(row)
    return [grouped[i] for i in report_ids]


async def events_by_id(event_ids: Sequence[int]) -> list[Row | None]:
    return rows_by_id(await ReportEvent.filter(id__in=list(event_ids)).values(*EVENT_COLUMNS), event_ids)


async def event_by_id(event_id: int) -> Row | None:
    return await ReportEvent.filter(id=event_id).first().values(*EVENT_COLUMNS)
