"""GraphQL types of reports, their timeline, and the report queries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from inspect import isawaitable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from models import (
    EscalationTarget,
    EventKind,
    IntakeChannel,
    ModerationTarget,
    PublicGroup,
    ReportStatus,
    ResolutionOutcome,
    Role,
    lateness,
)
from models.lifecycle import PUBLIC_GROUP, PUBLIC_GROUP_LABELS, STATUS_LABELS, TRANSITIONS
from resolvers import photo_queries
from resolvers.photos import MAX_PHOTOS_PER_KIND
from resolvers.privacy import (
    SeenPlace,
    event_data_as_seen,
    names_a_place,
    place_as_seen,
    sees_moderated,
    sees_private_details,
    shows_content,
    shows_exact_place,
    text_as_seen,
    timeline_as_seen,
)
from resolvers.report_queries import check_page_size
from schema.content_moderation import ContentModeration, moderation_seen
from schema.context import Context, Info
from schema.directory import Agency, Area, Category, Node, StaffMember
from schema.ids import to_global_id
from schema.lifecycle import TextLabel
from schema.photos import ReportPhoto, photos_as_seen
from schema.query_cost import list_size

# A report's timeline and comments come a slice at a time, so that the query cost (which counts
# `last`) bounds them: the most recent events, in the order they happened.
DEFAULT_EVENTS = 50
LastEvents = Annotated[
    int,
    strawberry.argument(description="Berapa yang terbaru (1..100) / How many of the most recent (1..100)"),
]

T = TypeVar("T")


async def _now(value: T | Awaitable[T]) -> T:
    return await value if isawaitable(value) else value  # type: ignore[return-value]


def private_to(context: Context, report_id: int, *, agency_id: int, reporter_id: int | None) -> bool:
    """Whether the caller sees a report's private details: its filer (signed in, or holding its
    tracking token in this request) and its agency's staff (also schema.compiled's one way there)."""
    return report_id in context.tracked_report_ids or sees_private_details(
        context.principal, agency_id=agency_id, reporter_id=reporter_id
    )


def lateness_of(
    status: ReportStatus, acknowledge_due_at: datetime, due_at: datetime, context: Context
) -> EscalationTarget | None:
    """The target a report is late for now; the answer is cached until its next deadline."""
    now = datetime.now(UTC)
    turn = lateness.next_turn(status, acknowledge_due_at, due_at, now)
    if turn is not None:
        context.cache_policy.expires_at(turn)  # the answer changes at the next deadline
    return lateness.late_for(status, acknowledge_due_at, due_at, now)


@strawberry.type(description="Titik koordinat WGS84 / A WGS84 point")
class Location:
    lat: float = strawberry.field(description="Lintang, derajat / Latitude, degrees")
    lon: float = strawberry.field(description="Bujur, derajat / Longitude, degrees")


@strawberry.type(description="The reporter's identity and contact (private)")
class ReporterContact:
    name: str | None = strawberry.field(
        description="Nama; null bila tidak diberikan / Name; null when not given"
    )
    phone: str | None = strawberry.field(
        description="Telepon; null bila tidak diberikan / Phone; null when not given"
    )
    email: str | None = strawberry.field(
        description="Email akun pelapor; null untuk laporan anonim / "
        "The reporter account's email; null when anonymous"
    )

    @classmethod
    def from_user_row(cls, row: dict[str, Any]) -> ReporterContact:
        return cls(name=row["name"], phone=row["phone"], email=row["email"])


# The live feed's filters match these (realtime.feed.EventSelector): a client can tell why an event
# reached it, live and on replay alike, whatever happened to the report since.
@strawberry.type(description="A report's agency, category, area and status at the moment of an event")
class ReportAsOf:
    status: ReportStatus | None = strawberry.field(
        description="Status saat itu; null bila belum ada / The status then; null when none yet"
    )
    agency_id: strawberry.Private[int | None]
    category_id: strawberry.Private[int | None]
    area_id: strawberry.Private[int | None]
    report_id: strawberry.Private[int]

    @strawberry.field(description="Dinas saat itu / The agency then")
    def agency(self, info: Info) -> Agency | None:
        if self.agency_id is None:
            return None
        return info.context.loaders.now_or_later("agency", self.agency_id, Agency.from_row)  # type: ignore[return-value]

    @strawberry.field(description="Kategori saat itu / The category then")
    def category(self, info: Info) -> Category | None:
        if self.category_id is None:
            return None
        return info.context.loaders.now_or_later("category", self.category_id, Category.from_row)  # type: ignore[return-value]

    @strawberry.field(
        description="Hidden from the public when the report's category is sensitive now: an area found "
        "before it became sensitive could say more than the rounded place"
    )
    async def area(self, info: Info) -> Area | None:
        if self.area_id is None:
            return None
        row = await info.context.loaders.report.load(self.report_id)
        if row is None or not await _now(Report.from_row(row).as_seen(info, bool)):
            return None
        return Area.from_row(await info.context.loaders.area.load(self.area_id))

    @classmethod
    def from_event_row(cls, row: dict[str, Any], side: str) -> ReportAsOf | None:
        """`side` is "before" or "after"; None when the report did not exist yet (a filing)."""
        state = {name: row[f"{name}_{side}_id"] for name in ("agency", "category", "area")}
        status = row[f"status_{side}"]
        if status is None and all(value is None for value in state.values()):
            return None
        return cls(
            status=None if status is None else ReportStatus(status),
            agency_id=state["agency"],
            category_id=state["category"],
            area_id=state["area"],
            report_id=row["report_id"],
        )


@strawberry.type(description="One entry of a report's timeline; `cursor` orders the live feed")
class ReportEvent(Node):
    cursor: str = strawberry.field(description="Monotonic position of this event in the city's feed")
    kind: EventKind = strawberry.field(description="Jenis kejadian / What happened")
    from_status: ReportStatus | None = strawberry.field(
        description="Status sebelumnya, untuk perubahan status / The previous status, for status changes"
    )
    to_status: ReportStatus | None = strawberry.field(
        description="Status baru, untuk perubahan status / The new status, for status changes"
    )
    note: str | None = strawberry.field(
        description="Catatan atau komentar; null bila tidak ada / Note or comment; null when none"
    )
    created_at: datetime = strawberry.field(description="Waktu kejadian / When it happened")
    is_internal: bool = strawberry.field(description="An internal note: shown to the handling staff only")
    before: ReportAsOf | None = strawberry.field(
        description="The report's agency, category, area and status as this event found them "
        "(none for a filing); live-feed filters match this side or `after`"
    )
    after: ReportAsOf | None = strawberry.field(
        description="The report's agency, category, area and status as this event left them"
    )
    actor_id: strawberry.Private[int | None]
    report_id: strawberry.Private[int]
    details: strawberry.Private[Any]

    @strawberry.field(
        description="Kind-specific details, e.g. old and new agency; without area ids for the public "
        "when the report's category is sensitive"
    )
    async def data(self, info: Info) -> JSON | None:
        if not names_a_place(self.details):
            return self.details  # type: ignore[no-any-return]
        row = await info.context.loaders.report.load(self.report_id)
        shows_exact = row is not None and await _now(Report.from_row(row).as_seen(info, bool))
        return event_data_as_seen(self.details, shows_exact=shows_exact)  # type: ignore[no-any-return]

    @strawberry.field(description="The role of whoever made the change; none for anonymous citizens")
    async def actor_role(self, info: Info) -> Role | None:
        if self.actor_id is None:
            return None
        row = await info.context.loaders.user.load(self.actor_id)
        return Role(row["role"]) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ReportEvent:
        return cls(
            id=strawberry.ID(to_global_id("ReportEvent", row["id"])),
            cursor=str(row["id"]),
            kind=EventKind(row["kind"]),
            from_status=row["from_status"],
            to_status=row["to_status"],
            note=row["note"],
            details=row["data"],
            created_at=row["created_at"],
            is_internal=row["is_internal"],
            before=ReportAsOf.from_event_row(row, "before"),
            after=ReportAsOf.from_event_row(row, "after"),
            actor_id=row["actor_id"],
            report_id=row["report_id"],
        )


COMMENT_KINDS = frozenset({EventKind.COMMENTED, EventKind.INTERNAL_NOTE})


def comment_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The comments and internal notes among a timeline's event rows (both read paths)."""
    return [row for row in events if row["kind"] in COMMENT_KINDS]


