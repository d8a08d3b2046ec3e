"""What each field the compiled path knows answers, from a row: the general path's rules
(schema.reports, schema.directory, schema.report_pages) as functions of (source, request).

Sources: a report row, a category or agency row, a place as (lat, lon), a page, and an edge as
(row, order). A type or field missing here is not compiled: its documents take the general path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models import ReportStatus
from models.lifecycle import PUBLIC_GROUP, TRANSITIONS
from resolvers.privacy import public_point, shows_exact_place
from resolvers.report_queries import ReportOrder, ReportPage, encode_cursor
from schema.context import Context
from schema.ids import to_global_id
from schema.reports import lateness_of, private_to

Row = dict[str, Any]


@dataclass
class Request:
    """What answering one request needs besides the rows: the caller, and the directory rows."""

    context: Context
    categories: dict[int, Row] = field(default_factory=dict)
    agencies: dict[int, Row] = field(default_factory=dict)


@dataclass(frozen=True)
class PageSource:
    page: ReportPage
    order: ReportOrder


Get = Callable[[Any, Request], Any]

_STATUS_ORDER = list(ReportStatus)
_ALLOWED = {status: sorted(TRANSITIONS[status], key=_STATUS_ORDER.index) for status in ReportStatus}


@dataclass(frozen=True)
class Column:
    """A field that is a column of its row as it is: compiled plans read it inline."""

    name: str

    def __call__(self, row: Row, _request: Request) -> Any:
        return row[self.name]


def column(name: str) -> Get:
    return Column(name)


def global_id(type_name: str) -> Get:
    return lambda row, _request: to_global_id(type_name, row["id"])


def _private(row: Row, request: Request) -> bool:
    return private_to(request.context, row["id"], agency_id=row["agency_id"], reporter_id=row["reporter_id"])


def _shows_exact(row: Row, request: Request) -> bool:
    """As `Report.as_seen`: exact for those who see private details, else by the category now."""
    if _private(row, request):
        return True
    category = request.categories.get(row["category_id"])
    return shows_exact_place(is_sensitive=bool(category and category["is_sensitive"]), private=False)


def _location(row: Row, request: Request) -> tuple[float, float]:
    if _shows_exact(row, request):
        return row["latitude"], row["longitude"]
    return public_point(True, row["latitude"], row["longitude"])


def _address(row: Row, request: Request) -> str | None:
    if row["address"] is None:
        return None
    return row["address"] if _shows_exact(row, request) else None


def _lateness(row: Row, request: Request) -> Any:
    status = ReportStatus(row["status"])
    return lateness_of(status, row["acknowledge_due_at"], row["due_at"], request.context)


REPORT: dict[str, Get] = {
    "id": global_id("Report"),
    "code": column("code"),
    "title": column("title"),
    "description": column("description"),
    "status": lambda row, _r: ReportStatus(row["status"]),
    "publicGroup": lambda row, _r: PUBLIC_GROUP[ReportStatus(row["status"])],
    "statusReason": column("status_reason"),
    "createdAt": column("created_at"),
    "updatedAt": column("updated_at"),
    "acknowledgedAt": column("acknowledged_at"),
    "resolvedAt": column("resolved_at"),
    "closedAt": column("closed_at"),
    "acknowledgeDueAt": column("acknowledge_due_at"),
    "dueAt": column("due_at"),
    "allowedStatuses": lambda row, _r: _ALLOWED[ReportStatus(row["status"])],
    "resolutionOutcome": column("resolution_outcome"),
    "disputeCount": column("dispute_count"),
    "rating": column("rating"),
    "location": _location,
    "address": _address,
    "ratingComment": lambda row, r: row["rating_comment"] if _private(row, r) else None,
    "isOverdue": lambda row, r: _lateness(row, r) is not None,
    "lateFor": _lateness,
    "category": lambda row, r: r.categories[row["category_id"]],
    "agency": lambda row, r: r.agencies[row["agency_id"]],
}

CATEGORY: dict[str, Get] = {
    "id": global_id("Category"),
    "code": column("code"),
    "name": column("name"),
    "nameEn": column("name_en"),
    "responseHours": column("response_hours"),
    "resolutionHours": column("resolution_hours"),
    "isEmergency": column("is_emergency"),
    "isSensitive": column("is_sensitive"),
    "requiresAfterPhoto": column("requires_after_photo"),
    "isActive": column("is_active"),
    "agency": lambda row, r: r.agencies[row["agency_id"]],
}

AGENCY: dict[str, Get] = {
    "id": global_id("Agency"),
    "code": column("code"),
    "name": column("name"),
    "nameEn": column("name_en"),
    "phone": column("phone"),
    "email": column("email"),
}

LOCATION: dict[str, Get] = {"lat": lambda place, _r: place[0], "lon": lambda place, _r: place[1]}


def _cursor(edge: tuple[Row, ReportOrder]) -> str:
    return encode_cursor(edge[1], edge[0])


def _edges(source: PageSource) -> list[tuple[Row, ReportOrder]]:
    return [(row, source.order) for row in source.page.rows]


def _start_cursor(source: PageSource) -> str | None:
    rows = source.page.rows
    return encode_cursor(source.order, rows[0]) if rows else None


def _end_cursor(source: PageSource) -> str | None:
    rows = source.page.rows
    return encode_cursor(source.order, rows[-1]) if rows else None


CONNECTION: dict[str, Get] = {
    "edges": lambda source, _r: _edges(source),
    "pageInfo": lambda source, _r: source,
}

EDGE: dict[str, Get] = {"cursor": lambda edge, _r: _cursor(edge), "node": lambda edge, _r: edge[0]}

PAGE_INFO: dict[str, Get] = {
    "hasNextPage": lambda source, _r: source.page.has_next_page,
    "hasPreviousPage": lambda source, _r: source.page.has_previous_page,
    "startCursor": lambda source, _r: _start_cursor(source),
    "endCursor": lambda source, _r: _end_cursor(source),
}

# The report columns each computed Report field reads (a Column reads its own).
_PRIVACY = ("id", "agency_id", "reporter_id")
_PLACE = (*_PRIVACY, "category_id", "latitude", "longitude")
REPORT_READS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "status": ("status",),
    "publicGroup": ("status",),
    "allowedStatuses": ("status",),
    "location": _PLACE,
    "address": ("address", *_PLACE),
    "ratingComment": ("rating_comment", *_PRIVACY),
    "isOverdue": ("status", "acknowledge_due_at", "due_at"),
    "lateFor": ("status", "acknowledge_due_at", "due_at"),
    "category": ("category_id",),
    "agency": ("agency_id",),
}

BY_TYPE: dict[str, dict[str, Get]] = {
    "Report": REPORT,
    "Category": CATEGORY,
    "Agency": AGENCY,
    "Location": LOCATION,
    "ReportConnection": CONNECTION,
    "ReportEdge": EDGE,
    "PageInfo": PAGE_INFO,
}

# Fields reading the directory rows, loaded for the page in two queries when the plan uses them.
READS_CATEGORIES = {("Report", "category"), ("Report", "location"), ("Report", "address")}
READS_AGENCIES = {("Report", "agency"), ("Category", "agency")}
