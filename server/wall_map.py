"""What the city wall draws under its dots: the land (a clipped OpenStreetMap extract shipped in
resolvers/data/kupang-land.json, see tools/build_wall_map.py) and the kecamatan, with their
outlines when the city has loaded them (`setAreaOutline`), else a label at an approximate centre.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from shapely.geometry import mapping
from starlette.requests import Request
from starlette.responses import JSONResponse

from models import Area, AreaLevel
from resolvers.area_outlines import parse_outline
from resolvers.service_area import KUPANG_LAND_FILE

LAND = KUPANG_LAND_FILE  # the land reports may be filed on, drawn too

# Where a kecamatan's name goes while its outline is not loaded: placed by hand on the shipped land,
# about the middle of each kecamatan (to a few hundred metres; not from a dataset). Keyed by the
# seeded official codes (models/data/kupang-wilayah.csv); another kecamatan gets a label once it has
# an outline.
APPROXIMATE_CENTRES: dict[str, tuple[float, float]] = {
    "53.71.01": (-10.195, 123.545),  # Alak
    "53.71.02": (-10.205, 123.595),  # Maulafa
    "53.71.03": (-10.155, 123.628),  # Kelapa Lima
    "53.71.04": (-10.172, 123.607),  # Oebobo
    "53.71.05": (-10.178, 123.575),  # Kota Raja
    "53.71.06": (-10.163, 123.588),  # Kota Lama
}


@cache
def _land() -> dict[str, Any]:
    land = json.loads(LAND.read_text(encoding="utf-8"))
    return {**land, "properties": {**land["properties"], "kind": "land"}}


def _kecamatan(row: dict[str, Any]) -> dict[str, Any] | None:
    properties: dict[str, Any] = {"kind": "kecamatan", "code": row["code"], "name": row["name"]}
    if row["polygon"]:
        try:
            outline = parse_outline(row["polygon"]).shape
        except ValueError:
            outline = None  # refused by setAreaOutline anyway; never break the wall over it
        if outline is not None:
            label = outline.representative_point()
            properties["label"] = [round(label.y, 5), round(label.x, 5)]
            return {"type": "Feature", "properties": properties, "geometry": mapping(outline)}
    centre = APPROXIMATE_CENTRES.get(row["code"])
    if centre is None:
        return None
    properties["label"] = list(centre)
    properties["approximate"] = True
    return {"type": "Feature", "properties": properties, "geometry": None}


async def wall_map(request: Request) -> JSONResponse:
    rows = await Area.filter(level=AreaLevel.KECAMATAN).values("code", "name", "polygon")
    kecamatan = [feature for row in rows if (feature := _kecamatan(row)) is not None]
    return JSONResponse(
        {"type": "FeatureCollection", "features": [_land(), *kecamatan]},
        headers={"Cache-Control": "no-cache"},
    )