def comment_body(row: dict[str, Any]) -> str:
    return row["note"] or ""


def by_reporter(row: dict[str, Any]) -> bool:
    return bool((row["data"] or {}).get("byReporter"))


@strawberry.type(description="A public comment (reporter or staff), or an internal note (staff only)")
class Comment:
    id: strawberry.ID = strawberry.field(description="The ID of its timeline event")
    body: str = strawberry.field(description="Isi komentar / The comment's text")
    is_internal: bool = strawberry.field(
        description="Catatan internal, hanya untuk staf / An internal note, staff only"
    )
    by_reporter: bool = strawberry.field(description="Written by the report's reporter")
    created_at: datetime = strawberry.field(description="Waktu ditulis / When it was written")
    actor_id: strawberry.Private[int | None]
    pk: strawberry.Private[int]
    report_id: strawberry.Private[int]
    agency_id: strawberry.Private[int]
    moderation_state: strawberry.Private[str | None]

    @strawberry.field(
        description="Bila moderator menyembunyikan atau menyuntingnya: keadaan dan alasannya, hanya untuk "
        "staf yang boleh memoderasi (publik tidak melihat komentar tersembunyi, dan membaca penanda "
        "sebagai isi komentar yang disunting) / When a moderator hid or redacted it: how and why, for the "
        "staff who may moderate only (the public never sees a hidden comment, and reads the marker as a "
        "redacted one's body)"
    )
    async def moderation(self, info: Info) -> ContentModeration | None:
        return await moderation_seen(
            info,
            report_id=self.report_id,
            agency_id=self.agency_id,
            target=ModerationTarget.COMMENT,
            target_id=self.pk,
            state=self.moderation_state,
        )

    @strawberry.field(description="The member of staff who wrote it; never a citizen's name")
    async def author(self, info: Info) -> StaffMember | None:
        if self.actor_id is None:
            return None
        row = await info.context.loaders.user.load(self.actor_id)
        return StaffMember.from_row(row) if row else None

    @classmethod
    def from_event_row(cls, row: dict[str, Any], agency_id: int) -> Comment:
        return cls(
            id=strawberry.ID(to_global_id("ReportEvent", row["id"])),
            body=comment_body(row),
            is_internal=row["is_internal"],
            by_reporter=by_reporter(row),
            created_at=row["created_at"],
            actor_id=row["actor_id"],
            pk=row["id"],
            report_id=row["report_id"],
            agency_id=agency_id,
            moderation_state=row["moderation"],
        )


