"""Closing the loop: the reporter confirms a resolution (CLOSED, a confirmed fix) or disputes it
(back to IN_PROGRESS) within the confirmation window, and may rate the fix 1..5."""

from __future__ import annotations

from dataclasses import dataclass

from models import EventKind, Report, ReportEvent, ReportStatus, ResolutionOutcome
from models.lifecycle import CONFIRMATION_WINDOW
from resolvers.errors import ErrorCode, fail
from resolvers.identity import Principal
from resolvers.permissions import require_is_reporter
from resolvers.report_change import report_change
from resolvers.timeline import utcnow
from resolvers.validation import checked_note

S = ReportStatus


@dataclass(frozen=True)
class ReporterAnswer:
    confirmed: bool  # True: "fixed, thank you"; False: "not fixed"
    reason: str | None = None  # required for a dispute, shown on the timeline
    rating: int | None = None
    rating_comment: str | None = None  # private: the reporter and the agency
    tracking_token: str | None = None


async def answer_resolution(
    report_id: int, answer: ReporterAnswer, *, principal: Principal
) -> tuple[Report, ReportEvent]:
    reason = checked_note("reason", answer.reason, required=not answer.confirmed)
    comment = checked_note("ratingComment", answer.rating_comment, required=False)
    if answer.rating is not None and not 1 <= answer.rating <= 5:
        raise fail(ErrorCode.INVALID_INPUT, "Nilai harus 1 sampai 5", "A rating is 1 to 5", "rating")
    if comment is not None and answer.rating is None:
        raise fail(ErrorCode.REQUIRED, "Beri nilai 1 sampai 5", "Give a rating with the comment", "rating")
    async with report_change() as change:
        report = await change.lock(report_id)
        require_is_reporter(principal, report, answer.tracking_token)
        if report.status is not S.RESOLVED or report.resolved_at is None:
            raise fail(
                ErrorCode.ILLEGAL_TRANSITION,
                "Laporan belum diselesaikan petugas",
                "Only a resolved report can be confirmed or disputed",
                "id",
            )
        now = utcnow()
        if now > report.resolved_at + CONFIRMATION_WINDOW:
            raise fail(
                ErrorCode.WINDOW_CLOSED,
                "Batas waktu konfirmasi (7 hari) sudah lewat",
                "The 7 days to confirm or dispute have passed",
                "id",
            )
        actor = principal.user if answer.tracking_token is None else None
        report.updated_at = now
        if answer.confirmed:
            report.status = S.CLOSED
            report.closed_at = now
            report.resolution_outcome = ResolutionOutcome.CONFIRMED
            data = {"byReporter": True, "outcome": ResolutionOutcome.CONFIRMED.value}
        else:
            report.status = S.IN_PROGRESS
            report.resolved_at = None  # the earlier resolution stays in the timeline
            report.dispute_count += 1
            data = {"byReporter": True, "dispute": report.dispute_count}
        if answer.rating is not None:
            report.rating = answer.rating
            report.rating_comment = comment
        await report.save(using_db=change.connection)
        event = await change.record(
            report,
            EventKind.STATUS_CHANGED,
            actor=actor,
            at=now,
            from_status=S.RESOLVED,
            to_status=report.status,
            note=reason,
            data=data,
        )
        if answer.rating is not None:
            await change.record(report, EventKind.RATED, actor=actor, at=now, data={"rating": answer.rating})
    return report, event
