"""Resume equals live, as a property: random sequences of report changes (filings, status changes,
re-routes between agencies, comments, internal notes, supports, follows, assignments, duplicate
merges, escalations and automatic closes), some at the same time, watched by several filtered
subscribers; then each filter resumes from a random cursor. What it replays must be exactly what
was live after that cursor, for the same filter: no gap, no duplicate, whatever happened to the
reports since.

In-process through the real hub and feed code (realtime.hub.Hub.listen / follow)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import ExitStack
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from models import Area, AreaLevel, Category, Report, ReportEvent, ReportStatus, Role
from realtime.feed import EventSelector, latest_event_id
from realtime.hub import Hub
from resolvers.casework import assign_report, reroute_report, update_status
from resolvers.conversation import add_comment, add_internal_note, set_following
from resolvers.duplicates import support_report
from resolvers.errors import DomainError
from resolvers.identity import Principal
from resolvers.live_selection import event_selector
from resolvers.service_levels import run_periodic_jobs
from resolvers.timeline import utcnow
from schema.ids import from_global_id
from tests.conftest import Database
from tests.graphql import citizen, file_report, staff
from tests.live_clients import wait_until_async
from tests.live_in_process import live_feed

S = ReportStatus
NEXT_STATUS = {S.SUBMITTED: S.ACKNOWLEDGED, S.ACKNOWLEDGED: S.IN_PROGRESS, S.IN_PROGRESS: S.RESOLVED}
CATEGORIES = ("SAMPAH", "PKL_LIAR")  # DLH and SATPOLPP: re-routes move reports between them
OPERATIONS = (
    "file", "status", "reroute", "comment", "note", "support", "follow", "unfollow", "assign",
    "merge", "escalate", "auto_close", "close",
)  # fmt: skip

step = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 7))
rounds = st.lists(st.lists(step, min_size=1, max_size=3), min_size=1, max_size=8)  # a round runs at once
cursors = st.lists(st.floats(0, 1), min_size=8, max_size=8)  # where each filter resumes, as a fraction


class City:
    """The people acting, and the reports of one example."""

    def __init__(
        self, dispatcher: Principal, officers: dict[int, Principal], people: list[Principal]
    ) -> None:
        self.dispatcher = dispatcher
        self.officers = officers  # by agency id
        self.people = people
        self.reports: list[int] = []

    async def apply(self, operation: str, n: int) -> None:
        if operation == "file" or not self.reports:
            filed = await file_report(categoryCode=CATEGORIES[n % 2], title=f"Laporan {len(self.reports)}")
            self.reports.append(from_global_id(filed["id"], "Report"))
            return
        report_id = self.reports[n % len(self.reports)]
        report = await Report.get(id=report_id)
        with contextlib.suppress(DomainError):  # not possible in the report's state: nothing written
            await self._change(operation, n, report)

    async def _change(self, operation: str, n: int, report: Report) -> None:
        who = self.dispatcher
        person = self.people[n % len(self.people)]
        if operation == "status":
            await update_status(report.id, NEXT_STATUS.get(report.status, S.CLOSED), note=None, principal=who)
        elif operation == "close":
            await update_status(report.id, S.CLOSED, note=None, principal=who)
        elif operation == "reroute":
            other = await Category.exclude(id=report.category_id).get(code__in=CATEGORIES)
            await reroute_report(
                report.id, category_id=other.id, agency_id=None, reason="salah", principal=who
            )
        elif operation == "comment":
            await add_comment(report.id, "Sedang ditangani", principal=who)
        elif operation == "note":
            await add_internal_note(report.id, "Catatan", principal=who)
        elif operation == "support":
            await support_report(report.id, principal=person)
        elif operation in {"follow", "unfollow"}:
            await set_following(report.id, operation == "follow", principal=person)
        elif operation == "assign":
            officer = self.officers[report.agency_id].user
            assert officer is not None
            await assign_report(report.id, officer.id, note=None, principal=who)
        elif operation == "merge":
            original = self.reports[(n + 1) % len(self.reports)]
            await update_status(report.id, S.DUPLICATE, note="sama", principal=who, duplicate_of_id=original)
        elif operation == "escalate":
            await Report.filter(id=report.id).update(acknowledge_due_at=utcnow() - timedelta(minutes=1))
            await run_periodic_jobs()
        elif operation == "auto_close":
            if report.status is S.RESOLVED:
                await Report.filter(id=report.id).update(resolved_at=utcnow() - timedelta(days=8))
            await run_periodic_jobs()


@pytest.fixture
async def hub(db: Database) -> AsyncIterator[Hub]:
    async with live_feed() as running:
        yield running


@pytest.fixture
async def city(db: Database) -> City:
    await Category.all().update(requires_after_photo=False)  # the proof-of-fix rule: test_photos.py
    officers = {}
    for code in ("DLH", "SATPOLPP"):
        officer = await staff(Role.OFFICER, code, f"Petugas {code}")
        assert officer.agency_id is not None
        officers[officer.agency_id] = officer
    people = [await citizen(f"Warga{n}") for n in range(3)]
    return City(await staff(Role.DISPATCHER, None, "Dispatcher"), officers, people)


async def selectors() -> list[EventSelector]:
    dlh, satpol = [(await Category.get(code=code)).agency_id for code in CATEGORIES]
    sampah, pkl = [(await Category.get(code=code)).id for code in CATEGORIES]
    kecamatan = await Area.filter(level=AreaLevel.KECAMATAN).order_by("id").first()
    assert kecamatan is not None
    return [
        EventSelector(),
        await event_selector(agency_id=dlh),
        await event_selector(agency_id=satpol),
        await event_selector(category_id=sampah),
        await event_selector(category_id=pkl),
        await event_selector(statuses=[S.SUBMITTED]),
        await event_selector(agency_id=dlh, statuses=[S.ACKNOWLEDGED, S.IN_PROGRESS]),
        await event_selector(area_id=kecamatan.id),
    ]


@settings(
    max_examples=int(os.environ.get("SIGAP_PROPERTY_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds=rounds, resume_at=cursors)
@example(  # the case: seen live by DLH, then re-routed to SATPOLPP, then resumed from before
    rounds=[[("file", 0)], [("status", 0)], [("reroute", 0)], [("status", 0)]], resume_at=[0.0] * 8
)
async def test_every_resumed_sequence_equals_the_live_one(
    hub: Hub, city: City, rounds: list[list[tuple[str, int]]], resume_at: list[float]
) -> None:
    city.reports = []
    start = await latest_event_id()
    await wait_until_async(lambda: _reached(hub, start), what="the hub caught up")
    filters = await selectors()
    live: dict[int, list[int]] = {}
    with ExitStack() as stack:
        listeners = [stack.enter_context(hub.listen(selector, capacity=10_000)) for selector in filters]
        for steps in rounds:
            await asyncio.gather(*(city.apply(operation, n) for operation, n in steps))
        end = await latest_event_id()
        await wait_until_async(lambda: _reached(hub, end), what="every change delivered live")
        for index, listener in enumerate(listeners):
            live[index] = [item.id for item in listener.drain()]

    everything = [e async for e in _event_ids(start, end)]
    assert live[0] == everything  # the unfiltered subscriber: no gap, no duplicate, in order
    for index, selector in enumerate(filters):
        cursor = start + round(resume_at[index] * (end - start))
        expected = [event_id for event_id in live[index] if event_id > cursor]
        assert await _resumed(hub, selector, cursor, len(expected)) == expected, (index, rounds)


async def _reached(hub: Hub, event_id: int) -> bool:
    return hub.position >= event_id


async def _event_ids(after: int, until: int) -> AsyncIterator[int]:
    for event_id in (
        await ReportEvent.filter(id__gt=after, id__lte=until).order_by("id").values_list("id", flat=True)
    ):  # type: ignore[call-overload]
        yield int(event_id)


async def _resumed(hub: Hub, selector: EventSelector, cursor: int, count: int) -> list[int]:
    """What a client resuming from `cursor` receives, up to the live count (more would fail the
    equality as a duplicate or an event that was not live)."""
    got: list[int] = []
    if count == 0:
        return got
    try:
        async with asyncio.timeout(5):  # fewer than were live: a gap, shown by the comparison
            async for item in hub.follow(selector, cursor):
                got.append(item.id)
                if len(got) == count:
                    break
    except TimeoutError:
        pass
    return got
