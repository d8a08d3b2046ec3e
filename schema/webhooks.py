"""Webhooks of partners' API keys: register an endpoint with a `reportEvents` filter, read its
delivery log, replay from a cursor. The sending is the server's (server/webhooks/)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from models import Delivery as DeliveryModel
from models import DeliveryStatus, WebhookStatus
from models import WebhookEndpoint as EndpointModel
from realtime.deliveries import DeliveryDraft, enqueue
from realtime.feed import load_feed_events
from resolvers import webhooks
from resolvers.errors import DomainError
from resolvers.identity import Principal, principal_of_key
from resolvers.live_selection import parse_event_cursor
from schema.context import Context, Info
from schema.descriptions import INPUT_HELP
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import from_global_id, optional_global_id, to_global_id
from schema.query_cost import list_size
from schema.subscriptions import ReportEventFilter
from schema.webhook_payloads import WebhookPayloads

MAX_LOG = 100
REPLAY_MAX = 1000  # deliveries one replay queues; `nextCursor` continues
REPLAY_SCAN = 500  # events read per query
REPLAY_SCAN_MAX = 10_000  # events one replay looks at, however few its filter selects


@strawberry.type(description="Satu pengiriman webhook / One delivery of a webhook")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Also the `webhook-id` header, as msg_<id>")
    event_cursor: str | None = strawberry.field(
        description="Kursor kejadian yang dikirim / The event's cursor"
    )
    status: DeliveryStatus = strawberry.field(description="Status pengiriman / Delivery status")
    attempts: int = strawberry.field(description="Jumlah percobaan / Attempts made")
    last_status_code: int | None = strawberry.field(
        description="Kode HTTP terakhir dari penerima / The receiver's last HTTP status code"
    )
    last_error: str | None = strawberry.field(description="Galat terakhir / The last error")
    created_at: datetime = strawberry.field(description="Waktu dibuat / When it was queued")
    next_attempt_at: datetime = strawberry.field(
        description="Percobaan berikut (bila tertunda) / The next attempt (while pending)"
    )
    delivered_at: datetime | None = strawberry.field(description="Waktu terkirim / When it was delivered")

    @classmethod
    def from_model(cls, row: DeliveryModel) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", row.id)),
            event_cursor=str(row.event_id) if row.event_id is not None else None,
            status=row.status,
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
        )


@strawberry.type(description="Alamat webhook mitra / A partner's webhook endpoint")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="ID global webhook / The webhook's global ID")
    url: str = strawberry.field(description="Alamat tujuan POST / Where events are POSTed")
    status: WebhookStatus = strawberry.field(description="Aktif atau dinonaktifkan / Active or disabled")
    disabled_reason: str | None = strawberry.field(description="Mengapa dinonaktifkan / Why it was disabled")
    disabled_at: datetime | None = strawberry.field(description="Waktu dinonaktifkan / When it was disabled")
    created_at: datetime = strawberry.field(description="Waktu dibuat / When it was registered")
    event_filter: strawberry.Private[dict[str, Any]]
    pk: strawberry.Private[int]

    @strawberry.field(description="The `reportEvents` filter it was registered with, as JSON")
    def filter(self) -> JSON:
        return JSON(self.event_filter)

    @strawberry.field(
        description="Log pengiriman, terbaru dulu / Its deliveries, newest first",
        metadata=list_size(MAX_LOG),
    )
    async def deliveries(
        self,
        first: Annotated[int, strawberry.argument(description=f"Berapa (1..{MAX_LOG}) / How many")] = 20,
        status: Annotated[
            DeliveryStatus | None, strawberry.argument(description="Hanya status ini / Only this status")
        ] = None,
    ) -> list[WebhookDelivery]:
        rows = await webhooks.delivery_log(self.pk, first=max(1, min(first, MAX_LOG)), status=status)
        return [WebhookDelivery.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: EndpointModel) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", row.id)),
            url=row.url,
            status=row.status,
            disabled_reason=row.disabled_reason,
            disabled_at=row.disabled_at,
            created_at=row.created_at,
            event_filter=row.event_filter,
            pk=row.id,
        )


@strawberry.input(description="Alamat webhook baru / A new webhook endpoint")
class CreateWebhookInput:
    url: str = strawberry.field(description="An http(s) URL at a public address")
    filter: ReportEventFilter | None = strawberry.field(
        default=None, description="As `reportEvents`; none = every event the key may see"
    )
    api_key: strawberry.ID | None = strawberry.field(
        default=None, description="City admin: the partner key; a partner's own key otherwise"
    )


@strawberry.input(description="Webhook yang dihapus / The webhook to remove")
class DeleteWebhookInput:
    id: strawberry.ID = strawberry.field(description="ID global webhook / The webhook's global ID")


@strawberry.input(description="Kirim ulang sejak kursor / Send again from a cursor")
class ReplayWebhookInput:
    endpoint: strawberry.ID = strawberry.field(description="ID global webhook / The webhook's global ID")
    after: str = strawberry.field(
        description="An event cursor: the matching events after it are queued again"
    )


@strawberry.input(description="Webhook yang diubah / The webhook to change")
class WebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="ID global webhook / The webhook's global ID")


@strawberry.type(description="Hasil mengelola webhook / Result of managing a webhook")
class WebhookPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="Webhook; null bila ditolak / The webhook; null when refused"
    )
    secret: str | None = strawberry.field(
        default=None, description="The signing secret (whsec_...), shown this one time"
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_HELP, default_factory=list)


@strawberry.type(description="Hasil kirim ulang / Result of a replay")
class ReplayWebhookPayload:
    queued: int = strawberry.field(default=0, description="Pengiriman yang diantrekan / Deliveries queued")
    next_cursor: str | None = strawberry.field(
        default=None, description="More remain: replay again from this cursor; null when done"
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_HELP, default_factory=list)


def filter_variables(flt: ReportEventFilter | None) -> dict[str, Any]:
    """The filter as the `reportEvents` argument (GraphQL names), kept with the endpoint."""
    if flt is None:
        return {}
    given = {
        "reportId": flt.report_id,
        "agency": flt.agency,
        "category": flt.category,
        "area": flt.area,
        "statuses": [s.value for s in flt.statuses] if flt.statuses else None,
    }
    return {name: value for name, value in given.items() if value is not None}


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Webhook kunci API / An API key's webhooks (a partner's own; any, for a city admin)",
        metadata=list_size(webhooks.MAX_ENDPOINTS_PER_KEY),
    )
    async def webhook_endpoints(
        self,
        info: Info,
        api_key: Annotated[
            strawberry.ID | None, strawberry.argument(description="City admin: the partner key")
        ] = None,
    ) -> list[WebhookEndpoint]:
        info.context.cache_policy.cacheable = False  # the answer is the caller's
        key_id = optional_global_id(api_key, "ApiKey", "apiKey")
        rows = await webhooks.endpoints_of(info.context.principal, key_id)
        return [WebhookEndpoint.from_model(row) for row in rows]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Register a webhook: the key's events after now are POSTed to it, signed"
    )
    async def create_webhook_endpoint(
        self, info: Info, input: Annotated[CreateWebhookInput, strawberry.argument(description=INPUT_HELP)]
    ) -> WebhookPayload:
        try:
            if input.filter is not None:
                await input.filter.to_selector()  # refuses unknown ids before anything is written
            endpoint, secret = await webhooks.create_endpoint(
                info.context.principal,
                url=input.url,
                event_filter=filter_variables(input.filter),
                api_key_id=optional_global_id(input.api_key, "ApiKey", "apiKey"),
            )
        except DomainError as exc:
            return WebhookPayload(errors=user_errors(exc))
        return WebhookPayload(endpoint=WebhookEndpoint.from_model(endpoint), secret=secret)

    @strawberry.mutation(description="Remove a webhook; what is still pending for it is cancelled")
    async def delete_webhook_endpoint(
        self, info: Info, input: Annotated[DeleteWebhookInput, strawberry.argument(description=INPUT_HELP)]
    ) -> WebhookPayload:
        return await _on_endpoint(info, input.id, webhooks.delete_endpoint)

    @strawberry.mutation(
        description="Aktifkan lagi webhook yang dinonaktifkan; dilanjutkan sejak sekarang / Re-enable "
        "a disabled webhook: the events after now are sent (replay from the last delivered cursor "
        "for those missed meanwhile)"
    )
    async def enable_webhook_endpoint(
        self, info: Info, input: Annotated[WebhookEndpointInput, strawberry.argument(description=INPUT_HELP)]
    ) -> WebhookPayload:
        return await _on_endpoint(info, input.id, webhooks.enable_endpoint)

    @strawberry.mutation(
        description="Ganti rahasia penanda tangan; yang baru ditampilkan sekali / A new signing secret, "
        "shown this once: every request from now on is signed with it, and for 24 h also with the old one"
    )
    async def rotate_webhook_secret(
        self, info: Info, input: Annotated[WebhookEndpointInput, strawberry.argument(description=INPUT_HELP)]
    ) -> WebhookPayload:
        return await _on_endpoint(info, input.id, webhooks.rotate_secret)

    @strawberry.mutation(
        description="Queue again the webhook's events after a cursor (its filter, its key's view)"
    )
    async def replay_webhook(
        self, info: Info, input: Annotated[ReplayWebhookInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ReplayWebhookPayload:
        try:
            endpoint = await webhooks.endpoint_for(
                info.context.principal, from_global_id(input.endpoint, "WebhookEndpoint", "endpoint")
            )
            after = parse_event_cursor(input.after) or 0
            return await _replay(info, endpoint, after)
        except DomainError as exc:
            return ReplayWebhookPayload(errors=user_errors(exc))


async def _on_endpoint(
    info: Info,
    endpoint_id: strawberry.ID,
    action: Callable[[Principal, int], Awaitable[EndpointModel | tuple[EndpointModel, str]]],
) -> WebhookPayload:
    """`action` on the caller's endpoint named by `endpoint_id`, as its payload: the endpoint, and
    the secret when the action made one (shown this once)."""
    try:
        done = await action(info.context.principal, from_global_id(endpoint_id, "WebhookEndpoint"))
    except DomainError as exc:
        return WebhookPayload(errors=user_errors(exc))
    endpoint, secret = done if isinstance(done, tuple) else (done, None)
    return WebhookPayload(endpoint=WebhookEndpoint.from_model(endpoint), secret=secret)


async def _replay(info: Info, endpoint: EndpointModel, after: int) -> ReplayWebhookPayload:
    """Queue the events the endpoint's filter selects after the cursor, without their bodies: the
    sender makes each at send time, so this request only reads events and writes rows (at most
    REPLAY_MAX rows, after at most REPLAY_SCAN_MAX events). In id order, so in order per report."""
    context = info.context

    def make_context(principal: Any) -> Context:
        return Context(
            principal=principal,
            service_area=context.service_area,
            timezone=context.timezone,
            photo_urls=context.photo_urls,
        )

    key = await endpoint.api_key
    view = await WebhookPayloads(make_context).view(principal_of_key(key), endpoint.event_filter)
    drafts: list[DeliveryDraft] = []
    cursor, scanned = after, 0
    while len(drafts) < REPLAY_MAX and scanned < REPLAY_SCAN_MAX:
        items = await load_feed_events(after=cursor, limit=REPLAY_SCAN)
        if not items:
            break
        for item in items:
            cursor, scanned = item.id, scanned + 1
            if view.source.selector.matches(item):
                drafts.append(webhooks.webhook_draft(endpoint, item.id, item.event["report_id"]))
                if len(drafts) >= REPLAY_MAX:
                    break
    await enqueue(drafts)
    stopped_short = len(drafts) >= REPLAY_MAX or scanned >= REPLAY_SCAN_MAX
    more = stopped_short and bool(await load_feed_events(after=cursor, limit=1))
    return ReplayWebhookPayload(queued=len(drafts), next_cursor=str(cursor) if more else None)
