"""Open data: each day's and each month's new reports as public CSV and GeoJSON files, with an index.

The rows are the exports' rows for an anonymous caller (resolvers.exports: sensitive categories at
their rounded point without an address, never the reporter), so a file says no more than the public
API. Days and months are the city's (SIGAP_TIMEZONE). The files go to OPEN_DATA_DIR (unset: none).
`sigap exports open-data --day/--month` writes one period; the periodic jobs write yesterday's day
once, and the month when yesterday ended it.
`GET /open-data/` lists the files and `GET /open-data/{name}` serves one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from resolvers.exports import exported_batches
from resolvers.identity import ANONYMOUS
from resolvers.report_queries import ReportFilter, ReportOrder
from schema.ids import to_global_id
from server.exports import BATCH_ROWS, FORMATS, MEDIA_TYPES

FILE_FORMATS = ("csv", "geojson")
FILE_NAME = re.compile(r"^reports-(\d{4}-\d{2}(?:-\d{2})?)\.(csv|geojson)$")
INDEX = "index.json"


@dataclass(frozen=True)
class Period:
    """A day or a month of the city's calendar, as the UTC instants that bound it."""

    label: str  # 2026-11-29 or 2026-11
    start: datetime
    end: datetime

    @classmethod
    def day(cls, day: date, zone: ZoneInfo) -> Period:
        return cls(day.isoformat(), _midnight(day, zone), _midnight(day + timedelta(days=1), zone))

    @classmethod
    def month(cls, first: date, zone: ZoneInfo) -> Period:
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return cls(first.strftime("%Y-%m"), _midnight(first.replace(day=1), zone), _midnight(following, zone))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # In UTC, as reports' times are stored: SQLite compares them as text, and a bound written
    # with the city's offset (+08:00) missed the reports of its first eight hours.
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


async def write_period(folder: Path, period: Period) -> list[Path]:
    """The period's files (each written whole, then renamed into place) and the index anew."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    flt = ReportFilter(created_after=period.start, created_before=period.end)
    written = []
    for kind in FILE_FORMATS:
        target = folder / f"reports-{period.label}.{kind}"
        partial = target.with_name(target.name + ".partial")
        batches = _with_ids(exported_batches(flt, ANONYMOUS, order=ReportOrder.OLDEST, size=BATCH_ROWS))
        with partial.open("wb") as out:
            async for chunk in FORMATS[kind](batches):
                out.write(chunk.encode() if isinstance(chunk, str) else chunk)
        os.replace(partial, target)
        written.append(target)
    await asyncio.to_thread(write_index, folder)
    return written


async def _with_ids(batches: AsyncIterator[list[dict[str, Any]]]) -> AsyncIterator[list[dict[str, Any]]]:
    async for batch in batches:
        yield [{**row, "id": to_global_id("Report", row["id"])} for row in batch]


def write_index(folder: Path) -> None:
    files = sorted(path for path in folder.iterdir() if FILE_NAME.match(path.name))
    entries = []
    for path in files:
        match = FILE_NAME.match(path.name)
        assert match is not None
        entries.append(
            {
                "name": path.name,
                "period": match[1],
                "format": match[2],
                "bytes": path.stat().st_size,
                "url": f"/open-data/{path.name}",
            }
        )
    partial = folder / (INDEX + ".partial")
    partial.write_text(json.dumps({"files": entries}, indent=1), encoding="utf-8")
    os.replace(partial, folder / INDEX)


async def publish_yesterday(folder: Path, zone: ZoneInfo, now: datetime) -> list[Path]:
    """Yesterday's file, and its month's when yesterday was the month's last day, unless they are
    there already: every run of the jobs may ask, the files are written once."""
    yesterday = now.astimezone(zone).date() - timedelta(days=1)
    periods = [Period.day(yesterday, zone)]
    if (yesterday + timedelta(days=1)).day == 1:
        periods.append(Period.month(yesterday.replace(day=1), zone))
    written = []
    for period in periods:
        if not all((folder / f"reports-{period.label}.{kind}").exists() for kind in FILE_FORMATS):
            written += await write_period(folder, period)
    return written


class OpenDataFiles:
    """The public routes: the index, and the files by name (nothing else in the folder)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder  # None: OPEN_DATA_DIR unset, no files

    async def index(self, request: Request) -> Response:
        if self.folder is None or not (path := self.folder / INDEX).exists():
            return JSONResponse({"files": []})
        return FileResponse(path, media_type="application/json")

    async def file(self, request: Request) -> Response:
        name = request.path_params["name"]
        match = FILE_NAME.match(name)
        if match is None or self.folder is None or not (path := self.folder / name).is_file():
            return JSONResponse({"errors": [{"message": "Tidak ada berkas ini / No such file"}]}, 404)
        return FileResponse(path, media_type=MEDIA_TYPES[match[2]], filename=name)
