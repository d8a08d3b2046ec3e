"""What each field the compiled path knows answers, from a row: the general path's rules
(schema.reports, schema.directory, schema.report_pages) as functions of (source, request).

Sources: a report row, a category or agency row, a place as (lat, lon), a page, an edge as
(row, order), an event row (a timeline entry or a comment), and a map cluster, its category
counts and a heatmap cell (schema.clusters' objects). A type or field missing here is not
compiled: its documents take the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models import ReportStatus
from models.lifecycle import PUBLIC_GROUP, TRANSITIONS
from resolvers.clusters import categories_in_range
from resolvers.errors import DomainError
from resolvers.privacy import public_point, sees_moderated, shows_exact_place, text_as_seen, timeline_as_seen
from resolvers.report_queries import ReportOrder, ReportPage, check_page_size, encode_cursor
from schema.context import Context
from schema.ids import to_global_id
from schema.reports import by_reporter, comment_body, comment_rows, lateness_of, private_to

Row = dict[str, Any]


@dataclass
class Request:
    """What answering one request needs besides the rows: the caller, and the directory rows."""

    context: Context
    categories: dict[int, Row] = field(default_factory=dict)
    agencies: dict[int, Row] = field(default_factory=dict)
    events: dict[int, list[Row]] = field(default_factory=dict)  # every event, by report id
    seen_events: dict[int, list[Row]] = field(default_factory=dict)  # as this caller sees them
    arguments: list[dict[str, Any]] = field(default_factory=list)  # per argument slot of the plan
    argument_fields: tuple[str, ...] = ()  # the field of each slot

    def largest(self, field_name: str, argument: str) -> int:
        """The largest value of `argument` any `field_name` of the answer asks for, else 0."""
        slots = zip(self.argument_fields, self.arguments, strict=True)
        return max((given[argument] for name, given in slots if name == field_name), default=0)


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


@dataclass(frozen=True)
class WithArguments:
    """A field with arguments: the plan coerces them for each request (defaults filled in, as
    GraphQL names) and passes them on; arguments `valid` refuses send the request to the general
    path, which answers with its own error."""

    answer: Callable[[Any, Request, dict[str, Any]], Any]
    valid: Callable[[dict[str, Any]], bool]


def column(name: str) -> Get:
    return Column(name)


def global_id(type_name: str) -> Get:
    return lambda row, _request: to_global_id(type_name, row["id"])


def _private(row: Row, request: Request) -> bool:
    return private_to(request.context, row["id"], agency_id=row["agency_id"], reporter_id=row["reporter_id"])


def _shows_exact(row: Row, request: Request) -> bool:
    """As `Report.as_seen`: exact for those who see private details, else by the category now.
    Whether the caller sees private details is asked only where the category is sensitive: the
    rule does not depend on it elsewhere, and asking costs more than the rest of the row."""
    category = request.categories.get(row["category_id"])
    sensitive = bool(category and category["is_sensitive"])
    return shows_exact_place(is_sensitive=sensitive, private=sensitive and _private(row, request))


def _location(row: Row, request: Request) -> tuple[float, float]:
    if _shows_exact(row, request):
        return row["latitude"], row["longitude"]
    return public_point(True, row["latitude"], row["longitude"])


def _address(row: Row, request: Request) -> str | None:
    if row["address"] is None:
        return None
    return row["address"] if _shows_exact(row, request) else None


def _text(column: str) -> Get:
    """A report's title or description as `Report.title` shows it (resolvers.privacy's rule)."""
    state = f"{column}_moderation"

    def seen(row: Row, request: Request) -> str:
        if row[state] is None:  # as written, for everyone: the common case, without building the question
            return row[column]
        return text_as_seen(
            row[column],
            row[state],
            sees_moderated=lambda: sees_moderated(request.context.principal, agency_id=row["agency_id"]),
        )

    return seen


def _status(row: Row) -> ReportStatus:
    status = row["status"]
    return status if status.__class__ is ReportStatus else ReportStatus(status)  # pages hold members


def _lateness(row: Row, request: Request) -> Any:
    return lateness_of(_status(row), row["acknowledge_due_at"], row["due_at"], request.context)


def _last_valid(arguments: dict[str, Any]) -> bool:
    try:
        check_page_size(arguments["last"], "last")
    except DomainError:
        return False
    return True


def _timeline(row: Row, request: Request) -> list[Row]:
    """The report's events as the caller sees them (`Report._visible_events`), once per report."""
    seen = request.seen_events.get(row["id"])
    if seen is None:
        events = request.events[row["id"]]
        seen = timeline_as_seen(events, request.context.principal, agency_id=row["agency_id"])
        request.seen_events[row["id"]] = seen
    return seen


