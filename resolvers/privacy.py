"""What the public may see of a report: the reporter never, and sensitive places only roughly.

Whether a place is sensitive is a property of the report's category *now* (`Category.is_sensitive`),
never of the coordinates: a point that happens to lie on the rounding grid is as private as any
other. Every field, filter, event and photo asks the functions below.
"""

from __future__ import annotations

from typing import Any

from resolvers.identity import Principal

# Two decimals of a degree: about 1.1 km, enough to say "around Oebobo", not which house.
COARSE_DECIMALS = 2

# Event details that name a place finer than the rounded point (the area of the exact point, for
# a report filed before its category became sensitive).
_PLACE_KEYS = frozenset({"areaId", "fromAreaId", "toAreaId"})


def public_point(is_sensitive: bool, lat: float, lon: float) -> tuple[float, float]:
    """The point the public sees (and searches): rounded to ~1 km when sensitive."""
    if not is_sensitive:
        return lat, lon
    return round(lat, COARSE_DECIMALS), round(lon, COARSE_DECIMALS)


def shows_exact_place(*, is_sensitive: bool, private: bool) -> bool:
    """The one rule for the exact point, the address and the photos of a report: public unless
    its category is sensitive; then only for those who see its private details."""
    return private or not is_sensitive


def names_a_place(data: Any) -> bool:
    return isinstance(data, dict) and not _PLACE_KEYS.isdisjoint(data)


def event_data_as_seen(data: Any, *, shows_exact: bool) -> Any:
    """An event's details for a caller who may not see the exact place: without area ids."""
    if shows_exact or not names_a_place(data):
        return data
    return {key: value for key, value in data.items() if key not in _PLACE_KEYS}


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
    private = is_sensitive and sees_private_details(principal, agency_id=agency_id, reporter_id=reporter_id)
    return shows_exact_place(is_sensitive=is_sensitive, private=private)
