"""The ways out of the app for notifications, as Senders of the deliveries framework
(realtime.deliveries): email over the project's mailer (resolvers.mail: SMTP when SMTP_URL is
set, the log otherwise), and SMS and WhatsApp behind the same interface.

No SMS or WhatsApp provider is reachable from here: `LogPhoneSender` is their development backend
(the message goes to the log). A provider is one more Sender with the same `channel` and a `send`
that raises RetryableFailure or PermanentFailure like `EmailSender`'s, passed to the runner
instead (server.notifying).
"""

from __future__ import annotations

import logging
import smtplib

from models import Delivery, NotificationChannel
from realtime.deliveries import PermanentFailure, RetryableFailure
from resolvers import mail

log = logging.getLogger("sigap.notifications")
SMTP_OK = 250


class EmailSender:
    channel = NotificationChannel.EMAIL.value

    async def send(self, delivery: Delivery) -> int | None:
        payload = delivery.payload
        message = mail.Mail(to=delivery.target, subject=payload["subject"], body=payload["text"])
        try:
            await mail.deliver(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            _raise_for(min(codes, default=550), f"recipient refused: {exc.recipients}")
        except smtplib.SMTPResponseException as exc:
            _raise_for(exc.smtp_code, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
        except (OSError, smtplib.SMTPException) as exc:  # down, unreachable, dropped: try later
            raise RetryableFailure(f"SMTP server unreachable: {exc!r}") from exc
        return SMTP_OK


def _raise_for(code: int, reason: str) -> None:
    """5xx is the server's final word about this mail; 4xx and the rest are worth another try."""
    if 500 <= code < 600:
        raise PermanentFailure(reason, status_code=code)
    raise RetryableFailure(reason, status_code=code)


class LogPhoneSender:
    """Development backend of SMS and WhatsApp: the text goes to the log, nowhere else."""

    def __init__(self, channel: NotificationChannel) -> None:
        self.channel = channel.value

    async def send(self, delivery: Delivery) -> int | None:
        log.info("%s to %s: %s", self.channel, delivery.target, delivery.payload["text"])
        return None
