"""Citizens' flags on content (a report's text, a comment, a photo) and the moderation queue they feed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import FlagReason, FlagResolution, FlagTarget

if TYPE_CHECKING:
    from models.directory import User
    from models.reports import Report

FLAG_TEXT_MAX = 500


class FlaggedItem(Model):
    """One flagged piece of content: an entry of the moderation queue, open until staff act on it
    or dismiss its flags; a new flag after that opens it again."""

    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "sigap.Report", related_name="flagged_items", on_delete=fields.CASCADE
    )
    target = fields.CharEnumField(FlagTarget, max_length=16)
    target_id = fields.BigIntField(description="the report, comment event or photo flagged")
    flag_count = fields.IntField(default=0)
    last_flagged_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True, description="null while open")
    resolution = fields.CharEnumField(FlagResolution, max_length=16, null=True)
    resolved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="resolved_flags", null=True, on_delete=fields.SET_NULL
    )

    report_id: int
    resolved_by_id: int | None

    class Meta:
        table = "flagged_items"
        unique_together = (("target", "target_id"),)
        indexes = [Index(fields=("resolved_at", "last_flagged_at"))]


class ContentFlag(Model):
    """One citizen's flag on an item: one per user per item."""

    id = fields.BigIntField(primary_key=True)
    item: fields.ForeignKeyRelation[FlaggedItem] = fields.ForeignKeyField(
        "sigap.FlaggedItem", related_name="flags", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="flags", on_delete=fields.CASCADE
    )
    reason = fields.CharEnumField(FlagReason, max_length=16)
    text = fields.CharField(max_length=FLAG_TEXT_MAX, null=True, description="the citizen's words (OTHER)")
    created_at = fields.DatetimeField()

    item_id: int
    user_id: int

    class Meta:
        table = "content_flags"
        unique_together = (("item", "user"),)
