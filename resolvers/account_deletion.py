"""A citizen deleting their account: the person's data goes, the city's record of problems stays.

What goes, in one transaction: name, email, phone, password hash and language; sessions, pending
password resets and email changes; which reports they follow and have read; their browsers' push
subscriptions; their notifications and notification preferences (and, after the commit, the
notifications still on their way to them); the contact fields of
the reports they filed, and the link from those reports, their photos and their timeline entries
(comments included) to the account. What stays: the reports (title, description, place, photos,
status, history), comments' text, support counts. The reports then read as an anonymous citizen's:
no reporter contact, comments with no author and no actor role.

The account's row remains as an empty, disabled tombstone (no personal data; `deleted_at` set):
supports keep counting once per person, and nothing else refers to a missing row. Its email is
free again, so the person may register anew. Ending the sessions bumps the credentials version:
requests with its access tokens are refused, and open live connections end at their next
credentials re-check (LIVE_CREDENTIALS_RECHECK seconds).

Staff accounts are not deleted by their holders: what staff did is the city's accountability
record, so an administrator disables them instead (`setStaffActive`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import (
    ApiKey,
    Notification,
    NotificationPreference,
    PasswordReset,
    PushSubscription,
    RefreshToken,
    Registration,
    Report,
    ReportEvent,
    ReportFollower,
    ReportPhoto,
    ReportSeen,
    User,
)
from resolvers.errors import ErrorCode, fail
from resolvers.identity import STAFF_ROLES
from resolvers.notification_consumer import withdraw_pending
from resolvers.profile import require_password


async def delete_account(user: User, password: str, *, address: str) -> None:
    if user.role in STAFF_ROLES:
        raise fail(
            ErrorCode.FORBIDDEN,
            "Akun petugas tidak dihapus sendiri; admin menonaktifkannya",
            "Staff accounts are not deleted by their holders; an administrator disables them",
        )
    await require_password(user, password, address=address, field="password")
    now = datetime.now(UTC)
    async with in_transaction() as db:
        await (
            Report.filter(reporter_id=user.id)
            .using_db(db)
            .update(reporter_id=None, contact_name=None, contact_phone=None)
        )
        # An update of who wrote an entry, not a new entry: the timeline's one door is for events.
        await ReportEvent.filter(actor_id=user.id).using_db(db).update(actor_id=None)
        await ReportPhoto.filter(uploaded_by_id=user.id).using_db(db).update(uploaded_by_id=None)
        await (
            ApiKey.filter(created_by_id=user.id, revoked_at__isnull=True).using_db(db).update(revoked_at=now)
        )
        await ApiKey.filter(created_by_id=user.id).using_db(db).update(created_by_id=None)
        for owned in (
            ReportFollower,
            ReportSeen,
            RefreshToken,
            PasswordReset,
            Registration,
            PushSubscription,
            Notification,
            NotificationPreference,
        ):
            await owned.filter(user_id=user.id).using_db(db).delete()
        await (
            User.filter(id=user.id)
            .using_db(db)
            .update(
                name="",
                email=None,
                phone=None,
                password_hash=None,
                locale="id",
                is_active=False,
                deleted_at=now,
                credentials_version=F("credentials_version") + 1,
            )
        )
    await withdraw_pending(user)  # `user` as it was: its addresses say what to withdraw
