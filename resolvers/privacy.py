"""What the public may see of a report: the reporter never, and sensitive places only roughly.

Whether a place is sensitive is a property of the report's category *now* (`Category.is_sensitive`),
never of the coordinates: a point that happens to lie on the rounding grid is as private as any
other. Every field, filter, event and photo asks the functions below.

Searching by place follows the same rule (`filter_as_seen`): the exact point only of the reports
whose exact point the caller may see, the rounded one for the rest. GraphQL, exports and Open311 all
go through these functions; none decides a place by hand.

Moderated content is the other half of what the public may see: a comment or photo a moderator
hid is absent, a redacted text reads REDACTED_MARKER, on every read path (GraphQL, the live feed
and its replays, exports, Open311, photo addresses); the staff who may moderate the report see
it as written, marked. The rule is `sees_moderated` with the `*_as_seen` functions below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models import EventKind, ModerationState
from resolvers.identity import Principal
from resolvers.permissions import may_moderate, sees_internal_notes
from resolvers.report_queries import ExactPlaces, ReportFilter

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


def sees_exact_place(
    principal: Principal, *, is_sensitive: bool, agency_id: int, reporter_id: int | None
) -> bool:
    """Whether `principal` sees a report's exact point, address and photos (`shows_exact_place`
    for a caller known by their credentials alone: exports, Open311, photo addresses; GraphQL also
    counts a tracking token sent with the request, schema.reports.private_to)."""
    private = is_sensitive and sees_private_details(principal, agency_id=agency_id, reporter_id=reporter_id)
    return shows_exact_place(is_sensitive=is_sensitive, private=private)


def sees_photos(principal: Principal, *, is_sensitive: bool, agency_id: int, reporter_id: int | None) -> bool:
    """Photos of a report in a sensitive category (a missing person, a beggar) show a person, their
    house or their street: the same people as the exact place see them, nobody else. Other
    reports' photos are public (their stored copies carry no metadata)."""
    return sees_exact_place(
        principal, is_sensitive=is_sensitive, agency_id=agency_id, reporter_id=reporter_id
    )


@dataclass(frozen=True)
class SeenPlace:
    lat: float
    lon: float
    address: str | None


def place_as_seen(lat: float, lon: float, address: str | None, *, shows_exact: bool) -> SeenPlace:
    """A report's place as the caller may see it: the exact point and the address, or (when
    `shows_exact` is false) the rounded point and no address."""
    if shows_exact:
        return SeenPlace(lat, lon, address)
    public_lat, public_lon = public_point(True, lat, lon)
    return SeenPlace(public_lat, public_lon, None)


def filter_as_seen(flt: ReportFilter, principal: Principal) -> ReportFilter:
    """`flt` as `principal` may search by it: place conditions (box, circle) match the exact point
    of the reports whose private details they see (their agency's, their own) and the public one
    of the rest, so that a tiny circle cannot pinpoint a sensitive report seen only roughly."""
    return flt.with_exact_places(
        ExactPlaces(agency_id=principal.agency_id, reporter_id=principal.user.id if principal.user else None)
    )


REDACTED_MARKER = "[disunting oleh moderator]"


def sees_moderated(principal: Principal, *, agency_id: int) -> bool:
    """Hidden and redacted content as written (with its moderation): the staff who may moderate
    the report (its agency's staff, city-wide staff); nobody else."""
    return may_moderate(principal, agency_id)


def shows_content(state: str | None, *, sees_moderated: bool) -> bool:
    """Whether a comment or photo in moderation `state` (None: as written) is there for the caller."""
    return sees_moderated or state != ModerationState.HIDDEN


def text_as_seen(text: str, state: str | None, *, sees_moderated: Callable[[], bool]) -> str:
    """A report's title or description as the caller may read it. `sees_moderated` is asked only
    for moderated text: most text never was, and pages read it for every row."""
    if state is None or sees_moderated():
        return text
    return REDACTED_MARKER


def event_as_seen(row: dict[str, Any], *, sees_moderated: bool) -> dict[str, Any] | None:
    """A timeline event row as the caller may see it: None when it is a hidden comment, its note
    as the marker when redacted; a MODERATED event without the moderator's reason."""
    if sees_moderated:
        return row
    if row["kind"] == EventKind.MODERATED:
        data = {key: value for key, value in (row["data"] or {}).items() if key != "reason"}
        return {**row, "data": data, "note": None}
    state = row.get("moderation")
    if state is None:
        return row
    if state == ModerationState.HIDDEN:
        return None
    return {**row, "note": REDACTED_MARKER}


def timeline_as_seen(
    rows: list[dict[str, Any]], principal: Principal, *, agency_id: int
) -> list[dict[str, Any]]:
    """A report's timeline (its event rows, oldest first) as `principal` may see it: internal notes
    for the staff who read them, moderated comments as `event_as_seen` shows them. The one rule of
    `Report.timeline` and `Report.comments` on both read paths."""
    notes = sees_internal_notes(principal, agency_id)
    moderator = sees_moderated(principal, agency_id=agency_id)
    seen = (event_as_seen(row, sees_moderated=moderator) for row in rows if notes or not row["is_internal"])
    return [row for row in seen if row is not None]
