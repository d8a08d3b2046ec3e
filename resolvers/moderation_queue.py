"""The moderation queue: flagged content, newest flag first, open or resolved, for the staff who
may moderate it (city-wide staff everything, optionally one agency; other staff their agency's)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tortoise.functions import Count

from models import ContentFlag, FlaggedItem
from resolvers.directory_queries import Row
from resolvers.errors import ErrorCode, fail
from resolvers.identity import Principal
from resolvers.keyset import Keyset
from resolvers.permissions import CITY_WIDE_ROLES, require_staff
from resolvers.raw_sql import default_connection, fetch
from resolvers.report_queries import check_page_size

NOTES_PER_ITEM = 5  # the newest words of citizens who chose OTHER (or added some), per item

ITEM_COLUMNS = (
    "id", "report_id", "target", "target_id", "flag_count", "last_flagged_at", "resolved_at", "resolution",
)  # fmt: skip


# Newest flag first; the cursor is the one keyset codec's (resolvers.keyset), named for this list.
QUEUE_ORDER = Keyset("FLAGS_NEWEST", "last_flagged_at", descending=True)


class FlagState(StrEnum):
    OPEN = "OPEN"  # waiting for a moderator
    RESOLVED = "RESOLVED"  # moderated or dismissed


@dataclass(frozen=True)
class QueueFilter:
    state: FlagState = FlagState.OPEN
    agency_id: int | None = None


@dataclass
class QueuePage:
    rows: list[Row]
    has_next_page: bool
    reasons: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)


def queue_agency(principal: Principal, agency_id: int | None) -> int | None:
    """Whose queue the caller reads (None: the whole city's)."""
    require_staff(principal)
    if principal.role in CITY_WIDE_ROLES or agency_id == principal.agency_id:
        return agency_id
    if agency_id is None:
        return principal.agency_id
    raise fail(
        ErrorCode.FORBIDDEN, "Hanya antrean dinas Anda", "Only your own agency's queue", "filter.agency"
    )


async def queue_page(principal: Principal, flt: QueueFilter, *, first: int, after: str | None) -> QueuePage:
    check_page_size(first)
    agency_id = queue_agency(principal, flt.agency_id)
    query = FlaggedItem.filter(resolved_at__isnull=flt.state is FlagState.OPEN)
    if agency_id is not None:
        query = query.filter(report__agency_id=agency_id)
    if after is not None:
        query = query.filter(QUEUE_ORDER.after(*QUEUE_ORDER.position(after)))
    rows = await query.order_by(*QUEUE_ORDER.ordering()).limit(first + 1).values(*ITEM_COLUMNS)
    page = QueuePage(rows=rows[:first], has_next_page=len(rows) > first)
    await _add_flag_summaries(page)
    return page


async def _add_flag_summaries(page: QueuePage) -> None:
    """Per item, how many flags gave each reason, and the newest words people wrote: two queries
    for the whole page."""
    ids = [row["id"] for row in page.rows]
    if not ids:
        return
    counts = (
        await ContentFlag.filter(item_id__in=ids)
        .annotate(flags=Count("id"))
        .group_by("item_id", "reason")
        .values("item_id", "reason", "flags")
    )
    reasons: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for count in sorted(counts, key=lambda c: (-c["flags"], str(c["reason"]))):
        reasons[count["item_id"]].append((str(count["reason"]), count["flags"]))
    notes: dict[int, list[str]] = defaultdict(list)
    for text in await _newest_notes(ids):
        notes[text["item_id"]].append(text["text"])
    page.reasons, page.notes = dict(reasons), dict(notes)


async def _newest_notes(item_ids: list[int]) -> list[Row]:
    """Up to NOTES_PER_ITEM newest words of each item, newest first, in one query: ranked within
    each item, so that an item flagged with many words never crowds out the others' words."""
    names = {f"item{n}": item_id for n, item_id in enumerate(item_ids)}
    listed = ", ".join(f"{{{name}}}" for name in names)
    ranked = (
        f"SELECT item_id, text, id, ROW_NUMBER() OVER (PARTITION BY item_id ORDER BY id DESC) AS newest "  # noqa: S608 - placeholders only
        f"FROM content_flags WHERE text IS NOT NULL AND item_id IN ({listed})"
    )
    return await fetch(
        default_connection(),
        f"SELECT item_id, text FROM ({ranked}) AS r WHERE newest <= {{per_item}} ORDER BY item_id, id DESC",  # noqa: S608
        per_item=NOTES_PER_ITEM,
        **names,
    )


async def item_row(item_id: int) -> dict[str, Any] | None:
    return await FlaggedItem.filter(id=item_id).first().values(*ITEM_COLUMNS)
