"""Where areas have outlines, a report goes to the most specific area containing its point."""

from __future__ import annotations

import json

from models import Area, AreaLevel
from resolvers.area_outlines import parse_outline
from tests.conftest import Database
from tests.graphql import file_report


def square(lat: float, lon: float, half: float) -> str:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


async def test_report_is_routed_to_the_kelurahan_containing_it(db: Database) -> None:
    oebobo = await Area.get(code="53.71.04")
    oebobo.polygon = square(-10.17, 123.61, 0.02)
    await oebobo.save()
    await Area.create(
        code="FONTEIN",
        name="Fontein",
        level=AreaLevel.KELURAHAN,
        parent=oebobo,
        polygon=square(-10.165, 123.605, 0.004),
    )

    inside_kelurahan = await file_report(location={"lat": -10.166, "lon": 123.606})
    inside_kecamatan_only = await file_report(location={"lat": -10.18, "lon": 123.62})
    outside_every_outline = await file_report(location={"lat": -10.25, "lon": 123.52})

    assert inside_kelurahan["area"] == {"code": "FONTEIN"}
    assert inside_kecamatan_only["area"] == {"code": "53.71.04"}
    assert outside_every_outline["area"] is None


async def test_changed_outline_takes_effect_without_restart(db: Database) -> None:
    alak = await Area.get(code="53.71.01")
    alak.polygon = square(-10.20, 123.55, 0.01)
    await alak.save()
    assert (await file_report(location={"lat": -10.20, "lon": 123.55}))["area"] == {"code": "53.71.01"}

    alak.polygon = square(-10.10, 123.70, 0.01)
    await alak.save()

    assert (await file_report(location={"lat": -10.20, "lon": 123.55}))["area"] is None


def test_feature_and_multipolygon_outlines_are_accepted() -> None:
    feature = json.dumps({"type": "Feature", "properties": {}, "geometry": json.loads(square(0, 0, 1))})
    multi = json.dumps({"type": "MultiPolygon", "coordinates": [json.loads(square(0, 0, 1))["coordinates"]]})

    assert parse_outline(feature).shape.area == parse_outline(multi).shape.area == 4
