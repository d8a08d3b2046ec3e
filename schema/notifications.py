"""What the reports subgraph adds to `Me` for notifications: the inbox (a connection, the unread
count), the preferences, and the mutations and subscription around them. Mixed into `Me`
(schema.accounts) like schema.my_reports."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from models import Notification as NotificationRow
from models import NotificationChannel, NotificationGroup, NotificationKind, User
from resolvers import notification_preferences, notifications
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.notification_preferences import PreferenceChange, Preferences
from schema.context import Info
from schema.descriptions import INPUT_HELP, After, PageSize
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import from_global_id, to_global_id
from schema.live import PrivateSource
from schema.query_cost import list_size
from schema.report_pages import PageInfo
from schema.reports import Report

MAX_IDS = notifications.MAX_PAGE


@strawberry.type(description="Satu pemberitahuan di kotak masuk / One notification in the inbox")
class Notification:
    id: strawberry.ID = strawberry.field(description="ID global / Global ID")
    kind: NotificationKind = strawberry.field(description="Apa yang terjadi / What happened")
    title: str = strawberry.field(description="Judul dalam bahasa Indonesia / Title in Indonesian")
    title_en: str = strawberry.field(description="Judul dalam bahasa Inggris / Title in English")
    body: str = strawberry.field(description="Isi dalam bahasa Indonesia / Body in Indonesian")
    body_en: str = strawberry.field(description="Isi dalam bahasa Inggris / Body in English")
    read_at: datetime | None = strawberry.field(
        description="Kapan dibaca; null bila belum / When it was read; null while unread"
    )
    created_at: datetime = strawberry.field(description="Kapan dibuat / When it was made")
    cursor: str = strawberry.field(
        description="Kursor untuk `after` (daftar dan langganan) / "
        "Cursor for `after` (lists and the subscription)"
    )
    report_pk: strawberry.Private[int]

    @strawberry.field(description="Laporan yang dibicarakan / The report it is about")
    async def report(self, info: Info) -> Report | None:
        row = await info.context.loaders.report.load(self.report_pk)  # one query for a page
        return Report.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: NotificationRow) -> Notification:
        return cls(
            id=strawberry.ID(to_global_id("Notification", row.id)),
            kind=row.kind,
            title=row.title,
            title_en=row.title_en,
            body=row.body,
            body_en=row.body_en,
            read_at=row.read_at,
            created_at=row.created_at,
            cursor=notifications.encode_cursor(row.id),
            report_pk=row.report_id,
        )


@strawberry.type(description="Satu pemberitahuan dalam daftar / One notification in a list")
class NotificationEdge:
    cursor: str = strawberry.field(description="Kursor untuk `after` / Cursor for `after`")
    node: Notification = strawberry.field(description="Pemberitahuan / The notification")


@strawberry.type(description="Satu halaman kotak masuk, terbaru dulu / A page of the inbox, newest first")
class NotificationConnection:
    edges: list[NotificationEdge] = strawberry.field(
        description="Pemberitahuan halaman ini / This page's notifications"
    )
    page_info: PageInfo = strawberry.field(description="Posisi halaman / Where this page sits")

    @classmethod
    def from_page(cls, page: notifications.InboxPage) -> NotificationConnection:
        edges = [
            NotificationEdge(cursor=notifications.encode_cursor(r.id), node=Notification.from_row(r))
            for r in page.items
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=False,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.type(description="Saluran yang aktif untuk satu kelompok / The channels on for one group")
class NotificationChannels:
    group: NotificationGroup = strawberry.field(description="Kelompok jenis / The group of kinds")
    channels: list[NotificationChannel] = strawberry.field(
        description="Saluran yang menyala (kotak masuk selalu) / Channels on (the inbox always is)",
        metadata=list_size(len(NotificationChannel)),
    )


@strawberry.type(description="Jam tenang, waktu setempat / Quiet hours, local time")
class QuietHours:
    start: str = strawberry.field(description="Mulai, JJ:MM / Start, HH:MM")
    end: str = strawberry.field(
        description="Selesai, JJ:MM (boleh lewat tengah malam) / End, HH:MM (may pass midnight)"
    )
    time_zone: str = strawberry.field(
        description="Zona waktu, Asia/Makassar (WITA) / Time zone, Asia/Makassar (WITA)"
    )


@strawberry.type(description="Cara dan waktu saya diberi tahu / How and when I am told")
class NotificationPreferences:
    channels: list[NotificationChannels] = strawberry.field(
        description="Saluran per kelompok / Channels per group", metadata=list_size(len(NotificationGroup))
    )
    quiet_hours: QuietHours | None = strawberry.field(
        description="Jam tenang: kiriman menunggu sampai selesai; null = tidak ada / "
        "Quiet hours: deliveries wait until they end; null = none"
    )

    @classmethod
    def of(cls, preferences: Preferences, time_zone: str) -> NotificationPreferences:
        quiet = preferences.quiet_hours
        return cls(
            channels=[
                NotificationChannels(
                    group=g, channels=sorted(preferences.channels_for(g), key=list(NotificationChannel).index)
                )
                for g in NotificationGroup
            ],
            quiet_hours=QuietHours(
                start=quiet.start.strftime("%H:%M"),
                end=quiet.end.strftime("%H:%M"),
                time_zone=time_zone,
            )
            if quiet
            else None,
        )


@strawberry.type
class MyNotifications:
    user_pk: strawberry.Private[int]

    @strawberry.field(description="Kotak masuk saya, terbaru dulu / My inbox, newest first (`first` 1..100)")
    async def notifications(
        self,
        info: Info,
        first: PageSize = 20,
        after: After = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Hanya yang belum dibaca / Only the unread ones")
        ] = False,
    ) -> NotificationConnection:
        info.context.cache_policy.cacheable = False  # the answer is the caller's
        page = await notifications.inbox_page(self.user_pk, first=first, after=after, unread_only=unread_only)
        return NotificationConnection.from_page(page)

    @strawberry.field(description="Jumlah pemberitahuan belum dibaca / How many notifications are unread")
    async def unread_notification_count(self, info: Info) -> int:
        info.context.cache_policy.cacheable = False
        return await notifications.unread_count(self.user_pk)

    @strawberry.field(description="Preferensi pemberitahuan saya / My notification preferences")
    async def notification_preferences(self, info: Info) -> NotificationPreferences:
        info.context.cache_policy.cacheable = False
        return NotificationPreferences.of(
            await notification_preferences.preferences_of(self.user_pk), info.context.timezone
        )


@strawberry.input(description="Saluran untuk satu kelompok / The channels for one group")
class NotificationChannelsInput:
    group: NotificationGroup = strawberry.field(description="Kelompok jenis / The group of kinds")
    channels: list[NotificationChannel] = strawberry.field(
        description="Saluran yang menyala; kosong = hanya kotak masuk / Channels on; empty = the inbox only"
    )


@strawberry.input(description="Jam tenang, waktu setempat (WITA) / Quiet hours, local time (WITA)")
class QuietHoursInput:
    start: str = strawberry.field(description="Mulai, JJ:MM / Start, HH:MM")
    end: str = strawberry.field(description="Selesai, JJ:MM / End, HH:MM")


@strawberry.input(description="Yang diubah; yang kosong tetap / What changes; what is left out stays")
class UpdateNotificationPreferencesInput:
    channels: list[NotificationChannelsInput] | None = strawberry.field(
        default=None, description="Saluran per kelompok / Channels per group"
    )
    quiet_hours: QuietHoursInput | None = strawberry.field(
        default=None, description="Jam tenang baru / New quiet hours"
    )
    quiet_hours_off: bool = strawberry.field(
        default=False, description="Matikan jam tenang / Switch quiet hours off"
    )


@strawberry.type(
    description="Preferensi setelah diubah, atau kesalahannya / "
    "The preferences after the change, or the errors"
)
class UpdateNotificationPreferencesPayload:
    preferences: NotificationPreferences | None = strawberry.field(
        default=None, description="Preferensi; null bila ditolak / The preferences; null when refused"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_HELP)


@strawberry.input(description="Yang ditandai dibaca: `ids` atau `all` / What to mark read: `ids` or `all`")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Pemberitahuan ini (paling banyak 100) / These notifications (at most 100)"
    )
    all: bool = strawberry.field(default=False, description="Semuanya / All of them")


@strawberry.type(
    description="Jumlah belum dibaca setelahnya, atau kesalahannya / The unread count after, or the errors"
)
class MarkNotificationsReadPayload:
    unread_notification_count: int | None = strawberry.field(
        default=None,
        description="Belum dibaca setelahnya; null bila ditolak / Unread after; null when refused",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_HELP)


def _signed_in(info: Info) -> User:
    user = info.context.principal.user
    if user is None:
        raise fail(ErrorCode.UNAUTHENTICATED, "Masuk terlebih dahulu", "Sign in first")
    return user


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        description="Ubah saluran dan jam tenang pemberitahuan saya / "
        "Change my notification channels and quiet hours"
    )
    async def update_notification_preferences(
        self,
        info: Info,
        input: Annotated[UpdateNotificationPreferencesInput, strawberry.argument(description=INPUT_HELP)],
    ) -> UpdateNotificationPreferencesPayload:
        try:
            user = _signed_in(info)
            change = PreferenceChange(
                channels={c.group: c.channels for c in input.channels}
                if input.channels is not None
                else None,
                quiet_hours=(input.quiet_hours.start, input.quiet_hours.end) if input.quiet_hours else None,
                quiet_hours_off=input.quiet_hours_off,
            )
            preferences = await notification_preferences.update_preferences(user, change)
        except DomainError as exc:
            return UpdateNotificationPreferencesPayload(errors=user_errors(exc))
        return UpdateNotificationPreferencesPayload(
            preferences=NotificationPreferences.of(preferences, info.context.timezone)
        )

    @strawberry.mutation(description="Tandai pemberitahuan saya dibaca / Mark my notifications read")
    async def mark_notifications_read(
        self,
        info: Info,
        input: Annotated[MarkNotificationsReadInput, strawberry.argument(description=INPUT_HELP)],
    ) -> MarkNotificationsReadPayload:
        try:
            ids = (
                [from_global_id(i, "Notification", "ids") for i in input.ids]
                if input.ids is not None
                else None
            )
            count = await notifications.mark_read(info.context.principal.user, ids, input.all)
        except DomainError as exc:
            return MarkNotificationsReadPayload(errors=user_errors(exc))
        return MarkNotificationsReadPayload(unread_notification_count=count)


async def my_notifications(info: Info, after: str | None) -> AsyncGenerator[Notification, None]:
    """The `myNotifications` subscription: the caller's new inbox entries as they are written."""
    user = _signed_in(info)
    start = notifications.decode_cursor(after) if after is not None else None
    source = PrivateSource(
        follow=lambda resume: notifications.follow_inbox(user.id, resume),
        after=start,
        payload=Notification.from_row,
    )
    async for payload in info.context.live.stream(source):
        yield payload  # type: ignore[misc]
