"""Reading who backs and follows reports: batch functions for DataLoaders, one SQL query each."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.functions import Count

from models import ReportFollower, ReportSupport


async def support_counts(report_ids: Sequence[int]) -> list[int]:
    rows = (
        await ReportSupport.filter(report_id__in=list(report_ids))
        .annotate(n=Count("id"))
        .group_by("report_id")
        .values("report_id", "n")
    )
    counts = {row["report_id"]: row["n"] for row in rows}
    return [counts.get(report_id, 0) for report_id in report_ids]


async def supported_by(pairs: Sequence[tuple[int, int]]) -> list[bool]:
    return await _pairs_present(ReportSupport, pairs)


async def followed_by(pairs: Sequence[tuple[int, int]]) -> list[bool]:
    return await _pairs_present(ReportFollower, pairs)


async def _pairs_present(
    model: type[ReportSupport] | type[ReportFollower], pairs: Sequence[tuple[int, int]]
) -> list[bool]:
    """Which (report, user) pairs have a row; in practice one user per request."""
    rows = await model.filter(
        report_id__in=sorted({r for r, _ in pairs}), user_id__in=sorted({u for _, u in pairs})
    ).values_list("report_id", "user_id")
    present = {(int(r), int(u)) for r, u in rows}  # type: ignore[misc]
    return [pair in present for pair in pairs]
