"""What a follower is told, and their inbox.

Which events notify (every EventKind is on one side; tests/test_notifications.py checks):
- STATUS_CHANGED into ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED, REJECTED or DUPLICATE;
- COMMENTED by staff (a citizen's comment is conversation, not news from the city).
Never: INTERNAL_NOTE (staff only), FILED (the reporter did it), ASSIGNED and REROUTED (the city's
internal routing: the status that follows is what the citizen needs), SUPPORTED, FOLLOWED,
UNFOLLOWED, RATED (citizens' own doings), ESCALATED (a staff matter), DUPLICATE_MERGED (the
duplicate's own status change tells its followers), PHOTO_ADDED and PHOTO_REMOVED (the after
photo comes with RESOLVED), PLACE_CHANGED (a privacy adjustment, not news).

Who is told: the reporter (unless they muted their report) and its followers, never the one who
made the change, and only active accounts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from tortoise.expressions import Q

from models import (
    EventKind,
    Notification,
    NotificationKind,
    Report,
    ReportEvent,
    ReportFollower,
    ReportStatus,
    Role,
    User,
)
from models.labels import Label
from models.notifications import TEXT_MAX
from realtime.notices import board
from resolvers.errors import ErrorCode, fail
from resolvers.timeline import utcnow

NOTIFYING_EVENTS = frozenset({EventKind.STATUS_CHANGED, EventKind.COMMENTED})
SILENT_EVENTS = frozenset(EventKind) - NOTIFYING_EVENTS
_STATUS_KINDS = {
    ReportStatus.ACKNOWLEDGED: NotificationKind.ACKNOWLEDGED,
    ReportStatus.IN_PROGRESS: NotificationKind.IN_PROGRESS,
    ReportStatus.RESOLVED: NotificationKind.RESOLVED,
    ReportStatus.CLOSED: NotificationKind.CLOSED,
    ReportStatus.REJECTED: NotificationKind.REJECTED,
    ReportStatus.DUPLICATE: NotificationKind.DUPLICATE,
}
# Title of each kind, with the report's public code ({code}).
TITLES = {
    NotificationKind.ACKNOWLEDGED: Label("Laporan {code} diterima dinas", "Report {code} acknowledged"),
    NotificationKind.IN_PROGRESS: Label("Laporan {code} sedang dikerjakan", "Report {code} in progress"),
    NotificationKind.RESOLVED: Label("Laporan {code} selesai ditangani", "Report {code} resolved"),
    NotificationKind.CLOSED: Label("Laporan {code} ditutup", "Report {code} closed"),
    NotificationKind.REJECTED: Label("Laporan {code} ditolak", "Report {code} rejected"),
    NotificationKind.DUPLICATE: Label("Laporan {code} duplikat laporan lain", "Report {code} is a duplicate"),
    NotificationKind.STAFF_COMMENT: Label(
        "Petugas menanggapi laporan {code}", "Staff replied on report {code}"
    ),
}
MAX_PAGE = 100
# An inbox subscription reads the database again after this long without a wake-up: wake-ups
# are sent after every commit, but one lost between processes must not hide entries for good.
REREAD_SECONDS = 30.0


def notification_kind(event: ReportEvent, actor_role: Role | None) -> NotificationKind | None:
    """What `event` tells followers, or None when it is not news for them."""
    if event.is_internal:
        return None
    if event.kind is EventKind.STATUS_CHANGED and event.to_status is not None:
        return _STATUS_KINDS.get(ReportStatus(event.to_status))
    if event.kind is EventKind.COMMENTED and actor_role not in (None, Role.CITIZEN):
        return NotificationKind.STAFF_COMMENT
    return None


@dataclass(frozen=True)
class Message:
    """A notification's words, in both languages."""

    title: Label
    body: Label


def message(kind: NotificationKind, report: Report, note: str | None) -> Message:
    title = TITLES[kind]
    said = f": {note}" if note else ""
    body = Label(f"{report.title}{said}", f"{report.title}{said}")
    return Message(
        Label(title.id.format(code=report.code), title.en.format(code=report.code)),
        Label(body.id[:TEXT_MAX], body.en[:TEXT_MAX]),
    )


