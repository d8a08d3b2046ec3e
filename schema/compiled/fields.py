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
    # Objects built once per source (plans.BUILT_ONCE_PER_REQUEST), by (builder, id of the source);
    # the sources are kept too, so that no id is reused by another object during the request.
    built: dict[tuple[Any, int], Any] = field(default_factory=dict)
    _built_from: list[Any] = field(default_factory=list)

    def build_once(self, build: Callable[[Any, Request], Any], source: Any) -> Any:
        built = self.built[build, id(source)] = build(source, self)
        self._built_from.append(source)
        return built

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


class Inline:
    """A field read by one Python expression of the source `src` and the request `req`, written
    into each compiled builder as it is: no call per field and row (most fields are one lookup,
    and a call costs more than the lookup). `names`: what the expression refers to."""

    def __init__(self, expression: str, **names: Any) -> None:
        self.expression = expression
        self.names = names
        function = f"lambda src, req: {expression}"
        self._read: Get = eval(compile(function, "<inline field>", "eval"), dict(names))  # noqa: S307 - our text

    def __call__(self, source: Any, request: Request) -> Any:
        return self._read(source, request)


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
    return Inline(f"_global_id({type_name!r}, src['id'])", _global_id=to_global_id)


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
    "status": Inline("_status(src)", _status=_status),
    "publicGroup": Inline("_public_group[_status(src)]", _public_group=PUBLIC_GROUP, _status=_status),
    "statusReason": column("status_reason"),
    "createdAt": column("created_at"),
    "updatedAt": column("updated_at"),
    "acknowledgedAt": column("acknowledged_at"),
    "resolvedAt": column("resolved_at"),
    "closedAt": column("closed_at"),
    "acknowledgeDueAt": column("acknowledge_due_at"),
    "dueAt": column("due_at"),
    "allowedStatuses": Inline("_allowed[_status(src)]", _allowed=_ALLOWED, _status=_status),
    "resolutionOutcome": column("resolution_outcome"),
    "disputeCount": column("dispute_count"),
    "rating": column("rating"),
    "location": _location,
    "address": _address,
    "ratingComment": Inline("src['rating_comment'] if _private(src, req) else None", _private=_private),
    "isOverdue": Inline("_lateness(src, req) is not None", _lateness=_lateness),
    "lateFor": _lateness,
    "category": Inline("req.categories[src['category_id']]"),
    "agency": Inline("req.agencies[src['agency_id']]"),
    "timeline": WithArguments(lambda row, r, a: _timeline(row, r)[-a["last"] :], _last_valid),
    "comments": WithArguments(lambda row, r, a: comment_rows(_timeline(row, r))[-a["last"] :], _last_valid),
}

# A timeline entry and a comment, from an event row as the caller sees it (`_timeline`).
EVENT: dict[str, Get] = {
    "id": global_id("ReportEvent"),
    "cursor": Inline("str(src['id'])"),
    "kind": column("kind"),
    "fromStatus": column("from_status"),
    "toStatus": column("to_status"),
    "note": column("note"),
    "createdAt": column("created_at"),
    "isInternal": column("is_internal"),
}

COMMENT: dict[str, Get] = {
    "id": global_id("ReportEvent"),
    "body": Inline("_comment_body(src)", _comment_body=comment_body),
    "isInternal": column("is_internal"),
    "byReporter": Inline("_by_reporter(src)", _by_reporter=by_reporter),
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
    "agency": Inline("req.agencies[src['agency_id']]"),
}

AGENCY: dict[str, Get] = {
    "id": global_id("Agency"),
    "code": column("code"),
    "name": column("name"),
    "nameEn": column("name_en"),
    "phone": column("phone"),
    "email": column("email"),
}

LOCATION: dict[str, Get] = {"lat": Inline("src[0]"), "lon": Inline("src[1]")}


# Map clusters, from schema.clusters' own objects (`clusters_of`: the general path's answer).
def _first_valid(arguments: dict[str, Any]) -> bool:
    return categories_in_range(arguments["first"])  # else the general path's error


REPORT_CLUSTER: dict[str, Get | WithArguments] = {
    "key": Inline("src.key"),
    "count": Inline("src.count"),
    "centroid": Inline("(src.centroid.lat, src.centroid.lon)"),
    "waiting": Inline("src.waiting"),
    "inProcess": Inline("src.in_process"),
    "done": Inline("src.done"),
    "byCategory": WithArguments(lambda cluster, _r, a: cluster.categories[: a["first"]], _first_valid),
}

CATEGORY_COUNT: dict[str, Get] = {
    "categoryId": Inline("src.category_id"),
    "categoryCode": Inline("src.category_code"),
    "count": Inline("src.count"),
}


HEAT_CELL: dict[str, Get] = {
    "key": Inline("src.key"),
    "point": Inline("(src.point.lat, src.point.lon)"),
    "count": Inline("src.count"),
    "weight": Inline("src.weight"),
}


def _start_cursor(source: PageSource) -> str | None:
    rows = source.page.rows
    return encode_cursor(source.order, rows[0]) if rows else None


def _end_cursor(source: PageSource) -> str | None:
    rows = source.page.rows
    return encode_cursor(source.order, rows[-1]) if rows else None


CONNECTION: dict[str, Get] = {
    "edges": Inline("[(row, src.order) for row in src.page.rows]"),
    "pageInfo": Inline("src"),
}

EDGE: dict[str, Get] = {
    "cursor": Inline("_cursor(src[1], src[0])", _cursor=encode_cursor),
    "node": Inline("src[0]"),
}

PAGE_INFO: dict[str, Get] = {
    "hasNextPage": Inline("src.page.has_next_page"),
    "hasPreviousPage": Inline("src.page.has_previous_page"),
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
