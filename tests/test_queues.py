"""An officer's queue and an agency's queue: who may read them and what they hold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import Report, Role
from resolvers.identity import ANONYMOUS
from resolvers.timeline import utcnow
from schema.ids import from_global_id, to_global_id
from tests.casework_api import move
from tests.conftest import Database
from tests.graphql import citizen, file_report, gql, run, staff

ASSIGN = "mutation($i: AssignReportInput!) { assignReport(input: $i) { errors { code } } }"
MY_QUEUE = "query($f: ReportFilter) { myQueue(filter: $f) { totalCount edges { node { id dueAt } } } }"
AGENCY_QUEUE = """query($a: ID!, $f: ReportFilter) { agencyQueue(agencyId: $a, filter: $f) {
  totalCount edges { node { id agency { code } } } } }"""


async def _assign(report_id: str, officer_user_id: int, dispatcher: object) -> None:
    data = await gql(
        ASSIGN,
        {"i": {"id": report_id, "assigneeId": to_global_id("User", officer_user_id)}},
        principal=dispatcher,  # type: ignore[arg-type]
    )
    assert data["assignReport"]["errors"] == []


async def test_my_queue_holds_my_open_reports_by_due_time(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, "DLH", "Dispatcher")
    me, colleague = await staff(Role.OFFICER, "DLH", "Yohanes"), await staff(Role.OFFICER, "DLH", "Maria")
    reports = [await file_report() for _ in range(4)]  # later, sooner, done, a colleague's
    for report in reports[:3]:
        await _assign(report["id"], me.user.id, dispatcher)  # type: ignore[union-attr]
    await _assign(reports[3]["id"], colleague.user.id, dispatcher)  # type: ignore[union-attr]
    await Report.filter(id=from_global_id(reports[1]["id"], "Report")).update(
        due_at=utcnow() + timedelta(hours=1)
    )
    await move(reports[2]["id"], ["REJECTED"], dispatcher, note="palsu")

    queue = (await gql(MY_QUEUE, principal=me))["myQueue"]

    assert queue["totalCount"] == 2
    assert [edge["node"]["id"] for edge in queue["edges"]] == [reports[1]["id"], reports[0]["id"]]
    finished = (await gql(MY_QUEUE, {"f": {"statuses": ["REJECTED"]}}, principal=me))["myQueue"]
    assert [edge["node"]["id"] for edge in finished["edges"]] == [reports[2]["id"]]


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
async def test_my_queue_is_for_staff(db: Database, who: str) -> None:
    principal = ANONYMOUS if who == "anonymous" else await citizen("Ani")
    result = await run(MY_QUEUE, principal=principal)
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == ("UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN")


async def test_agency_queue_filters_unassigned_and_overdue(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, "DLH", "Dispatcher")
    officer = await staff(Role.OFFICER, "DLH", "Yohanes")
    assigned, unassigned, late = (await file_report(), await file_report(), await file_report())
    await file_report(categoryCode="PKL_LIAR")  # another agency's
    await _assign(assigned["id"], officer.user.id, dispatcher)  # type: ignore[union-attr]
    await Report.filter(id=from_global_id(late["id"], "Report")).update(due_at=utcnow() - timedelta(hours=1))
    dlh = next(a["id"] for a in (await gql("{ agencies { id code } }"))["agencies"] if a["code"] == "DLH")

    async def ids(flt: dict[str, object] | None) -> set[str]:
        data = await gql(AGENCY_QUEUE, {"a": dlh, "f": flt}, principal=officer)
        return {edge["node"]["id"] for edge in data["agencyQueue"]["edges"]}

    assert await ids(None) == {assigned["id"], unassigned["id"], late["id"]}
    assert await ids({"unassigned": True}) == {unassigned["id"], late["id"]}
    assert await ids({"overdue": True}) == {late["id"]}
    assert await ids({"assigneeIds": [to_global_id("User", officer.user.id)]}) == {assigned["id"]}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("officer DLH", True),
        ("dispatcher", True),
        ("city admin", True),
        ("officer DISHUB", False),
        ("citizen", False),
    ],
)
async def test_agency_queue_by_role(db: Database, who: str, allowed: bool) -> None:
    await file_report()
    principal = {
        "officer DLH": lambda: staff(Role.OFFICER, "DLH", "A"),
        "dispatcher": lambda: staff(Role.DISPATCHER, "DINSOS", "B"),
        "city admin": lambda: staff(Role.CITY_ADMIN, None, "C"),
        "officer DISHUB": lambda: staff(Role.OFFICER, "DISHUB", "D"),
        "citizen": lambda: citizen("E"),
    }[who]
    dlh = next(a["id"] for a in (await gql("{ agencies { id code } }"))["agencies"] if a["code"] == "DLH")

    result = await run(AGENCY_QUEUE, {"a": dlh}, principal=await principal())

    if allowed:
        assert result.errors is None
        assert result.data["agencyQueue"]["totalCount"] == 1  # type: ignore[index]
    else:
        assert result.errors is not None
        assert result.errors[0].extensions["code"] == "FORBIDDEN"
