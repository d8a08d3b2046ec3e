"""Lateness covers both service-level targets, the same on every path that shows it: `isOverdue`,
`lateFor`, the `overdue` filter, the directory's counts and the statistics; and a cached answer
never outlives the next deadline, the acknowledge one included."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

from models import Category, Report, ReportStatus, Role
from resolvers.public_code import new_public_code
from schema import schema
from schema.context import Context
from tests.conftest import Database
from tests.graphql import SIGNER, gql, staff
from tests.live_clients import file_report_http, graphql_http
from tests.server_process import RunningServer
from tests.test_response_cache import served, write_behind

# `served` (a real server with its response cache, on SQLite and PostgreSQL) is a fixture: pytest
# finds it by name in this module.
__all__ = ["served"]

HOUR = timedelta(hours=1)
OPEN = {ReportStatus.SUBMITTED, ReportStatus.ACKNOWLEDGED, ReportStatus.IN_PROGRESS}


def expected(status: ReportStatus, acknowledge_missed: bool, resolve_missed: bool) -> str | None:
    """The rule as the issue states it, written out apart from the code under test."""
    if status not in OPEN:
        return None
    if resolve_missed:
        return "RESOLVE"
    if acknowledge_missed and status is ReportStatus.SUBMITTED:
        return "ACKNOWLEDGE"
    return None


async def _report(title: str, status: ReportStatus, acknowledge_due_at: datetime, due_at: datetime) -> None:
    category = await Category.get(code="SAMPAH")
    created = datetime.now(UTC) - 2 * HOUR
    await Report.create(
        code=new_public_code(), title=title, description="Isi", category=category,
        agency_id=category.agency_id, latitude=-10.17, longitude=123.607, public_latitude=-10.17,
        public_longitude=123.607, status=status, created_at=created, updated_at=created,
        acknowledge_due_at=acknowledge_due_at, due_at=due_at,
    )  # fmt: skip


async def every_case() -> dict[str, str | None]:
    """One report per status and per passed/ahead acknowledge and resolve target: title -> lateFor."""
    now = datetime.now(UTC)
    cases: dict[str, str | None] = {}
    for status, acknowledge_missed, resolve_missed in product(ReportStatus, (False, True), (False, True)):
        title = f"{status.value} ack-{'missed' if acknowledge_missed else 'ahead'} "
        title += f"resolve-{'missed' if resolve_missed else 'ahead'}"
        await _report(
            title,
            status,
            now - HOUR if acknowledge_missed else now + HOUR,
            now - HOUR / 2 if resolve_missed else now + 3 * HOUR,
        )
        cases[title] = expected(status, acknowledge_missed, resolve_missed)
    return cases


REPORTS = """query($filter: ReportFilter) { reports(first: 100, filter: $filter) {
  edges { node { title isOverdue lateFor } } } }"""
COUNTS = """{ agencies { code reportCounts { overdue } } categories { code reportCounts { overdue } } }"""
STATS = """query($since: DateTime!, $until: DateTime!) {
  reportStatistics(since: $since, until: $until) { figures { openOverdue } } }"""


async def _titles(**variables: Any) -> set[str]:
    data = await gql(REPORTS, variables)
    return {edge["node"]["title"] for edge in data["reports"]["edges"]}


async def test_every_status_and_target_is_late_alike_on_every_path(db: Database) -> None:
    cases = await every_case()
    late = {title for title, target in cases.items() if target}
    assert any(target == "ACKNOWLEDGE" for target in cases.values())  # the case the issue saw

    nodes = (await gql(REPORTS))["reports"]["edges"]
    assert {n["node"]["title"]: n["node"]["lateFor"] for n in nodes} == cases
    overdue = {n["node"]["title"]: n["node"]["isOverdue"] for n in nodes}
    assert overdue == {title: target is not None for title, target in cases.items()}

    assert await _titles(filter={"overdue": True}) == late
    assert await _titles(filter={"overdue": False}) == set(cases) - late

    counts = await gql(COUNTS)
    assert {a["code"]: a["reportCounts"]["overdue"] for a in counts["agencies"]}["DLH"] == len(late)
    assert {c["code"]: c["reportCounts"]["overdue"] for c in counts["categories"]}["SAMPAH"] == len(late)

    now = datetime.now(UTC)
    window = {"since": (now - 3 * HOUR).isoformat(), "until": (now + HOUR).isoformat()}
    dispatcher = await staff(Role.DISPATCHER, None)
    figures = (await gql(STATS, window, principal=dispatcher))["reportStatistics"]["figures"]
    assert figures["openOverdue"] == len(late)


async def _valid_until(query: str) -> datetime | None:
    context = Context(tokens=SIGNER)
    result = await schema.execute(query, context_value=context)
    assert result.errors is None, result.errors
    assert context.cache_policy.cacheable
    return context.cache_policy.valid_until


async def test_a_cached_answer_ends_at_the_acknowledge_deadline_then_at_the_resolve_one(db: Database) -> None:
    now = datetime.now(UTC)
    minute = timedelta(minutes=1)
    acknowledge_by, resolve_by = now + 5 * minute, now + 72 * HOUR
    await _report("Kebakaran belum diterima", ReportStatus.SUBMITTED, acknowledge_by, resolve_by)
    await _report("Sudah diterima", ReportStatus.ACKNOWLEDGED, now + 2 * minute, now + 80 * HOUR)

    fields = "{ reports(first: 10) { edges { node { lateFor } } } }"
    # The acknowledged report's passed-by acknowledge target does not matter; the SUBMITTED one's does.
    assert await _valid_until(fields) == acknowledge_by
    assert await _valid_until(COUNTS) == acknowledge_by

    await Report.filter(status=ReportStatus.SUBMITTED).update(acknowledge_due_at=now - HOUR)
    assert await _valid_until(fields) == resolve_by
    assert await _valid_until(COUNTS) == resolve_by


WATCHED = """{ reports(first: 5) { edges { node { lateFor isOverdue } } }
  agencies { code reportCounts { overdue } } }"""


async def test_a_served_answer_turns_late_at_the_acknowledge_deadline(
    served: tuple[RunningServer, str],
) -> None:
    server, url = served
    await asyncio.to_thread(file_report_http, server.url, "Belum diterima")
    deadline = datetime.now(UTC) + timedelta(seconds=1.5)
    stamp = deadline.isoformat(sep=" ") if url.startswith("sqlite") else deadline.isoformat()
    await write_behind(url, f"UPDATE reports SET acknowledge_due_at = '{stamp}'")

    def answer() -> tuple[str | None, int]:
        data = graphql_http(server.url, WATCHED)
        node = data["reports"]["edges"][0]["node"]
        assert node["isOverdue"] is (node["lateFor"] is not None)
        dlh = {a["code"]: a["reportCounts"]["overdue"] for a in data["agencies"]}["DLH"]
        return node["lateFor"], dlh

    assert await asyncio.to_thread(answer) == (None, 0)
    assert await asyncio.to_thread(answer) == (None, 0)  # now from the cache
    give_up = time.monotonic() + 10
    while True:
        asked_at = datetime.now(UTC)  # not when the answer came: a loaded machine may take a while
        if (seen := await asyncio.to_thread(answer)) == ("ACKNOWLEDGE", 1):
            break
        assert seen == (None, 0), seen
        # Asked after the deadline (with a margin), the answer must be late.
        assert asked_at < deadline + timedelta(seconds=1), "a cached answer outlived the deadline"
        assert time.monotonic() < give_up
        await asyncio.sleep(0.05)
    assert datetime.now(UTC) >= deadline
