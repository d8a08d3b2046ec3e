"""Registration codes over real SMTP (aiosmtpd as the mail server): what a citizen receives is
what `verifyEmail` takes."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from resolvers import mail
from tests.conftest import Database
from tests.graphql import gql
from tests.mailbox import codes_in
from tests.server_process import free_port

REGISTER = """mutation($i: RegisterCitizenInput!) { registerCitizen(input: $i) { errors { code } } }"""
VERIFY = """mutation($c: String!) { verifyEmail(input: {code: $c}) {
  session { user { email } } errors { code } } }"""


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content or b"")))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    mail.configure(f"smtp://127.0.0.1:{port}", "Sigap Kupang <no-reply@kupang.test>")
    try:
        yield received
    finally:
        mail.configure(None, "")
        controller.stop()


async def test_the_registration_code_arrives_by_smtp_and_verifies_the_email(
    db: Database, inbox: Inbox
) -> None:
    form = {"name": "Maria", "email": "maria@warga.test", "password": "kata-sandi-yang-panjang"}
    assert (await gql(REGISTER, {"i": form}))["registerCitizen"]["errors"] == []

    [(recipients, message)] = inbox.messages
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")  # type: ignore[union-attr]
    [code] = codes_in(body)
    verified = (await gql(VERIFY, {"c": code}))["verifyEmail"]

    assert recipients == ["maria@warga.test"]
    assert message["From"] == "Sigap Kupang <no-reply@kupang.test>"
    assert message["Subject"].startswith("Verifikasi email Sigap")
    assert verified == {"session": {"user": {"email": "maria@warga.test"}}, "errors": []}


def test_smtp_urls_are_checked() -> None:
    with pytest.raises(ValueError, match="SMTP_URL"):
        mail.SmtpMailer("http://mail.example", "x@example")
    tls = mail.SmtpMailer("smtps://user%40kota:p%40ss@mail.kupang.test", "x@example")
    assert (tls.tls, tls.port, tls.user, tls.password) == (True, 465, "user@kota", "p@ss")
