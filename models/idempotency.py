"""Idempotency keys of filings: a retried request with the same key gets the same report."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.reports import Report

IDEMPOTENCY_KEY_MAX = 100
CLIENT_MAX = 200


class IdempotencyKey(Model):
    """Written in the same transaction as the report it names. Unique per client and key, so two
    requests racing with one key leave one report."""

    id = fields.BigIntField(primary_key=True)
    client = fields.CharField(max_length=CLIENT_MAX, description="the principal's client identity")
    key = fields.CharField(max_length=IDEMPOTENCY_KEY_MAX)
    request_hash = fields.CharField(max_length=64, description="SHA-256 of the filing's input")
    report: fields.ForeignKeyRelation["Report"] = fields.ForeignKeyField(
        "sigap.Report", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    report_id: int

    class Meta:
        table = "idempotency_keys"
        unique_together = (("client", "key"),)
        indexes = [Index(fields=("expires_at",))]
