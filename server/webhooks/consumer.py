"""Plans webhook deliveries from the outbox: for each event, one delivery per active endpoint
whose filter selects it and whose key may see it, with the body that key would get from
`reportEvents` (schema.webhook_payloads), made once per event and visibility. Making bodies is
GraphQL execution: it plans ahead of the framework's consume transaction (realtime.deliveries
.PlansAhead), holding no lock, and writes nothing itself."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from models import ReportEvent, WebhookEndpoint, WebhookStatus
from realtime.deliveries import DeliveryDraft
from realtime.feed import load_feed_events
from resolvers import webhooks
from resolvers.errors import DomainError
from resolvers.identity import Principal
from schema.context import Context
from schema.webhook_payloads import Bodies, WebhookPayloads
from server.webhooks.views import EndpointViews

log = logging.getLogger("sigap.webhooks")


class WebhookConsumer:
    name = "webhooks"
    plans_ahead = True

    def __init__(self, make_context: Callable[[Principal], Context]) -> None:
        self._make_context = make_context
        self._views: EndpointViews | None = None  # its schema is built on first need

    async def plan(self, events: Sequence[ReportEvent]) -> Sequence[DeliveryDraft]:
        endpoints = await (
            WebhookEndpoint.filter(
                status=WebhookStatus.ACTIVE,
                api_key__revoked_at__isnull=True,
                after_event_id__lt=events[-1].id,
            )
            .prefetch_related("api_key")
            .order_by("id")
        )
        if not endpoints:
            return []
        if self._views is None:
            self._views = EndpointViews(WebhookPayloads(self._make_context))
        views, payloads = self._views, self._views.payloads
        items = await load_feed_events(after=events[0].id - 1, until=events[-1].id, limit=len(events))
        made: Bodies = {}
        drafts: list[DeliveryDraft] = []
        for endpoint in endpoints:
            try:
                view = await views.view(endpoint)
            except DomainError as exc:  # the key lost its scope, or a filtered agency is gone
                log.warning(
                    "webhook %d skips events %d..%d: %s", endpoint.id, events[0].id, events[-1].id, exc
                )
                continue
            for item in items:
                if item.id <= endpoint.after_event_id:
                    continue
                try:
                    body = await payloads.body(view, item, made)
                except Exception:  # one body that cannot be made must not hold up every endpoint
                    log.exception("webhook %d: no body for event %d; skipped", endpoint.id, item.id)
                    continue
                if body is not None:
                    drafts.append(webhooks.webhook_draft(endpoint, item.id, item.event["report_id"], body))
        return drafts
