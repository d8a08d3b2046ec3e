"""Status machine, assignment and re-routing through the API, each with its timeline event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from models import Agency, Report, ReportEvent, Role, User
from models.lifecycle import TRANSITIONS
from resolvers.identity import ANONYMOUS, Principal
from schema.ids import to_global_id
from tests.conftest import Database
from tests.graphql import UPDATE_STATUS, Caller, file_report, gql, staff

ASSIGN = """
mutation($input: AssignReportInput!) {
  assignReport(input: $input) {
    report { id assignee { id name role } }
    event { kind note data }
    errors { code field }
  }
}
"""

REROUTE = """
mutation($input: RerouteReportInput!) {
  rerouteReport(input: $input) {
    report { id category { code } agency { code } assignee { id } dueAt createdAt }
    event { kind note data }
    errors { code field }
  }
}
"""


# The lifecycle without the proof-of-fix rule, which test_photos.py tests.
pytestmark = pytest.mark.usefixtures("resolving_without_photos")


@pytest.fixture(autouse=True)
async def as_dispatcher(db: Database) -> AsyncIterator[Principal]:
    """These tests are about the lifecycle, so they act as a city-wide dispatcher; who may do
    what is tested in test_permissions.py."""
    Caller.default = await staff(Role.DISPATCHER, "DLH", "Dispatcher")
    yield Caller.default
    Caller.default = ANONYMOUS


async def _status(report_id: str, status: str, **extra: Any) -> dict[str, Any]:
    data = await gql(UPDATE_STATUS, {"input": {"id": report_id, "status": status, **extra}})
    return data["updateReportStatus"]


async def _snapshot() -> tuple[list[dict[str, Any]], int]:
    return await Report.all().order_by("id").values(), await ReportEvent.all().count()


async def test_report_walks_the_whole_lifecycle(db: Database) -> None:
    report = await file_report()
    seen = []
    for status in ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED"]:
        payload = await _status(report["id"], status, note=f"now {status}")
        assert payload["errors"] == []
        assert payload["report"]["status"] == status
        assert payload["event"]["toStatus"] == status
        seen.append(payload["report"]["publicGroup"])

    final = payload["report"]
    assert seen == ["IN_PROCESS", "IN_PROCESS", "DONE", "DONE"]
    assert None not in (final["acknowledgedAt"], final["resolvedAt"], final["closedAt"])
    assert final["allowedStatuses"] == []
    timeline = (
        await gql(
            "query($id: ID!) { report(id: $id) { timeline { kind fromStatus toStatus note } } }",
            {"id": report["id"]},
        )
    )["report"]["timeline"]
    assert [(e["fromStatus"], e["toStatus"]) for e in timeline] == [
        (None, "SUBMITTED"),
        ("SUBMITTED", "ACKNOWLEDGED"),
        ("ACKNOWLEDGED", "IN_PROGRESS"),
        ("IN_PROGRESS", "RESOLVED"),
        ("RESOLVED", "CLOSED"),
    ]
    assert timeline[2]["note"] == "now IN_PROGRESS"


async def test_event_cursors_increase_across_reports(db: Database) -> None:
    first, second = await file_report(), await file_report()
    a = await _status(first["id"], "ACKNOWLEDGED")
    b = await _status(second["id"], "ACKNOWLEDGED")

    assert int(b["event"]["cursor"]) > int(a["event"]["cursor"])


async def test_resolved_report_can_be_reopened(db: Database) -> None:
    report = await file_report()
    for status in ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED"]:
        await _status(report["id"], status)

    payload = await _status(report["id"], "IN_PROGRESS", note="Masih rusak")

    assert payload["errors"] == []
    assert payload["report"]["status"] == "IN_PROGRESS"
    assert payload["report"]["resolvedAt"] is None


ALL = list(TRANSITIONS)
ILLEGAL = [(a, b) for a in ALL for b in ALL if b not in TRANSITIONS[a]]
PATH_TO = {
    "SUBMITTED": [],
    "ACKNOWLEDGED": ["ACKNOWLEDGED"],
    "IN_PROGRESS": ["ACKNOWLEDGED", "IN_PROGRESS"],
    "RESOLVED": ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED"],
    "CLOSED": ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED"],
    "REJECTED": ["REJECTED"],
    "DUPLICATE": ["DUPLICATE"],
}


@pytest.mark.parametrize(("current", "target"), [(a.value, b.value) for a, b in ILLEGAL])
async def test_illegal_transition_is_refused_and_changes_nothing(
    db: Database, current: str, target: str
) -> None:
    original = await file_report()
    report = await file_report()
    for step in PATH_TO[current]:
        assert (await _status(report["id"], step, note="alasan", duplicateOfId=original["id"]))[
            "errors"
        ] == []
    before = await _snapshot()

    payload = await _status(report["id"], target, note="alasan", duplicateOfId=original["id"])

    assert payload["report"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("ILLEGAL_TRANSITION", "status")]
    assert await _snapshot() == before


async def test_rejection_needs_a_reason(db: Database) -> None:
    report = await file_report()
    before = await _snapshot()

    payload = await _status(report["id"], "REJECTED", note="  ")

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("REQUIRED", "note")]
    assert await _snapshot() == before
    payload = await _status(report["id"], "REJECTED", note="Bukan wewenang pemerintah kota")
    assert payload["report"]["statusReason"] == "Bukan wewenang pemerintah kota"
    assert payload["report"]["publicGroup"] == "DONE"


async def test_duplicate_points_at_its_original(db: Database) -> None:
    original, copy = await file_report(), await file_report()

    payload = await _status(copy["id"], "DUPLICATE", duplicateOfId=original["id"])

    assert payload["errors"] == []
    assert payload["report"]["duplicateOf"] == {"id": original["id"]}
    assert payload["event"]["toStatus"] == "DUPLICATE"


@pytest.mark.parametrize("case", ["missing", "itself", "unknown", "chained", "wrong type"])
async def test_bad_duplicate_target_is_refused(db: Database, case: str) -> None:
    original, middle, report = await file_report(), await file_report(), await file_report()
    await _status(middle["id"], "DUPLICATE", duplicateOfId=original["id"])
    target = {
        "missing": None,
        "itself": report["id"],
        "unknown": to_global_id("Report", 9999),
        "chained": middle["id"],
        "wrong type": to_global_id("Agency", 1),
    }[case]
    before = await _snapshot()

    payload = await _status(report["id"], "DUPLICATE", duplicateOfId=target)

    expected = "INVALID_ID" if case == "wrong type" else "INVALID_DUPLICATE"
    assert [e["code"] for e in payload["errors"]] == [expected]
    assert await _snapshot() == before


@pytest.mark.parametrize("report_id", [to_global_id("Report", 404), "garbage", to_global_id("Category", 1)])
async def test_missing_or_malformed_report_id_is_a_typed_error(db: Database, report_id: str) -> None:
    payload = await _status(report_id, "ACKNOWLEDGED")

    assert payload["errors"][0]["code"] in {"NOT_FOUND", "INVALID_ID"}
    assert payload["errors"][0]["field"] == "id"
    assert await ReportEvent.all().count() == 0


async def _staff(role: Role, agency_code: str, name: str) -> User:
    agency = await Agency.get(code=agency_code)
    return await User.create(name=name, role=role, agency=agency, email=f"{name.lower()}@kupang.test")


async def test_report_is_assigned_to_an_officer_of_its_agency(db: Database) -> None:
    report = await file_report()  # trash: DLH
    officer = await _staff(Role.OFFICER, "DLH", "Yohanes")

    data = await gql(
        ASSIGN,
        {"input": {"id": report["id"], "assigneeId": to_global_id("User", officer.id), "note": "Segera"}},
    )

    payload = data["assignReport"]
    assert payload["errors"] == []
    assert payload["report"]["assignee"] == {
        "id": to_global_id("User", officer.id),
        "name": "Yohanes",
        "role": "OFFICER",
    }
    assert payload["event"]["kind"] == "ASSIGNED"
    assert payload["event"]["data"]["assigneeId"] == officer.id


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("other agency", "WRONG_AGENCY"),
        ("citizen", "NOT_STAFF"),
        ("nobody", "NOT_FOUND"),
        ("same again", "NOTHING_CHANGED"),
    ],
)
async def test_bad_assignment_is_refused(db: Database, who: str, code: str) -> None:
    report = await file_report()
    officer = await _staff(Role.OFFICER, "DLH", "Maria")
    if who == "same again":
        await gql(ASSIGN, {"input": {"id": report["id"], "assigneeId": to_global_id("User", officer.id)}})
    user_id = {
        "other agency": (await _staff(Role.OFFICER, "DISHUB", "Petrus")).id,
        "citizen": (await User.create(name="Warga", role=Role.CITIZEN)).id,
        "nobody": 999,
        "same again": officer.id,
    }[who]
    before = await _snapshot()

    data = await gql(ASSIGN, {"input": {"id": report["id"], "assigneeId": to_global_id("User", user_id)}})

    assert [e["code"] for e in data["assignReport"]["errors"]] == [code]
    assert await _snapshot() == before


async def test_reroute_to_another_category_moves_agency_and_targets(db: Database) -> None:
    report = await file_report(categoryCode="SAMPAH")
    officer = await _staff(Role.OFFICER, "DLH", "Agus")
    await gql(ASSIGN, {"input": {"id": report["id"], "assigneeId": to_global_id("User", officer.id)}})
    categories = {c["code"]: c["id"] for c in (await gql("{ categories { id code } }"))["categories"]}

    data = await gql(
        REROUTE,
        {
            "input": {
                "id": report["id"],
                "categoryId": categories["PKL_LIAR"],
                "reason": "Ini pedagang kaki lima, bukan sampah",
            }
        },
    )

    payload = data["rerouteReport"]
    assert payload["errors"] == []
    assert payload["report"]["category"]["code"] == "PKL_LIAR"
    assert payload["report"]["agency"]["code"] == "SATPOLPP"
    assert payload["report"]["assignee"] is None
    assert payload["event"]["kind"] == "REROUTED"
    assert payload["event"]["note"] == "Ini pedagang kaki lima, bukan sampah"
    dlh, satpol = await Agency.get(code="DLH"), await Agency.get(code="SATPOLPP")
    assert payload["event"]["data"]["fromAgencyId"] == dlh.id
    assert payload["event"]["data"]["toAgencyId"] == satpol.id


async def test_reroute_to_another_agency_keeps_the_category(db: Database) -> None:
    report = await file_report(categoryCode="SAMPAH")
    pupr = (await gql("{ agencies { id code } }"))["agencies"]
    pupr_id = next(a["id"] for a in pupr if a["code"] == "PUPR")

    data = await gql(REROUTE, {"input": {"id": report["id"], "agencyId": pupr_id, "reason": "Saluran air"}})

    assert data["rerouteReport"]["report"]["agency"]["code"] == "PUPR"
    assert data["rerouteReport"]["report"]["category"]["code"] == "SAMPAH"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"reason": ""}, "REQUIRED"),
        ({"categoryId": None}, "REQUIRED"),
        ({"categoryId": to_global_id("Category", 999)}, "UNKNOWN_CATEGORY"),
        ({"categoryId": None, "agencyId": to_global_id("Agency", 999)}, "NOT_FOUND"),
        ({"categoryId": "SAME"}, "NOTHING_CHANGED"),
    ],
)
async def test_bad_reroute_is_refused(db: Database, change: dict[str, Any], code: str) -> None:
    report = await file_report(categoryCode="SAMPAH")
    same = (await Report.get(id=1)).category_id
    variables = {
        "id": report["id"],
        "reason": "salah kategori",
        "categoryId": to_global_id("Category", same + 1),
    }
    variables.update(change)
    if variables["categoryId"] == "SAME":
        variables["categoryId"] = to_global_id("Category", same)
    before = await _snapshot()

    data = await gql(REROUTE, {"input": variables})

    assert [e["code"] for e in data["rerouteReport"]["errors"]] == [code]
    assert await _snapshot() == before


async def test_finished_report_cannot_be_rerouted_or_assigned(db: Database) -> None:
    report = await file_report()
    await _status(report["id"], "REJECTED", note="Laporan palsu")
    officer = await _staff(Role.OFFICER, "DLH", "Kornelis")
    before = await _snapshot()

    rerouted = await gql(
        REROUTE, {"input": {"id": report["id"], "agencyId": to_global_id("Agency", 2), "reason": "x"}}
    )
    assigned = await gql(
        ASSIGN, {"input": {"id": report["id"], "assigneeId": to_global_id("User", officer.id)}}
    )

    assert [e["code"] for e in rerouted["rerouteReport"]["errors"]] == ["ILLEGAL_TRANSITION"]
    assert [e["code"] for e in assigned["assignReport"]["errors"]] == ["ILLEGAL_TRANSITION"]
    assert await _snapshot() == before
