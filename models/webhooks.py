"""Partners' webhook endpoints: where the events an API key may read are POSTed (their deliveries
are rows of models.deliveries, channel "webhook", target the endpoint's id)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.access import ApiKey

URL_MAX = 2000


class WebhookStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"  # given up on (gone, refused, or failing past the retry window)


class WebhookEndpoint(Model):
    """One partner address. Its secret signs every request (Standard Webhooks), so it is kept as
    is: a hash could not sign."""

    id = fields.IntField(primary_key=True)
    api_key: fields.ForeignKeyRelation[ApiKey] = fields.ForeignKeyField(
        "sigap.ApiKey", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=URL_MAX)
    event_filter: fields.JSONField[dict[str, Any]] = fields.JSONField(
        description="the reportEvents filter, as given (GraphQL names)"
    )
    secret = fields.CharField(max_length=64, description="whsec_..., signs the requests")
    previous_secret = fields.CharField(
        max_length=64, null=True, description="the secret before a rotation, also signing until"
    )
    previous_secret_until = fields.DatetimeField(null=True)
    status = fields.CharEnumField(WebhookStatus, max_length=16, default=WebhookStatus.ACTIVE)
    disabled_reason = fields.CharField(max_length=500, null=True)
    disabled_at = fields.DatetimeField(null=True)
    after_event_id = fields.BigIntField(default=0, description="events after this one are sent")
    created_at = fields.DatetimeField()

    api_key_id: int

    class Meta:
        table = "webhook_endpoints"
