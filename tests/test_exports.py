"""Exports over HTTP: CSV, GeoJSON and NDJSON of a `reports` filter, with the GraphQL privacy
rules, keyset batches, typed refusals and the caller's budget charged per batch."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from models import Category, Report, Role, User
from resolvers.exports import EXPORT_FIELDS
from resolvers.public_code import new_public_code
from resolvers.timeline import utcnow
from schema.ids import to_global_id
from server.app import create_app
from server.exports import BATCH_ROWS
from server.settings import Settings
from tests.conftest import Database
from tests.graphql import SIGNER, file_report

BULK = 2_200  # more than four batches
SENSITIVE = (-10.16637, 123.60871)


async def _bulk_reports(count: int) -> None:
    """Reports written straight to the table (filing thousands one by one would be slow)."""
    category = await Category.get(code="SAMPAH")
    now = utcnow()
    await Report.bulk_create(
        [
            Report(
                code=new_public_code(), title=f"Laporan {n}", description="Sampah", category_id=category.id,
                agency_id=category.agency_id, latitude=-10.17, longitude=123.60 + n * 1e-5,
                public_latitude=-10.17, public_longitude=123.60 + n * 1e-5, status="SUBMITTED",
                created_at=now - timedelta(minutes=n), updated_at=now,
                acknowledge_due_at=now + timedelta(hours=24), due_at=now + timedelta(hours=72),
            )
            for n in range(count)
        ],
        batch_size=500,
    )  # fmt: skip


@pytest.fixture
async def scene(db: Database) -> dict[str, Any]:
    await _bulk_reports(BULK)
    sensitive = await file_report(
        categoryCode="PENGEMIS",
        location={"lat": SENSITIVE[0], "lon": SENSITIVE[1]},
        address="Jl. Rahasia 7",
        contactName="Pelapor Rahasia",
        contactPhone="0812999888",
    )
    return {"sensitive": sensitive}


Client = Callable[..., Any]


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=db.url, jwt_secret=SIGNER_SECRET, query_points_per_hour=100_000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        yield http


SIGNER_SECRET = "test-secret-" + "x" * 32  # the tests' TokenSigner (tests.graphql.SIGNER)


async def _bearer(role: Role, agency_code: str) -> dict[str, str]:
    from models import Agency

    agency = await Agency.get(code=agency_code)
    user = await User.create(name="Petugas", role=role, agency=agency, email=f"{agency_code}@kupang.test")
    return {"authorization": f"Bearer {SIGNER.access_token(user)[0]}"}


async def test_csv_holds_every_report_newest_first_with_public_fields(
    scene: dict[str, Any], client: httpx.AsyncClient
) -> None:
    response = await client.get("/exports/reports.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "0812999888" not in response.text
    assert "Pelapor Rahasia" not in response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert len(rows) == BULK + 1
    assert len({row["id"] for row in rows}) == BULK + 1
    created = [row["createdAt"] for row in rows]
    assert created == sorted(created, reverse=True)
    sensitive = next(row for row in rows if row["id"] == scene["sensitive"]["id"])
    assert (float(sensitive["lat"]), float(sensitive["lon"])) == (-10.17, 123.61)
    assert sensitive["address"] == ""
    assert sensitive["category"] == "PENGEMIS"
    assert sensitive["publicGroup"] == "WAITING"


async def test_the_handling_agency_sees_the_exact_place_others_do_not(
    scene: dict[str, Any], client: httpx.AsyncClient
) -> None:
    only = {
        "filter": orjson.dumps({"categoryIds": [to_global_id("Category", await _id("PENGEMIS"))]}).decode()
    }

    for headers, exact in (
        (await _bearer(Role.OFFICER, "DINSOS"), True),
        (await _bearer(Role.OFFICER, "DLH"), False),
    ):
        response = await client.get("/exports/reports.ndjson", params=only, headers=headers)
        assert response.status_code == 200
        [row] = [orjson.loads(line) for line in response.text.splitlines()]
        assert (row["lat"], row["lon"]) == (SENSITIVE if exact else (-10.17, 123.61))
        assert row["address"] == ("Jl. Rahasia 7" if exact else None)
        assert "0812999888" not in response.text  # contact never leaves in a file


async def _id(category_code: str) -> int:
    return (await Category.get(code=category_code)).id


async def test_geojson_is_a_feature_collection_of_points(
    scene: dict[str, Any], client: httpx.AsyncClient
) -> None:
    response = await client.get("/exports/reports.geojson", params={"orderBy": "OLDEST"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = orjson.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == BULK + 1
    first = features[0]
    assert first["geometry"] == {
        "type": "Point",
        "coordinates": [first["properties"]["lon"], first["properties"]["lat"]],
    }
    assert first["properties"]["title"] == f"Laporan {BULK - 1}"  # the oldest


async def test_the_reports_filter_applies(scene: dict[str, Any], client: httpx.AsyncClient) -> None:
    waiting_trash = {"publicGroups": ["WAITING"], "text": "Laporan 12"}
    response = await client.get(
        "/exports/reports.ndjson", params={"filter": orjson.dumps(waiting_trash).decode()}
    )

    titles = sorted(orjson.loads(line)["title"] for line in response.text.splitlines())
    assert titles == sorted(f"Laporan {n}" for n in range(BULK) if str(n).startswith("12"))
    empty = await client.get("/exports/reports.csv", params={"filter": '{"publicGroups": ["DONE"]}'})
    assert empty.text.splitlines() == [",".join(EXPORT_FIELDS)]


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "field"),
    [
        ("/exports/reports.csv", {"filter": "{not json"}, 400, "INVALID_INPUT", "filter"),
        ("/exports/reports.csv", {"filter": '{"statuses": ["LOST"]}'}, 400, "INVALID_INPUT", "filter"),
        ("/exports/reports.csv", {"filter": '{"nope": 1}'}, 400, "INVALID_INPUT", "filter"),
        ("/exports/reports.csv", {"filter": '{"categoryIds": ["bad"]}'}, 400, "INVALID_ID", "categoryIds"),
        ("/exports/reports.csv", {"orderBy": "RANDOM"}, 400, "INVALID_INPUT", "orderBy"),
        ("/exports/reports.xlsx", {}, 404, None, None),
    ],
)
async def test_bad_requests_get_a_clear_error(
    db: Database,
    client: httpx.AsyncClient,
    path: str,
    params: dict[str, str],
    status: int,
    code: str | None,
    field: str | None,
) -> None:
    response = await client.get(path, params=params)

    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["message"]
    if code is not None:
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (code, field)


async def test_a_forged_token_is_401(db: Database, client: httpx.AsyncClient) -> None:
    response = await client.get("/exports/reports.csv", headers={"authorization": "Bearer forged"})

    assert response.status_code == 401


async def test_each_batch_is_charged_to_the_budget(scene: dict[str, Any], db: Database) -> None:
    # One batch costs 15 points (500 reports with category and agency = 1,500 objects).
    app = create_app(Settings(database_url=db.url, jwt_secret=SIGNER_SECRET, query_points_per_hour=40))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        with pytest.raises(Exception, match="budget"):  # the third batch is refused mid-stream
            await http.get("/exports/reports.ndjson")
        refused = await http.get("/exports/reports.ndjson")  # 40 - 3 x 15 < 15: refused at once

    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1
    assert BATCH_ROWS == 500
