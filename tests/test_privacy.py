"""Reporters' identity and sensitive places: seen by the reporter and the handling agency only,
whichever way a query reaches them (field, list edge, node, alias, fragment, nested report)."""

from __future__ import annotations

from typing import Any

import pytest

from models import Role
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from tests.conftest import Database
from tests.graphql import FILE_REPORT, UPDATE_STATUS, citizen, filing, gql, staff

PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"reports:read"}), client="key:1"
)
DISPLAY = Principal(kind=PrincipalKind.DISPLAY, api_key_id=2, client="key:2")

CONTACT = "reporterContact { name phone email }"
PATHS = {
    "field": "query($id: ID!) { report(id: $id) { " + CONTACT + " } }",
    "edge": "{ reports(first: 5) { edges { node { " + CONTACT + " } } } }",
    "node": "query($id: ID!) { node(id: $id) { ... on Report { " + CONTACT + " } } }",
    "alias": "query($id: ID!) { a: report(id: $id) { secret: reporterContact { phone } } }",
    "fragment": "fragment F on Report { " + CONTACT + " } query($id: ID!) { report(id: $id) { ...F } }",
    "nested": "query($id: ID!) { report(id: $id) { duplicateOf { " + CONTACT + " } } }",
}


def _contacts(data: Any) -> list[Any]:
    """Every reporterContact (or aliased `secret`) value anywhere in an answer."""
    found: list[Any] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in {"reporterContact", "secret"}:
                found.append(value)
            else:
                found += _contacts(value)
    elif isinstance(data, list):
        for item in data:
            found += _contacts(item)
    return found


async def _scene() -> dict[str, Any]:
    """Ani, signed in, files a trash report (DLH); an anonymous copy is marked its duplicate."""
    ani = await citizen("Ani")
    original = (await gql(FILE_REPORT, {"input": filing()}, principal=ani))["fileReport"]["report"]
    copy = (await gql(FILE_REPORT, {"input": filing()}))["fileReport"]["report"]
    dlh_officer = await staff(Role.OFFICER, "DLH", "Officer DLH")
    marked = await gql(
        UPDATE_STATUS,
        {"input": {"id": copy["id"], "status": "DUPLICATE", "duplicateOfId": original["id"]}},
        principal=dlh_officer,
    )
    assert marked["updateReportStatus"]["errors"] == []
    return {"ani": ani, "original": original["id"], "copy": copy["id"], "dlh": dlh_officer}


async def _viewers(scene: dict[str, Any]) -> dict[str, Principal]:
    return {
        "anonymous": ANONYMOUS,
        "partner": PARTNER,
        "display": DISPLAY,
        "other citizen": await citizen("Budi"),
        "officer of another agency": await staff(Role.OFFICER, "DISHUB", "Officer Dishub"),
        "dispatcher of another agency": await staff(Role.DISPATCHER, "DINSOS", "Dispatcher"),
        "city admin": await staff(Role.CITY_ADMIN, None, "Admin Kota"),
    }


@pytest.mark.parametrize("path", list(PATHS))
async def test_reporter_and_agency_see_the_reporter(db: Database, path: str) -> None:
    scene = await _scene()
    report_id = scene["copy"] if path == "nested" else scene["original"]

    for viewer in (scene["ani"], scene["dlh"]):
        data = await gql(PATHS[path], {"id": report_id} if "$id" in PATHS[path] else None, principal=viewer)
        contacts = [c for c in _contacts(data) if c is not None]
        assert contacts, f"{path}: the reporter's contact should be visible"
        assert all(c.get("phone") == "081234567" for c in contacts)


@pytest.mark.parametrize("path", list(PATHS))
async def test_nobody_else_sees_the_reporter(db: Database, path: str) -> None:
    scene = await _scene()
    report_id = scene["copy"] if path == "nested" else scene["original"]

    for name, viewer in (await _viewers(scene)).items():
        data = await gql(PATHS[path], {"id": report_id} if "$id" in PATHS[path] else None, principal=viewer)
        assert _contacts(data), f"{path}: the query should reach the field"
        assert all(c is None for c in _contacts(data)), f"{name} saw the reporter through {path}"


async def test_anonymous_filer_sees_their_contact_through_the_tracking_token(db: Database) -> None:
    with_token = FILE_REPORT.replace("report {", "trackingToken report {")
    filed = (await gql(with_token, {"input": filing(contactName="Rina", contactPhone="0812 3456 7999")}))[
        "fileReport"
    ]
    token = filed["trackingToken"]
    query = (
        "query($t: String, $id: ID) { report(trackingToken: $t, id: $id) { reporterContact { name phone } } }"
    )

    mine = await gql(query, {"t": token})
    by_id = await gql(query, {"id": filed["report"]["id"]})
    wrong = await gql(query, {"t": "x" * 43})

    assert mine["report"]["reporterContact"] == {"name": "Rina", "phone": "+6281234567999"}
    assert by_id["report"]["reporterContact"] is None
    assert wrong["report"] is None
    assert len(token) >= 40


async def test_signed_in_filer_gets_no_tracking_token(db: Database) -> None:
    ani = await citizen("Ani")
    filed = await gql(
        FILE_REPORT.replace("report {", "trackingToken report {"), {"input": filing()}, principal=ani
    )

    assert filed["fileReport"]["trackingToken"] is None


MISSING = {"lat": -10.16371, "lon": 123.60489}
PLACE = "query($id: ID!) { report(id: $id) { location { lat lon } address } }"
NEAR = "query($f: ReportFilter) { reports(first: 5, filter: $f) { totalCount } }"


async def test_sensitive_places_are_coarse_for_the_public_and_exact_for_the_agency(db: Database) -> None:
    report = (
        await gql(
            FILE_REPORT,
            {"input": filing(categoryCode="ORANG_HILANG", location=MISSING, address="Rumah no. 7")},
        )
    )["fileReport"]["report"]
    dinsos = await staff(Role.OFFICER, "DINSOS", "Officer Dinsos")

    public = (await gql(PLACE, {"id": report["id"]}))["report"]
    agency = (await gql(PLACE, {"id": report["id"]}, principal=dinsos))["report"]

    assert public == {"location": {"lat": -10.16, "lon": 123.6}, "address": None}
    assert agency == {"location": MISSING, "address": "Rumah no. 7"}


async def test_a_tiny_circle_cannot_pinpoint_a_sensitive_report(db: Database) -> None:
    await gql(FILE_REPORT, {"input": filing(categoryCode="ORANG_HILANG", location=MISSING)})
    dinsos = await staff(Role.OFFICER, "DINSOS", "Officer Dinsos")
    exact = {"near": {**MISSING, "radiusMeters": 30}}
    coarse = {"near": {"lat": -10.16, "lon": 123.6, "radiusMeters": 30}}

    assert (await gql(NEAR, {"f": exact}))["reports"]["totalCount"] == 0
    assert (await gql(NEAR, {"f": coarse}))["reports"]["totalCount"] == 1
    assert (await gql(NEAR, {"f": exact}, principal=dinsos))["reports"]["totalCount"] == 1
    assert (await gql(NEAR, {"f": coarse}, principal=dinsos))["reports"]["totalCount"] == 0


async def test_ordinary_places_are_exact_for_everyone(db: Database) -> None:
    report = (await gql(FILE_REPORT, {"input": filing(location=MISSING, address="Pasar Oebobo")}))[
        "fileReport"
    ]["report"]

    assert (await gql(PLACE, {"id": report["id"]}))["report"] == {
        "location": MISSING,
        "address": "Pasar Oebobo",
    }
