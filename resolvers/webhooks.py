"""Partners' webhook endpoints: registered per API key (by the key itself, or by a city admin for
a key), with the `reportEvents` filter; disabled with a notice when deliveries are given up.

The events, their payloads and their sending are the deliveries framework's (realtime/deliveries.py)
and the server's (server/webhooks/)."""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from models import ApiKey, ApiKeyKind, Delivery, DeliveryStatus, Role, User, WebhookEndpoint, WebhookStatus
from realtime.deliveries import DeliveryDraft, cancel_pending
from realtime.feed import latest_event_id
from resolvers import mail
from resolvers.errors import ErrorCode, fail
from resolvers.identity import Principal, PrincipalKind, principal_of_key
from resolvers.outbound_addresses import OutboundPolicy, current_policy
from resolvers.permissions import require_can_read, require_city_admin
from resolvers.webhook_addresses import parse_webhook_url, resolve_destination

log = logging.getLogger("sigap.webhooks")

CHANNEL = "webhook"
MAX_ENDPOINTS_PER_KEY = 10
SECRET_GRACE = timedelta(hours=24)  # the old secret still signs this long after a rotation
REASON_MAX = 500
LIVE_EVENTS = frozenset({"LiveReportEvent"})  # what a webhook carries (resolvers.permissions.REPORT_TYPES)


_retry_window = timedelta(hours=24)


def configure(retry_window: timedelta) -> None:
    """How long a delivery is retried before the endpoint is given up on (WEBHOOK_RETRY_SECONDS)."""
    global _retry_window
    _retry_window = retry_window


DEFERRED = "deferred"  # a payload without its body: the sender makes it at send time (replays)


def webhook_draft(
    endpoint: WebhookEndpoint, event_id: int, report_id: int, body: dict[str, Any] | None = None
) -> DeliveryDraft:
    """One event's delivery to one endpoint: in order per report. Without a body, the body is made
    when it is sent (a replay queues many at once: making them is the sender's work, not the
    request's)."""
    return DeliveryDraft(
        channel=CHANNEL,
        target=str(endpoint.id),
        payload=body if body is not None else {DEFERRED: True},
        order_key=str(report_id),
        event_id=event_id,
        expires_in=_retry_window,
    )


def body_is_deferred(payload: dict[str, Any]) -> bool:
    return payload.get(DEFERRED) is True


def new_webhook_secret() -> str:
    """Standard Webhooks' form: `whsec_` and the base64 of the signing key (24 random bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def key_for(principal: Principal, api_key_id: int | None) -> ApiKey:
    """The key whose endpoints the principal manages: a partner's own, or any partner key for a
    city admin, who names it. Either way the key must read reports: its webhooks carry what
    `reportEvents` gives it."""
    if principal.kind is PrincipalKind.PARTNER and principal.api_key_id is not None:
        if api_key_id is not None and api_key_id != principal.api_key_id:
            raise fail(ErrorCode.FORBIDDEN, "Hanya webhook kunci ini", "Only this key's webhooks", "apiKey")
        key = await ApiKey.get(id=principal.api_key_id)
    else:
        key = await _named_partner_key(principal, api_key_id)
    require_can_read(principal_of_key(key), LIVE_EVENTS, "apiKey" if api_key_id is not None else None)
    return key


async def _named_partner_key(principal: Principal, api_key_id: int | None) -> ApiKey:
    require_city_admin(principal)
    if api_key_id is None:
        raise fail(ErrorCode.REQUIRED, "Sebutkan kunci API mitra", "Name the partner's API key", "apiKey")
    key = await ApiKey.filter(id=api_key_id, kind=ApiKeyKind.PARTNER, revoked_at__isnull=True).first()
    if key is None:
        raise fail(
            ErrorCode.NOT_FOUND, "Kunci API mitra tidak ditemukan", "Partner API key not found", "apiKey"
        )
    return key


async def create_endpoint(
    principal: Principal,
    *,
    url: str,
    event_filter: dict[str, Any],
    api_key_id: int | None,
    addresses: OutboundPolicy | None = None,
) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its secret, shown this once. It receives the events committed after it."""
    key = await key_for(principal, api_key_id)
    parts = parse_webhook_url(url)
    await resolve_destination(parts, addresses or current_policy())
    if await WebhookEndpoint.filter(api_key_id=key.id).count() >= MAX_ENDPOINTS_PER_KEY:
        raise fail(
            ErrorCode.INVALID_INPUT,
            f"Paling banyak {MAX_ENDPOINTS_PER_KEY} webhook per kunci",
            f"At most {MAX_ENDPOINTS_PER_KEY} webhooks per key",
            "url",
        )
    secret = new_webhook_secret()
    endpoint = await WebhookEndpoint.create(
        api_key_id=key.id,
        url=parts.geturl(),
        event_filter=event_filter,
        secret=secret,
        status=WebhookStatus.ACTIVE,
        after_event_id=await latest_event_id(),
        created_at=datetime.now(UTC),
    )
    return endpoint, secret


