"""A point as clients give it: shared by both subgraphs (filing a report, asking which area)."""

from __future__ import annotations

import strawberry


@strawberry.input(description="Titik koordinat WGS84 / A WGS84 point")
class LocationInput:
    lat: float = strawberry.field(description="Lintang, derajat (-90..90) / Latitude, degrees (-90..90)")
    lon: float = strawberry.field(description="Bujur, derajat (-180..180) / Longitude, degrees (-180..180)")