@dataclass(frozen=True)
class Audience:
    """Everyone who may hear about a batch of events, read at once: followers per report, and the
    accounts of followers, reporters and actors (the actors for their role)."""

    followers: dict[int, set[int]]
    users: dict[int, User]

    @classmethod
    async def of(cls, reports: Sequence[Report], actor_ids: set[int]) -> Audience:
        followers: dict[int, set[int]] = {report.id: set() for report in reports}
        rows = await ReportFollower.filter(report_id__in=list(followers)).values("report_id", "user_id")
        for row in rows:
            followers[int(row["report_id"])].add(int(row["user_id"]))
        ids = set().union(*followers.values(), actor_ids)
        ids |= {r.reporter_id for r in reports if r.reporter_id is not None}
        users = {user.id: user for user in await User.filter(id__in=ids)} if ids else {}
        return cls(followers, users)

    def role_of(self, user_id: int | None) -> Role | None:
        user = self.users.get(user_id) if user_id is not None else None
        return user.role if user else None

    def recipients(self, report: Report, actor_id: int | None) -> list[User]:
        """Who hears about a change to `report`: reporter and followers, not the actor."""
        ids = set(self.followers.get(report.id, ()))
        if report.reporter_id is not None and report.reporter_follows:
            ids.add(report.reporter_id)
        if actor_id is not None:
            ids.discard(actor_id)
        return [self.users[i] for i in sorted(ids) if i in self.users and self.users[i].is_active]


# -- the inbox ------------------------------------------------------------------------------


def encode_cursor(notification_id: int) -> str:
    return base64.urlsafe_b64encode(f"n:{notification_id}".encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> int:
    try:
        kind, number = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        if kind != "n" or int(number) < 0:
            raise ValueError(cursor)
        return int(number)
    except (ValueError, UnicodeError) as exc:
        raise fail(ErrorCode.INVALID_CURSOR, "Kursor tidak sah", "Invalid cursor", field) from exc


@dataclass(frozen=True)
class InboxPage:
    items: list[Notification]
    has_next_page: bool


async def inbox_page(user_id: int, *, first: int, after: str | None, unread_only: bool) -> InboxPage:
    """The user's notifications, newest first."""
    if not 1 <= first <= MAX_PAGE:
        raise fail(
            ErrorCode.INVALID_PAGE_SIZE,
            f"Jumlah per halaman harus 1..{MAX_PAGE}",
            f"The page size must be 1..{MAX_PAGE}",
            "first",
        )
    query = Notification.filter(user_id=user_id)
    if after is not None:
        query = query.filter(id__lt=decode_cursor(after))
    if unread_only:
        query = query.filter(read_at__isnull=True)
    rows = await query.order_by("-id").limit(first + 1)
    return InboxPage(rows[:first], len(rows) > first)


async def unread_count(user_id: int) -> int:
    return await Notification.filter(user_id=user_id, read_at__isnull=True).count()


async def newer_than(user_id: int, after: int, limit: int = MAX_PAGE) -> list[Notification]:
    """The user's notifications after a cursor, oldest first (the live subscription)."""
    return await Notification.filter(user_id=user_id, id__gt=after).order_by("id").limit(limit)


async def newest_id(user_id: int) -> int:
    newest = await Notification.filter(user_id=user_id).order_by("-id").first()
    return newest.id if newest else 0


async def follow_inbox(user_id: int, after: int | None) -> AsyncIterator[tuple[int, Notification]]:
    """The user's notifications after the cursor (none given: from now on), oldest first, then
    each one as it is written: (cursor, row)."""
    # The position first, then the watch, then a read: what lands in between is read, not lost.
    position = after if after is not None else await newest_id(user_id)
    with board.watch(user_id) as woken:
        while True:
            woken.clear()
            rows = await newer_than(user_id, position)
            for row in rows:
                position = row.id
                yield row.id, row
            if len(rows) < MAX_PAGE:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), REREAD_SECONDS)


async def mark_read(user: User | None, ids: Sequence[int] | None, everything: bool) -> int:
    """Mark the caller's notifications read (some, or all); answers the unread count after."""
    if user is None:
        raise fail(ErrorCode.UNAUTHENTICATED, "Masuk terlebih dahulu", "Sign in first")
    if everything == (ids is not None):
        raise fail(
            ErrorCode.INVALID_INPUT,
            "Berikan `ids` atau `all: true`, salah satu saja",
            "Give either `ids` or `all: true`",
            "ids",
        )
    mine = Q(user_id=user.id, read_at__isnull=True)
    if ids is not None:
        if len(ids) > MAX_PAGE:
            raise fail(
                ErrorCode.INVALID_INPUT,
                f"Paling banyak {MAX_PAGE} pemberitahuan sekaligus",
                f"At most {MAX_PAGE} notifications at once",
                "ids",
            )
        found = await Notification.filter(id__in=ids, user_id=user.id).count()
        if found != len(set(ids)):  # someone else's or no one's: say nothing about which
            raise fail(ErrorCode.NOT_FOUND, "Pemberitahuan tidak ditemukan", "Notification not found", "ids")
        mine &= Q(id__in=ids)
    await Notification.filter(mine).update(read_at=utcnow())
    return await unread_count(user.id)
