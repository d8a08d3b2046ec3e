"""The SQL behind map clusters: rows of (cell, [category], count, point sums, counts by group).

Two sources answer the same rows. Public maps at a counted zoom (models.map_cells.SUMMARY_ZOOMS)
filtered only by status, category and place read the counts the database keeps per cell: the cells
wholly inside the box from `report_map_cells` (at the coarsest counted zoom, then the ring it
leaves at finer ones), the cells its edges cut through from the reports themselves (their stored
cells make that an index range). Anything else (exact points for an agency or a reporter, other
filters, finer zooms) groups the matching reports directly. Both agree to the report: the counted
cells are the same floors of the same public points.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from tortoise.expressions import Q, RawSQL
from tortoise.functions import Sum
from tortoise.queryset import QuerySet, ValuesQuery

from models import PublicGroup, ReportStatus
from models.lifecycle import statuses_in_group
from models.map_cells import ALL_CATEGORIES, FINEST_ZOOM, SUMMARY_ZOOMS, cell_degrees, cell_of
from resolvers.geo import BoundingBox
from resolvers.raw_sql import default_connection, is_postgres
from resolvers.report_page_sql import status_values
from resolvers.report_queries import ExactPlaces, ReportFilter, filtered_reports

Row = dict[str, Any]
GROUP_COLUMNS = {group: f"n_{group.value.lower()}" for group in PublicGroup}
_COUNTED_FILTERS = {"statuses", "public_groups", "category_ids", "bounding_box"}
LISTED_ROWS = 64  # a rectangle of cells at most this tall names its rows (Cells.sql)


async def cluster_rows(flt: ReportFilter, zoom: int, *, categories: int) -> list[Row]:
    """One row per non-empty cell at `zoom` of what `flt` (its box set) matches, by row then
    column: `at_row`, `at_col`, `count`, `lat_total`, `lon_total`, the counts of GROUP_COLUMNS and,
    when `categories` > 0, `top_categories`: its most frequent categories as `id:count,...` (in no
    order). The database adds up the parts (sources, categories): a city's map by category is some
    2,000 part rows for about a hundred cells."""
    sql, values = await _cell_parts(flt, zoom, by_category=categories > 0)
    connection = default_connection()
    return await connection.execute_query_dict(_per_cell(sql, categories, is_postgres(connection)), values)


async def _cell_parts(flt: ReportFilter, zoom: int, *, by_category: bool) -> tuple[str, list[Any]]:
    """The statement (and its values) of the cells' parts: a cell may come in several rows (by
    category, or from several sources)."""
    box = flt.bounding_box
    assert box is not None
    levels = _counted_levels(flt, zoom)
    parts: list[str] = []
    covered: Cells | None = None  # the part of the box counted so far, at the level before
    for level in levels:
        (row0, col0), (row1, col1) = (
            cell_of(box.min_lat, box.min_lon, level),
            cell_of(box.max_lat, box.max_lon, level),
        )
        # Cells strictly between the edge cells hold only points inside the box (the floors are
        # monotonic), so their counts serve as they are; each finer level counts the ring of cells
        # the coarser one left, and the reports themselves the ring the finest one leaves. A ring
        # is read as strips, each a few ranges of an index (a rectangle with a hole in it would be
        # a scan of every row between its edges).
        inside = Cells(level, row0 + 1, row1 - 1, col0 + 1, col1 - 1)
        if inside.is_empty():
            continue  # a box too small for whole cells at this level
        fresh = [inside] if covered is None else inside.minus(covered.at(level))
        parts.extend(_counted_cells(flt, zoom, strip, by_category) for strip in fresh)
        covered, edges = inside, Cells(level, row0, row1, col0, col1)
    if covered is None:
        return _statement(await _report_cells(flt, zoom, by_category))
    # The edge rows across, the edge columns between them: ranges of the reports' cell indexes,
    # read from the index alone.
    columns = ", ".join(_keys(by_category) + list(_SUMS))  # the counted parts' order
    for strip in edges.minus(covered):
        cells = await _report_cells(flt, zoom, by_category, strip.at(FINEST_ZOOM).condition("public_"))
        parts.append(f"SELECT {columns} FROM ({cells.sql(params_inline=True)}) AS strip")  # noqa: S608 - ours
    # One statement, its numbers (all ours: cells, statuses, category ids) written into the text,
    # so that PostgreSQL plans each part for its own ranges: a prepared statement's generic plan
    # cannot tell a strip one cell wide from the whole city and may pick the wrong index.
    return " UNION ALL ".join(parts), []


def _statement(query: ValuesQuery[Any]) -> tuple[str, list[Any]]:
    """The query's SQL with placeholders, and their values (a user's filter may hold any text)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    return query.query.get_parameterized_sql()  # type: ignore[no-any-return]


