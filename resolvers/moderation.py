"""Staff hide, redact and restore content of a report (a comment, a photo, its title or its
description), with a reason, through the one door of report changes.

What the public then sees is decided in one place, resolvers.privacy (`sees_moderated` and the
`*_as_seen` functions). The change is recorded as a public MODERATED event, {target, targetId,
action, reason}, whose reason only the staff who may moderate see (resolvers.privacy strips it for
everyone else): public, so that live clients and the wall hear that the report changed and show it
again as it now is. Acting on content also resolves the citizens' open flags on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from models import (
    EventKind,
    FlaggedItem,
    FlagResolution,
    FlagTarget,
    ModerationAction,
    ModerationState,
    ModerationTarget,
    Report,
    ReportEvent,
    ReportPhoto,
)
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.identity import Principal
from resolvers.permissions import require_may_moderate
from resolvers.report_change import report_change
from resolvers.timeline import utcnow
from resolvers.validation import clean_text

REASON_MAX = 500

# What each action leaves on the content: RESTORE shows it as written again.
STATE_AFTER = {
    ModerationAction.HIDE: ModerationState.HIDDEN,
    ModerationAction.REDACT: ModerationState.REDACTED,
    ModerationAction.RESTORE: None,
}

# A photo has no text to redact; a report's title and description are never empty, only redacted.
ACTIONS_ON = {
    ModerationTarget.COMMENT: frozenset(ModerationAction),
    ModerationTarget.PHOTO: frozenset({ModerationAction.HIDE, ModerationAction.RESTORE}),
    ModerationTarget.REPORT_TITLE: frozenset({ModerationAction.REDACT, ModerationAction.RESTORE}),
    ModerationTarget.REPORT_DESCRIPTION: frozenset({ModerationAction.REDACT, ModerationAction.RESTORE}),
}

# The queue item a moderated target answers: flags on a report are about its text.
FLAG_TARGET_OF = {
    ModerationTarget.COMMENT: FlagTarget.COMMENT,
    ModerationTarget.PHOTO: FlagTarget.PHOTO,
    ModerationTarget.REPORT_TITLE: FlagTarget.REPORT,
    ModerationTarget.REPORT_DESCRIPTION: FlagTarget.REPORT,
}

REPORT_TEXT_COLUMN = {
    ModerationTarget.REPORT_TITLE: "title_moderation",
    ModerationTarget.REPORT_DESCRIPTION: "description_moderation",
}


@dataclass(frozen=True)
class ModerationRequest:
    target: ModerationTarget
    target_id: int  # the comment's event, the photo, or the report (title, description)
    action: ModerationAction
    reason: str | None


def _checked(request: ModerationRequest) -> str:
    errors: list[FieldError] = []
    reason = clean_text(errors, "reason", request.reason, max_length=REASON_MAX, required=True)
    if request.action not in ACTIONS_ON[request.target]:
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                "Tindakan ini tidak berlaku untuk konten ini (foto hanya disembunyikan; judul dan "
                "uraian laporan hanya disunting)",
                "This action does not apply to this content (photos are hidden; a report's title "
                "and description are redacted)",
                "action",
            )
        )
    if errors:
        raise DomainError(*errors)
    assert reason is not None
    return reason


async def moderate(request: ModerationRequest, *, principal: Principal) -> tuple[Report, ReportEvent]:
    """Hide, redact or restore one piece of content; NOTHING_CHANGED when it already is so."""
    reason = _checked(request)
    wanted = STATE_AFTER[request.action]
    async with report_change() as change:
        connection = change.connection
        content = await _content(connection, request.target, request.target_id)
        report = await change.lock(content.report_id if content else request.target_id, "id")
        require_may_moderate(principal, report.agency_id)
        current = getattr(content or report, REPORT_TEXT_COLUMN.get(request.target, "moderation"))
        if current == wanted:
            raise fail(
                ErrorCode.NOTHING_CHANGED,
                "Konten ini sudah dalam keadaan itu",
                "The content is already in that state",
                "action",
            )
        now = utcnow()
        if content is None:
            setattr(report, REPORT_TEXT_COLUMN[request.target], wanted)
        else:
            await type(content).filter(id=content.id).using_db(connection).update(moderation=wanted)
        report.updated_at = now
        await report.save(using_db=connection, update_fields=[*REPORT_TEXT_COLUMN.values(), "updated_at"])
        if wanted is not None:
            await _resolve_flags(connection, request, principal, now)
        event = await change.record(
            report,
            EventKind.MODERATED,
            actor=principal.user,
            at=now,
            data={
                "target": request.target.value,
                "targetId": request.target_id,
                "action": request.action.value,
                "reason": reason,
            },
        )
    return report, event


async def _content(
    connection: BaseDBAsyncClient, target: ModerationTarget, target_id: int
) -> ReportEvent | ReportPhoto | None:
    """The comment or photo moderated (None for a report's own text), or NOT_FOUND."""
    if target is ModerationTarget.PHOTO:
        photo = await ReportPhoto.filter(id=target_id).using_db(connection).first()
        if photo is None:
            raise fail(ErrorCode.NOT_FOUND, "Foto tidak ditemukan", "Photo not found", "id")
        return photo
    if target is ModerationTarget.COMMENT:
        event = await ReportEvent.filter(id=target_id, kind=EventKind.COMMENTED).using_db(connection).first()
        if event is None:
            raise fail(ErrorCode.NOT_FOUND, "Komentar tidak ditemukan", "Comment not found", "id")
        return event
    return None


async def _resolve_flags(
    connection: BaseDBAsyncClient, request: ModerationRequest, principal: Principal, now: object
) -> None:
    await (
        FlaggedItem.filter(
            target=FLAG_TARGET_OF[request.target], target_id=request.target_id, resolved_at__isnull=True
        )
        .using_db(connection)
        .update(
            resolved_at=now,
            resolution=FlagResolution.MODERATED,
            resolved_by_id=principal.user.id if principal.user else None,
        )
    )
