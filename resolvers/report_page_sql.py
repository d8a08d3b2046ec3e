"""Pages of reports on PostgreSQL with SQL text built once per shape of filter, not through the
query builder on every request (it cost about a millisecond of CPU per page).

Only the filters that are plain column conditions, and circles searched by public places, have a
shape here; pages filtered by area, box, text, time or lateness, circles searched by exact places
too, and every page on SQLite, are built by `report_queries` as before.
The rows are those of `report_queries.report_page` (the same columns, enums as enums).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields, replace
from functools import lru_cache
from typing import Any

from models import IntakeChannel, ReportStatus, ResolutionOutcome
from models.lifecycle import statuses_in_group
from models.reports import REPORT_COLUMNS
from resolvers import read_statements
from resolvers.directory_queries import Row
from resolvers.directory_snapshot import STAMP_SQL, directory_as_of
from resolvers.geo import METRES_PER_DEGREE_LAT
from resolvers.raw_sql import default_connection, is_postgres

# order name -> (column, descending), as report_queries orders pages
Order = tuple[str, bool]


@dataclass(frozen=True)
class Shape:
    """Which conditions a page has: one SQL text per shape, its values bound per request."""

    order: Order
    after: bool
    statuses: bool
    # How many ids each list condition has: 0 (none), 1 (one) or 2 (several). One id is written
    # `= $n`: a prepared statement's generic plan cannot see the size of `= ANY($n)`, and picked
    # the order's index over an officer's own (assignee_id, due_at) one, ~100x slower for myQueue.
    categories: int
    agencies: int
    assignees: int
    unassigned: bool | None
    near: bool
    reading: Reading


@dataclass(frozen=True)
class Reading:
    """What a caller reads of a page: which report columns (fewer to decode), and whether the
    categories and agencies its reports name too (resolvers.directory_snapshot, by the stamp the
    page statement reads)."""

    columns: tuple[str, ...] = REPORT_COLUMNS
    directory: bool = False

    def with_keys(self, order_column: str) -> Reading:
        """With the columns every page needs: its key, and the ids of its directory rows."""
        needed = ("id", order_column, *(("category_id", "agency_id") if self.directory else ()))
        return replace(self, columns=tuple(dict.fromkeys((*self.columns, *needed))))


EVERYTHING = Reading()


Directory = tuple[dict[int, Row], dict[int, Row]]  # categories by id, agencies by id
_STATUSES = {status.value: status for status in ReportStatus}  # a lookup, cheaper than the enum's call


# The conditions a shape can carry. Any other condition of the filter, including one added to
# ReportFilter later, sends the page to the query builder: a shape never drops a condition.
PLAIN_FIELDS = frozenset(
    {"statuses", "public_groups", "category_ids", "agency_ids", "assignee_ids", "unassigned", "exact_places"}
)


def plain_conditions(flt: Any) -> bool:
    """Whether every condition of the filter is a plain column condition (a shape here). A circle
    is one when the caller searches every report by its public place (no exact places of their
    own: anonymous callers, partners, the wall); report_queries has checked the circle."""
    for condition in fields(flt):
        value = getattr(flt, condition.name)
        if condition.name in PLAIN_FIELDS or (condition.name == "text" and not (value and value.strip())):
            continue
        if condition.name == "near" and flt.exact_places.condition() is None:
            continue
        default = condition.default if condition.default_factory is MISSING else condition.default_factory()
        if isinstance(value, list | tuple) and not value and default == ():
            continue  # an empty list from the API's filter: no condition, as the default
        if value != default:
            return False
    return True


def status_values(flt: Any) -> list[str] | None:
    """The statuses asked for, by status and public group (an empty list matches nothing)."""
    statuses: set[ReportStatus] | None = set(flt.statuses) if flt.statuses else None
    if flt.public_groups:
        grouped = set().union(*(statuses_in_group(group) for group in flt.public_groups))
        statuses = grouped if statuses is None else statuses & grouped
    return None if statuses is None else sorted(status.value for status in statuses)


def _arity(ids: Any) -> int:
    return min(len(ids), 2) if ids else 0


@lru_cache(maxsize=256)
def page_sql(shape: Shape) -> str:
    column, descending = shape.order
    conditions: list[str] = []
    numbered = 0

    def parameter() -> str:
        nonlocal numbered
        numbered += 1
        return f"${numbered}"

    if shape.statuses:
        conditions.append(f"status = ANY({parameter()}::text[])")
    for column_name, arity in (
        ("category_id", shape.categories),
        ("agency_id", shape.agencies),
        ("assignee_id", shape.assignees),
    ):
        if arity == 1:
            conditions.append(f"{column_name} = {parameter()}")
        elif arity:
            conditions.append(f"{column_name} = ANY({parameter()}::int[])")
    if shape.unassigned is not None:
        conditions.append(f"assignee_id IS {'' if shape.unassigned else 'NOT '}NULL")
    if shape.near:  # as report_queries searches public places: the circle's box, then its distance
        box = [parameter() for _ in range(4)]
        lat, ky, lon, kx, radius2 = (parameter() for _ in range(5))
        conditions.append(
            f"public_latitude >= {box[0]} AND public_latitude <= {box[1]} AND public_longitude >= {box[2]}"
            f" AND public_longitude <= {box[3]} AND ((public_latitude - {lat}) * {ky})"
            f" * ((public_latitude - {lat}) * {ky}) + ((public_longitude - {lon}) * {kx})"
            f" * ((public_longitude - {lon}) * {kx}) <= {radius2}"
        )
    if shape.after:
        op = "<" if descending else ">"
        value, row_id = parameter(), parameter()
        conditions.append(f"({column} {op} {value} OR ({column} = {value} AND id {op} {row_id}))")
    direction = "DESC" if descending else "ASC"
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # With the directory, its stamp, read in the page's snapshot: resolvers.directory_snapshot
    # answers the categories and agencies from this process's copy where the stamp says it is current.
    stamp = f", {STAMP_SQL} AS directory_stamp" if shape.reading.directory else ""
    return (
        f"SELECT {', '.join(shape.reading.columns)}{stamp} FROM reports{where} "  # noqa: S608 - our names; values bound
        f"ORDER BY {column} {direction}, id {direction} LIMIT {parameter()}"
    )


async def page_rows(
    flt: Any, order: Order, after: tuple[Any, int] | None, limit: int, reading: Reading = EVERYTHING
) -> tuple[list[Row], Directory | None] | None:
    """The rows of the page (the columns `reading` names), and when it asks for them the categories
    and agencies as the page's snapshot sees them (the process's copy, shared by every request:
    read it, never change it); None where `report_queries` builds this page itself (all columns)."""
    connection = default_connection()
    if not is_postgres(connection) or not plain_conditions(flt):
        return None
    if after is not None and getattr(after[0], "tzinfo", None) is None:
        return None  # a hand-made cursor without a zone: the query builder reads it in its own zone
    reading = reading.with_keys(order[0])
    statuses = status_values(flt)
    shape = Shape(
        order=order,
        after=after is not None,
        statuses=statuses is not None,
        categories=_arity(flt.category_ids),
        agencies=_arity(flt.agency_ids),
        assignees=_arity(flt.assignee_ids),
        unassigned=flt.unassigned,
        near=flt.near is not None,
        reading=reading,
    )
    values: list[Any] = []
    if statuses is not None:
        values.append(statuses)
    for ids in (flt.category_ids, flt.agency_ids, flt.assignee_ids):
        if ids:
            values.append(ids[0] if len(ids) == 1 else list(ids))
    if flt.near is not None:
        circle, box = flt.near, flt.near.bounding_box()
        values += [box.min_lat, box.max_lat, box.min_lon, box.max_lon]
        values += [circle.lat, METRES_PER_DEGREE_LAT, circle.lon, circle.metres_per_degree_lon]
        values.append(circle.radius_m * circle.radius_m)
    if after is not None:
        values += list(after)
    values.append(limit)
    records = await read_statements.fetch(connection, page_sql(shape), values)
    columns = reading.columns
    width = len(columns)
    rows = [_report_row(columns, record[:width]) for record in records]
    if not reading.directory:
        return rows, None
    if not records:
        return rows, ({}, {})
    return rows, await directory_as_of(connection, records[0]["directory_stamp"])


def _report_row(columns: tuple[str, ...], values: Any) -> Row:
    """A report's row as the query builder gives it: its enums as members."""
    row = dict(zip(columns, values, strict=True))
    if "status" in row:
        row["status"] = _STATUSES[row["status"]]
    if row.get("resolution_outcome") is not None:
        row["resolution_outcome"] = ResolutionOutcome(row["resolution_outcome"])
    if row.get("channel") is not None:
        row["channel"] = IntakeChannel(row["channel"])
    return row


# A report by a unique column (its id or its public code): every column, one statement.
_REPORT_BY = {
    column: f"SELECT {', '.join(REPORT_COLUMNS)} FROM reports WHERE {column} = $1"  # noqa: S608 - our names
    for column in ("id", "code")
}


async def report_by(column: str, value: int | str) -> list[Row] | None:
    """The report whose `column` ("id" or "code") is `value`: a list of it or of none; None on
    SQLite, where `report_queries` reads it with the query builder."""
    connection = default_connection()
    if not is_postgres(connection):
        return None
    records = await read_statements.fetch(connection, _REPORT_BY[column], [value])
    return [_report_row(REPORT_COLUMNS, record) for record in records]