@strawberry.type(description="A citizen's report of a problem in the city")
class Report(Node):
    code: str = strawberry.field(description="Short public code to quote by phone or SMS")
    status: ReportStatus = strawberry.field(description="Status terkini / Current status")
    public_group: PublicGroup = strawberry.field(
        description="Warna publik: merah, kuning, hijau / Public colour: red, yellow, green"
    )
    status_reason: str | None = strawberry.field(description="Why it was rejected or closed as duplicate")
    created_at: datetime = strawberry.field(description="Waktu dikirim / When it was filed")
    updated_at: datetime = strawberry.field(description="Perubahan terakhir / Last change")
    acknowledged_at: datetime | None = strawberry.field(
        description="Waktu diterima dinas; null bila belum / When acknowledged; null if not yet"
    )
    resolved_at: datetime | None = strawberry.field(
        description="Waktu dinyatakan selesai; null bila belum / When resolved; null if not yet"
    )
    closed_at: datetime | None = strawberry.field(
        description="Waktu ditutup; null bila belum / When closed; null if not yet"
    )
    acknowledge_due_at: datetime = strawberry.field(description="When it should be acknowledged")
    due_at: datetime = strawberry.field(description="When it should be resolved, from its category's target")
    allowed_statuses: list[ReportStatus] = strawberry.field(description="Statuses it may move to next")
    resolution_outcome: ResolutionOutcome | None = strawberry.field(
        description="How it was closed: a confirmed fix, an auto-close, closed despite a dispute, or by staff"
    )
    dispute_count: int = strawberry.field(description="How often the reporter said it was not fixed")
    rating: int | None = strawberry.field(description="The reporter's rating of the fix, 1..5")
    channel: IntakeChannel = strawberry.field(
        description="Jalur masuk: aplikasi, atau dicatat petugas dari telepon, SMS, WhatsApp, loket, media "
        "sosial. / How it reached the city: the app, or taken down by staff from a call, SMS, WhatsApp, a "
        "walk-in or social media."
    )
    pk: strawberry.Private[int]
    category_id: strawberry.Private[int]
    agency_id: strawberry.Private[int]
    area_id: strawberry.Private[int | None]
    assignee_id: strawberry.Private[int | None]
    duplicate_of_id: strawberry.Private[int | None]
    reporter_id: strawberry.Private[int | None]
    exact: strawberry.Private[Location]
    address_text: strawberry.Private[str | None]
    contact_name: strawberry.Private[str | None]
    contact_phone: strawberry.Private[str | None]
    reporter_follows: strawberry.Private[bool]
    rating_text: strawberry.Private[str | None]
    title_text: strawberry.Private[str]
    description_text: strawberry.Private[str]
    title_state: strawberry.Private[str | None]
    description_state: strawberry.Private[str | None]

    def _sees_moderated(self, info: Info) -> bool:
        return sees_moderated(info.context.principal, agency_id=self.agency_id)

    @strawberry.field(
        description='Judul; "[disunting oleh moderator]" untuk publik bila moderator menyuntingnya / '
        'Title; "[disunting oleh moderator]" for the public when a moderator redacted it'
    )
    def title(self, info: Info) -> str:
        return text_as_seen(
            self.title_text, self.title_state, sees_moderated=lambda: self._sees_moderated(info)
        )

    @strawberry.field(
        description="Uraian masalah; penanda moderator untuk publik bila disunting / "
        "Description of the problem; the moderator's marker for the public when redacted"
    )
    def description(self, info: Info) -> str:
        return text_as_seen(
            self.description_text, self.description_state, sees_moderated=lambda: self._sees_moderated(info)
        )

    @strawberry.field(
        description="Moderasi judul, hanya untuk staf yang boleh memoderasi; null bila judul seperti "
        "aslinya / The title's moderation, for the staff who may moderate only; null when as written"
    )
    async def title_moderation(self, info: Info) -> ContentModeration | None:
        return await self._moderation(info, ModerationTarget.REPORT_TITLE, self.title_state)

    @strawberry.field(
        description="Moderasi uraian, hanya untuk staf yang boleh memoderasi; null bila seperti aslinya / "
        "The description's moderation, for the staff who may moderate only; null when as written"
    )
    async def description_moderation(self, info: Info) -> ContentModeration | None:
        return await self._moderation(info, ModerationTarget.REPORT_DESCRIPTION, self.description_state)

    async def _moderation(
        self, info: Info, target: ModerationTarget, state: str | None
    ) -> ContentModeration | None:
        return await moderation_seen(
            info, report_id=self.pk, agency_id=self.agency_id, target=target, target_id=self.pk, state=state
        )

    @strawberry.field(
        description="Nama statusnya untuk dibaca orang. / The status's name for people to read."
    )
    def status_label(self) -> TextLabel:
        return TextLabel.of(STATUS_LABELS[self.status])

    @strawberry.field(
        description="Nama kelompok publiknya (menunggu, diproses, selesai). / The public group's name."
    )
    def public_group_label(self) -> TextLabel:
        return TextLabel.of(PUBLIC_GROUP_LABELS[self.public_group])

    @strawberry.field(
        description="Kabar baru sejak saya terakhir melihatnya (`markReportSeen`): status, penugasan, "
        "komentar, foto; null bila tidak masuk. / Updates since I last looked (`markReportSeen`): status, "
        "assignment, comments, photos; null when not signed in."
    )
    async def unread_updates(self, info: Info) -> int | None:
        info.context.cache_policy.cacheable = False  # depends on who asks
        user = info.context.principal.user
        if user is None:
            return None
        return await info.context.loaders.unread_updates.load((self.pk, user.id))

    def _private_to(self, info: Info) -> bool:
        return private_to(info.context, self.pk, agency_id=self.agency_id, reporter_id=self.reporter_id)

    def as_seen(self, info: Info, view: Callable[[bool], T]) -> T | Awaitable[T]:
        """`view(shows_exact)`, where shows_exact is decided by the category's sensitivity now,
        never by the stored coordinates; at once when the category row is already known."""
        if self._private_to(info):
            return view(True)
        return info.context.loaders.now_or_later(
            "category",
            self.category_id,
            lambda row: view(
                shows_exact_place(is_sensitive=bool(row and row["is_sensitive"]), private=False)
            ),
        )

    def _place(self, shows_exact: bool) -> SeenPlace:
        """The one rule of what a place shows (resolvers.privacy.place_as_seen, as exports and Open311)."""
        return place_as_seen(self.exact.lat, self.exact.lon, self.address_text, shows_exact=shows_exact)

    @strawberry.field(
        description="Exact for the reporter and the agency; rounded (~1 km) for the public "
        "when the category is sensitive"
    )
    def location(self, info: Info) -> Location:
        def view(shows_exact: bool) -> Location:
            if shows_exact:
                return self.exact
            seen = self._place(shows_exact)
            return Location(lat=seen.lat, lon=seen.lon)

        return self.as_seen(info, view)  # type: ignore[return-value]

    @strawberry.field(description="Hidden from the public when the category is sensitive")
    def address(self, info: Info) -> str | None:
        if self.address_text is None:
            return None
        return self.as_seen(info, lambda shows_exact: self._place(shows_exact).address)  # type: ignore[return-value]

    @strawberry.field(
        description="Who filed it and how to reach them: only for the reporter and the "
        "handling agency's staff"
    )
    def reporter_contact(self, info: Info) -> ReporterContact | None:
        if not self._private_to(info):
            return None
        if self.reporter_id is None:
            if self.contact_name is None and self.contact_phone is None:
                return None
            return ReporterContact(name=self.contact_name, phone=self.contact_phone, email=None)
        return info.context.loaders.now_or_later("user", self.reporter_id, ReporterContact.from_user_row)  # type: ignore[return-value]

    @strawberry.field(
        description="Still open past a target it owes: acknowledgement (while SUBMITTED) or resolution"
    )
    def is_overdue(self, info: Info) -> bool:
        return self._lateness(info) is not None

    @strawberry.field(
        description="The target it is late for: ACKNOWLEDGE (SUBMITTED past `acknowledgeDueAt`) or "
        "RESOLVE (open past `dueAt`, which wins when both passed); null when not late"
    )
    def late_for(self, info: Info) -> EscalationTarget | None:
        return self._lateness(info)

    def _lateness(self, info: Info) -> EscalationTarget | None:
        return lateness_of(self.status, self.acknowledge_due_at, self.due_at, info.context)

    @strawberry.field(description="Kategori / Category")
    def category(self, info: Info) -> Category:
        return info.context.loaders.now_or_later("category", self.category_id, Category.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The agency the report is routed to")
    def agency(self, info: Info) -> Agency:
        return info.context.loaders.now_or_later("agency", self.agency_id, Agency.from_row)  # type: ignore[return-value]

    @strawberry.field(
        description="Kelurahan tempat masalah; null bila di luar wilayah yang dikenal / "
        "The kelurahan; null when outside known areas"
    )
    async def area(self, info: Info) -> Area | None:
        if self.area_id is None:
            return None
        return Area.from_row(await info.context.loaders.area.load(self.area_id))

    @strawberry.field(description="The officer working on it")
    async def assignee(self, info: Info) -> StaffMember | None:
        if self.assignee_id is None:
            return None
        row = await info.context.loaders.user.load(self.assignee_id)
        return StaffMember.from_row(row) if row else None

    @strawberry.field(description="The report this one duplicates")
    async def duplicate_of(self, info: Info) -> Report | None:
        if self.duplicate_of_id is None:
            return None
        row = await info.context.loaders.report.load(self.duplicate_of_id)
        return Report.from_row(row) if row else None

    @strawberry.field(
        description="Its photos, oldest first: BEFORE from the filing, AFTER as proof of the fix. "
        "Empty for the public when the category is sensitive",
        metadata=list_size(2 * MAX_PHOTOS_PER_KIND),
    )
    async def photos(self, info: Info) -> list[ReportPhoto]:
        category = await info.context.loaders.category.load(self.category_id)
        sensitive = bool(category and category["is_sensitive"])
        if not shows_exact_place(is_sensitive=sensitive, private=self._private_to(info)):
            return []
        rows = await info.context.loaders.photos.load(self.pk)
        moderator = self._sees_moderated(info)
        shown = [row for row in rows if shows_content(row["moderation"], sees_moderated=moderator)]
        return photos_as_seen(info, shown, sensitive=sensitive)

    @strawberry.field(
        description="What happened to the report, oldest first: the `last` events (1..100); internal "
        "notes only for the handling agency's staff and city-wide staff"
    )
    async def timeline(self, info: Info, last: LastEvents = DEFAULT_EVENTS) -> list[ReportEvent]:
        check_page_size(last, "last")
        return [ReportEvent.from_row(row) for row in (await self._visible_events(info))[-last:]]

    @strawberry.field(
        description="Public comments, and internal notes for the staff who may read them, oldest first: "
        "the `last` ones (1..100)"
    )
    async def comments(self, info: Info, last: LastEvents = DEFAULT_EVENTS) -> list[Comment]:
        check_page_size(last, "last")
        rows = comment_rows(await self._visible_events(info))
        return [Comment.from_event_row(row, self.agency_id) for row in rows[-last:]]

    async def _visible_events(self, info: Info) -> list[dict[str, Any]]:
        rows = await info.context.loaders.events.load(self.pk)
        return timeline_as_seen(rows, info.context.principal, agency_id=self.agency_id)

    @strawberry.field(description="The reporter's words with the rating: the reporter and the agency only")
    def rating_comment(self, info: Info) -> str | None:
        return self.rating_text if self._private_to(info) else None

    @strawberry.field(description="How many citizens back this report (one each)")
    async def support_count(self, info: Info) -> int:
        return await info.context.loaders.support_count.load(self.pk)

    @strawberry.field(description="Whether the signed-in caller supports it")
    async def viewer_supports(self, info: Info) -> bool:
        info.context.cache_policy.cacheable = False  # depends on who asks
        user = info.context.principal.user
        return user is not None and await info.context.loaders.supported_by.load((self.pk, user.id))

    @strawberry.field(description="Whether the caller follows it (its reporter does unless muted)")
    async def viewer_follows(self, info: Info) -> bool:
        info.context.cache_policy.cacheable = False  # depends on who asks
        user = info.context.principal.user
        if self.pk in info.context.tracked_report_ids or (user is not None and user.id == self.reporter_id):
            return self.reporter_follows
        return user is not None and await info.context.loaders.followed_by.load((self.pk, user.id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Report:
        status = ReportStatus(row["status"])
        return cls(
            id=strawberry.ID(to_global_id("Report", row["id"])),
            pk=row["id"],
            code=row["code"],
            title_text=row["title"],
            description_text=row["description"],
            title_state=row["title_moderation"],
            description_state=row["description_moderation"],
            status=status,
            public_group=PUBLIC_GROUP[status],
            status_reason=row["status_reason"],
            exact=Location(lat=row["latitude"], lon=row["longitude"]),
            address_text=row["address"],
            contact_name=row["contact_name"],
            contact_phone=row["contact_phone"],
            reporter_id=row["reporter_id"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            acknowledged_at=row["acknowledged_at"],
            resolved_at=row["resolved_at"],
            closed_at=row["closed_at"],
            acknowledge_due_at=row["acknowledge_due_at"],
            due_at=row["due_at"],
            allowed_statuses=sorted(TRANSITIONS[status], key=list(ReportStatus).index),
            category_id=row["category_id"],
            agency_id=row["agency_id"],
            area_id=row["area_id"],
            assignee_id=row["assignee_id"],
            duplicate_of_id=row["duplicate_of_id"],
            resolution_outcome=row["resolution_outcome"],
            dispute_count=row["dispute_count"],
            rating=row["rating"],
            rating_text=row["rating_comment"],
            reporter_follows=row["reporter_follows"],
            channel=IntakeChannel(row["channel"]),
        )


async def visible_photo(info: Info, photo_id: int) -> ReportPhoto | None:
    """One photo by ID (`node`), under the same rule as `Report.photos`."""
    row = await photo_queries.photo_by_id(photo_id)
    report_row = await info.context.loaders.report.load(row["report_id"]) if row else None
    if row is None or report_row is None:
        return None
    photos = await Report.from_row(report_row).photos(info)
    return next((photo for photo in photos if photo.id == to_global_id("ReportPhoto", photo_id)), None)
