"""The city's figures for anyone: the same aggregates as the command center's (no personal data,
no filters that could narrow them to a person), over the last N days up to now. Computed at most
once a minute per process and window, whoever asks and however often: a public page refreshing
every few seconds costs nothing; a crowd arriving at once waits for one computation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from resolvers import statistics
from resolvers.errors import ErrorCode, fail

FRESH_FOR = timedelta(minutes=1)
MAX_DAYS = 366


@dataclass(frozen=True)
class CityFigures:
    since: datetime
    until: datetime  # when they were computed
    totals: statistics.Figures
    daily: list[statistics.Day]
    by_agency: dict[int, statistics.Figures]


_computed: dict[tuple[int, str], CityFigures] = {}
_computing: dict[tuple[int, str], asyncio.Lock] = {}


async def city_figures(days: int, timezone: str, *, now: datetime) -> CityFigures:
    """The figures of the reports filed in the last `days` days, at most FRESH_FOR old."""
    if not 1 <= days <= MAX_DAYS:
        raise fail(
            ErrorCode.INVALID_WINDOW,
            f"Jumlah hari harus antara 1 dan {MAX_DAYS}",
            f"days is between 1 and {MAX_DAYS}",
            "days",
        )
    key = (days, timezone)
    if (fresh := _fresh(key, now)) is not None:
        return fresh
    async with _computing.setdefault(key, asyncio.Lock()):
        if (fresh := _fresh(key, now)) is not None:  # computed while this request waited
            return fresh
        scope = statistics.Scope(statistics.Window(now - timedelta(days=days), now))
        figures = CityFigures(
            since=scope.window.start,
            until=now,
            totals=await statistics.totals(scope, now=now),
            daily=await statistics.daily_series(scope, timezone),
            by_agency=await statistics.figures_by(scope, "agency_id", now=now),
        )
        _computed[key] = figures
        return figures


def _fresh(key: tuple[int, str], now: datetime) -> CityFigures | None:
    figures = _computed.get(key)
    return figures if figures is not None and now - figures.until < FRESH_FOR else None


def forget() -> None:
    """Drop what was computed (tests, which switch databases within a minute)."""
    _computed.clear()
    _computing.clear()