_SUMS = ("count", "lat_total", "lon_total", *GROUP_COLUMNS.values())


def _per_cell(parts: str, categories: int, postgres: bool) -> str:
    """The parts added up per cell; with each cell's `categories` largest categories (ties by id)."""
    sums = ", ".join(f"SUM({column}) AS {column}" for column in _SUMS)
    if not categories:
        return f"SELECT at_row, at_col, {sums} FROM ({parts}) AS parts GROUP BY 1, 2 ORDER BY 1, 2"  # noqa: S608 - ours
    concat = "string_agg" if postgres else "group_concat"  # the same aggregate, named twice
    return f"""SELECT at_row, at_col, {sums},
  {concat}(CASE WHEN place <= {int(categories)} THEN category_id || ':' || count END, ',') AS top_categories
FROM (SELECT at_row, at_col, category_id, {sums},
             ROW_NUMBER() OVER (PARTITION BY at_row, at_col ORDER BY SUM(count) DESC, category_id) AS place
      FROM ({parts}) AS parts GROUP BY 1, 2, 3) AS per_category
GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608 - our names and numbers


@dataclass(frozen=True)
class Cells:
    """A rectangle of cells at a zoom, bounds included."""

    level: int
    min_row: int
    max_row: int
    min_col: int
    max_col: int

    def is_empty(self) -> bool:
        return self.min_row > self.max_row or self.min_col > self.max_col

    def at(self, level: int) -> Cells:
        """The same area in the cells of a finer level."""
        shift = level - self.level
        return Cells(
            level,
            self.min_row << shift,
            ((self.max_row + 1) << shift) - 1,
            self.min_col << shift,
            ((self.max_col + 1) << shift) - 1,
        )

    def minus(self, hole: Cells) -> list[Cells]:
        """The rectangle without `hole` (at the same level, within it): the strips below and above
        it, across, and those left and right of it, between them; none empty."""
        strips = [
            replace(self, max_row=hole.min_row - 1),
            replace(self, min_row=hole.max_row + 1),
            replace(self, min_row=hole.min_row, max_row=hole.max_row, max_col=hole.min_col - 1),
            replace(self, min_row=hole.min_row, max_row=hole.max_row, min_col=hole.max_col + 1),
        ]
        return [strip for strip in strips if not strip.is_empty()]

    def condition(self, prefix: str = "") -> Q:
        """Rows whose `{prefix}cell_row/col` lie in the rectangle."""
        bounds: dict[str, Any] = {
            f"{prefix}cell_row__gte": self.min_row,
            f"{prefix}cell_row__lte": self.max_row,
            f"{prefix}cell_col__gte": self.min_col,
            f"{prefix}cell_col__lte": self.max_col,
        }
        return Q(**bounds)

    def sql(self) -> str:
        """The same condition on `cell_row/col` as SQL. A few rows are listed, so that an index on
        (row, column) reads one short range of columns per row instead of every column of every
        row between (PostgreSQL 15 cannot skip through an index by itself)."""
        rows = (
            f"cell_row IN ({', '.join(map(str, range(self.min_row, self.max_row + 1)))})"
            if self.max_row - self.min_row < LISTED_ROWS
            else f"cell_row BETWEEN {self.min_row} AND {self.max_row}"
        )
        return f"{rows} AND cell_col BETWEEN {self.min_col} AND {self.max_col}"


def _counted_levels(flt: ReportFilter, zoom: int) -> list[int]:
    """The counted zooms that serve `zoom` for `flt`, coarsest first; none when the reports must
    be grouped (exact places, filters the counts do not keep, finer zooms)."""
    for field in fields(ReportFilter):
        if field.name in _COUNTED_FILTERS:
            continue
        value = getattr(flt, field.name)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, "", (), [], ExactPlaces()):
            return []
    return sorted(level for level in SUMMARY_ZOOMS if zoom <= level)


def _counted_cells(flt: ReportFilter, zoom: int, cells: Cells, by_category: bool) -> str:
    """The counted rows of `cells` grouped by cell at `zoom`: SQL written here, not built by the
    query builder, which cost more than the rest of a city's map."""
    per_category = by_category or bool(flt.category_ids)
    conditions = [
        f"zoom = {int(cells.level)}",
        cells.sql(),
        "n > 0",
        f"category_id > {ALL_CATEGORIES}" if per_category else f"category_id = {ALL_CATEGORIES}",
    ]
    statuses = status_values(flt)
    if statuses is not None:
        conditions.append(_in_sql("status", [f"'{ReportStatus(status).value}'" for status in statuses]))
    if flt.category_ids:
        conditions.append(_in_sql("category_id", [str(int(category)) for category in flt.category_ids]))
    shift = cells.level - zoom
    terms = {
        "at_row": f"cell_row >> {shift}",
        "at_col": f"cell_col >> {shift}",
        "category_id": "category_id",
        "count": "SUM(n)",
        "lat_total": "SUM(lat_sum)",
        "lon_total": "SUM(lon_sum)",
        **{column: f"SUM({_in_group_sql(group, 'n')})" for group, column in GROUP_COLUMNS.items()},
    }
    columns = ", ".join(f"{terms[name]} AS {name}" for name in [*_keys(by_category), *_SUMS])
    groups = "1, 2, 3" if by_category else "1, 2"
    where = " AND ".join(conditions)
    return f"SELECT {columns} FROM report_map_cells WHERE {where} GROUP BY {groups}"  # noqa: S608 - ours


