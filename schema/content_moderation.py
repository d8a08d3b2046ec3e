"""What the staff who may moderate a report see of its moderated content: the state, and the
reason and moment of the MODERATED event that put it there (the timeline is the record)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from models import EventKind, ModerationState, ModerationTarget
from resolvers.privacy import sees_moderated
from schema.context import Info


@strawberry.type(
    description="Moderasi sebuah konten, hanya untuk staf yang boleh memoderasi / "
    "How a piece of content was moderated, for the staff who may moderate it only"
)
class ContentModeration:
    state: ModerationState = strawberry.field(description="Disembunyikan atau disunting / Hidden or redacted")
    reason: str | None = strawberry.field(
        description="Alasan moderator (internal) / The moderator's reason (internal)"
    )
    moderated_at: datetime | None = strawberry.field(description="Waktu moderasi / When it was moderated")


async def moderation_seen(
    info: Info,
    *,
    report_id: int,
    agency_id: int,
    target: ModerationTarget,
    target_id: int,
    state: str | None,
) -> ContentModeration | None:
    """The content's moderation for those who may moderate it; None for everyone else, and for
    content as written."""
    if state is None or not sees_moderated(info.context.principal, agency_id=agency_id):
        return None
    events: list[dict[str, Any]] = await info.context.loaders.events.load(report_id)
    latest = next((row for row in reversed(events) if _moderates(row, target, target_id)), None)
    return ContentModeration(
        state=ModerationState(state),
        reason=latest["data"].get("reason") if latest else None,
        moderated_at=latest["created_at"] if latest else None,
    )


def _moderates(row: dict[str, Any], target: ModerationTarget, target_id: int) -> bool:
    data = row["data"] or {}
    return (
        row["kind"] == EventKind.MODERATED
        and data.get("target") == target
        and data.get("targetId") == target_id
    )
