"""What the development mailer sent: it writes each mail to the `sigap.mail` log."""

from __future__ import annotations

import logging
import re

import pytest

from resolvers import mail

# A code or token in a mail: 40 or more URL-safe characters on a line of their own.
CODE = "[A-Za-z0-9_-]{40,}"


def codes_in(body: str) -> list[str]:
    """The codes and tokens in a mail's body, in order."""
    return re.findall(rf"^({CODE})$", body, re.MULTILINE)


def mailed_code_in(log: str, email: str) -> str | None:
    """The first code mailed to `email` in a server's log, where the development mailer writes each
    mail (a JSON log line writes the mail's newlines as \\n)."""
    found = re.search(rf"mail to {re.escape(email)}:.*?(?:\\n|\n)({CODE})", log, re.DOTALL)
    return found.group(1) if found else None


def mailed_codes(caplog: pytest.LogCaptureFixture, email: str) -> list[str]:
    """The codes and tokens mailed to `email`, oldest first (each on a line of its own)."""
    found = []
    for record in caplog.records:
        if record.name == "sigap.mail" and record.args and record.args[0] == email:  # type: ignore[index]
            found += codes_in(str(record.args[2]))  # type: ignore[index]
    return found


async def delivered_codes(caplog: pytest.LogCaptureFixture, email: str) -> list[str]:
    """`mailed_codes`, once the mails sent in the background (password resets) have left."""
    await mail.drained()
    return mailed_codes(caplog, email)


@pytest.fixture
def mail_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="sigap.mail")
    return caplog
