"""A real SMTP server process (aiosmtpd) on a free loopback port, keeping what it receives in a
Maildir that tests read; started in a process group of its own and stopped as a whole."""

from __future__ import annotations

import mailbox
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from tests.processes import running_process
from tests.server_process import free_port


@dataclass
class SmtpServer:
    port: int
    maildir: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def messages(self) -> list[Message]:
        if not self.maildir.exists():
            return []
        # In arrival order: a Maildir name counts the messages its one writer delivered ("Q<n>").
        box = mailbox.Maildir(self.maildir, create=False)
        return [box[key] for key in sorted(box.keys(), key=_arrival)]

    def clear(self) -> None:
        if self.maildir.exists():
            mailbox.Maildir(self.maildir, create=False).clear()

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages() if message["To"] == address]


def _arrival(key: str) -> int:
    match = re.search(r"Q(\d+)", key)
    return int(match[1]) if match else 0


@contextmanager
def smtp_server(folder: Path, port: int | None = None, timeout: float = 20) -> Iterator[SmtpServer]:
    port = port or free_port()
    maildir = folder / f"maildir-{port}"
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
               "-c", "aiosmtpd.handlers.Mailbox", str(maildir)]  # fmt: skip
    with running_process(
        command, folder / f"smtp-{port}.log", ready=lambda: _greets(port), what="aiosmtpd",
        start_timeout=timeout,
    ) as process:  # fmt: skip
        yield SmtpServer(port, maildir, process)


def _greets(port: int) -> bool:
    """The greeting: the server is ready for mail."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return sock.recv(3) == b"220"
    except OSError:
        return False
