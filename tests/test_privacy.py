"""Reporters' identity and sensitive places: seen by the reporter and the handling agency only,
whichever way a query reaches them (field, list edge, node, alias, fragment, nested report)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from models import Agency, ApiKeyKind, Category, Role
from resolvers.api_keys import create_api_key
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from server.app import create_app
from server.settings import Settings
from tests.conftest import Database
from tests.graphql import FILE_REPORT, SIGNER, UPDATE_STATUS, citizen, filing, gql, staff

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


# Every way out of the API that shows a report's place, with the callers who may read them.
PLACES = "{ reports(first: 100) { edges { node { id location { lat lon } address } } } }"


@pytest.fixture
async def http(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=db.url,
        jwt_secret=SIGNER.secret,
        query_points_per_hour=1_000_000,
        rate_limits={"file_report": "1000/minute", "file_report_per_address": "1000/minute"},  # as tests do
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://localhost"
    ) as client:
        yield client


async def _callers(
    reporter: Principal, agency_ids: set[int]
) -> tuple[dict[str, dict[str, str]], dict[str, int | None]]:
    """Each caller's credentials as HTTP headers, and the agency each officer works for: the
    anonymous public, the reporter, another citizen, an officer of each handling agency (and so of
    another agency for the other reports) and of an agency handling none, a dispatcher, a partner
    key and a display key."""
    admin = await staff(Role.CITY_ADMIN, None, "Admin Kota")
    users = {"citizen reporter": reporter, "another citizen": await citizen("Budi")}
    users["dispatcher"] = await staff(Role.DISPATCHER, None, "Dispatcher")
    officers: dict[str, int | None] = {}
    uninvolved = await Agency.exclude(id__in=agency_ids).order_by("id").first()
    assert uninvolved is not None
    for agency in await Agency.filter(id__in=[*agency_ids, uninvolved.id]):
        name = f"officer of {agency.code}"
        users[name] = await staff(Role.OFFICER, agency.code, name.title().replace(" ", ""))
        officers[name] = agency.id
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, principal in users.items():
        assert principal.user is not None
        headers[name] = {"authorization": f"Bearer {SIGNER.access_token(principal.user)[0]}"}
    for name, kind in (("partner key", ApiKeyKind.PARTNER), ("display key", ApiKeyKind.DISPLAY)):
        _, key = await create_api_key(
            admin, name=name, kind=kind, scopes=["reports:read"], budget_per_hour=None
        )
        headers[name] = {"x-api-key": key}
    return headers, officers


async def _seen_over_graphql(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    body = (await http.post("/graphql", json={"query": PLACES}, headers=headers)).json()
    assert "errors" not in body, body
    return {
        edge["node"]["id"]: (
            edge["node"]["location"]["lat"],
            edge["node"]["location"]["lon"],
            edge["node"]["address"],
        )
        for edge in body["data"]["reports"]["edges"]
    }


async def _seen_in_the_export(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await http.get("/exports/reports.ndjson", headers=headers)
    assert response.status_code == 200, response.text
    rows = [orjson.loads(line) for line in response.text.splitlines()]
    return {row["id"]: (row["lat"], row["lon"], row["address"]) for row in rows}


async def _seen_over_open311(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await http.get("/open311/v2/requests.json", headers=headers)
    assert response.status_code == 200, response.text
    return {row["service_request_id"]: (row["lat"], row["long"], row["address"]) for row in response.json()}


async def _found_near(
    http: httpx.AsyncClient, headers: dict[str, str], near: dict[str, float]
) -> tuple[Any, Any]:
    """Which reports a 30 m circle finds over GraphQL and in the export."""
    flt = {"near": {**near, "radiusMeters": 30}}
    query = "query($f: ReportFilter) { reports(first: 100, filter: $f) { edges { node { id } } } }"
    body = (
        await http.post("/graphql", json={"query": query, "variables": {"f": flt}}, headers=headers)
    ).json()
    exported = await http.get(
        "/exports/reports.ndjson", params={"filter": orjson.dumps(flt).decode()}, headers=headers
    )
    return (
        {edge["node"]["id"] for edge in body["data"]["reports"]["edges"]},
        {orjson.loads(line)["id"] for line in exported.text.splitlines()},
    )


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # one database: the rule is not SQL
async def test_every_caller_sees_the_same_places_over_graphql_exports_and_open311(
    db: Database, http: httpx.AsyncClient
) -> None:
    # Every sensitive category, and an ordinary one.
    categories = [
        *await Category.filter(is_sensitive=True, is_active=True).order_by("id"),
        await Category.get(code="SAMPAH"),
    ]
    reporter = await citizen("Pelapor")
    headers, officers = await _callers(reporter, {category.agency_id for category in categories})  # type: ignore[attr-defined]
    reports: dict[str, dict[str, Any]] = {}  # by ID, each at its own house
    for n, category in enumerate(categories):
        lat, lon = round(-10.16371 - 0.0007 * n, 5), round(123.60489 + 0.0004 * n, 5)
        data = filing(categoryCode=category.code, location={"lat": lat, "lon": lon}, address=f"Rumah no. {n}")
        filed = (await gql(FILE_REPORT, {"input": data}, principal=reporter))["fileReport"]
        assert filed["errors"] == [], (category.code, filed["errors"])
        reports[filed["report"]["id"]] = {
            "code": filed["report"]["code"], "category": category, "exact": (lat, lon, f"Rumah no. {n}"),
        }  # fmt: skip
    sensitive = [report_id for report_id, r in reports.items() if r["category"].is_sensitive]
    assert 0 < len(sensitive) < len(reports)  # both kinds

    for caller, credentials in headers.items():
        over_graphql = await _seen_over_graphql(http, credentials)
        in_the_export = await _seen_in_the_export(http, credentials)
        over_open311 = await _seen_over_open311(http, credentials)

        for report_id, report in reports.items():
            category = report["category"]
            shows_exact = (
                not category.is_sensitive
                or caller == "citizen reporter"
                or officers.get(caller) == category.agency_id  # type: ignore[attr-defined]
            )
            lat, lon, address = report["exact"]
            expected = (lat, lon, address) if shows_exact else (round(lat, 2), round(lon, 2), None)
            seen = (over_graphql[report_id], in_the_export[report_id], over_open311[report["code"]])
            assert seen == (expected, expected, expected), (caller, category.code)
        # Searching goes through the same door: a tiny circle finds a sensitive report only for
        # those who see its exact place.
        lat, lon, _ = reports[sensitive[0]]["exact"]
        graphql_found, export_found = await _found_near(http, credentials, {"lat": lat, "lon": lon})
        pinpointed = over_graphql[sensitive[0]] == reports[sensitive[0]]["exact"]
        assert graphql_found == export_found == ({sensitive[0]} if pinpointed else set()), caller
