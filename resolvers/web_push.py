"""The Web Push channel of the deliveries framework: a notification for a user reaches every browser
and app they registered (resolvers/push_subscriptions.py), even when closed.

Messages are encrypted for each browser (RFC 8291, aes128gcm, by pywebpush) and signed with Sigap's
VAPID key (RFC 8292, by py_vapid), then posted with aiohttp, one session per sender for its life
(connections to a push service are reused; the server's lifespan closes it). Not with pywebpush's
own async sender: it follows redirects, which could lead a push to an address the SSRF guard never
saw (resolvers/outbound_addresses.py).

What the push service answers decides what happens to the subscription: 201 records a success;
404 and 410 mean the browser unsubscribed, so the subscription is deleted (never retried); 429, 5xx
and network failures are retried by the framework (after Retry-After when given); other refusals
(400, 403, 413) count as failures and are not retried; a subscription whose push service refuses
after MAX_REFUSALS failures in a row is deleted. The delivery is done when one browser took the
message, and fails for good (with the reasons) when none did and none may later.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson
from tortoise.expressions import F

from models import Delivery, PushSubscription
from realtime.deliveries import PermanentFailure, RetryableFailure, parse_retry_after
from resolvers.outbound_addresses import (
    MalformedUrl,
    OutboundPolicy,
    UnsafeAddress,
    checked_url,
    current_policy,
)
from resolvers.vapid import WebPushConfig

if TYPE_CHECKING:
    # aiohttp and pywebpush are imported by the first send, not at start-up: together they are
    # ~0.3 s of CPU at every server and CLI start, and most deployments never send a push.
    import aiohttp

log = logging.getLogger("sigap.web_push")

CHANNEL = "web_push"
PAYLOAD_KEYS = ("title", "body", "url", "report_code", "event_id")
URGENCIES = frozenset({"very-low", "low", "normal", "high"})
# A push service takes 4,096 bytes of ciphertext: aes128gcm adds 86 bytes of header, a padding
# delimiter and a 16-byte tag.
MAX_PLAINTEXT_BYTES = 3_993
VAPID_TOKEN_LIFETIME = timedelta(hours=12)  # RFC 8292: at most 24 hours
MAX_REFUSALS = 5  # failed sends in a row, the last a refusal, after which a subscription is dropped


@dataclass(frozen=True)
class Outcome:
    """What one subscription's push service answered."""

    endpoint: str
    sent: bool = False
    gone: bool = False  # the subscription was deleted
    retry: RetryableFailure | None = None
    refusal: str | None = None


