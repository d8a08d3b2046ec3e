"""Each event carries the report's agency, category, area and status as the event found and left
them, in the API (timeline and live feed alike): a re-routed report's earlier events still say
where it was when they happened. Replays match filters and internal-note visibility as of the event,
and show the report as it is now (the documented choice)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from models import Agency, Category, Role
from realtime.hub import Hub
from resolvers.identity import Principal
from schema import schema
from schema.context import Context
from schema.ids import to_global_id
from schema.live import FollowHub
from tests.casework_api import move
from tests.conftest import Database
from tests.graphql import SIGNER, file_report, gql, staff
from tests.live_in_process import live_feed

STATE = "status agency { code } category { code }"
TIMELINE = f"""query($id: ID!) {{ report(id: $id) {{
  timeline {{ kind before {{ {STATE} }} after {{ {STATE} }} }} }} }}"""
REROUTE = "mutation($i: RerouteReportInput!) { rerouteReport(input: $i) { errors { code } } }"


def state(status: str, agency: str, category: str) -> dict[str, object]:
    return {"status": status, "agency": {"code": agency}, "category": {"code": category}}


async def test_events_keep_the_state_they_were_made_in(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Dispatcher")
    report_id = (await file_report(categoryCode="SAMPAH"))["id"]
    await move(report_id, ["ACKNOWLEDGED"], dispatcher)
    pkl = await Category.get(code="PKL_LIAR")
    await gql(
        REROUTE,
        {"i": {"id": report_id, "categoryId": to_global_id("Category", pkl.id), "reason": "salah dinas"}},
        principal=dispatcher,
    )

    timeline = (await gql(TIMELINE, {"id": report_id}, principal=dispatcher))["report"]["timeline"]

    assert timeline == [
        {"kind": "FILED", "before": None, "after": state("SUBMITTED", "DLH", "SAMPAH")},
        {
            "kind": "STATUS_CHANGED",
            "before": state("SUBMITTED", "DLH", "SAMPAH"),
            "after": state("ACKNOWLEDGED", "DLH", "SAMPAH"),
        },
        {
            "kind": "REROUTED",
            "before": state("ACKNOWLEDGED", "DLH", "SAMPAH"),
            "after": state("ACKNOWLEDGED", "SATPOLPP", "PKL_LIAR"),
        },
    ]


REPLAY = """subscription($filter: ReportEventFilter) {
  reportEvents(filter: $filter, after: "0") {
    event { kind before { agency { code } } after { agency { code } } } report { agency { code } } } }"""


async def _replayed(hub: Hub, principal: Principal, count: int, **filter: str) -> list[dict[str, Any]]:
    context = Context(principal=principal, tokens=SIGNER, live=FollowHub(hub))
    stream = await schema.subscribe(REPLAY, variable_values={"filter": filter}, context_value=context)
    assert isinstance(stream, AsyncGenerator), stream
    got = []
    try:
        async with asyncio.timeout(5):
            while len(got) < count:
                result = await anext(stream)
                assert not result.errors, result.errors
                got.append(result.data["reportEvents"])  # type: ignore[index]
    finally:
        await stream.aclose()
    return got


async def _rerouted_after_a_note(dispatcher: Principal, officer: Principal) -> str:
    report_id = (await file_report(categoryCode="SAMPAH"))["id"]
    await move(report_id, ["ACKNOWLEDGED"], dispatcher)
    note = "mutation($i: AddInternalNoteInput!) { addInternalNote(input: $i) { errors { code } } }"
    await gql(note, {"i": {"id": report_id, "body": "Truk rusak"}}, principal=officer)
    pkl = await Category.get(code="PKL_LIAR")
    variables = {"i": {"id": report_id, "categoryId": to_global_id("Category", pkl.id), "reason": "salah"}}
    await gql(REROUTE, variables, principal=dispatcher)
    return str(report_id)


async def test_a_replayed_event_is_matched_as_it_was_and_shows_the_report_now(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Dispatcher")
    await _rerouted_after_a_note(dispatcher, await staff(Role.OFFICER, "DLH", "Petugas DLH"))
    dlh = await Agency.get(code="DLH")

    async with live_feed() as hub:
        replayed = await _replayed(hub, dispatcher, 4, agency=to_global_id("Agency", dlh.id))

    assert [(e["event"]["kind"], e["event"]["after"]["agency"]["code"]) for e in replayed] == [
        ("FILED", "DLH"),
        ("STATUS_CHANGED", "DLH"),
        ("INTERNAL_NOTE", "DLH"),
        ("REROUTED", "SATPOLPP"),  # re-routed away from DLH: still DLH's news
    ]
    assert {e["report"]["agency"]["code"] for e in replayed} == {"SATPOLPP"}  # the report now


async def test_internal_notes_replay_to_the_agency_they_were_written_in(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Dispatcher")
    dlh_officer = await staff(Role.OFFICER, "DLH", "Petugas DLH")
    satpol_officer = await staff(Role.OFFICER, "SATPOLPP", "Petugas Satpol")
    await _rerouted_after_a_note(dispatcher, dlh_officer)

    async with live_feed() as hub:
        for_dlh = await _replayed(hub, dlh_officer, 4)
        for_satpol = await _replayed(hub, satpol_officer, 3)

    assert [e["event"]["kind"] for e in for_dlh] == ["FILED", "STATUS_CHANGED", "INTERNAL_NOTE", "REROUTED"]
    assert [e["event"]["kind"] for e in for_satpol] == ["FILED", "STATUS_CHANGED", "REROUTED"]
