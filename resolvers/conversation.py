"""The conversation around a report: public comments by the reporter and the handling staff,
internal notes for staff only, and citizens following reports they did not file."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models import EventKind, Report, ReportEvent, ReportFollower
from resolvers.errors import ErrorCode, fail
from resolvers.identity import Principal
from resolvers.permissions import (
    acts_as_reporter,
    require_sees_internal_notes,
    require_signed_in,
    require_works_on,
)
from resolvers.report_change import report_change
from resolvers.timeline import utcnow
from resolvers.validation import checked_note


async def add_comment(
    report_id: int, body: str, *, principal: Principal, tracking_token: str | None = None
) -> tuple[Report, ReportEvent]:
    """A public comment: by the reporter (signed in or holding the tracking token) or by staff
    who work on the report. Other citizens support or follow instead."""
    text = checked_note("body", body, required=True)
    async with report_change() as change:
        report = await change.lock(report_id)
        by_reporter = acts_as_reporter(principal, report, tracking_token)
        if not by_reporter:
            require_works_on(principal, report.agency_id)
        now = utcnow()
        report.updated_at = now
        await report.save(using_db=change.connection, update_fields=["updated_at"])
        event = await change.record(
            report,
            EventKind.COMMENTED,
            actor=principal.user if tracking_token is None else None,
            at=now,
            note=text,
            data={"byReporter": by_reporter},
        )
    return report, event


async def add_internal_note(report_id: int, body: str, *, principal: Principal) -> tuple[Report, ReportEvent]:
    """A note among staff: the event is marked internal, so timelines, node lookups and the live
    feed show it to the handling agency's staff and city-wide staff only."""
    text = checked_note("body", body, required=True)
    async with report_change() as change:
        report = await change.lock(report_id)
        require_sees_internal_notes(principal, report.agency_id)
        event = await change.record(
            report,
            EventKind.INTERNAL_NOTE,
            actor=principal.user,
            at=utcnow(),
            note=text,
            is_internal=True,
        )
    return report, event


async def set_following(
    report_id: int, following: bool, *, principal: Principal, tracking_token: str | None = None
) -> tuple[Report, ReportEvent]:
    """Follow or stop following. The reporter follows their own report from the start and may
    mute it (by account or tracking token); anyone signed in may follow other reports."""
    kind = EventKind.FOLLOWED if following else EventKind.UNFOLLOWED
    try:
        async with report_change() as change:
            connection = change.connection
            report = await change.lock(report_id)
            now = utcnow()
            if acts_as_reporter(principal, report, tracking_token):
                if report.reporter_follows == following:
                    raise _unchanged(following)
                report.reporter_follows = following
                report.updated_at = now
                await report.save(using_db=connection, update_fields=["reporter_follows", "updated_at"])
                actor = principal.user if tracking_token is None else None
                data = {"byReporter": True}
            else:
                require_signed_in(principal)
                assert principal.user is not None
                rows = ReportFollower.filter(report_id=report.id, user_id=principal.user.id)
                if await rows.using_db(connection).exists() == following:
                    raise _unchanged(following)
                if following:
                    await ReportFollower.create(
                        report_id=report.id, user_id=principal.user.id, created_at=now, using_db=connection
                    )
                else:
                    await rows.using_db(connection).delete()
                actor, data = principal.user, {"byReporter": False}
            event = await change.record(report, kind, actor=actor, at=now, data=data)
    except IntegrityError as exc:  # the same user twice at once: the unique constraint decides
        raise _unchanged(following) from exc
    return report, event


def _unchanged(following: bool) -> Exception:
    if following:
        return fail(ErrorCode.NOTHING_CHANGED, "Anda sudah mengikuti laporan ini", "Already following", "id")
    return fail(ErrorCode.NOTHING_CHANGED, "Anda tidak mengikuti laporan ini", "Not following", "id")