class WebPushSender:
    """`send(delivery)`: delivery.target is the user's id; delivery.payload has title, body, url,
    report_code, event_id (and optionally urgency: very-low, low, normal, high)."""

    channel = CHANNEL

    def __init__(self, config: WebPushConfig, addresses: OutboundPolicy | None = None) -> None:
        self.config = config
        # Where pushes may go (the deployment's policy, OUTBOUND_ALLOW_PRIVATE, unless given).
        self.addresses = addresses or current_policy()
        self._session: aiohttp.ClientSession | None = None  # made on first send, in the running loop

    async def __aenter__(self) -> WebPushSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Let the session's connections go (the server's lifespan, at shutdown); a later send
        opens a new one."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _client(self) -> aiohttp.ClientSession:
        """One session for the sender's life: its pooled connections are reused across deliveries
        (each was checked by the resolver when it was opened)."""
        if self._session is None or self._session.closed:
            import aiohttp

            from resolvers.public_resolver import PublicOnlyResolver

            connector = aiohttp.TCPConnector(resolver=PublicOnlyResolver(self.addresses))
            timeout = aiohttp.ClientTimeout(total=self.config.timeout_s)
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)
        return self._session

    async def send(self, delivery: Delivery) -> int | None:
        vapid = self.config.vapid
        if vapid is None:
            raise PermanentFailure("Web Push is off: VAPID_PRIVATE_KEY is not set")
        try:
            user_id = int(delivery.target)
        except ValueError as exc:
            raise PermanentFailure(f"a web_push target is a user id, got {delivery.target!r}") from exc
        subscriptions = await PushSubscription.filter(user_id=user_id).order_by("id")
        if not subscriptions:
            return None  # the user has no browser to notify: nothing to do
        message = encoded_message(delivery)
        urgency = delivery.payload.get("urgency")
        urgency = urgency if urgency in URGENCIES else "normal"
        session = self._client()
        outcomes = await asyncio.gather(*(self._push(session, s, message, urgency) for s in subscriptions))
        _raise_for(outcomes)
        return None  # several push services may have answered: no one status code

    async def _push(
        self, session: aiohttp.ClientSession, subscription: PushSubscription, message: bytes, urgency: str
    ) -> Outcome:
        import aiohttp
        from pywebpush import WebPusher

        endpoint = subscription.endpoint
        try:
            checked_url(endpoint, self.addresses, https_only=True)
            body = WebPusher(
                {"endpoint": endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
            ).encode(message, "aes128gcm")["body"]
            headers = {
                "TTL": str(self.config.ttl_s),
                "Urgency": urgency,
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
                **self._authorization(endpoint),
            }
            async with session.post(endpoint, data=body, headers=headers, allow_redirects=False) as response:
                status, retry_after = response.status, response.headers.get("Retry-After")
        except (MalformedUrl, UnsafeAddress, aiohttp.ClientConnectorError) as exc:
            cause = getattr(exc, "os_error", exc)
            if isinstance(cause, MalformedUrl | UnsafeAddress):
                await subscription.delete()  # it can never be sent to
                return Outcome(endpoint, gone=True, refusal=str(cause))
            return await self._failed(subscription, retry=RetryableFailure(f"cannot connect: {exc}"))
        except (TimeoutError, aiohttp.ClientError) as exc:
            return await self._failed(subscription, retry=RetryableFailure(f"no answer: {exc!r}"))
        return await self._answered(subscription, status, retry_after)

    def _authorization(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        claims: dict[str, Any] = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "sub": self.config.subject,
            "exp": int((datetime.now(UTC) + VAPID_TOKEN_LIFETIME).timestamp()),
        }
        assert self.config.vapid is not None
        return dict(self.config.vapid.sign(claims))

    async def _answered(
        self, subscription: PushSubscription, status: int, retry_after: str | None
    ) -> Outcome:
        endpoint = subscription.endpoint
        if 200 <= status < 300:
            await PushSubscription.filter(id=subscription.id).update(
                last_success_at=datetime.now(UTC), failures=0
            )
            return Outcome(endpoint, sent=True)
        if status in {404, 410}:
            await subscription.delete()  # the browser unsubscribed or the subscription expired
            return Outcome(endpoint, gone=True)
        if status == 429 or status >= 500:
            retry = RetryableFailure(
                f"the push service answered {status}",
                status_code=status,
                retry_after=parse_retry_after(retry_after),
            )
            return await self._failed(subscription, retry=retry)
        refused = await self._failed(subscription, refusal=f"the push service refused the message ({status})")
        # Refused again and again (403: the subscription was made with another VAPID key): never
        # going to work, as good as gone.
        if await PushSubscription.filter(id=subscription.id, failures__gte=MAX_REFUSALS).delete():
            return replace(refused, gone=True)
        return refused

    @staticmethod
    async def _failed(
        subscription: PushSubscription, *, retry: RetryableFailure | None = None, refusal: str | None = None
    ) -> Outcome:
        await PushSubscription.filter(id=subscription.id).update(failures=F("failures") + 1)
        log.info("web push to subscription %s failed: %s", subscription.id, retry or refusal)
        return Outcome(subscription.endpoint, retry=retry, refusal=refusal)


def _raise_for(outcomes: list[Outcome]) -> None:
    """Retry when any push service may take the message later; done when one browser took it; else
    it fails for good: every subscription refused it or is gone (deleted, so never retried)."""
    retries = [o.retry for o in outcomes if o.retry is not None]
    if retries:
        waits = [r.retry_after for r in retries if r.retry_after is not None]
        raise RetryableFailure(
            f"{len(retries)} of {len(outcomes)} push services failed: {retries[0].reason}",
            status_code=retries[0].status_code,
            retry_after=max(waits) if waits else None,
        )
    if not any(o.sent for o in outcomes):
        reasons = sorted({o.refusal or "the browser unsubscribed (404/410)" for o in outcomes})
        raise PermanentFailure("no browser took the message: " + "; ".join(reasons))


def encoded_message(delivery: Delivery) -> bytes:
    """The notification as the service worker reads it (JSON), its body shortened to fit a push."""
    message = {key: delivery.payload.get(key) for key in PAYLOAD_KEYS}
    if message["event_id"] is None:
        message["event_id"] = delivery.event_id
    encoded = orjson.dumps(message)
    body = str(message["body"] or "")
    while len(encoded) > MAX_PLAINTEXT_BYTES and body:
        body = body[: len(body) - max(1, (len(encoded) - MAX_PLAINTEXT_BYTES) // 4)]
        encoded = orjson.dumps({**message, "body": body + "…"})
    return encoded
