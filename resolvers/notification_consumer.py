"""The notifications consumer of the deliveries framework: for each event that is news for a
report's followers (resolvers.notifications), an inbox entry per recipient, written in the
consume transaction, and one delivery per channel the recipient has on.

Channels: email (to the account's address), Web Push (target: the user id; the webpush sender
finds the user's devices), SMS and WhatsApp (to the account's phone, only if they chose them).
Deliveries planned inside the recipient's quiet hours wait until the quiet hours end.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models import (
    Notification,
    NotificationChannel,
    NotificationGroup,
    NotificationKind,
    Report,
    ReportEvent,
    User,
)
from realtime.deliveries import DeliveryDraft, cancel_pending
from realtime.notices import announce_notified
from resolvers.notification_preferences import CITY_TIME_ZONE, Preferences, preferences_of_all
from resolvers.notifications import NOTIFYING_EVENTS, Audience, Message, message, notification_kind
from resolvers.timeline import utcnow

NAME = "notifications"
EXPIRES_IN = timedelta(hours=24)  # after that a notification is old news: the inbox still has it


def report_link(base: str, code: str) -> str:
    """Where the citizen web app shows a report by its public code."""
    return f"{base.rstrip('/')}/reports/{code}"


class NotificationsConsumer:
    name = NAME

    def __init__(self, link_base: str, channels: Container[str], zone: ZoneInfo = CITY_TIME_ZONE) -> None:
        """`channels`: those a sender is registered for (the senders' mapping itself will do);
        no delivery is planned on another, where it would wait for nobody. `zone`: the city's
        (SIGAP_TIMEZONE), the clock of everyone's quiet hours."""
        self.link_base = link_base
        self.channels = channels
        self.zone = zone
        self._told: set[int] = set()  # users with new inbox entries, announced after commit

    async def plan(self, events: Sequence[ReportEvent]) -> Sequence[DeliveryDraft]:
        news = [e for e in events if e.kind in NOTIFYING_EVENTS and not e.is_internal]
        if not news:
            return []
        reports = {r.id: r for r in await Report.filter(id__in={e.report_id for e in news})}
        audience = await Audience.of(list(reports.values()), {e.actor_id for e in news if e.actor_id})
        told: list[tuple[ReportEvent, Report, NotificationKind, Message, list[User]]] = []
        for event in news:
            kind = notification_kind(event, audience.role_of(event.actor_id))
            report = reports.get(event.report_id)
            users = audience.recipients(report, event.actor_id) if kind and report else []
            if kind and report and users:
                told.append((event, report, kind, message(kind, report, event.note), users))
        if not told:
            return []
        now = utcnow()
        await Notification.bulk_create(
            [
                Notification(
                    user_id=user.id,
                    report_id=report.id,
                    event_id=event.id,
                    kind=kind,
                    title=words.title.id,
                    title_en=words.title.en,
                    body=words.body.id,
                    body_en=words.body.en,
                    created_at=now,
                )
                for event, report, kind, words, users in told
                for user in users
            ]
        )
        preferences = await preferences_of_all(user.id for *_, users in told for user in users)
        drafts: list[DeliveryDraft] = []
        for event, report, kind, words, users in told:
            link = report_link(self.link_base, report.code)
            for user in users:
                planned = _drafts(
                    user, kind, words, report, event, link, preferences[user.id], now, self.zone
                )
                drafts.extend(draft for draft in planned if draft.channel in self.channels)
            self._told.update(user.id for user in users)
        return drafts

    def committed(self) -> None:
        """The consume transaction committed (realtime.deliveries.HearsCommit): wake the
        recipients' inbox subscriptions."""
        told, self._told = self._told, set()
        announce_notified(told)


def targets_of(user: User) -> dict[NotificationChannel, str | None]:
    """Where each channel reaches the user (None: it does not)."""
    return {
        NotificationChannel.EMAIL: user.email,
        NotificationChannel.WEB_PUSH: str(user.id),
        NotificationChannel.SMS: user.phone,
        NotificationChannel.WHATSAPP: user.phone,
    }


async def withdraw_pending(user: User) -> None:
    """The person's account is going: what was on its way to them is not sent (call with the
    account as it was, its addresses still on it)."""
    for channel, target in targets_of(user).items():
        if target:
            await cancel_pending(channel.value, target)


def _drafts(
    user: User,
    kind: NotificationKind,
    words: Message,
    report: Report,
    event: ReportEvent,
    link: str,
    preferences: Preferences,
    now: datetime,
    zone: ZoneInfo,
) -> list[DeliveryDraft]:
    group = NotificationGroup.COMMENTS if kind is NotificationKind.STAFF_COMMENT else NotificationGroup.STATUS
    channels = preferences.channels_for(group)
    quiet_until = preferences.quiet_hours.holds_until(now, zone) if preferences.quiet_hours else None
    wait = (quiet_until - now) if quiet_until else timedelta(0)
    short = f"{words.title.id}. {link}"
    push = {"title": words.title.id, "body": words.body.id, "url": link, "report_code": report.code}
    payloads = {
        NotificationChannel.EMAIL: {"subject": words.title.id, "text": _email_text(words, link)},
        NotificationChannel.WEB_PUSH: {**push, "event_id": event.id},
        NotificationChannel.SMS: {"text": short},
        NotificationChannel.WHATSAPP: {"text": short},
    }
    targets = targets_of(user)
    drafts = []
    for channel in NotificationChannel:  # a fixed order: the same event plans the same rows
        target, payload = targets[channel], payloads[channel]
        if channel in channels and target:
            drafts.append(
                DeliveryDraft(
                    channel=channel.value,
                    target=target,
                    payload=payload,
                    order_key=f"user:{user.id}",  # a user hears about their reports in order
                    event_id=event.id,
                    expires_in=wait + EXPIRES_IN,
                    not_before=quiet_until,
                )
            )
    return drafts


def _email_text(words: Message, link: str) -> str:
    return (
        f"{words.title.id}\n\n{words.body.id}\n\nLihat laporan: {link}\n\n"
        f"-- English --\n{words.title.en}\n\n{words.body.en}\n\nSee the report: {link}\n\n"
        "Pemberitahuan ini dapat diatur atau dimatikan di aplikasi Sigap. / "
        "You can change or switch off these notifications in the Sigap app.\n"
    )
