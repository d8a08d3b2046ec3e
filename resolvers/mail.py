"""Mail to citizens (the code that verifies a registration's email).

Sent over SMTP when SMTP_URL is set (`smtp://user:password@host:587`, STARTTLS when the server
offers it; `smtps://...:465` for TLS from the start); otherwise written to the log, as development
needs. A failed delivery is logged, never shown to the caller: the registration's answer must be
the same whatever happens to the mail.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
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


async def send(mail: Mail) -> None:
    try:
        await _mailer.send(mail)
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s not delivered", mail.to)
