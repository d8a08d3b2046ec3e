"""Datetime arguments name instants, whatever offset they are written in: the same filters and
statistics answer alike on SQLite (which compares datetimes as text) and PostgreSQL, because
every datetime argument is turned into UTC at one door (schema.scalars)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from models import Role
from tests.abuse import abusive
from tests.conftest import Database
from tests.graphql import file_report, gql, run, staff

KUPANG = timezone(timedelta(hours=8))
BOGOTA = timezone(timedelta(hours=-5))
HOUR = timedelta(hours=1)
COUNT = "query($f: ReportFilter) { reports(filter: $f) { totalCount } }"
FILED = """query($since: DateTime!, $until: DateTime!) {
  reportStatistics(since: $since, until: $until) { figures { filed } daily { day filed } } }"""


def written_in(zone: timezone, moment: datetime) -> str:
    return moment.astimezone(zone).isoformat()


async def count(**filter_: str) -> int:
    return int((await gql(COUNT, {"f": filter_}))["reports"]["totalCount"])


@pytest.mark.parametrize("zone", [KUPANG, BOGOTA, UTC], ids=["+08:00", "-05:00", "Z"])
async def test_created_after_and_before_compare_instants_in_any_offset(db: Database, zone: timezone) -> None:
    await file_report()
    now = datetime.now(UTC)

    assert await count(createdAfter=written_in(zone, now - HOUR)) == 1
    assert await count(createdAfter=written_in(zone, now + HOUR)) == 0
    assert await count(createdBefore=written_in(zone, now + HOUR)) == 1
    assert await count(createdBefore=written_in(zone, now - HOUR)) == 0


@pytest.mark.parametrize("zone", [KUPANG, BOGOTA], ids=["+08:00", "-05:00"])
async def test_statistics_windows_compare_instants_in_any_offset(db: Database, zone: timezone) -> None:
    await file_report()
    now = datetime.now(UTC)
    admin = await staff(Role.CITY_ADMIN, None, "Admin")

    around_now = {"since": written_in(zone, now - HOUR), "until": written_in(zone, now + HOUR)}
    later = {"since": written_in(zone, now + HOUR), "until": written_in(zone, now + 2 * HOUR)}
    stats = (await gql(FILED, around_now, principal=admin))["reportStatistics"]
    empty = (await gql(FILED, later, principal=admin))["reportStatistics"]

    assert stats["figures"]["filed"] == 1
    assert sum(day["filed"] for day in stats["daily"]) == 1
    assert empty["figures"]["filed"] == 0


async def test_a_datetime_without_an_offset_is_refused_with_a_code(db: Database) -> None:
    result = await run(COUNT, {"f": {"createdAfter": abusive("2026-11-30T12:00:00")}})

    assert result.data is None
    assert [(e.extensions or {}).get("code") for e in result.errors or ()] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "timezone offset" in str(result.errors)
