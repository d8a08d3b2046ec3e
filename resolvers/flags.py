"""Citizens flag a report's text, a comment or a photo for the moderators: signed in, one flag per
person per item, rate-limited, with a reason from a fixed list (OTHER with their own words).

Anonymous flagging is refused: one flag per person needs a person, and an address is shared by
many phones (carrier NAT). A flag is not a report event: it is private to the flagger and staff,
and changes nothing anyone sees until a moderator acts (resolvers.moderation).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import (
    Category,
    ContentFlag,
    EventKind,
    FlaggedItem,
    FlagReason,
    FlagResolution,
    FlagTarget,
    Report,
    ReportEvent,
    ReportPhoto,
)
from models.flags import FLAG_TEXT_MAX
from resolvers import rate_limits
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.identity import Principal
from resolvers.permissions import require_can_flag, require_may_moderate
from resolvers.privacy import sees_photos, shows_content
from resolvers.timeline import utcnow
from resolvers.validation import clean_text


@dataclass(frozen=True)
class FlagRequest:
    target: FlagTarget
    target_id: int  # the report, the comment's event, or the photo
    reason: FlagReason
    text: str | None = None


def _checked_text(request: FlagRequest) -> str | None:
    errors: list[FieldError] = []
    text = clean_text(
        errors, "text", request.text, max_length=FLAG_TEXT_MAX, required=request.reason is FlagReason.OTHER
    )
    if errors:
        raise DomainError(*errors)
    return text


async def flag_content(request: FlagRequest, *, principal: Principal) -> FlaggedItem:
    """Add the caller's flag to the item's queue entry (made, or opened again, as needed)."""
    require_can_flag(principal)
    text = _checked_text(request)
    assert principal.user is not None
    report_id = await _visible_target(request, principal)
    await rate_limits.check("flag_content", principal.client)
    try:
        return await _add_flag(request, report_id, principal.user.id, text)
    except IntegrityError:  # two first flags at once made the same item: the second joins it
        return await _add_flag(request, report_id, principal.user.id, text)


async def _add_flag(request: FlagRequest, report_id: int, user_id: int, text: str | None) -> FlaggedItem:
    now = utcnow()
    async with in_transaction() as connection:
        item = await (
            FlaggedItem.filter(target=request.target, target_id=request.target_id)
            .using_db(connection)
            .select_for_update()
            .first()
        )
        if item is None:
            item = await FlaggedItem.create(
                report_id=report_id,
                target=request.target,
                target_id=request.target_id,
                last_flagged_at=now,
                using_db=connection,
            )
        elif await ContentFlag.filter(item_id=item.id, user_id=user_id).using_db(connection).exists():
            raise _already_flagged()
        await ContentFlag.create(
            item_id=item.id,
            user_id=user_id,
            reason=request.reason,
            text=text,
            created_at=now,
            using_db=connection,
        )
        # A new flag opens a resolved item again: the content may have changed, or the crowd has.
        await (
            FlaggedItem.filter(id=item.id)
            .using_db(connection)
            .update(
                flag_count=F("flag_count") + 1,
                last_flagged_at=now,
                resolved_at=None,
                resolution=None,
                resolved_by_id=None,
            )
        )
    await item.refresh_from_db()
    return item


def _already_flagged() -> DomainError:
    return fail(
        ErrorCode.ALREADY_FLAGGED,
        "Anda sudah menandai konten ini",
        "You have already flagged this content",
        "id",
    )


async def _visible_target(request: FlagRequest, principal: Principal) -> int:
    """The report of the flagged content, if the caller can see that content; else NOT_FOUND (a
    hidden comment or a private photo is not there for them to flag)."""
    if request.target is FlagTarget.REPORT:
        if await Report.exists(id=request.target_id):
            return request.target_id
        raise fail(ErrorCode.NOT_FOUND, "Laporan tidak ditemukan", "Report not found", "id")
    if request.target is FlagTarget.COMMENT:
        event = await ReportEvent.filter(id=request.target_id, kind=EventKind.COMMENTED).first()
        if event is None or not shows_content(event.moderation, sees_moderated=False):
            raise fail(ErrorCode.NOT_FOUND, "Komentar tidak ditemukan", "Comment not found", "id")
        return event.report_id
    photo = await ReportPhoto.filter(id=request.target_id).first()
    report = await Report.filter(id=photo.report_id).first() if photo else None
    category = await Category.filter(id=report.category_id).first() if report else None
    if (
        photo is None
        or report is None
        or not shows_content(photo.moderation, sees_moderated=False)
        or not sees_photos(
            principal,
            is_sensitive=bool(category and category.is_sensitive),
            agency_id=report.agency_id,
            reporter_id=report.reporter_id,
        )
    ):
        raise fail(ErrorCode.NOT_FOUND, "Foto tidak ditemukan", "Photo not found", "id")
    return report.id


async def dismiss_flags(item_id: int, *, principal: Principal) -> FlaggedItem:
    """Staff find nothing wrong: the item leaves the open queue (a later flag opens it again)."""
    item = await FlaggedItem.filter(id=item_id).first()
    report = await Report.filter(id=item.report_id).first() if item else None
    if item is None or report is None:
        raise fail(ErrorCode.NOT_FOUND, "Tanda tidak ditemukan", "Flagged item not found", "id")
    require_may_moderate(principal, report.agency_id)
    if item.resolved_at is not None:
        raise fail(ErrorCode.NOTHING_CHANGED, "Sudah diselesaikan", "Already resolved", "id")
    assert principal.user is not None
    await FlaggedItem.filter(id=item.id, resolved_at__isnull=True).update(
        resolved_at=utcnow(), resolution=FlagResolution.DISMISSED, resolved_by_id=principal.user.id
    )
    await item.refresh_from_db()
    return item
