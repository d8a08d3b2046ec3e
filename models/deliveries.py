"""Outbound deliveries (webhooks, email, Web Push, SMS...): one row per message to send, and each
consumer's cursor on the report events it has planned deliveries for. Written only through
realtime/deliveries.py."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"  # due at next_attempt_at (also while an attempt is in flight: its lease)
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # given up: expired, or refused for good by the addressee
    CANCELLED = "CANCELLED"  # withdrawn before delivery (e.g. its webhook endpoint was disabled)


class OutboxCursor(Model):
    """How far one consumer has read the timeline (the outbox): events up to `last_event_id` have
    had their deliveries planned."""

    name = fields.CharField(max_length=64, primary_key=True)
    last_event_id = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "outbox_cursors"


class Delivery(Model):
    """One message for one addressee of one channel. Deliveries with the same (channel, target,
    order_key) go out strictly in id order: a later one waits while an earlier one is pending."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=32, description="webhook, email, web_push, sms, ...")
    target = fields.CharField(max_length=128, description="the channel's addressee: endpoint id, user id...")
    order_key = fields.CharField(max_length=128, null=True, description="ordered per (channel, target, key)")
    event_id = fields.BigIntField(null=True, description="the report event it tells of, if any")
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(description="given up after this time")
    last_error = fields.CharField(max_length=500, null=True)
    last_status_code = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deliveries"
        indexes = [
            Index(fields=("status", "next_attempt_at")),
            Index(fields=("channel", "target", "order_key", "status")),
        ]
