"""Open data: `sigap exports open-data` writes a day's public files and their index, the public
routes serve them, and the periodic job writes yesterday's once."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from models import Report
from resolvers.privacy import public_point
from server.app import create_app
from server.open_data import Period, publish_yesterday, write_period
from server.settings import Settings
from tests.conftest import Database
from tests.graphql import file_report
from tests.server_process import REPO

CITY = ZoneInfo("Asia/Makassar")
SENSITIVE = (-10.16637, 123.60871)


@pytest.fixture
async def public(db: Database, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=db.url, open_data_dir=tmp_path / "open-data"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        yield http


async def test_a_days_files_say_what_the_public_api_says(
    db: Database, tmp_path: Path, public: httpx.AsyncClient
) -> None:
    await file_report(title="Sampah di pasar")
    await file_report(
        title="Pengemis anak",
        categoryCode="PENGEMIS",
        location={"lat": SENSITIVE[0], "lon": SENSITIVE[1]},
        address="Jl. Rahasia 7",
        contactName="Pelapor Rahasia",
    )
    today = datetime.now(UTC).astimezone(CITY).date().isoformat()

    done = await asyncio.to_thread(
        subprocess.run,  # our own CLI
        [sys.executable, "-m", "server.cli", "exports", "open-data", "--day", today],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": db.url, "OPEN_DATA_DIR": str(tmp_path / "open-data")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    index = (await public.get("/open-data/")).json()
    assert sorted(entry["name"] for entry in index["files"]) == [
        f"reports-{today}.csv",
        f"reports-{today}.geojson",
    ]
    table = await public.get(f"/open-data/reports-{today}.csv")
    assert table.status_code == 200
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(table.text))}
    assert set(rows) == {"Sampah di pasar", "Pengemis anak"}
    hidden = rows["Pengemis anak"]
    assert (float(hidden["lat"]), float(hidden["lon"])) == public_point(True, *SENSITIVE)
    assert hidden["address"] == ""
    assert "Pelapor Rahasia" not in table.text
    features = (await public.get(f"/open-data/reports-{today}.geojson")).json()["features"]
    assert len(features) == 2
    for name in ("reports-2026-13-01.csv", "index.json.partial", "..%2Fopen-data%2Findex.json"):
        assert (await public.get(f"/open-data/{name}")).status_code == 404

    # The nightly job: tomorrow, today's files are there already (only the month's are written,
    # when today ends one); a fresh folder gets them, once.
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    days = {f"reports-{today}.csv", f"reports-{today}.geojson"}
    again = await publish_yesterday(tmp_path / "open-data", CITY, tomorrow)
    assert days.isdisjoint(path.name for path in again)
    written = await publish_yesterday(tmp_path / "fresh", CITY, tomorrow)
    assert days <= {path.name for path in written}
    assert await publish_yesterday(tmp_path / "fresh", CITY, tomorrow) == []
    assert json.loads((tmp_path / "fresh" / "index.json").read_text())["files"][0]["url"].startswith(
        "/open-data/"
    )


async def test_a_day_runs_from_the_citys_midnight_to_the_next(db: Database, tmp_path: Path) -> None:
    """Kupang's day starts at 16:00 UTC the day before: a report filed just after local midnight
    is that day's, one just before it is the day before's, on either database."""
    placed = {
        "Sebelum tengah malam": datetime(2026, 3, 9, 23, 59, tzinfo=CITY),
        "Lewat tengah malam": datetime(2026, 3, 10, 0, 30, tzinfo=CITY),  # 2026-03-09 16:30 UTC
        "Menjelang malam": datetime(2026, 3, 10, 23, 30, tzinfo=CITY),
    }
    for title, created in placed.items():
        filed = await file_report(title=title)
        await Report.filter(code=filed["code"]).update(created_at=created.astimezone(UTC))

    written = await write_period(tmp_path, Period.day(date(2026, 3, 10), CITY))

    table = next(path for path in written if path.suffix == ".csv").read_text()
    assert {row["title"] for row in csv.DictReader(io.StringIO(table))} == {
        "Lewat tengah malam",
        "Menjelang malam",
    }
