"""The service area is Kupang's land, not a rectangle: the bay is refused with its own message,
the shore is taken with a margin for the coarse outline, and a city can set its own outline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from models import Report, ReportEvent
from resolvers.geo import BoundingBox
from resolvers.service_area import KUPANG_LAND_FILE, ServiceArea, kupang_service_area
from server.settings import Settings, SettingsError
from tests.conftest import Database
from tests.graphql import FILE_REPORT, filing, gql

KUPANG_BAY = {"lat": -10.10, "lon": 123.60}


async def _file(location: dict[str, float], **kwargs: Any) -> dict[str, Any]:
    before = (await Report.all().count(), await ReportEvent.all().count())
    payload = (await gql(FILE_REPORT, {"input": filing(location=location)}, **kwargs))["fileReport"]
    if payload["errors"]:
        assert (await Report.all().count(), await ReportEvent.all().count()) == before
    return dict(payload)


@pytest.mark.parametrize(
    ("place", "location"),
    [
        ("Kupang Bay", KUPANG_BAY),
        ("the bay off Namosain", {"lat": -10.13, "lon": 123.55}),
        ("the strait by Pulau Kera", {"lat": -10.115, "lon": 123.533}),
    ],
)
async def test_a_point_in_the_sea_is_refused_with_its_own_message(
    db: Database, place: str, location: dict[str, float]
) -> None:
    payload = await _file(location)

    assert payload["report"] is None, place
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("OUTSIDE_SERVICE_AREA", "location")]
    assert "di laut" in payload["errors"][0]["message"]
    assert "in the sea" in payload["errors"][0]["messageEn"]


async def test_a_point_outside_the_city_is_refused_as_outside(db: Database) -> None:
    payload = await _file({"lat": -6.2, "lon": 106.8})  # Jakarta

    assert [e["code"] for e in payload["errors"]] == ["OUTSIDE_SERVICE_AREA"]
    assert "di luar wilayah layanan" in payload["errors"][0]["message"]


@pytest.mark.parametrize(
    ("place", "location"),
    [
        ("Jl. El Tari, Oebobo", {"lat": -10.17, "lon": 123.607}),
        ("El Tari airport", {"lat": -10.1716, "lon": 123.6711}),
        ("Pantai Lasiana, at the water", {"lat": -10.1395, "lon": 123.668}),
        ("Tenau harbour, off the coarse shore line", {"lat": -10.2007, "lon": 123.5258}),
    ],
)
async def test_points_on_land_and_at_the_shore_are_taken(
    db: Database, place: str, location: dict[str, float]
) -> None:
    payload = await _file(location)

    assert payload["errors"] == [], place
    assert payload["report"]["location"] == location


def test_the_default_is_kupangs_shipped_land_within_its_frame() -> None:
    area = Settings.from_env({}).service_area
    land = json.loads(KUPANG_LAND_FILE.read_text())

    assert area == kupang_service_area()
    assert area.land is not None
    assert "OpenStreetMap" in land["properties"]["licence"]
    assert not area.contains(KUPANG_BAY["lat"], KUPANG_BAY["lon"])
    assert not area.contains(-10.26, 123.49)  # land, but outside the frame


def _outline(tmp_path: Path, geojson: object) -> Path:
    path = tmp_path / "area.geojson"
    path.write_text(json.dumps(geojson))
    return path


async def test_a_city_sets_its_own_outline(db: Database, tmp_path: Path) -> None:
    # A triangle over Oebobo only, as a FeatureCollection the way GIS tools export it.
    triangle = {"type": "Polygon", "coordinates": [[[123.59, -10.19], [123.63, -10.19], [123.61, -10.15]]]}
    collection = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": triangle}]}
    area = Settings.from_env({"SERVICE_AREA_FILE": str(_outline(tmp_path, collection))}).service_area

    inside = await _file({"lat": -10.17, "lon": 123.607}, service_area=area)
    outside = await _file({"lat": -10.2007, "lon": 123.5258}, service_area=area)

    assert inside["errors"] == []
    assert [e["code"] for e in outside["errors"]] == ["OUTSIDE_SERVICE_AREA"]
    assert area.bounds == BoundingBox(-10.19, 123.59, -10.15, 123.63)


def test_a_rectangle_alone_is_still_a_rectangle() -> None:
    area = Settings.from_env({"SERVICE_AREA": "-10.27,123.50,-10.09,123.72"}).service_area

    assert area == ServiceArea(BoundingBox(-10.27, 123.50, -10.09, 123.72))
    assert area.contains(KUPANG_BAY["lat"], KUPANG_BAY["lon"])  # the city chose a rectangle


@pytest.mark.parametrize(
    "content", ["not json", '{"type": "Point", "coordinates": [123.6, -10.17]}', '{"type": "Polygon"}']
)
def test_an_outline_file_that_is_not_a_polygon_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "area.geojson"
    path.write_text(content)

    with pytest.raises(SettingsError, match="SERVICE_AREA_FILE"):
        Settings.from_env({"SERVICE_AREA_FILE": str(path)})
    with pytest.raises(SettingsError, match="SERVICE_AREA_FILE"):
        Settings.from_env({"SERVICE_AREA_FILE": str(tmp_path / "missing.geojson")})
