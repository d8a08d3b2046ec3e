"""Areas people know: Kupang's kecamatan and kelurahan with their official codes, outlines loaded
with `sigap areas import`, read back as GeoJSON, and `areaAt` answering a point's areas."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from models import Area
from models.seed import load_seed
from resolvers.area_outlines import import_outlines, parse_outline, read_outline_file
from resolvers.errors import DomainError
from resolvers.geo import KUPANG_SERVICE_AREA
from tests.conftest import Database
from tests.graphql import file_report, gql, run
from tests.test_cli import sigap

KOTA_RAJA, FONTEIN = "53.71.05", "53.71.05.1008"
AREA_AT = """query($lat: Float!, $lon: Float!) { areaAt(location: {lat: $lat, lon: $lon}) {
  kecamatan { code name } kelurahan { code name } reason reasonEn } }"""
OUTLINES = """{ areas { code outline bounds { minLat minLon maxLat maxLon } } }"""


def square(lat: float, lon: float, half: float) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, [lon - half, lat + half], ring[0]]]}


def collection(*features: tuple[str, Any]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
                for code, geometry in features
            ],
        }
    )


KOTA_RAJA_OUTLINE = square(-10.175, 123.58, 0.01)
FONTEIN_OUTLINE = {  # a MultiPolygon, as official boundaries often are
    "type": "MultiPolygon",
    "coordinates": [square(-10.172, 123.578, 0.003)["coordinates"]],
}


async def test_seed_has_every_kelurahan_under_its_kecamatan_with_its_official_code(db: Database) -> None:
    data = await gql("{ areas(level: KELURAHAN) { code name parent { code name level } } }")

    kelurahan = data["areas"]
    assert len(kelurahan) == 51
    assert all(k["parent"]["level"] == "KECAMATAN" for k in kelurahan)
    assert all(k["code"].startswith(k["parent"]["code"] + ".") for k in kelurahan)
    kota_raja = {"code": KOTA_RAJA, "name": "Kota Raja", "level": "KECAMATAN"}
    assert {"code": FONTEIN, "name": "Fontein", "parent": kota_raja} in kelurahan
    per_kecamatan = {k["parent"]["name"]: 0 for k in kelurahan}
    for k in kelurahan:
        per_kecamatan[k["parent"]["name"]] += 1
    assert per_kecamatan == {
        "Alak": 12, "Maulafa": 9, "Kelapa Lima": 5, "Oebobo": 7, "Kota Raja": 8, "Kota Lama": 10,
    }  # fmt: skip


async def test_imported_outlines_answer_area_at_route_reports_and_read_back(
    db: Database, tmp_path: Path
) -> None:
    before = await gql(AREA_AT, {"lat": -10.172, "lon": 123.578})
    path = tmp_path / "kota-raja.geojson"
    path.write_text(collection((KOTA_RAJA, KOTA_RAJA_OUTLINE), (FONTEIN, FONTEIN_OUTLINE)))

    result = sigap(tmp_path, "areas", "import", str(path), DATABASE_URL=db.url)

    assert result.returncode == 0, result.stderr
    assert "outline loaded: 53.71.05 Kota Raja (kecamatan)" in result.stdout
    assert "2 area outlines loaded" in result.stdout
    assert before["areaAt"] == {
        "kecamatan": None,
        "kelurahan": None,
        "reason": "Belum ada batas wilayah yang dimuat untuk titik ini",
        "reasonEn": "No loaded area outline covers this point",
    }
    inside_fontein = await gql(AREA_AT, {"lat": -10.172, "lon": 123.578})
    assert inside_fontein["areaAt"] == {
        "kecamatan": {"code": KOTA_RAJA, "name": "Kota Raja"},
        "kelurahan": {"code": FONTEIN, "name": "Fontein"},
        "reason": None,
        "reasonEn": None,
    }
    kecamatan_only = (await gql(AREA_AT, {"lat": -10.18, "lon": 123.585}))["areaAt"]
    assert (kecamatan_only["kecamatan"], kecamatan_only["kelurahan"]) == (
        {"code": KOTA_RAJA, "name": "Kota Raja"},
        None,
    )
    assert (
        kecamatan_only["reasonEn"]
        == "No kelurahan outline covers this point yet; only its kecamatan is known"
    )
    report = await file_report(location={"lat": -10.172, "lon": 123.578})
    assert report["area"] == {"code": FONTEIN}
    outlines = {a["code"]: a for a in (await gql(OUTLINES))["areas"]}
    assert outlines[FONTEIN]["outline"] == FONTEIN_OUTLINE
    assert outlines[KOTA_RAJA]["outline"] == KOTA_RAJA_OUTLINE
    assert outlines[KOTA_RAJA]["bounds"] == pytest.approx(
        {"minLat": -10.185, "minLon": 123.57, "maxLat": -10.165, "maxLon": 123.59}
    )
    assert outlines["53.71.04"] == {"code": "53.71.04", "outline": None, "bounds": None}
    parsed = parse_outline.cache_info().misses
    assert {a["code"]: a for a in (await gql(OUTLINES))["areas"]} == outlines
    assert parse_outline.cache_info().misses == parsed  # each outline parsed once, not per request

    moved = square(-10.18, 123.585, 0.004)  # Kota Raja re-imported smaller: its old north-west is out
    await import_outlines(read_outline_file(collection((KOTA_RAJA, moved)), KUPANG_SERVICE_AREA))

    kota_raja = next(a for a in (await gql(OUTLINES))["areas"] if a["code"] == KOTA_RAJA)
    assert kota_raja["outline"] == moved
    assert kota_raja["bounds"] == pytest.approx(
        {"minLat": -10.184, "minLon": 123.581, "maxLat": -10.176, "maxLon": 123.589}
    )
    assert (await gql(AREA_AT, {"lat": -10.168, "lon": 123.572}))["areaAt"]["kecamatan"] is None


async def test_area_at_outside_the_service_area_is_its_coded_error(db: Database) -> None:
    in_the_bay = await run(AREA_AT, {"lat": -10.10, "lon": 123.60})

    assert in_the_bay.errors is not None
    assert in_the_bay.errors[0].extensions["code"] == "OUTSIDE_SERVICE_AREA"
    assert "laut" in in_the_bay.errors[0].message


def test_a_bad_file_is_refused_by_the_command_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    corners = [[123.57, -10.18], [123.59, -10.16], [123.59, -10.18], [123.57, -10.16], [123.57, -10.18]]
    bow_tie = {"type": "Polygon", "coordinates": [corners]}
    path.write_text(
        collection(
            (KOTA_RAJA, bow_tie),
            ("", KOTA_RAJA_OUTLINE),
            (FONTEIN, square(-6.2, 106.8, 0.01)),  # Jakarta
            ("53.71.01", {"type": "Point", "coordinates": [123.55, -10.2]}),
        )
    )

    result = sigap(tmp_path, "areas", "import", str(path))

    assert result.returncode == 2
    assert "refused, nothing changed" in result.stderr
    assert "features[0].geometry: 53.71.05: Not a valid polygon (Self-intersection" in result.stderr
    assert "features[1].properties.code: The feature has no area code" in result.stderr
    assert "features[2].geometry: 53.71.05.1008: The outline lies outside the city" in result.stderr
    not_a_polygon = (
        "features[3].geometry: 53.71.01: An outline must be a GeoJSON Polygon or MultiPolygon, not Point"
    )
    assert not_a_polygon in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "The file is not JSON"),
        (json.dumps({"type": "Polygon", "coordinates": []}), "must be a GeoJSON FeatureCollection"),
        (collection(), "must hold 1 to 500 features"),
        (collection((KOTA_RAJA, KOTA_RAJA_OUTLINE), (KOTA_RAJA, KOTA_RAJA_OUTLINE)), "appears twice"),
        (collection((KOTA_RAJA, {"type": "Polygon", "coordinates": "nope"})), "coordinates are malformed"),
        (collection((KOTA_RAJA, KOTA_RAJA_OUTLINE), ("53.71.99", KOTA_RAJA_OUTLINE)), "No area has the code"),
    ],
)
async def test_bad_files_change_nothing(db: Database, text: str, problem: str) -> None:
    with pytest.raises(DomainError) as refused:
        await import_outlines(read_outline_file(text, KUPANG_SERVICE_AREA))

    assert problem in str(refused.value)
    assert not await Area.filter(polygon__not_isnull=True).exists()


async def test_a_configurable_code_property_names_the_area(db: Database) -> None:
    features = json.loads(collection((KOTA_RAJA, KOTA_RAJA_OUTLINE)))
    features["features"][0]["properties"] = {"kode_wilayah": KOTA_RAJA, "nama": "Kota Raja"}

    checked = read_outline_file(json.dumps(features), KUPANG_SERVICE_AREA, code_property="kode_wilayah")

    loaded = await import_outlines(checked)

    assert [(o.code, o.name) for o in loaded] == [(KOTA_RAJA, "Kota Raja")]
    assert (await gql(AREA_AT, {"lat": -10.18, "lon": 123.585}))["areaAt"]["kecamatan"] == {
        "code": KOTA_RAJA,
        "name": "Kota Raja",
    }


async def test_kecamatan_seeded_before_official_codes_take_them_and_keep_their_ids(db: Database) -> None:
    """Migration 0013 on a database seeded with the old codes: same rows, official codes, and the
    seed then adds the kelurahan beneath them."""
    await Area.filter(level="KELURAHAN").delete()
    await Area.all().delete()
    oebobo = await Area.create(code="OEBOBO", name="Oebobo", level="KECAMATAN")
    alak = await Area.create(code="ALAK", name="Alak", level="KECAMATAN")
    migration = importlib.import_module("models.migrations.0013_area_codes").Migration
    connection = Tortoise.get_connection("default")

    for statement in migration.operations[0].sql:
        await connection.execute_script(statement)
    await load_seed()

    assert await Area.get(id=oebobo.id).values_list("code", flat=True) == "53.71.04"
    assert await Area.get(id=alak.id).values_list("code", flat=True) == "53.71.01"
    fatululi = await Area.get(code="53.71.04.1011")
    assert (fatululi.name, fatululi.parent_id) == ("Fatululi", oebobo.id)
    assert await Area.all().count() == 57
