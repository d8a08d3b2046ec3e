"""Mail to citizens: the code that verifies an email (a registration's, an account's new one),
password-reset tokens, and notifications.

Sent over SMTP when SMTP_URL is set (`smtp://user:password@host:587`, STARTTLS when the server
offers it; `smtps://...:465` for TLS from the start); otherwise written to the log, as development
needs. `send` logs a failed delivery and never shows it to the caller: the registration's or the
reset's answer must be the same whatever happens to the mail. `deliver` raises it, for the
deliveries framework to retry (resolvers.notification_senders).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Coroutine
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

log = logging.getLogger("sigap.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


class LogMailer:
    """Development: the mail goes to the log (with its code), nowhere else."""

    async def send(self, mail: Mail) -> None:
        log.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.body)


class SmtpMailer:
    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587 or smtps://...")
        self.tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._send, mail)  # smtplib blocks: keep it off the event loop

    def _send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message.set_content(mail.body)
        smtp_class = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=10) as smtp:
            if not self.tls:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
            if self.user is not None:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


_mailer: Mailer = LogMailer()


def configure(smtp_url: str | None, sender: str, *, production: bool = False) -> None:
    global _mailer
    _mailer = SmtpMailer(smtp_url, sender) if smtp_url else LogMailer()
    if production and not smtp_url:
        log.warning("SMTP_URL is not set: registration codes go to the log, not to the citizens")


async def deliver(mail: Mail) -> None:
    """Hand the mail to the configured mailer; raises OSError or smtplib.SMTPException."""
    await _mailer.send(mail)


async def send(mail: Mail) -> None:
    try:
        await deliver(mail)
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s not delivered", mail.to)


_sending: set[asyncio.Task[None]] = set()  # held here: the loop keeps only weak references to tasks


def send_later(preparing: Coroutine[Any, Any, Mail | None]) -> None:
    """Prepare (store what the mail refers to) and send in the background, the caller not waiting
    (None prepared: nothing to send):
    an answer that must not tell whether a mail went out (a password reset's) must not take the
    database's or the mail server's time for it either."""
    task = asyncio.get_running_loop().create_task(_prepare_and_send(preparing), name="sigap-mail")
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def _prepare_and_send(preparing: Coroutine[Any, Any, Mail | None]) -> None:
    try:
        prepared = await preparing
    except Exception:  # nobody awaits this task: say what failed instead of losing it
        log.exception("mail not prepared")
        return
    if prepared is not None:
        await send(prepared)


async def drained() -> None:
    """Wait for every mail handed to `send_later` (on shutdown; tests read what was sent)."""
    while _sending:
        await asyncio.gather(*_sending)
