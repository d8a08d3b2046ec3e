"""Every role against every report action: allowed ones succeed, the rest are refused and write nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from models import Report, ReportEvent, Role, User
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from schema.ids import to_global_id
from tests.conftest import Database
from tests.graphql import UPDATE_STATUS, citizen, file_report, gql, staff

ASSIGN = "mutation($i: AssignReportInput!) { assignReport(input: $i) { report { id } errors { code } } }"
REROUTE = "mutation($i: RerouteReportInput!) { rerouteReport(input: $i) { report { id } errors { code } } }"
CREATE_STAFF = (
    "mutation($i: CreateStaffInput!) { createStaff(input: $i) { staff { id role } errors { code } } }"
)

PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"reports:read"}), client="key:1"
)
DISPLAY = Principal(
    kind=PrincipalKind.DISPLAY, api_key_id=2, scopes=frozenset({"reports:read"}), client="key:2"
)

# Who acts: built per test, since users live in the (per-test) database.
ROLES: dict[str, Callable[[], Awaitable[Principal]]] = {
    "anonymous": lambda: _const(ANONYMOUS),
    "partner": lambda: _const(PARTNER),
    "display": lambda: _const(DISPLAY),
    "citizen": lambda: citizen("Ani"),
    "officer DLH": lambda: staff(Role.OFFICER, "DLH", "Officer DLH"),
    "officer DISHUB": lambda: staff(Role.OFFICER, "DISHUB", "Officer Dishub"),
    "agency admin DLH": lambda: staff(Role.AGENCY_ADMIN, "DLH", "Admin DLH"),
    "agency admin DISHUB": lambda: staff(Role.AGENCY_ADMIN, "DISHUB", "Admin Dishub"),
    "dispatcher": lambda: staff(Role.DISPATCHER, "DINSOS", "Dispatcher"),
    "city admin": lambda: staff(Role.CITY_ADMIN, None, "Admin Kota"),
}


async def _const(principal: Principal) -> Principal:
    return principal


async def _snapshot() -> tuple[list[dict[str, Any]], int]:
    return await Report.all().order_by("id").values(), await ReportEvent.all().count()


def _expected(allowed: set[str], role: str) -> list[str]:
    if role in allowed:
        return []
    return ["UNAUTHENTICATED"] if role in {"anonymous", "partner", "display"} else ["FORBIDDEN"]


CHANGE_ALLOWED = {"officer DLH", "agency admin DLH", "dispatcher", "city admin"}
REROUTE_ALLOWED = {"agency admin DLH", "dispatcher", "city admin"}


@pytest.mark.parametrize("role", list(ROLES))
async def test_status_change_by_role(db: Database, role: str) -> None:
    report = await file_report()  # trash: routed to DLH
    actor = await ROLES[role]()
    before = await _snapshot()

    data = await gql(
        UPDATE_STATUS, {"input": {"id": report["id"], "status": "ACKNOWLEDGED"}}, principal=actor
    )

    errors = [e["code"] for e in data["updateReportStatus"]["errors"]]
    assert errors == _expected(CHANGE_ALLOWED, role)
    if errors:
        assert await _snapshot() == before


@pytest.mark.parametrize("role", list(ROLES))
async def test_assignment_by_role(db: Database, role: str) -> None:
    report = await file_report()
    officer = await User.create(
        name="Petugas DLH", role=Role.OFFICER, agency_id=(await Report.get(id=1)).agency_id
    )
    actor = await ROLES[role]()
    before = await _snapshot()

    data = await gql(
        ASSIGN, {"i": {"id": report["id"], "assigneeId": to_global_id("User", officer.id)}}, principal=actor
    )

    errors = [e["code"] for e in data["assignReport"]["errors"]]
    assert errors == _expected(CHANGE_ALLOWED, role)
    if errors:
        assert await _snapshot() == before


@pytest.mark.parametrize("role", list(ROLES))
async def test_reroute_by_role(db: Database, role: str) -> None:
    report = await file_report()
    actor = await ROLES[role]()
    before = await _snapshot()

    data = await gql(
        REROUTE,
        {"i": {"id": report["id"], "agencyId": to_global_id("Agency", 2), "reason": "Salah dinas"}},
        principal=actor,
    )

    errors = [e["code"] for e in data["rerouteReport"]["errors"]]
    assert errors == _expected(REROUTE_ALLOWED, role)
    if errors:
        assert await _snapshot() == before


@pytest.mark.parametrize(
    ("role", "new_role", "agency", "allowed"),
    [
        ("city admin", "DISPATCHER", "DINSOS", True),
        ("city admin", "AGENCY_ADMIN", "DISHUB", True),
        ("agency admin DLH", "OFFICER", "DLH", True),
        ("agency admin DLH", "OFFICER", "DISHUB", False),
        ("agency admin DLH", "AGENCY_ADMIN", "DLH", False),
        ("officer DLH", "OFFICER", "DLH", False),
        ("dispatcher", "OFFICER", "DLH", False),
        ("citizen", "OFFICER", "DLH", False),
        ("anonymous", "CITY_ADMIN", None, False),
    ],
)
async def test_only_admins_create_staff(
    db: Database, role: str, new_role: str, agency: str | None, allowed: bool
) -> None:
    actor = await ROLES[role]()
    from models import Agency

    agency_id = to_global_id("Agency", (await Agency.get(code=agency)).id) if agency else None
    before = await User.all().count()

    data = await gql(
        CREATE_STAFF,
        {"i": {"name": "Baru", "email": "baru@kupang.test", "password": "kata-sandi-baru-1", "role": new_role,
               "agencyId": agency_id}},
        principal=actor,
    )  # fmt: skip

    payload = data["createStaff"]
    if allowed:
        assert payload["errors"] == []
        assert payload["staff"]["role"] == new_role
    else:
        assert payload["errors"][0]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}
        assert await User.all().count() == before


async def test_partner_with_the_file_scope_may_file(db: Database) -> None:
    partner = Principal(
        kind=PrincipalKind.PARTNER, api_key_id=3, scopes=frozenset({"reports:file"}), client="key:3"
    )

    report = await file_report(principal=partner)

    assert report["status"] == "SUBMITTED"
