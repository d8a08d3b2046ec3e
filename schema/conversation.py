"""What citizens and staff do around a report: comment, note, follow, support, and the
reporter's answer to a resolution. Every mutation returns the report and the event it wrote.

The reporter's own actions take either the signed-in reporter or `trackingToken`, the secret an
anonymous filing got; the token proves nothing about any other report."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import closing, conversation, duplicates
from schema.context import Info
from schema.descriptions import INPUT_HELP
from schema.ids import from_global_id
from schema.mutations import ReportChangePayload, report_change

TOKEN_HELP = "The anonymous filer's tracking token, for their own report"  # noqa: S105 - a description


@strawberry.input(description="Komentar publik pada laporan / A public comment on a report")
class AddCommentInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    body: str = strawberry.field(description="At most 2,000 characters")
    tracking_token: str | None = strawberry.field(default=None, description=TOKEN_HELP)


@strawberry.input(
    description="Catatan internal staf, tidak pernah terlihat publik / "
    "A staff-only note, never shown to the public"
)
class AddInternalNoteInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    body: str = strawberry.field(description="Staff only; at most 2,000 characters")


@strawberry.input(description="Mengikuti atau berhenti mengikuti laporan / Following or unfollowing a report")
class FollowReportInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    tracking_token: str | None = strawberry.field(default=None, description=TOKEN_HELP)


@strawberry.input(description="Mendukung laporan orang lain / Backing someone else's report")
class SupportReportInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")


@strawberry.input(description="The reporter's answer to a resolution, within 7 days of it")
class ResolutionAnswerInput:
    id: strawberry.ID = strawberry.field(description="ID laporan / The report's ID")
    rating: int | None = strawberry.field(default=None, description="How good the fix was, 1..5")
    rating_comment: str | None = strawberry.field(default=None, description="Private: reporter and agency")
    tracking_token: str | None = strawberry.field(default=None, description=TOKEN_HELP)


@strawberry.input(description="The reporter says it is not fixed, within 7 days of the resolution")
class DisputeResolutionInput(ResolutionAnswerInput):
    reason: str = strawberry.field(description="What is still wrong; shown on the timeline")


def _report_id(global_id: strawberry.ID) -> int:
    return from_global_id(global_id, "Report")


@strawberry.type
class ConversationMutation:
    @strawberry.mutation(description="A public comment by the reporter or the handling staff")
    async def add_comment(
        self, info: Info, input: Annotated[AddCommentInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        principal = info.context.principal
        return await report_change(
            lambda: conversation.add_comment(
                _report_id(input.id), input.body, principal=principal, tracking_token=input.tracking_token
            )
        )

    @strawberry.mutation(description="An internal note: the handling agency's staff and city-wide staff only")
    async def add_internal_note(
        self, info: Info, input: Annotated[AddInternalNoteInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        principal = info.context.principal
        return await report_change(
            lambda: conversation.add_internal_note(_report_id(input.id), input.body, principal=principal)
        )

    @strawberry.mutation(description="Follow a report's updates (its reporter follows it from the start)")
    async def follow_report(
        self, info: Info, input: Annotated[FollowReportInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        return await _follow(info, input, following=True)

    @strawberry.mutation(description="Stop following a report (its reporter may mute their own)")
    async def unfollow_report(
        self, info: Info, input: Annotated[FollowReportInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        return await _follow(info, input, following=False)

    @strawberry.mutation(description="Back an open report instead of filing the same problem again (once)")
    async def support_report(
        self, info: Info, input: Annotated[SupportReportInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        principal = info.context.principal
        return await report_change(
            lambda: duplicates.support_report(_report_id(input.id), principal=principal)
        )

    @strawberry.mutation(description="The reporter confirms the fix: the report is CLOSED as a confirmed fix")
    async def confirm_resolution(
        self, info: Info, input: Annotated[ResolutionAnswerInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        answer = closing.ReporterAnswer(
            confirmed=True,
            rating=input.rating,
            rating_comment=input.rating_comment,
            tracking_token=input.tracking_token,
        )
        return await _answer(info, input.id, answer)

    @strawberry.mutation(description="The reporter says it is not fixed: the report goes back to IN_PROGRESS")
    async def dispute_resolution(
        self,
        info: Info,
        input: Annotated[DisputeResolutionInput, strawberry.argument(description=INPUT_HELP)],
    ) -> ReportChangePayload:
        answer = closing.ReporterAnswer(
            confirmed=False,
            reason=input.reason,
            rating=input.rating,
            rating_comment=input.rating_comment,
            tracking_token=input.tracking_token,
        )
        return await _answer(info, input.id, answer)


async def _follow(info: Info, input: FollowReportInput, *, following: bool) -> ReportChangePayload:
    principal = info.context.principal
    return await report_change(
        lambda: conversation.set_following(
            _report_id(input.id), following, principal=principal, tracking_token=input.tracking_token
        )
    )


async def _answer(
    info: Info, report_id: strawberry.ID, answer: closing.ReporterAnswer
) -> ReportChangePayload:
    principal = info.context.principal
    return await report_change(
        lambda: closing.answer_resolution(_report_id(report_id), answer, principal=principal)
    )
