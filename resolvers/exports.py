"""Reports as files for partners: each row as the caller may see it, in keyset batches.

The privacy rules are the GraphQL ones, through the same doors (resolvers.privacy): the rows are
searched through `filter_as_seen`, each one's place is `place_as_seen` where `sees_exact_place`
allows; a redacted title or description as the moderator's marker except for the staff who may
moderate it; never the reporter's identity or contact, nor the reporter's words with a rating (an
export is a file that travels).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import Agency, Area, Category
from models.enums import ReportStatus
from models.lifecycle import PUBLIC_GROUP
from resolvers.identity import Principal
from resolvers.privacy import filter_as_seen, place_as_seen, sees_exact_place, sees_moderated, text_as_seen
from resolvers.report_queries import ReportFilter, ReportOrder, report_batches

# The columns of every format, in order (CSV header, GeoJSON properties, NDJSON keys).
EXPORT_FIELDS = (
    "id", "code", "title", "description", "status", "publicGroup", "category", "agency", "area",
    "lat", "lon", "address", "createdAt", "updatedAt", "acknowledgedAt", "resolvedAt", "closedAt",
    "acknowledgeDueAt", "dueAt", "statusReason", "resolutionOutcome", "disputeCount", "rating",
)  # fmt: skip


@dataclass(frozen=True)
class Directory:
    """The codes of categories, agencies and areas (small tables, read once per export), and which
    categories are sensitive now."""

    categories: dict[int, str]
    sensitive: frozenset[int]
    agencies: dict[int, str]
    areas: dict[int, str]
    category_names: dict[int, str]
    agency_names: dict[int, str]

    @classmethod
    async def load(cls) -> Directory:
        categories = await Category.all().values("id", "code", "name", "is_sensitive")
        agencies = await Agency.all().values("id", "code", "name")
        return cls(
            categories={row["id"]: row["code"] for row in categories},
            sensitive=frozenset(row["id"] for row in categories if row["is_sensitive"]),
            agencies={row["id"]: row["code"] for row in agencies},
            areas=dict(await Area.all().values_list("id", "code")),  # type: ignore[arg-type]
            category_names={row["id"]: row["name"] for row in categories},
            agency_names={row["id"]: row["name"] for row in agencies},
        )


def exported(row: dict[str, Any], principal: Principal, directory: Directory) -> dict[str, Any]:
    """One report as `principal` may see it; `id` is the row's primary key (the server makes it
    the GraphQL ID)."""
    exact = sees_exact_place(
        principal,
        is_sensitive=row["category_id"] in directory.sensitive,
        agency_id=row["agency_id"],
        reporter_id=row["reporter_id"],
    )
    place = place_as_seen(row["latitude"], row["longitude"], row["address"], shows_exact=exact)
    status = ReportStatus(row["status"])

    def moderator() -> bool:
        return sees_moderated(principal, agency_id=row["agency_id"])

    return {
        "id": row["id"],
        "code": row["code"],
        "title": text_as_seen(row["title"], row["title_moderation"], sees_moderated=moderator),
        "description": text_as_seen(
            row["description"], row["description_moderation"], sees_moderated=moderator
        ),
        "status": status.value,
        "publicGroup": PUBLIC_GROUP[status].value,
        "category": directory.categories.get(row["category_id"]),
        "agency": directory.agencies.get(row["agency_id"]),
        "area": directory.areas.get(row["area_id"]) if row["area_id"] is not None else None,
        "lat": place.lat,
        "lon": place.lon,
        "address": place.address,
        "createdAt": _iso(row["created_at"]),
        "updatedAt": _iso(row["updated_at"]),
        "acknowledgedAt": _iso(row["acknowledged_at"]),
        "resolvedAt": _iso(row["resolved_at"]),
        "closedAt": _iso(row["closed_at"]),
        "acknowledgeDueAt": _iso(row["acknowledge_due_at"]),
        "dueAt": _iso(row["due_at"]),
        "statusReason": row["status_reason"],
        "resolutionOutcome": row["resolution_outcome"],
        "disputeCount": row["dispute_count"],
        "rating": row["rating"],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def exported_batches(
    flt: ReportFilter, principal: Principal, *, order: ReportOrder, size: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """The reports `flt` matches, searched and shown as `principal` may see them, `size` at a time."""
    directory = await Directory.load()
    async for rows in report_batches(filter_as_seen(flt, principal), order=order, size=size):
        yield [exported(row, principal, directory) for row in rows]