async def endpoint_for(principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    """An endpoint of the principal's key (any, for a city admin); not found otherwise."""
    endpoint = await WebhookEndpoint.filter(id=endpoint_id).first()
    mine = endpoint is not None and (
        principal.api_key_id == endpoint.api_key_id
        if principal.kind is PrincipalKind.PARTNER
        else principal.role is Role.CITY_ADMIN
    )
    if endpoint is None or not mine:
        raise fail(ErrorCode.NOT_FOUND, "Webhook tidak ditemukan", "Webhook not found", "id")
    return endpoint


async def endpoints_of(principal: Principal, api_key_id: int | None) -> list[WebhookEndpoint]:
    key = await key_for(principal, api_key_id)
    return list(await WebhookEndpoint.filter(api_key_id=key.id).order_by("id"))


async def delete_endpoint(principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    """Remove an endpoint; what was still pending for it is cancelled (its log goes with it)."""
    endpoint = await endpoint_for(principal, endpoint_id)
    await cancel_pending(CHANNEL, str(endpoint.id))
    await endpoint.delete()
    return endpoint


async def delivery_log(
    endpoint_id: int, *, first: int, status: DeliveryStatus | None = None
) -> list[Delivery]:
    """An endpoint's deliveries, newest first."""
    query = Delivery.filter(channel=CHANNEL, target=str(endpoint_id))
    if status is not None:
        query = query.filter(status=status)
    return list(await query.order_by("-id").limit(first))


async def enable_endpoint(principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    """Re-activate a disabled endpoint. It resumes from now: the events committed after this call
    are sent (what was pending was cancelled when it was disabled); the events missed meanwhile are
    for the partner to `replayWebhook` from the cursor of its last delivered event."""
    endpoint = await endpoint_for(principal, endpoint_id)
    key = await ApiKey.get(id=endpoint.api_key_id)
    if key.revoked_at is not None:
        raise fail(
            ErrorCode.FORBIDDEN,
            "Kunci API webhook ini sudah dicabut",
            "This webhook's API key is revoked",
            "id",
        )
    if endpoint.status is WebhookStatus.ACTIVE:
        return endpoint
    # Only a disabled one is changed: two calls at once resume it once.
    await WebhookEndpoint.filter(id=endpoint.id, status=WebhookStatus.DISABLED).update(
        status=WebhookStatus.ACTIVE,
        disabled_reason=None,
        disabled_at=None,
        after_event_id=await latest_event_id(),
    )
    return await WebhookEndpoint.get(id=endpoint.id)


async def rotate_secret(principal: Principal, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, shown this once. Every request from now on is signed with it, retries
    of earlier deliveries included, and also with the old one for SECRET_GRACE, so the receiver
    can switch when it likes (Standard Webhooks: signatures separated by spaces)."""
    endpoint = await endpoint_for(principal, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = datetime.now(UTC) + SECRET_GRACE
    endpoint.secret = new_webhook_secret()
    await endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint, endpoint.secret


def signing_secrets(endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    """The secrets a request is signed with: the current one, then the one before a rotation while
    its grace lasts."""
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and (now or datetime.now(UTC)) < until:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


async def disable_key_endpoints(key_id: int, reason: str) -> int:
    """The key was revoked: its endpoints stop and what was pending for them is cancelled (no mail:
    a city admin did it). Returns how many endpoints were active."""
    ids = await WebhookEndpoint.filter(api_key_id=key_id).values_list("id", flat=True)
    disabled = await WebhookEndpoint.filter(api_key_id=key_id, status=WebhookStatus.ACTIVE).update(
        status=WebhookStatus.DISABLED, disabled_reason=reason[:REASON_MAX], disabled_at=datetime.now(UTC)
    )
    for endpoint_id in ids:
        await cancel_pending(CHANNEL, str(endpoint_id))
    return disabled


async def disable_endpoint(endpoint_id: int, reason: str) -> None:
    """Deliveries were given up: stop sending there, withdraw what is pending, tell the owner."""
    reason = reason[:REASON_MAX]
    updated = await WebhookEndpoint.filter(id=endpoint_id, status=WebhookStatus.ACTIVE).update(
        status=WebhookStatus.DISABLED, disabled_reason=reason, disabled_at=datetime.now(UTC)
    )
    await cancel_pending(CHANNEL, str(endpoint_id))
    if not updated:
        return
    endpoint = await WebhookEndpoint.filter(id=endpoint_id).prefetch_related("api_key").first()
    if endpoint is None:
        return
    log.warning("webhook %d (%s) disabled: %s", endpoint.id, endpoint.url, reason)
    owner_id = endpoint.api_key.created_by_id  # type: ignore[attr-defined]
    owner = await User.filter(id=owner_id).first() if owner_id is not None else None
    if owner is not None and owner.email:
        await mail.send(
            mail.Mail(
                to=owner.email,
                subject=f"Webhook dinonaktifkan / Webhook disabled: {endpoint.url}",
                body=(
                    f"Webhook {endpoint.url} (kunci API {endpoint.api_key.name}) dinonaktifkan: {reason}\n"
                    f"The webhook {endpoint.url} (API key {endpoint.api_key.name}) was disabled: {reason}\n"
                ),
            )
        )
