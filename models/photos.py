"""Photos of reports: the re-encoded, metadata-free copies Sigap stores (never the upload itself)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import ModerationState, PhotoFormat, PhotoKind

if TYPE_CHECKING:
    from models.directory import User
    from models.reports import Report

STORED_NAME_MAX = 64


class ReportPhoto(Model):
    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "sigap.Report", related_name="photos", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(PhotoKind, max_length=8)
    # Random names in the photo storage: the client's file name is never kept (it can say whose house).
    stored_name = fields.CharField(max_length=STORED_NAME_MAX, unique=True)
    thumbnail_name = fields.CharField(max_length=STORED_NAME_MAX, unique=True)
    format = fields.CharEnumField(PhotoFormat, max_length=8)
    width = fields.IntField()
    height = fields.IntField()
    byte_size = fields.IntField()
    uploaded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="photos", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    # HIDDEN by a moderator (resolvers.moderation): served to the handling staff only.
    moderation = fields.CharEnumField(ModerationState, max_length=16, null=True)

    report_id: int
    uploaded_by_id: int | None

    class Meta:
        table = "report_photos"
        indexes = [Index(fields=("report_id", "id"))]
