"""What a webhook POSTs: an event of `reportEvents` exactly as the endpoint's API key would receive
it on that subscription, with the endpoint's filter. The same subscription field runs (its filter
parsing, its internal-note rule) and the same types serialise the event and the report, so the
key's scopes and the privacy rules (sensitive categories coarsened, no contact data) hold alike.

The body: {"type": "report.event", "timestamp": ..., "data": <the reportEvents value>}; `data.cursor`
is the event's cursor, to drop duplicates by (delivery is at-least-once) and to replay from."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult
from strawberry import Schema

from realtime.feed import FeedEvent
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.identity import Principal
from resolvers.permissions import require_can_read
from resolvers.webhooks import LIVE_EVENTS
from schema.context import Context
from schema.live import CaptureSource, LiveSource

EVENT_TYPE = "report.event"

WEBHOOK_DOCUMENT = """
subscription Webhook($filter: ReportEventFilter) {
  reportEvents(filter: $filter) {
    cursor
    event {
      id cursor kind fromStatus toStatus note createdAt actorRole
      before { status agency { code } category { code } }
      after { status agency { code } category { code } }
    }
    report {
      id code title description status publicGroup statusReason channel
      createdAt updatedAt acknowledgedAt resolvedAt closedAt acknowledgeDueAt dueAt
      resolutionOutcome disputeCount rating supportCount
      location { lat lon }
      address
      category { code name nameEn }
      agency { code name }
      area { id name }
    }
  }
}
"""


@dataclass(frozen=True)
class WebhookView:
    """An endpoint's subscription, resolved once: which events, and how each becomes a body."""

    principal: Principal
    source: LiveSource


# Bodies already made in one fan-out, by (visibility, event id): what decides a body. The filter
# only selects events; principals of one visibility see exactly the same data
# (resolvers.identity.Principal.visibility), so endpoints that see alike share one body.
Bodies = dict[tuple[str, int], dict[str, Any] | None]


@functools.cache
def _internal_schema() -> Schema:
    from schema import build_schema  # the package builds its schema from this module's neighbours

    return build_schema(internal=True)


class WebhookPayloads:
    def __init__(self, make_context: Callable[[Principal], Context], schema: Schema | None = None) -> None:
        self._schema = schema or _internal_schema()
        self._make_context = make_context

    async def view(self, principal: Principal, event_filter: dict[str, Any]) -> WebhookView:
        """Subscribe as the key would (nothing streams); raises DomainError where it is refused.
        Webhooks are pushed, not asked for: they are not charged to the key's query budget, but
        they need its `reports:read` scope, as the subscription does."""
        require_can_read(principal, LIVE_EVENTS)
        context = self._make_context(principal)
        capture = CaptureSource()
        context.live = capture
        results = await self._schema.subscribe(
            WEBHOOK_DOCUMENT, variable_values={"filter": event_filter or None}, context_value=context
        )
        if isinstance(results, ExecutionResult):
            _raise(results)
        else:
            async for result in results:  # the capturing feed yields nothing: this ends at once
                _raise(result)
        if not isinstance(capture.source, LiveSource):  # refused (or not the report events)
            raise fail(
                ErrorCode.FORBIDDEN,
                "Kunci ini tidak boleh mengikuti kejadian",
                "This key may not follow events",
            )
        return WebhookView(principal, capture.source)

    async def body(
        self, view: WebhookView, item: FeedEvent, made: Bodies | None = None
    ) -> dict[str, Any] | None:
        """The body for one event, or None when the filter does not select it or the key may not
        see it; `made` keeps the bodies of one batch of events, to make each once per visibility."""
        if not view.source.selector.matches(item):
            return None
        key = (view.principal.visibility, item.id)
        if made is not None and key in made:
            return made[key]
        body = await self._render(view, item)
        if made is not None:
            made[key] = body
        return body

    async def _render(self, view: WebhookView, item: FeedEvent) -> dict[str, Any] | None:
        root = view.source.payload(item)
        if root is None:
            return None
        # Without the filter: it has selected the event already, and leaves the body as it is.
        result = await self._schema.execute(
            WEBHOOK_DOCUMENT, context_value=self._make_context(view.principal), root_value=root
        )
        _raise(result)
        assert result.data is not None  # no errors: the field resolved
        created = item.event["created_at"]
        return {"type": EVENT_TYPE, "timestamp": created.isoformat(), "data": result.data["reportEvents"]}


def _raise(result: Any) -> None:
    errors = getattr(result, "errors", None)
    if not errors:
        return
    original = getattr(errors[0], "original_error", None)
    if isinstance(original, DomainError):
        raise original
    raise RuntimeError(f"the webhook document failed: {errors[0]}")
