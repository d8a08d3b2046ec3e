"""How and when each user wants to be told: channels per kind group, and quiet hours.

The in-app inbox always gets the entry; the channels here are the ways out of the app. Quiet
hours are local time of the city (SIGAP_TIMEZONE; Kupang: Asia/Makassar, WITA): a delivery planned
inside them waits until they end. No notification kind is urgent enough to break them (a report's
status is never a matter of minutes for its follower), so none does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from models import NotificationChannel, NotificationGroup, NotificationPreference, User
from resolvers.errors import ErrorCode, fail
from resolvers.timeline import utcnow

CITY_TIME_ZONE = ZoneInfo("Asia/Makassar")  # the launch city's; a deployment passes its own
PHONE_CHANNELS = frozenset({NotificationChannel.SMS, NotificationChannel.WHATSAPP})
# Without a choice of their own: email and Web Push on (push reaches only devices the user
# registered), SMS and WhatsApp off (they cost the city money per message).
DEFAULT_CHANNELS: dict[NotificationGroup, frozenset[NotificationChannel]] = {
    group: frozenset({NotificationChannel.EMAIL, NotificationChannel.WEB_PUSH}) for group in NotificationGroup
}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end`, local time; over midnight when `end` comes before `start`."""

    start: time
    end: time

    def holds_until(self, at: datetime, zone: ZoneInfo = CITY_TIME_ZONE) -> datetime | None:
        """When the quiet hours around `at` end (UTC); None if `at` is outside them."""
        local = at.astimezone(zone)
        now = local.time().replace(tzinfo=None)
        overnight = self.end < self.start
        inside = (now >= self.start or now < self.end) if overnight else self.start <= now < self.end
        if not inside:
            return None
        end_day = local.date() + timedelta(days=1) if overnight and now >= self.start else local.date()
        return datetime.combine(end_day, self.end, tzinfo=zone).astimezone(at.tzinfo)


@dataclass(frozen=True)
class Preferences:
    channels: dict[NotificationGroup, frozenset[NotificationChannel]]
    quiet_hours: QuietHours | None

    def channels_for(self, group: NotificationGroup) -> frozenset[NotificationChannel]:
        return self.channels.get(group, frozenset())


DEFAULTS = Preferences(DEFAULT_CHANNELS, None)


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _from_row(row: NotificationPreference | None) -> Preferences:
    if row is None:
        return DEFAULTS
    channels = {
        group: frozenset(NotificationChannel(c) for c in row.channels.get(group.value, ()))
        for group in NotificationGroup
    }
    quiet = None
    if row.quiet_start is not None and row.quiet_end is not None:
        quiet = QuietHours(_clock(row.quiet_start), _clock(row.quiet_end))
    return Preferences(channels, quiet)


async def preferences_of(user_id: int) -> Preferences:
    return _from_row(await NotificationPreference.filter(user_id=user_id).first())


async def preferences_of_all(user_ids: Iterable[int]) -> dict[int, Preferences]:
    """Every user's preferences in one query (the consumer plans for many followers at once)."""
    ids = set(user_ids)
    rows = {row.user_id: row for row in await NotificationPreference.filter(user_id__in=ids)} if ids else {}
    return {user_id: _from_row(rows.get(user_id)) for user_id in ids}


def parse_clock(text: str, field: str) -> time:
    match = _CLOCK.match(text.strip())
    if match is None:
        raise fail(
            ErrorCode.INVALID_INPUT,
            "Jam harus berformat JJ:MM, misalnya 22:00",
            "A time must look like HH:MM, e.g. 22:00",
            field,
        )
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class PreferenceChange:
    """What a user changes; None leaves a part as it is."""

    channels: dict[NotificationGroup, Sequence[NotificationChannel]] | None = None
    quiet_hours: tuple[str, str] | None = None  # ("22:00", "06:00")
    quiet_hours_off: bool = False


async def update_preferences(user: User, change: PreferenceChange) -> Preferences:
    """Validate everything first, then write: a refused change changes nothing."""
    if change.quiet_hours is not None and change.quiet_hours_off:
        raise fail(
            ErrorCode.INVALID_INPUT,
            "Pilih salah satu: jam tenang baru atau matikan jam tenang",
            "Give new quiet hours or switch them off, not both",
            "quietHoursOff",
        )
    current = await preferences_of(user.id)
    channels = dict(current.channels)
    for group, chosen in (change.channels or {}).items():
        if PHONE_CHANNELS & set(chosen) and not user.phone:
            raise fail(
                ErrorCode.INVALID_INPUT,
                "SMS dan WhatsApp memerlukan nomor telepon di akun Anda",
                "SMS and WhatsApp need a phone number on your account",
                "channels",
            )
        channels[group] = frozenset(chosen)
    quiet = current.quiet_hours
    if change.quiet_hours is not None:
        start, end = (
            parse_clock(text, f"quietHours.{name}")
            for text, name in zip(change.quiet_hours, ("start", "end"), strict=True)
        )
        if start == end:
            raise fail(
                ErrorCode.INVALID_INPUT,
                "Jam tenang harus berakhir pada jam yang lain dari awalnya",
                "Quiet hours must end at another time than they start",
                "quietHours.end",
            )
        quiet = QuietHours(start, end)
    if change.quiet_hours_off:
        quiet = None
    await NotificationPreference.update_or_create(
        user_id=user.id,
        defaults={
            "channels": {group.value: sorted(c.value for c in chosen) for group, chosen in channels.items()},
            "quiet_start": _minutes(quiet.start) if quiet else None,
            "quiet_end": _minutes(quiet.end) if quiet else None,
            "updated_at": utcnow(),
        },
    )
    return Preferences(channels, quiet)
