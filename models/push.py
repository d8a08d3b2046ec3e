"""Web Push subscriptions: where a user's browsers and apps receive notifications while closed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.directory import User

MAX_ENDPOINT_LENGTH = 1024  # push services' addresses are a few hundred characters


class PushSubscription(Model):
    """One browser's push subscription (`PushSubscription.toJSON()`), bound to the user who last
    registered its endpoint."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="push_subscriptions", on_delete=fields.CASCADE
    )
    endpoint = fields.CharField(
        max_length=MAX_ENDPOINT_LENGTH, unique=True, description="the push service's URL"
    )
    p256dh = fields.CharField(max_length=128, description="the browser's P-256 public key, base64url")
    auth = fields.CharField(max_length=64, description="the browser's auth secret, base64url")
    label = fields.CharField(max_length=200, default="", description="the device, as its owner names it")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_success_at = fields.DatetimeField(null=True, description="the push service last accepted a message")
    failures = fields.IntField(default=0, description="failed sends since the last success")

    user_id: int

    class Meta:
        table = "push_subscriptions"
