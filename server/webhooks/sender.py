"""POSTs a webhook delivery: to the address checked at send time (SSRF; a name that now resolves
inside is refused, for good), signed, no redirect followed. 2xx: delivered. 410 Gone, or an
address refused: given up at once. Anything else (5xx, 429, other codes, timeouts, refused
connections): retried with backoff until the retry window ends; giving up disables the endpoint.
A replayed delivery carries only its event: its body is made here, as the consumer would have made
it (the key's view, the endpoint's filter); an event the key may no longer see is withdrawn."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from models import Delivery, WebhookEndpoint, WebhookStatus
from realtime.deliveries import PermanentFailure, RetryableFailure, Withdrawn, parse_retry_after
from realtime.feed import load_feed_events
from resolvers import webhooks
from resolvers.errors import DomainError
from resolvers.identity import Principal
from resolvers.outbound_addresses import current_policy
from resolvers.webhook_addresses import parse_webhook_url, resolve_destination
from schema.context import Context
from schema.webhook_payloads import WebhookPayloads
from server.webhooks.signing import signed_headers
from server.webhooks.views import EndpointViews

USER_AGENT = "Sigap-Webhooks/1"
# What a request on a connection the other end closed meets: no answer, a reset, or a failed write.
STALE_CONNECTION_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class WebhookSender:
    channel = webhooks.CHANNEL

    def __init__(
        self,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        make_context: Callable[[Principal], Context] | None = None,
    ) -> None:
        # The framework bounds each send too; httpx's own timeout ends the connection cleanly.
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, transport=transport)
        self._make_context = make_context or (lambda principal: Context(principal=principal))
        self._views: EndpointViews | None = None  # its schema is built on first need

    async def send(self, delivery: Delivery) -> int | None:
        endpoint = await WebhookEndpoint.filter(id=int(delivery.target)).prefetch_related("api_key").first()
        if endpoint is None or endpoint.status is not WebhookStatus.ACTIVE:
            raise PermanentFailure("the webhook was removed or disabled")
        if endpoint.api_key.revoked_at is not None:
            raise PermanentFailure("its API key was revoked")
        try:
            destination = await resolve_destination(parse_webhook_url(endpoint.url), current_policy())
        except DomainError as exc:
            raise PermanentFailure(exc.errors[0].message_en) from exc
        body = orjson.dumps(await self._body(delivery, endpoint))
        headers = {
            **signed_headers(
                webhooks.signing_secrets(endpoint), f"msg_{delivery.id}", int(time.time()), body
            ),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": destination.url.netloc,
        }
        extensions = {"sni_hostname": destination.host} if destination.url.scheme == "https" else {}
        try:
            response = await self._post(destination.connect_url(), body, headers, extensions)
        except httpx.TimeoutException as exc:
            raise RetryableFailure(f"no answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise RetryableFailure(f"could not connect: {exc!r}") from exc
        code = response.status_code
        if 200 <= code < 300:
            return code
        if code == 410:
            raise PermanentFailure("410 Gone: the receiver asked for no more", status_code=code)
        raise RetryableFailure(
            f"answered {code}",
            status_code=code,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )

    async def _post(
        self, url: str, body: bytes, headers: dict[str, str], extensions: dict[str, Any]
    ) -> httpx.Response:
        """POST, sent again once at once if it went on a pooled keep-alive connection that the
        receiver had closed meanwhile (its idle timeout, 5 s on uvicorn and Node.js as on httpx,
        ends as we reuse it): such a request is not read, so it is no failed attempt of the
        receiver's. httpx has closed that connection by then. A new connection dropped without an
        answer is the receiver's failure, left to the retries. (Were the request read after all,
        the same webhook-id lets the receiver drop the duplicate.)"""
        opened = False

        async def trace(event: str, info: dict[str, Any]) -> None:
            nonlocal opened
            opened = opened or event.startswith("connection.connect_")

        try:
            return await self._client.post(
                url, content=body, headers=headers, extensions={**extensions, "trace": trace}
            )
        except STALE_CONNECTION_ERRORS:
            if opened:
                raise
        return await self._client.post(url, content=body, headers=headers, extensions=extensions)

    async def _body(self, delivery: Delivery, endpoint: WebhookEndpoint) -> dict[str, Any]:
        if not webhooks.body_is_deferred(delivery.payload):
            return delivery.payload
        event_id = delivery.event_id or 0
        items = await load_feed_events(after=event_id - 1, until=event_id, limit=1)
        if not items:
            raise Withdrawn("the event is gone")
        if self._views is None:
            self._views = EndpointViews(WebhookPayloads(self._make_context))
        try:
            view = await self._views.view(endpoint)
        except DomainError as exc:  # the key lost its scope, or a filtered agency is gone
            raise Withdrawn(exc.errors[0].message_en) from exc
        body = await self._views.payloads.body(view, items[0])
        if body is None:
            raise Withdrawn("the key may no longer see this event, or the filter does not select it")
        return body

    async def gave_up(self, delivery: Delivery) -> None:
        await webhooks.disable_endpoint(int(delivery.target), delivery.last_error or "deliveries given up")

    async def close(self) -> None:
        await self._client.aclose()
