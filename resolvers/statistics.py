"""The command center's numbers, computed in SQL: counts by status and outcome, median times to
acknowledge and to resolve, the share resolved within target, the average rating, a daily series
in the city's timezone, and a league table of agencies.

A window selects the reports *filed* in [start, end) (UTC); the daily series also counts the
resolutions that fell on each day. Medians use percentile_cont on PostgreSQL and an exact
window-function median on SQLite (the middle row, or the mean of the two middle rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Agency, Area, IntakeChannel, ReportStatus, ResolutionOutcome
from models.lateness import LATE_SQL
from resolvers.directory_queries import MAX_AGENCIES
from resolvers.errors import ErrorCode, fail
from resolvers.raw_sql import default_connection, fetch, is_postgres

MAX_WINDOW = timedelta(days=366)
# A fix closed over the reporter's dispute is not counted as resolved within target.
_DISPUTED = ResolutionOutcome.CLOSED_DESPITE_DISPUTE.value


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def check(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise _bad_window("Sertakan zona waktu", "Give times with a timezone (UTC)")
        if not self.start < self.end or self.end - self.start > MAX_WINDOW:
            raise _bad_window(
                "Rentang waktu harus positif dan paling lama 366 hari",
                "The window must be positive and at most 366 days",
            )


def _bad_window(message: str, message_en: str) -> Exception:
    return fail(ErrorCode.INVALID_WINDOW, message, message_en, "window")


@dataclass(frozen=True)
class Scope:
    """Which reports: the window, and optionally one agency, category and area (with its kelurahan)."""

    window: Window
    agency_id: int | None = None
    category_id: int | None = None
    area_ids: Sequence[int] = ()


@dataclass
class Figures:
    filed: int = 0
    by_status: dict[ReportStatus, int] = field(default_factory=dict)
    by_outcome: dict[ResolutionOutcome, int] = field(default_factory=dict)
    by_channel: dict[IntakeChannel, int] = field(default_factory=dict)
    acknowledged: int = 0
    acknowledged_within_target: int = 0
    resolved: int = 0
    resolved_within_target: int = 0
    median_seconds_to_acknowledge: float | None = None
    median_seconds_to_resolve: float | None = None
    ratings: int = 0
    average_rating: float | None = None
    open_overdue: int = 0


@dataclass(frozen=True)
class Day:
    day: date
    filed: int
    resolved: int


async def area_with_children(area_id: int) -> list[int]:
    children = await Area.filter(parent_id=area_id).values_list("id", flat=True)
    return [area_id, *(int(child) for child in children)]  # type: ignore[call-overload]


class _Sql:
    """The dialect's spelling of durations and medians, and the scope as a WHERE clause."""

    def __init__(self, connection: BaseDBAsyncClient, scope: Scope) -> None:
        self.connection = connection
        self.postgres = is_postgres(connection)
        self.scope = scope
        self.params: dict[str, Any] = {"start": scope.window.start, "end": scope.window.end}
        conditions = ["created_at >= {start}", "created_at < {end}"]
        if scope.agency_id is not None:
            conditions.append("agency_id = {agency}")
            self.params["agency"] = scope.agency_id
        if scope.category_id is not None:
            conditions.append("category_id = {category}")
            self.params["category"] = scope.category_id
        if scope.area_ids:
            # Ids are integers we looked up: inlined, since an IN list has no portable binding.
            conditions.append(f"area_id IN ({', '.join(str(int(i)) for i in scope.area_ids)})")
        self.where = " AND ".join(conditions)

    def seconds(self, since: str, until: str) -> str:
        if self.postgres:
            return f"EXTRACT(EPOCH FROM ({until} - {since}))"
        return f"((julianday({until}) - julianday({since})) * 86400.0)"

    async def rows(self, template: str, **extra: Any) -> list[dict[str, Any]]:
        return await fetch(self.connection, template, **self.params, **extra)

    async def medians(self, group: str | None, since: str, until: str) -> dict[Any, float]:
        """Median of (until - since) in seconds per group, over rows where `until` is set."""
        x = self.seconds(since, until)
        g = group or "0"
        if self.postgres:
            template = (
                f"SELECT {g} AS g, percentile_cont(0.5) WITHIN GROUP (ORDER BY {x}) AS m "
                f"FROM reports WHERE {self.where} AND {until} IS NOT NULL {_group_by(group)}"
            )
        else:
            template = (
                "SELECT g, AVG(x) AS m FROM ("
                "SELECT g, x, ROW_NUMBER() OVER (PARTITION BY g ORDER BY x) AS rn, "
                "COUNT(*) OVER (PARTITION BY g) AS n FROM ("
                f"SELECT {g} AS g, {x} AS x FROM reports WHERE {self.where} AND {until} IS NOT NULL"
                ")) WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY g"
            )
        return {row["g"]: float(row["m"]) for row in await self.rows(template) if row["m"] is not None}


def _group_by(group: str | None, *columns: str) -> str:
    keys = [key for key in (group, *columns) if key]
    return f"GROUP BY {', '.join(keys)}" if keys else ""


