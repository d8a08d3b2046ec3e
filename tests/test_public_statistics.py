"""Public transparency figures: open to anyone, the same aggregates staff read, computed at most
once a minute however many ask."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from models import Role
from resolvers import public_statistics
from resolvers.identity import ANONYMOUS
from resolvers.timeline import utcnow
from tests.conftest import Database, QueryLog
from tests.graphql import citizen, file_report, gql, run, staff

PUBLIC = """query($days: Int!) { publicStatistics(days: $days) { since until
  figures { filed byStatus { status count } byChannel { channel count } openOverdue }
  daily { day filed } league { rank agency { code } figures { filed } } } }"""
STAFF = """query($since: DateTime!, $until: DateTime!) { reportStatistics(since: $since, until: $until) {
  figures { filed byStatus { status count } byChannel { channel count } openOverdue } } }"""


@pytest.fixture(autouse=True)
def nothing_computed() -> Iterator[None]:
    public_statistics.forget()
    yield
    public_statistics.forget()


async def test_anyone_reads_what_staff_read(db: Database) -> None:
    for _ in range(3):
        await file_report(await citizen(f"Warga{_}"))
    await file_report(categoryCode="PJU_MATI")

    public = (await gql(PUBLIC, {"days": 7}, principal=ANONYMOUS))["publicStatistics"]
    window = {"since": public["since"], "until": public["until"]}
    staff_view = await gql(STAFF, window, principal=await staff(Role.DISPATCHER, None))

    assert public["figures"] == staff_view["reportStatistics"]["figures"]
    assert public["figures"]["filed"] == 4
    assert len(public["daily"]) >= 7
    assert sum(day["filed"] for day in public["daily"]) == 4
    league = {s["agency"]["code"]: s["figures"]["filed"] for s in public["league"]}
    assert (league["DLH"], league["DISHUB"], league["DAMKAR"]) == (3, 1, 0)


async def test_a_minute_of_requests_costs_one_computation(db: Database, sql_queries: QueryLog) -> None:
    await file_report()
    first = (await gql(PUBLIC, {"days": 30}))["publicStatistics"]
    await file_report()
    sql_queries.clear()

    crowd = await asyncio.gather(*(gql(PUBLIC, {"days": 30}) for _ in range(20)))

    assert all(answer["publicStatistics"] == first for answer in crowd)  # the same figures, not recounted
    assert not [s for s in sql_queries.statements if "reports" in s]


async def test_the_figures_follow_after_a_minute(db: Database) -> None:
    await file_report()
    now = utcnow()
    before = await public_statistics.city_figures(30, "Asia/Makassar", now=now)
    await file_report()

    within = await public_statistics.city_figures(30, "Asia/Makassar", now=now + timedelta(seconds=59))
    after = await public_statistics.city_figures(30, "Asia/Makassar", now=now + timedelta(seconds=61))

    assert (before.totals.filed, within.totals.filed, after.totals.filed) == (1, 1, 2)


async def test_concurrent_first_requests_compute_once(db: Database, sql_queries: QueryLog) -> None:
    await file_report()
    sql_queries.clear()
    await gql(PUBLIC, {"days": 1})
    one = len([s for s in sql_queries.statements if "reports" in s])
    public_statistics.forget()
    sql_queries.clear()

    await asyncio.gather(*(gql(PUBLIC, {"days": 1}) for _ in range(10)))

    assert len([s for s in sql_queries.statements if "reports" in s]) == one


@pytest.mark.parametrize("days", [0, -1, 367])
async def test_a_window_out_of_range_is_a_coded_error(db: Database, days: int) -> None:
    result = await run(PUBLIC, {"days": days})

    assert result.errors is not None
    assert result.errors[0].extensions is not None
    assert result.errors[0].extensions["code"] == "INVALID_WINDOW"
    assert result.errors[0].extensions["messageEn"] == "days is between 1 and 366"


async def test_nothing_personal_is_reachable(db: Database) -> None:
    names = """{ __type(name: "PublicStatistics") { fields { name type { name ofType { name ofType {
      name ofType { name } } } } } } }"""
    fields = (await gql(names))["__type"]["fields"]

    def leaf(t: dict[str, object] | None) -> str:
        while t and t.get("name") is None:
            t = t.get("ofType")  # type: ignore[assignment]
        return str(t["name"]) if t else ""

    assert {f["name"]: leaf(f["type"]) for f in fields} == {
        "since": "DateTime",
        "until": "DateTime",
        "figures": "ReportFigures",
        "daily": "DailyFigures",
        "league": "AgencyStanding",
    }