REPORT: dict[str, Get | WithArguments] = {
    "id": global_id("Report"),
    "code": column("code"),
    "title": _text("title"),
    "description": _text("description"),
    "status": lambda row, _r: _status(row),
    "publicGroup": lambda row, _r: PUBLIC_GROUP[_status(row)],
    "statusReason": column("status_reason"),
    "createdAt": column("created_at"),
    "updatedAt": column("updated_at"),
    "acknowledgedAt": column("acknowledged_at"),
    "resolvedAt": column("resolved_at"),
    "closedAt": column("closed_at"),
    "acknowledgeDueAt": column("acknowledge_due_at"),
    "dueAt": column("due_at"),
    "allowedStatuses": lambda row, _r: _ALLOWED[_status(row)],
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
    "timeline": WithArguments(lambda row, r, a: _timeline(row, r)[-a["last"] :], _last_valid),
    "comments": WithArguments(lambda row, r, a: comment_rows(_timeline(row, r))[-a["last"] :], _last_valid),
}

# A timeline entry and a comment, from an event row as the caller sees it (`_timeline`).
EVENT: dict[str, Get] = {
    "id": global_id("ReportEvent"),
    "cursor": lambda row, _r: str(row["id"]),
    "kind": column("kind"),
    "fromStatus": column("from_status"),
    "toStatus": column("to_status"),
    "note": column("note"),
    "createdAt": column("created_at"),
    "isInternal": column("is_internal"),
}

COMMENT: dict[str, Get] = {
    "id": global_id("ReportEvent"),
    "body": lambda row, _r: comment_body(row),
    "isInternal": column("is_internal"),
    "byReporter": lambda row, _r: by_reporter(row),
    "createdAt": column("created_at"),
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


# Map clusters, from schema.clusters' own objects (`clusters_of`: the general path's answer).
def _first_valid(arguments: dict[str, Any]) -> bool:
    return categories_in_range(arguments["first"])  # else the general path's error


REPORT_CLUSTER: dict[str, Get | WithArguments] = {
    "key": lambda cluster, _r: cluster.key,
    "count": lambda cluster, _r: cluster.count,
    "centroid": lambda cluster, _r: (cluster.centroid.lat, cluster.centroid.lon),
    "waiting": lambda cluster, _r: cluster.waiting,
    "inProcess": lambda cluster, _r: cluster.in_process,
    "done": lambda cluster, _r: cluster.done,
    "byCategory": WithArguments(lambda cluster, _r, a: cluster.categories[: a["first"]], _first_valid),
}

CATEGORY_COUNT: dict[str, Get] = {
    "categoryId": lambda counted, _r: counted.category_id,
    "categoryCode": lambda counted, _r: counted.category_code,
    "count": lambda counted, _r: counted.count,
}


HEAT_CELL: dict[str, Get] = {
    "key": lambda cell, _r: cell.key,
    "point": lambda cell, _r: (cell.point.lat, cell.point.lon),
    "count": lambda cell, _r: cell.count,
    "weight": lambda cell, _r: cell.weight,
}


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
    "title": ("title", "title_moderation", "agency_id"),
    "description": ("description", "description_moderation", "agency_id"),
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
    "timeline": ("id", "agency_id"),
    "comments": ("id", "agency_id"),
}

BY_TYPE: dict[str, Mapping[str, Get | WithArguments]] = {
    "Report": REPORT,
    "ReportEvent": EVENT,
    "Comment": COMMENT,
    "Category": CATEGORY,
    "Agency": AGENCY,
    "Location": LOCATION,
    "ReportConnection": CONNECTION,
    "ReportEdge": EDGE,
    "PageInfo": PAGE_INFO,
    "ReportCluster": REPORT_CLUSTER,
    "CategoryCount": CATEGORY_COUNT,
    "HeatCell": HEAT_CELL,
}

# Fields reading the directory rows, loaded for the page in two queries when the plan uses them.
READS_CATEGORIES = {("Report", "category"), ("Report", "location"), ("Report", "address")}
READS_AGENCIES = {("Report", "agency"), ("Category", "agency")}
# Fields reading the reports' events, loaded for the whole answer in one statement when used.
READS_EVENTS = {("Report", "timeline"), ("Report", "comments")}
