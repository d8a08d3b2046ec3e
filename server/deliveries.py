"""Outbound deliveries in the server: which consumers and senders run, from the settings, inside
`sigap serve` (the lifespan) and `sigap deliveries run-once` (cron, or a worker of its own).
The framework itself is realtime/deliveries.py; each channel registers its parts here."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from realtime.deliveries import Consumer, DeliveryPolicy, Sender, consume_once, deliver_due, purge_settled
from realtime.delivery_runner import DeliveryRunner, running_deliveries
from resolvers import outbound_addresses, webhooks
from resolvers.identity import Principal
from resolvers.photo_urls import PhotoUrls
from schema.context import Context
from server.notifying import add_notifications
from server.settings import Settings
from server.webhooks.consumer import WebhookConsumer
from server.webhooks.sender import WebhookSender

RUN_ONCE_ROUNDS = 1000  # bounds `run-once` against a backlog that grows as fast as it is sent


@dataclass
class DeliveryParts:
    consumers: list[Consumer] = field(default_factory=list)  # report events -> deliveries
    senders: dict[str, Sender] = field(default_factory=dict)  # channel -> its sender

    def __bool__(self) -> bool:
        return bool(self.consumers or self.senders)

    async def close(self) -> None:
        """Senders holding connections (HTTP clients) let them go."""
        for sender in self.senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                await close()


def delivery_parts(settings: Settings) -> DeliveryParts:
    """The channels this deployment delivers on."""
    configure_outbound(settings)
    make_context = functools.partial(rendering_context, settings)
    sender = WebhookSender(timeout=settings.delivery_send_timeout_s, make_context=make_context)
    parts = DeliveryParts(
        consumers=[WebhookConsumer(make_context)],
        senders={sender.channel: sender},
    )
    add_notifications(parts, settings)
    return parts


def configure_outbound(settings: Settings) -> None:
    """Where outbound requests (webhooks, Web Push) may go, and how long webhooks are retried, for
    registrations and sends alike."""
    outbound_addresses.configure(settings.outbound_addresses)
    webhooks.configure(timedelta(seconds=settings.webhook_retry_s))


def rendering_context(settings: Settings, principal: Principal) -> Context:
    """The context webhook bodies are made in: the key's principal, the deployment's settings."""
    return Context(
        principal=principal,
        service_area=settings.service_area,
        timezone=settings.timezone,
        photo_urls=PhotoUrls.from_secret(settings.photo_address_base, settings.jwt_secret),
    )


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        send_timeout=settings.delivery_send_timeout_s, retry_base=settings.delivery_retry_base_s
    )


@contextlib.asynccontextmanager
async def delivery_service(settings: Settings) -> AsyncIterator[None]:
    """Plan and send deliveries in the background while the block runs (nothing to run: nothing)."""
    parts = delivery_parts(settings)
    if not parts:
        yield
        return
    runner = DeliveryRunner(
        parts.consumers,
        parts.senders,
        policy=delivery_policy(settings),
        poll_seconds=settings.delivery_poll_s,
    )
    try:
        async with running_deliveries(runner):
            yield
    finally:
        await parts.close()


async def purge_old_deliveries(settings: Settings, now: datetime | None = None) -> int:
    """Retention (DELIVERY_RETENTION_DAYS): delete the settled deliveries older than it."""
    if settings.delivery_retention_days <= 0:
        return 0
    return await purge_settled((now or datetime.now(UTC)) - timedelta(days=settings.delivery_retention_days))


@dataclass(frozen=True)
class DeliveryRun:
    events: int  # events read (fanned out)
    attempted: int  # delivery attempts made
    purged: int  # settled deliveries deleted by retention


async def run_deliveries_once(settings: Settings) -> DeliveryRun:
    """Plan deliveries for every new event, send what is due until nothing is, then apply the
    retention rule."""
    parts = delivery_parts(settings)
    policy = delivery_policy(settings)
    events = attempted = 0
    for consumer in parts.consumers:
        while read := await consume_once(consumer):
            events += read
    try:
        for _ in range(RUN_ONCE_ROUNDS):
            sent = await deliver_due(parts.senders, policy=policy)
            attempted += sent
            if not sent:
                break
    finally:
        await parts.close()
    return DeliveryRun(events, attempted, await purge_old_deliveries(settings))
