"""Credentials: revocable refresh tokens and API keys. Only hashes of secrets are stored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from models.enums import ApiKeyKind

if TYPE_CHECKING:
    from models.directory import User


class RefreshToken(Model):
    """A sign-in session. Rotated on every use: a reused (rotated) token revokes the whole family."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    family = fields.CharField(max_length=32, db_index=True, description="tokens rotated from one sign-in")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "refresh_tokens"


class ApiKey(Model):
    """A partner's key (scopes and an hourly budget) or the command center's read-only display key."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(ApiKeyKind, max_length=16)
    prefix = fields.CharField(max_length=16, unique=True, description="public part, to find the key")
    secret_hash = fields.CharField(max_length=64)
    scopes: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    budget_per_hour = fields.IntField(description="query cost points per hour")
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="api_keys", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"


class Registration(Model):
    """An email waiting to be verified: a citizen's registration, or (with `user`) an account's
    new email address. Made alike whether or not the email already has an account (the answer must
    not tell); the account is made, or its email changed, only when the code sent to the email
    comes back (`verifyEmail`)."""

    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    name = fields.CharField(max_length=200)
    phone = fields.CharField(max_length=40, null=True)
    password_hash = fields.CharField(max_length=255, null=True, description="none for an email change")
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    # The account whose email changes; none for a registration. (No column description: Tortoise
    # 1.1 writes SQLite's ADD COLUMN ... REFERENCES with an unclosed comment.)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="email_changes", null=True, on_delete=fields.CASCADE
    )

    user_id: int | None

    class Meta:
        table = "registrations"


class PasswordReset(Model):
    """A mailed password-reset token: single use, expiring, and replaced by a newer request."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "sigap.User", related_name="password_resets", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "password_resets"
