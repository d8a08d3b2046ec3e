"""Notifications: each user's in-app inbox, and how and when they want to be told."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import NotificationKind

if TYPE_CHECKING:
    from models.directory import User
    from models.reports import Report, ReportEvent

TEXT_MAX = 500


class Notification(Model):
    """One inbox entry: what happened to a report the user follows, in Indonesian and English.
    Written by the notifications consumer, once per (user, event)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="notifications", on_delete=fields.CASCADE
    )
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "sigap.Report", related_name="notifications", on_delete=fields.CASCADE
    )
    event: fields.ForeignKeyRelation[ReportEvent] = fields.ForeignKeyField(
        "sigap.ReportEvent", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(NotificationKind, max_length=16)
    title = fields.CharField(max_length=TEXT_MAX)
    title_en = fields.CharField(max_length=TEXT_MAX)
    body = fields.CharField(max_length=TEXT_MAX)
    body_en = fields.CharField(max_length=TEXT_MAX)
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    user_id: int
    report_id: int
    event_id: int

    class Meta:
        table = "notifications"
        unique_together = (("user", "event"),)  # an event tells each user once
        indexes = [Index(fields=("user_id", "id")), Index(fields=("user_id", "read_at"))]


class NotificationPreference(Model):
    """A user's channels per kind group and quiet hours. Without a row: the defaults."""

    id = fields.BigIntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "sigap.User", related_name="notification_preference", on_delete=fields.CASCADE
    )
    channels: fields.JSONField[dict[str, Any]] = fields.JSONField(
        description="the channels on, by kind group: STATUS and COMMENTS to lists of channel values"
    )
    # Minutes after local midnight (the city's time zone); both null: no quiet hours.
    quiet_start = fields.SmallIntField(null=True)
    quiet_end = fields.SmallIntField(null=True)
    updated_at = fields.DatetimeField()

    user_id: int

    class Meta:
        table = "notification_preferences"
