"""What the public may see of a report: the reporter never, and sensitive places only roughly."""

from __future__ import annotations

from models import Category
from resolvers.identity import Principal

# Two decimals of a degree: about 1.1 km, enough to say "around Oebobo", not which house.
COARSE_DECIMALS = 2


def public_location(category: Category, lat: float, lon: float) -> tuple[float, float]:
    if not category.is_sensitive:
        return lat, lon
    return round(lat, COARSE_DECIMALS), round(lon, COARSE_DECIMALS)


def sees_private_details(principal: Principal, *, agency_id: int, reporter_id: int | None) -> bool:
    """The reporter's identity and contact, and the exact place: the reporter and the handling
    agency's staff, nobody else (not other citizens, partners, the wall or other agencies)."""
    if principal.is_staff and principal.agency_id == agency_id:
        return True
    return principal.user is not None and reporter_id is not None and principal.user.id == reporter_id


def sees_photos(principal: Principal, *, is_sensitive: bool, agency_id: int, reporter_id: int | None) -> bool:
    """Photos of a report in a sensitive category (a missing person, a beggar) show a person, their
    house or their street: the same people as the exact place see them, nobody else. Other
    reports' photos are public (their stored copies carry no metadata)."""
    return not is_sensitive or sees_private_details(principal, agency_id=agency_id, reporter_id=reporter_id)
