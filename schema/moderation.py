"""Moderation: staff hide, redact and restore content; citizens flag it; the queue of flagged
content. The rule of what each caller then sees is resolvers.privacy's; the writing is
resolvers.moderation's (through the one door of report changes) and resolvers.flags'."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from models import FlagReason, FlagResolution, FlagTarget, ModerationAction, ModerationTarget
from resolvers import flags, moderation, moderation_queue
from resolvers.errors import DomainError
from resolvers.moderation_queue import FlagState, QueuePage
from schema.context import Info
from schema.descriptions import INPUT_HELP, After, PageSize
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import from_global_id, optional_global_id, to_global_id
from schema.mutations import ReportChangePayload, report_change
from schema.photos import ReportPhoto, photos_as_seen
from schema.query_cost import list_size
from schema.report_pages import PageInfo
from schema.reports import Comment, Report

# The global ID type each target is named by.
ID_TYPE = {
    ModerationTarget.COMMENT: "ReportEvent",
    ModerationTarget.PHOTO: "ReportPhoto",
    ModerationTarget.REPORT_TITLE: "Report",
    ModerationTarget.REPORT_DESCRIPTION: "Report",
}
FLAG_ID_TYPE = {
    FlagTarget.REPORT: "Report",
    FlagTarget.COMMENT: "ReportEvent",
    FlagTarget.PHOTO: "ReportPhoto",
}


@strawberry.input(
    description="Menyembunyikan, menyunting, atau memulihkan konten laporan / "
    "Hiding, redacting or restoring a report's content"
)
class ModerateContentInput:
    target: ModerationTarget = strawberry.field(description="Jenis konten / What kind of content")
    id: strawberry.ID = strawberry.field(
        description="ID komentar (kejadiannya), foto, atau laporan (judul, uraian) / The ID of the comment "
        "(its event), the photo, or the report (title, description)"
    )
    action: ModerationAction = strawberry.field(description="Tindakan / The action")
    reason: str = strawberry.field(
        description="Alasan, untuk staf (paling banyak 500 karakter) / The reason, for staff (at most 500 "
        "characters)"
    )


@strawberry.input(description="Menandai konten untuk moderator / Flagging content for the moderators")
class FlagContentInput:
    target: FlagTarget = strawberry.field(description="Jenis konten / What kind of content")
    id: strawberry.ID = strawberry.field(
        description="ID laporan, komentar (kejadiannya), atau foto / The ID of the report, comment (its "
        "event) or photo"
    )
    reason: FlagReason = strawberry.field(description="Alasan / Why")
    text: str | None = strawberry.field(
        default=None,
        description="Keterangan; wajib untuk OTHER (paling banyak 500 karakter) / Details; required for "
        "OTHER (at most 500 characters)",
    )


@strawberry.input(description="Menolak tanda pada sebuah konten / Dismissing the flags on a piece of content")
class DismissFlagsInput:
    id: strawberry.ID = strawberry.field(description="ID entri antrean / The queue entry's ID")


@strawberry.input(description="Saring antrean moderasi / Narrows the moderation queue")
class ModerationQueueFilter:
    state: FlagState = strawberry.field(
        default=FlagState.OPEN, description="Terbuka atau selesai / Open or resolved"
    )
    agency: strawberry.ID | None = strawberry.field(
        default=None,
        description="Hanya laporan dinas ini (petugas dinas: dinasnya sendiri) / Only this agency's reports "
        "(agency staff: their own)",
    )


@strawberry.type(description="Berapa tanda memberi satu alasan / How many flags gave one reason")
class FlagReasonCount:
    reason: FlagReason = strawberry.field(description="Alasan / The reason")
    count: int = strawberry.field(description="Jumlah tanda / How many flags")


@strawberry.type(
    description="Konten yang ditandai warga, dalam antrean moderasi (tanpa identitas penanda) / "
    "Content citizens flagged, in the moderation queue (without who flagged it)"
)
class FlaggedContent:
    id: strawberry.ID = strawberry.field(description="ID entri antrean / The queue entry's ID")
    target: FlagTarget = strawberry.field(description="Jenis konten / What kind of content")
    content_id: strawberry.ID = strawberry.field(
        description="ID konten (laporan, kejadian komentar, atau foto) / The content's ID (report, comment "
        "event or photo)"
    )
    flag_count: int = strawberry.field(description="Jumlah tanda / How many flags")
    reasons: list[FlagReasonCount] = strawberry.field(
        description="Alasan, yang terbanyak dulu / The reasons, most given first",
        metadata=list_size(len(FlagReason)),
    )
    notes: list[str] = strawberry.field(
        description="Keterangan warga terbaru (paling banyak 5) / The newest words citizens wrote (at most 5)"
    )
    last_flagged_at: datetime = strawberry.field(description="Tanda terakhir / The newest flag")
    resolved_at: datetime | None = strawberry.field(
        description="Waktu diselesaikan; null bila terbuka / When resolved; null while open"
    )
    resolution: FlagResolution | None = strawberry.field(
        description="Bagaimana diselesaikan; null bila terbuka / How it was resolved; null while open"
    )
    report_id: strawberry.Private[int]
    target_pk: strawberry.Private[int]

    @strawberry.field(description="Laporan konten itu / The report the content belongs to")
    async def report(self, info: Info) -> Report | None:
        row = await info.context.loaders.report.load(self.report_id)
        return Report.from_row(row) if row else None

    @strawberry.field(
        description="Komentar yang ditandai, seperti aslinya; null untuk sasaran lain / The flagged comment "
        "as written; null for other targets"
    )
    async def comment(self, info: Info) -> Comment | None:
        if self.target is not FlagTarget.COMMENT:
            return None
        row = await info.context.loaders.event.load(self.target_pk)  # one query for the page's comments
        report = await info.context.loaders.report.load(self.report_id)
        return Comment.from_event_row(row, report["agency_id"]) if row and report else None

    @strawberry.field(
        description="Foto yang ditandai; null untuk sasaran lain atau bila sudah dihapus / "
        "The flagged photo; null for other targets or once removed"
    )
    async def photo(self, info: Info) -> ReportPhoto | None:
        if self.target is not FlagTarget.PHOTO:
            return None
        row = await info.context.loaders.photo.load(self.target_pk)  # one query for the page's photos
        return photos_as_seen(info, [row], sensitive=True)[0] if row else None  # signed: staff only

    @classmethod
    def from_row(cls, row: dict[str, Any], page: QueuePage | None = None) -> FlaggedContent:
        target = FlagTarget(row["target"])
        reasons = page.reasons.get(row["id"], []) if page else []
        return cls(
            id=strawberry.ID(to_global_id("FlaggedContent", row["id"])),
            target=target,
            content_id=strawberry.ID(to_global_id(FLAG_ID_TYPE[target], row["target_id"])),
            flag_count=row["flag_count"],
            reasons=[FlagReasonCount(reason=FlagReason(reason), count=count) for reason, count in reasons],
            notes=page.notes.get(row["id"], []) if page else [],
            last_flagged_at=row["last_flagged_at"],
            resolved_at=row["resolved_at"],
            resolution=None if row["resolution"] is None else FlagResolution(row["resolution"]),
            report_id=row["report_id"],
            target_pk=row["target_id"],
        )


@strawberry.type(description="Entri antrean moderasi dengan kursornya / A queue entry with its cursor")
class FlaggedContentEdge:
    cursor: str = strawberry.field(description="Kursor untuk `after` / Cursor for `after`")
    node: FlaggedContent = strawberry.field(description="Entri antrean / The queue entry")


@strawberry.type(description="Satu halaman antrean moderasi / A page of the moderation queue")
class FlaggedContentConnection:
    edges: list[FlaggedContentEdge] = strawberry.field(
        description="Entri halaman ini, tanda terbaru dulu / This page's entries, newest flag first"
    )
    page_info: PageInfo = strawberry.field(description="Posisi halaman / Where this page sits")


@strawberry.type(description="Hasil menandai konten / Result of flagging content")
class FlagContentPayload:
    flagged: bool = strawberry.field(
        default=False, description="Tanda Anda tercatat / Your flag was recorded"
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_HELP, default_factory=list)


@strawberry.type(description="Hasil menolak tanda / Result of dismissing flags")
class DismissFlagsPayload:
    item: FlaggedContent | None = strawberry.field(
        default=None,
        description="Entri yang diselesaikan; null bila ditolak / The resolved entry; null when refused",
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_HELP, default_factory=list)


@strawberry.type
class ModerationMutation:
    @strawberry.mutation(
        description="Staf dinas yang menangani atau staf tingkat kota menyembunyikan, menyunting, atau "
        "memulihkan konten, dengan alasan (tercatat sebagai kejadian internal MODERATED) / Staff of the "
        "handling agency or city-wide staff hide, redact or restore content, with a reason (recorded as an "
        "internal MODERATED event)"
    )
    async def moderate_content(
        self, info: Info, input: Annotated[ModerateContentInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReportChangePayload:
        principal = info.context.principal
        return await report_change(
            lambda: moderation.moderate(
                moderation.ModerationRequest(
                    target=input.target,
                    target_id=from_global_id(input.id, ID_TYPE[input.target]),
                    action=input.action,
                    reason=input.reason,
                ),
                principal=principal,
            )
        )

    @strawberry.mutation(
        description="Warga yang masuk menandai laporan, komentar, atau foto (satu tanda per orang per "
        "konten) / A signed-in citizen flags a report, comment or photo (one flag per person per item)"
    )
    async def flag_content(
        self, info: Info, input: Annotated[FlagContentInput, strawberry.argument(description=INPUT_HELP)]
    ) -> FlagContentPayload:
        try:
            request = flags.FlagRequest(
                target=input.target,
                target_id=from_global_id(input.id, FLAG_ID_TYPE[input.target]),
                reason=input.reason,
                text=input.text,
            )
            await flags.flag_content(request, principal=info.context.principal)
        except DomainError as exc:
            return FlagContentPayload(errors=user_errors(exc))
        return FlagContentPayload(flagged=True)

    @strawberry.mutation(
        description="Staf menolak tanda pada sebuah konten: kontennya tetap / Staff dismiss the flags on a "
        "piece of content: it stays as it is"
    )
    async def dismiss_flags(
        self, info: Info, input: Annotated[DismissFlagsInput, strawberry.argument(description=INPUT_HELP)]
    ) -> DismissFlagsPayload:
        try:
            item = await flags.dismiss_flags(
                from_global_id(input.id, "FlaggedContent"), principal=info.context.principal
            )
        except DomainError as exc:
            return DismissFlagsPayload(errors=user_errors(exc))
        row = await moderation_queue.item_row(item.id)
        return DismissFlagsPayload(item=FlaggedContent.from_row(row) if row else None)


@strawberry.type
class ModerationQuery:
    @strawberry.field(
        description="Antrean moderasi: konten yang ditandai, tanda terbaru dulu; untuk staf (staf dinas: "
        "laporan dinasnya) / The moderation queue: flagged content, newest flag first; for staff (agency "
        "staff: their agency's reports)"
    )
    async def moderation_queue(
        self,
        info: Info,
        first: PageSize = 20,
        after: After = None,
        filter: Annotated[
            ModerationQueueFilter | None,
            strawberry.argument(description="Saring antrean / Narrows the queue"),
        ] = None,
    ) -> FlaggedContentConnection:
        flt = filter or ModerationQueueFilter()
        page = await moderation_queue.queue_page(
            info.context.principal,
            moderation_queue.QueueFilter(
                state=flt.state, agency_id=optional_global_id(flt.agency, "Agency", "filter.agency")
            ),
            first=first,
            after=after,
        )
        edges = [
            FlaggedContentEdge(
                cursor=moderation_queue.QUEUE_ORDER.cursor(row), node=FlaggedContent.from_row(row, page)
            )
            for row in page.rows
        ]
        return FlaggedContentConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
