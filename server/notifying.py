"""Notifications in the server: the consumer that fills inboxes and plans deliveries, and the
senders of their channels (resolvers.notification_senders). Email goes over SMTP when SMTP_URL is
set and to the log otherwise (resolvers.mail); SMS and WhatsApp have only their development
backend (the log): no provider is configured here. Web Push goes to the user's registered browsers
(resolvers.web_push)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from models import NotificationChannel
from resolvers.notification_consumer import NotificationsConsumer
from resolvers.notification_senders import EmailSender, LogPhoneSender
from resolvers.web_push import WebPushSender

if TYPE_CHECKING:
    from server.deliveries import DeliveryParts
    from server.settings import Settings


def add_notifications(parts: DeliveryParts, settings: Settings) -> None:
    # The senders' mapping itself: a channel registered after this is planned for too.
    parts.consumers.append(
        NotificationsConsumer(
            settings.public_address, channels=parts.senders, zone=ZoneInfo(settings.timezone)
        )
    )
    parts.senders[NotificationChannel.EMAIL.value] = EmailSender()
    parts.senders[NotificationChannel.WEB_PUSH.value] = WebPushSender(
        settings.web_push, settings.outbound_addresses
    )
    for channel in (NotificationChannel.SMS, NotificationChannel.WHATSAPP):
        parts.senders[channel.value] = LogPhoneSender(channel)
