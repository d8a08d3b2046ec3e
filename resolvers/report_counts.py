"""How many reports an agency, a category or an area has, by public group: batch functions for
DataLoaders, a constant number of SQL queries whatever the number of keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from models import Area, PublicGroup, Report, ReportStatus
from models.lateness import late_condition, turning_condition
from models.lifecycle import PUBLIC_GROUP
from resolvers.timeline import utcnow


@dataclass(frozen=True)
class ReportCounts:
    waiting: int = 0
    in_process: int = 0
    done: int = 0
    overdue: int = 0
    # When `overdue` next changes by the clock alone (the earliest deadline still ahead).
    turns_at: datetime | None = None

    @property
    def total(self) -> int:
        return self.waiting + self.in_process + self.done


async def counts_by_agency(agency_ids: Sequence[int]) -> list[ReportCounts]:
    return await _counts_by("agency_id", {i: [i] for i in agency_ids}, agency_ids)


async def counts_by_category(category_ids: Sequence[int]) -> list[ReportCounts]:
    return await _counts_by("category_id", {i: [i] for i in category_ids}, category_ids)


async def counts_by_area(area_ids: Sequence[int]) -> list[ReportCounts]:
    """A kecamatan counts the reports of its kelurahan too, as the `areaIds` filter does."""
    children = await Area.filter(parent_id__in=list(area_ids)).values("id", "parent_id")
    members: dict[int, list[int]] = {i: [i] for i in area_ids}
    for child in children:
        members[child["parent_id"]].append(child["id"])
    return await _counts_by("area_id", members, area_ids)


async def _counts_by(column: str, members: dict[int, list[int]], keys: Sequence[int]) -> list[ReportCounts]:
    """Counts per key, where each key stands for the rows whose `column` is one of its members."""
    values = sorted({v for group in members.values() for v in group})
    by_status = (
        await Report.filter(**{f"{column}__in": values})
        .annotate(n=Count("id"))
        .group_by(column, "status")
        .values(column, "status", "n")
    )
    now = utcnow()
    overdue = (
        await Report.filter(late_condition(now), **{f"{column}__in": values})
        .annotate(n=Count("id"))
        .group_by(column)
        .values(column, "n")
    )
    turns_at = await _next_turn(column, values, now)
    groups: dict[int, dict[PublicGroup, int]] = defaultdict(lambda: defaultdict(int))
    late: dict[int, int] = defaultdict(int)
    for row in by_status:
        groups[row[column]][PUBLIC_GROUP[ReportStatus(row["status"])]] += row["n"]
    for row in overdue:
        late[row[column]] += row["n"]
    results = []
    for key in keys:
        counted = [groups[m] for m in members[key]]
        results.append(
            ReportCounts(
                waiting=sum(g[PublicGroup.WAITING] for g in counted),
                in_process=sum(g[PublicGroup.IN_PROCESS] for g in counted),
                done=sum(g[PublicGroup.DONE] for g in counted),
                overdue=sum(late[m] for m in members[key]),
                turns_at=turns_at,
            )
        )
    return results


async def _next_turn(column: str, values: list[int], now: datetime) -> datetime | None:
    """The earliest deadline still ahead among these reports (for all keys at once: a cached
    answer holding several counts must expire at the first change of any)."""
    resolve_ahead, acknowledge_ahead = turning_condition(now)
    mine = Report.filter(**{f"{column}__in": values})
    upcoming = []
    for condition, deadline in ((resolve_ahead, "due_at"), (acknowledge_ahead, "acknowledge_due_at")):
        row = await mine.filter(condition).order_by(deadline).first().values(deadline)
        if row is not None:
            upcoming.append(row[deadline])
    return min(upcoming, default=None)
