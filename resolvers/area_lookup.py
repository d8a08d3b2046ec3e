"""Which kecamatan and kelurahan a point lies in, by the outlines the city has loaded."""

from __future__ import annotations

from dataclasses import dataclass

from models import Area, AreaLevel
from resolvers.errors import DomainError, FieldError
from resolvers.routing import areas_at
from resolvers.service_area import ServiceArea
from resolvers.validation import check_location


@dataclass(frozen=True)
class AreaAt:
    kecamatan_id: int | None
    kelurahan_id: int | None
    reason: tuple[str, str] | None  # why one is missing (Indonesian, English); None when both are known


NO_OUTLINE = (
    "Belum ada batas wilayah yang dimuat untuk titik ini",
    "No loaded area outline covers this point",
)
NO_KELURAHAN_OUTLINE = (
    "Batas kelurahan di titik ini belum dimuat; hanya kecamatannya yang diketahui",
    "No kelurahan outline covers this point yet; only its kecamatan is known",
)


async def area_at(lat: float, lon: float, service_area: ServiceArea) -> AreaAt:
    """The areas containing a point of the service area; outside it, the service area's error."""
    errors: list[FieldError] = []
    check_location(errors, lat, lon, service_area)
    if errors:
        raise DomainError(*errors)
    found = await areas_at(lat, lon)
    kelurahan = found.get(AreaLevel.KELURAHAN)
    kecamatan = found.get(AreaLevel.KECAMATAN)
    if kecamatan is None and kelurahan is not None:  # the kelurahan's outline names its kecamatan
        kecamatan = await Area.filter(id=kelurahan).first().values_list("parent_id", flat=True)  # type: ignore[assignment]
    if kecamatan is None and kelurahan is None:
        return AreaAt(None, None, NO_OUTLINE)
    return AreaAt(kecamatan, kelurahan, NO_KELURAHAN_OUTLINE if kelurahan is None else None)
