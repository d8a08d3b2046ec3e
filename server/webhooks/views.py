"""Endpoints' views (schema.webhook_payloads.WebhookView: the subscription a body is made under),
reused for a while: making one costs as much as making a body, and the consumer needs one per
endpoint per batch of events, the sender one per replayed delivery."""

from __future__ import annotations

import time

import orjson

from models import WebhookEndpoint
from resolvers.identity import principal_of_key
from schema.webhook_payloads import WebhookPayloads, WebhookView

VIEW_SECONDS = 60.0  # a view reflects its filter's agencies and areas as they were this long ago at most
VIEWS_MAX = 256


class EndpointViews:
    def __init__(self, payloads: WebhookPayloads) -> None:
        self.payloads = payloads
        self._views: dict[tuple[bytes, str], tuple[float, WebhookView]] = {}

    async def view(self, endpoint: WebhookEndpoint) -> WebhookView:
        """The endpoint's view (its api_key fetched); raises DomainError where the key may not
        subscribe so. Kept by what decides it, the filter and what the key may see (its
        visibility, from its scopes), so endpoints alike share one, whichever keys they are of."""
        principal = principal_of_key(endpoint.api_key)
        filter_text = orjson.dumps(endpoint.event_filter, option=orjson.OPT_SORT_KEYS)
        cache_key = (filter_text, principal.visibility)
        now = time.monotonic()
        cached = self._views.get(cache_key)
        if cached is not None and now - cached[0] < VIEW_SECONDS:
            return cached[1]
        view = await self.payloads.view(principal, endpoint.event_filter)
        if len(self._views) >= VIEWS_MAX:
            self._views.clear()
        self._views[cache_key] = (now, view)
        return view
