"""What each signed-in user has read: per report, the last timeline event they saw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.directory import User
    from models.reports import Report


class ReportSeen(Model):
    """A user's marker on a report: its public events after `last_event_id` are their unread updates."""

    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "sigap.Report", related_name="seen_by", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="seen_reports", on_delete=fields.CASCADE
    )
    last_event_id = fields.BigIntField(default=0, description="the newest timeline event seen")
    seen_at = fields.DatetimeField()

    report_id: int
    user_id: int

    class Meta:
        table = "report_seen"
        unique_together = (("user", "report"),)
