"""Open311 GeoReport v2 over HTTP: the specification's endpoints and field names, JSON and XML,
filing through the same door as `fileReport`, status mapping and privacy; and the `georeport`
client from PyPI (written by others) reading a real server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import georeport
import httpx
import pytest

from models import ApiKeyKind, Category, Report, Role
from resolvers.api_keys import create_api_key
from resolvers.photo_storage import LocalPhotoStorage
from schema.ids import from_global_id
from server.app import create_app
from server.open311.routes import JURISDICTION_ID
from server.settings import Settings
from tests import images
from tests.conftest import Database
from tests.graphql import UPDATE_STATUS, file_report, gql, staff
from tests.loopback_http import HTTP
from tests.server_process import RunningServer, module_server
from tests.test_photos import file_with, storage, upload

__all__ = ["storage"]  # the photo tests' fixture, used here too

BASE = "/open311/v2"
# The keys of the specification's examples (wiki.open311.org/GeoReport_v2).
SERVICE_KEYS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_KEYS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
SENSITIVE = (-10.16637, 123.60871)


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=db.url, jwt_secret="test-secret-" + "x" * 32))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        yield http


async def _partner_key(*scopes: str) -> str:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    _, key = await create_api_key(
        admin, name="Dasbor provinsi", kind=ApiKeyKind.PARTNER, scopes=list(scopes), budget_per_hour=None
    )
    return key


def _filing(key: str, **fields: str) -> dict[str, str]:
    return {
        "api_key": key,
        "jurisdiction_id": JURISDICTION_ID,
        "service_code": "SAMPAH",
        "lat": "-10.1700",
        "long": "123.6070",
        "address_string": "Jl. El Tari, Oebobo",
        "description": "Sampah menumpuk di pinggir jalan\nSudah tiga hari.",
        "first_name": "Yohanes",
        "last_name": "Bria",
        "phone": "081234500011",
        "email": "yohanes@example.test",
        **fields,
    }


async def test_discovery_and_services_in_both_formats(client: httpx.AsyncClient) -> None:
    discovery = (await client.get(f"{BASE}/discovery.json")).json()
    services = (await client.get(f"{BASE}/services.json", params={"jurisdiction_id": JURISDICTION_ID})).json()
    xml = await client.get(f"{BASE}/services.xml")
    definition = (await client.get(f"{BASE}/services/SAMPAH.json")).json()

    assert discovery["endpoints"][0]["url"] == "http://localhost/open311/v2"
    assert discovery["endpoints"][0]["formats"] == ["application/json", "text/xml"]
    assert len(services) == await Category.filter(is_active=True).count()
    assert all(set(s) == SERVICE_KEYS for s in services)
    trash = next(s for s in services if s["service_code"] == "SAMPAH")
    assert (trash["service_name"], trash["metadata"], trash["group"]) == ("Sampah", False, "DLH")
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)  # noqa: S314 - our own server's answer
    assert root.tag == "services"
    assert [e.findtext("service_code") for e in root.findall("service")] == [
        s["service_code"] for s in services
    ]
    assert definition == {"service_code": "SAMPAH", "attributes": []}


async def test_filing_goes_through_file_report_and_keeps_the_contact_private(
    db: Database, client: httpx.AsyncClient
) -> None:
    key = await _partner_key("reports:file")

    response = await client.post(f"{BASE}/requests.json", data=_filing(key))

    assert response.status_code == 200, response.text
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    report = await Report.get(code=answer["service_request_id"])
    assert (report.title, report.contact_name, report.contact_phone) == (
        "Sampah menumpuk di pinggir jalan",
        "Yohanes Bria",
        "+6281234500011",  # normalised to E.164 as every reporter's phone
    )
    assert await report.events.all().count() == 1  # its FILED event, as every filing writes
    token = (await client.get(f"{BASE}/tokens/{answer['token']}.json")).json()
    assert token == [{"service_request_id": report.code, "token": answer["token"]}]
    seen = (await client.get(f"{BASE}/requests/{report.code}.json")).json()
    assert "1234500011" not in str(seen)
    assert "Yohanes" not in str(seen)


@pytest.mark.parametrize(
    ("fields", "status", "mentions"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "sgp_nope_nope"}, 403, "api_key"),
        ({"service_code": "NOPE"}, 400, "category"),
        ({"lat": "utara"}, 400, "lat"),
        ({"lat": "nan"}, 400, "location"),
        ({"lat": "-8.0"}, 400, "location"),  # outside the city
        ({"description": ""}, 400, "description"),
        ({"jurisdiction_id": "other.city"}, 404, "jurisdiction_id"),
    ],
)
async def test_bad_filings_are_refused_with_open311_errors_and_write_nothing(
    db: Database, client: httpx.AsyncClient, fields: dict[str, str], status: int, mentions: str
) -> None:
    key = await _partner_key("reports:file")

    response = await client.post(f"{BASE}/requests.xml", data=_filing(key, **fields))

    assert response.status_code == status
    error = ET.fromstring(response.content).find("error")  # noqa: S314 - our own server's answer
    assert error is not None
    assert error.findtext("code") == str(status)
    assert mentions in (error.findtext("description") or "")
    assert await Report.all().count() == 0


async def test_a_key_without_reports_file_may_not_file(db: Database, client: httpx.AsyncClient) -> None:
    key = await _partner_key("reports:read")

    response = await client.post(f"{BASE}/requests.json", data=_filing(key))

    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert await Report.all().count() == 0


async def test_requests_map_status_dates_agency_and_privacy(db: Database, client: httpx.AsyncClient) -> None:
    waiting = await file_report()
    rejected = await file_report(categoryCode="LAMPU_RAMBU")
    sensitive = await file_report(
        categoryCode="PENGEMIS", location={"lat": SENSITIVE[0], "lon": SENSITIVE[1]}, address="Jl. Rahasia 7"
    )
    officer = await staff(Role.OFFICER, "DISHUB")
    changed = await gql(
        UPDATE_STATUS,
        {"input": {"id": rejected["id"], "status": "REJECTED", "note": "Bukan lampu kota"}},
        principal=officer,
    )
    assert changed["updateReportStatus"]["errors"] == []

    everything = (await client.get(f"{BASE}/requests.json")).json()
    closed = (await client.get(f"{BASE}/requests.json", params={"status": "closed"})).json()
    lamps = (await client.get(f"{BASE}/requests.json", params={"service_code": "LAMPU_RAMBU"})).json()
    two = (
        await client.get(
            f"{BASE}/requests.json", params={"service_request_id": f"{waiting['code']},{sensitive['code']}"}
        )
    ).json()

    assert all(set(r) == REQUEST_KEYS for r in everything)
    by_code = {r["service_request_id"]: r for r in everything}
    assert set(by_code) == {waiting["code"], rejected["code"], sensitive["code"]}
    assert [r["service_request_id"] for r in closed] == [rejected["code"]]
    assert closed[0]["status_notes"] == "REJECTED: Bukan lampu kota"
    assert [r["service_request_id"] for r in lamps] == [rejected["code"]]
    assert {r["service_request_id"] for r in two} == {waiting["code"], sensitive["code"]}
    first = by_code[waiting["code"]]
    assert (first["status"], first["status_notes"], first["agency_responsible"]) == (
        "open",
        "SUBMITTED",
        "Dinas Lingkungan Hidup",
    )
    assert first["expected_datetime"] == waiting["dueAt"]
    assert (first["lat"], first["long"], first["address"]) == (-10.17, 123.607, "Jl. El Tari, Oebobo")
    hidden = by_code[sensitive["code"]]
    assert (hidden["lat"], hidden["long"], hidden["address"]) == (-10.17, 123.61, None)


async def test_request_windows_and_bad_filters(db: Database, client: httpx.AsyncClient) -> None:
    await file_report()
    future = {"start_date": "2099-01-01T00:00:00+08:00"}

    assert (await client.get(f"{BASE}/requests.json", params=future)).json() == []
    for params in (
        {"start_date": "kemarin"},
        {"end_date": "2026-01-01T00:00:00"},
        {"status": "lost"},
        {"service_code": "NOPE"},
    ):
        response = await client.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 400
        assert response.json()[0]["code"] == 400
    assert (await client.get(f"{BASE}/requests/NOPE-NOPE.json")).status_code == 404
    assert (await client.get(f"{BASE}/services.yaml")).status_code == 404


server = module_server("open311")


def test_the_georeport_client_from_pypi_reads_a_real_server(server: RunningServer, tmp_path: Path) -> None:

    filing = (
        """mutation($i: FileReportInput!) { fileReport(input: $i) { report { code } errors { code } } }"""
    )
    variables: dict[str, Any] = {
        "i": {"title": "Lampu mati", "description": "Lampu jalan padam", "categoryCode": "LAMPU_RAMBU",
              "location": {"lat": -10.17, "lon": 123.607}}
    }  # fmt: skip
    filed = HTTP.post(server.url + "/graphql", json={"query": filing, "variables": variables}).json()
    code = filed["data"]["fileReport"]["report"]["code"]

    for output_format in ("json", "xml"):
        client = georeport.GeoReport(
            server.url + BASE, jurisdiction=JURISDICTION_ID, output_format=output_format
        )
        services = client.get_service_list()
        request = client.get_service_request(code)
        assert "LAMPU_RAMBU" in [s["service_code"] for s in services]
        assert client.get_service_definition("LAMPU_RAMBU")["service_code"] == "LAMPU_RAMBU"
        assert (request["service_request_id"], request["status"], request["service_code"]) == (
            code,
            "open",
            "LAMPU_RAMBU",
        )
        listed = client.get_service_requests(status="open", service_code="LAMPU_RAMBU")
        listed = listed if isinstance(listed, list) else [listed]  # xmltodict: one item is no list
        assert [r["service_request_id"] for r in listed] == [code]


async def test_reads_are_charged_to_the_budget(db: Database) -> None:
    filed = await file_report()
    app = create_app(
        Settings(database_url=db.url, jwt_secret="test-secret-" + "x" * 32, query_points_per_hour=31)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        listed = await http.get(f"{BASE}/requests.json")  # 1,000 reports' worth: 30 points
        one = await http.get(f"{BASE}/requests/{filed['code']}.json")  # the last point
        refused = await http.get(f"{BASE}/requests/{filed['code']}.json")

    assert (listed.status_code, one.status_code) == (200, 200)
    assert refused.status_code == 429
    assert refused.json()[0]["code"] == 429
    assert int(refused.headers["retry-after"]) >= 1


async def test_media_url_is_the_first_public_photo(
    storage: LocalPhotoStorage, client: httpx.AsyncClient
) -> None:
    public = (await file_with([upload(images.jpeg_with_gps())]))["report"]
    hidden = (await file_with([upload(images.jpeg_with_gps())], categoryCode="PENGEMIS"))["report"]
    codes = {
        report["id"]: (await Report.get(id=from_global_id(report["id"], "Report"))).code
        for report in (public, hidden)
    }

    answer = {r["service_request_id"]: r for r in (await client.get(f"{BASE}/requests.json")).json()}

    media_url = answer[codes[public["id"]]]["media_url"]
    assert media_url.startswith("http://")  # absolute, for apps
    assert media_url.endswith(public["photos"][0]["url"])
    assert answer[codes[hidden["id"]]]["media_url"] is None