def _keys(by_category: bool) -> list[str]:
    return ["at_row", "at_col", *(["category_id"] if by_category else [])]


def _in_sql(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(values)})" if values else "1 = 0"  # none matches nothing


async def _report_cells(
    flt: ReportFilter, zoom: int, by_category: bool, strip: Q | None = None
) -> ValuesQuery[Any]:
    """The reports `flt` matches grouped by cell; only those whose public cell lies in `strip`
    when given (a counted map's edge)."""
    query = await filtered_reports(flt)
    exact = _exact_places_sql(flt.exact_places)
    if strip is not None:
        query = query.filter(strip)
    elif exact is None:
        assert flt.bounding_box is not None
        query = query.filter(_public_cells_within(flt.bounding_box))
    postgres = is_postgres(default_connection())
    cells = query.annotate(
        at_row=RawSQL(_visible_cell_sql(exact, "row", zoom, postgres=postgres)),
        at_col=RawSQL(_visible_cell_sql(exact, "col", zoom, postgres=postgres)),
    )
    lat, lon = _visible_point_sql(exact, "latitude"), _visible_point_sql(exact, "longitude")
    return _grouped(cells, by_category, count=_sum("1"), lat=lat, lon=lon, weight="1")


def _grouped(
    cells: QuerySet[Any], by_category: bool, *, count: Sum, lat: str, lon: str, weight: str
) -> ValuesQuery[Any]:
    group_counts = {column: _sum(_in_group_sql(group, weight)) for group, column in GROUP_COLUMNS.items()}
    keys = _keys(by_category)
    return (
        cells.annotate(count=count, lat_total=_sum(lat), lon_total=_sum(lon), **group_counts)
        .group_by(*keys)
        .values(*keys, "count", "lat_total", "lon_total", *group_counts)
    )


def _exact_places_sql(exact_places: ExactPlaces) -> str | None:
    """The condition of the reports whose exact point the caller sees: their agency's and own."""
    conditions = []
    if exact_places.agency_id is not None:
        conditions.append(f"agency_id = {int(exact_places.agency_id)}")
    if exact_places.reporter_id is not None:
        conditions.append(f"reporter_id = {int(exact_places.reporter_id)}")
    return " OR ".join(conditions) or None


def _visible_point_sql(exact: str | None, column: str) -> str:
    """The column of the point the caller sees."""
    return (
        f"public_{column}" if exact is None else f"CASE WHEN {exact} THEN {column} ELSE public_{column} END"
    )


def _visible_cell_sql(exact: str | None, axis: str, zoom: int, *, postgres: bool) -> str:
    """The cell row or column at `zoom` of the point the caller sees: the stored finest public cell
    shifted, or for exact points the same floor computed from the coordinate."""
    public = f"(public_cell_{axis} >> {FINEST_ZOOM - zoom})"
    if exact is None:
        return public
    column, offset = ("latitude", 90) if axis == "row" else ("longitude", 180)
    # Offset to non-negative first, so that SQLite's CAST (which truncates) is a floor too.
    scaled = f"({column} + {offset}) / {cell_degrees(zoom)!r}"
    cell = f"FLOOR({scaled})" if postgres else f"CAST({scaled} AS INTEGER)"
    return f"CASE WHEN {exact} THEN {cell} ELSE {public} END"


def _public_cells_within(box: BoundingBox) -> Q:
    """The finest cells that hold the public points of `box`: an index range; the box's own
    bounds still decide at its edges."""
    (min_row, min_col), (max_row, max_col) = (
        cell_of(box.min_lat, box.min_lon),
        cell_of(box.max_lat, box.max_lon),
    )
    return Cells(FINEST_ZOOM, min_row, max_row, min_col, max_col).condition("public_")


def _sum(sql: str) -> Sum:
    # Tortoise's aggregates take any SQL term at run time; its annotations name only fields.
    return Sum(RawSQL(sql))  # type: ignore[arg-type]


def _in_group_sql(group: PublicGroup, weight: str) -> str:
    statuses = ", ".join(f"'{status.value}'" for status in sorted(statuses_in_group(group)))
    return f"CASE WHEN status IN ({statuses}) THEN {weight} ELSE 0 END"
