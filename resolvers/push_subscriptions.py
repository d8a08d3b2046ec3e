"""Registering the browsers and apps a user receives Web Push notifications on.

A subscription is what the browser's `PushSubscription.toJSON()` gives: the push service's endpoint
and the keys that encrypt messages for that browser. An endpoint belongs to one browser profile, so
it is registered once (by endpoint) and bound to whoever registered it last: a shared computer's
browser notifies the user now signed in, not the one before.
"""

from __future__ import annotations

import binascii
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from tortoise.exceptions import IntegrityError

from models import PushSubscription
from models.labels import Label
from models.push import MAX_ENDPOINT_LENGTH
from resolvers.errors import DomainError, ErrorCode, FieldError
from resolvers.identity import Principal
from resolvers.outbound_addresses import (
    MalformedUrl,
    OutboundPolicy,
    UnsafeAddress,
    checked_url,
    current_policy,
)
from resolvers.permissions import require_signed_in
from resolvers.validation import clean_text
from resolvers.vapid import b64url, from_b64url

MAX_PER_USER = 20  # browsers and devices; registering one more forgets the oldest
LABEL_MAX = 200
P256_POINT_BYTES = 65  # an uncompressed point: 0x04, x, y
AUTH_SECRET_BYTES = 16


async def register_push_subscription(
    principal: Principal,
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    label: str | None,
    user_agent: str | None,
    addresses: OutboundPolicy | None = None,
) -> PushSubscription:
    require_signed_in(principal)
    assert principal.user is not None
    errors: list[FieldError] = []
    _check_endpoint(errors, endpoint, addresses or current_policy())
    public_key = _checked_key(errors, "keys.p256dh", p256dh, P256_POINT_BYTES)
    secret = _checked_key(errors, "keys.auth", auth, AUTH_SECRET_BYTES)
    named = clean_text(errors, "label", label, max_length=LABEL_MAX, required=False)
    if errors:
        raise DomainError(*errors)
    values: dict[str, Any] = {
        "user_id": principal.user.id,
        "p256dh": public_key,
        "auth": secret,
        "label": named or _printable(user_agent or "")[:LABEL_MAX],
        "failures": 0,
    }
    if not await PushSubscription.filter(endpoint=endpoint).update(**values):
        try:
            await PushSubscription.create(endpoint=endpoint, **values)
        except IntegrityError:  # the same endpoint registered at the same moment: bind it here
            await PushSubscription.filter(endpoint=endpoint).update(**values)
    await _forget_beyond_limit(principal.user.id)
    return await PushSubscription.get(endpoint=endpoint)


async def unregister_push_subscription(principal: Principal, endpoint: str) -> bool:
    """Whether the caller had this endpoint; another user's subscription is left alone."""
    require_signed_in(principal)
    assert principal.user is not None
    return bool(await PushSubscription.filter(endpoint=endpoint, user_id=principal.user.id).delete())


async def push_subscriptions_of(user_id: int) -> list[PushSubscription]:
    return await PushSubscription.filter(user_id=user_id).order_by("-created_at", "-id").limit(MAX_PER_USER)


async def _forget_beyond_limit(user_id: int) -> None:
    kept = await push_subscriptions_of(user_id)
    if len(kept) == MAX_PER_USER:
        await PushSubscription.filter(user_id=user_id).exclude(id__in=[s.id for s in kept]).delete()


def _check_endpoint(errors: list[FieldError], endpoint: str, addresses: OutboundPolicy) -> None:
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        errors.append(
            FieldError(
                ErrorCode.TOO_LONG,
                f"Alamat push paling panjang {MAX_ENDPOINT_LENGTH} karakter",
                f"The push endpoint is at most {MAX_ENDPOINT_LENGTH} characters",
                "endpoint",
            )
        )
        return
    try:
        checked_url(endpoint, addresses, https_only=True)
    except (MalformedUrl, UnsafeAddress) as exc:
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                "Alamat push harus alamat https pada host publik",
                f"The push endpoint must be an https address on a public host ({exc})",
                "endpoint",
            )
        )


KEY_NAMES = {  # what the messages call each key: people read them, not the W3C's field names
    "keys.p256dh": Label("Kunci publik peramban", "The browser's public key"),
    "keys.auth": Label("Rahasia autentikasi peramban", "The browser's auth secret"),
}


def _checked_key(errors: list[FieldError], field: str, text: str, size: int) -> str:
    """The key, unpadded base64url, when it decodes to `size` bytes (and, for p256dh, to a point
    on P-256: a browser key that is not one could never be encrypted to)."""
    try:
        raw = from_b64url(text)
        if len(raw) != size:
            raise ValueError(f"{len(raw)} bytes")
        if size == P256_POINT_BYTES:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        return b64url(raw)
    except (ValueError, binascii.Error):
        name = KEY_NAMES[field]
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                f"{name.id} tidak sah: harus {size} byte dalam base64url, dari langganan push peramban",
                f"{name.en} is not valid: it must be {size} bytes in base64url, from the browser's "
                "push subscription",
                field,
            )
        )
        return ""


def _printable(text: str) -> str:
    return "".join(c for c in text if c.isprintable()).strip()