async def figures_by(scope: Scope, group: str | None, *, now: datetime) -> dict[Any, Figures]:
    """Figures per value of the `group` column of reports (agency_id, category_id, area_id), or
    one total under the key 0 when `group` is None."""
    sql = _Sql(default_connection(), scope)
    g = group or "0"
    figures: dict[Any, Figures] = {}

    def of(key: Any) -> Figures:
        return figures.setdefault(key, Figures())

    for row in await sql.rows(
        f"SELECT {g} AS g, status, COUNT(*) AS n FROM reports WHERE {sql.where} {_group_by(group, 'status')}"
    ):
        entry = of(row["g"])
        entry.by_status[ReportStatus(row["status"])] = int(row["n"])
        entry.filed += int(row["n"])
    for row in await sql.rows(
        f"SELECT {g} AS g, resolution_outcome AS outcome, COUNT(*) AS n FROM reports "
        f"WHERE {sql.where} AND resolution_outcome IS NOT NULL {_group_by(group, 'resolution_outcome')}"
    ):
        of(row["g"]).by_outcome[ResolutionOutcome(row["outcome"])] = int(row["n"])
    for row in await sql.rows(
        f"SELECT {g} AS g, channel, COUNT(*) AS n FROM reports "
        f"WHERE {sql.where} {_group_by(group, 'channel')}"
    ):
        of(row["g"]).by_channel[IntakeChannel(row["channel"])] = int(row["n"])
    for row in await sql.rows(
        f"SELECT {g} AS g, COUNT(acknowledged_at) AS acknowledged, "
        "SUM(CASE WHEN acknowledged_at <= acknowledge_due_at THEN 1 ELSE 0 END) AS acknowledged_in_time, "
        "COUNT(resolved_at) AS resolved, "
        "SUM(CASE WHEN resolved_at <= due_at AND (resolution_outcome IS NULL "
        f"OR resolution_outcome <> '{_DISPUTED}') THEN 1 ELSE 0 END) AS resolved_in_time, "
        "COUNT(rating) AS ratings, AVG(rating) AS average_rating, "
        f"SUM(CASE WHEN {LATE_SQL} THEN 1 ELSE 0 END) AS open_overdue "
        f"FROM reports WHERE {sql.where} {_group_by(group)}",
        now=now,
    ):
        if row["g"] is None and group is None:
            continue
        entry = of(row["g"])
        entry.acknowledged = int(row["acknowledged"])
        entry.acknowledged_within_target = int(row["acknowledged_in_time"] or 0)
        entry.resolved = int(row["resolved"])
        entry.resolved_within_target = int(row["resolved_in_time"] or 0)
        entry.ratings = int(row["ratings"])
        entry.average_rating = None if row["average_rating"] is None else float(row["average_rating"])
        entry.open_overdue = int(row["open_overdue"] or 0)
    for key, median in (await sql.medians(group, "created_at", "acknowledged_at")).items():
        of(key).median_seconds_to_acknowledge = median
    for key, median in (await sql.medians(group, "created_at", "resolved_at")).items():
        of(key).median_seconds_to_resolve = median
    if group is None:
        # An aggregate without GROUP BY answers one row even over no reports: keep only real figures.
        return {0: figures.get(0, Figures())}
    return figures


async def totals(scope: Scope, *, now: datetime) -> Figures:
    return (await figures_by(scope, None, now=now))[0]


async def daily_series(scope: Scope, timezone: str) -> list[Day]:
    """Reports filed, and resolutions made, per day of the city's calendar (every day present)."""
    zone = ZoneInfo(timezone)
    sql = _Sql(default_connection(), scope)
    if sql.postgres:
        day_of = "to_char({column} AT TIME ZONE {zone}, 'YYYY-MM-DD')"
        extra: dict[str, Any] = {"zone": timezone}
    else:
        # SQLite knows no time zones: shift by the zone's offset, fixed for zones without daylight
        # saving such as Asia/Makassar (refused otherwise, rather than bucketed wrongly).
        offsets = {zone.utcoffset(moment) for moment in (scope.window.start, scope.window.end)}
        if len(offsets) != 1:
            raise _bad_window(
                "Zona waktu ini berubah dalam rentang; gunakan PostgreSQL",
                "This timezone changes its offset inside the window; use PostgreSQL",
            )
        minutes = int(offsets.pop().total_seconds() // 60)  # type: ignore[union-attr]
        day_of = f"date({{column}}, '{minutes:+d} minutes')"
        extra = {}
    filed_day = day_of.replace("{column}", "created_at")
    resolved_day = day_of.replace("{column}", "resolved_at")
    filed = await sql.rows(
        f"SELECT {filed_day} AS d, COUNT(*) AS n FROM reports WHERE {sql.where} GROUP BY 1", **extra
    )
    resolved_scope = sql.where.replace("created_at", "resolved_at")
    resolved = await sql.rows(
        f"SELECT {resolved_day} AS d, COUNT(*) AS n FROM reports WHERE {resolved_scope} GROUP BY 1", **extra
    )
    filed_by_day = {str(row["d"]): int(row["n"]) for row in filed}
    resolved_by_day = {str(row["d"]): int(row["n"]) for row in resolved}
    first = scope.window.start.astimezone(zone).date()
    last = (scope.window.end - timedelta(microseconds=1)).astimezone(zone).date()
    days = []
    day = first
    while day <= last:
        key = day.isoformat()
        days.append(Day(day, filed_by_day.get(key, 0), resolved_by_day.get(key, 0)))
        day += timedelta(days=1)
    return days


async def agency_ids() -> list[int]:
    """Every agency, for a league table that lists those without reports too."""
    ids = Agency.all().order_by("code").limit(MAX_AGENCIES).values_list("id", flat=True)
    return [int(i) for i in await ids]  # type: ignore[call-overload]
