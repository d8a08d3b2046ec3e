"""Starting `sigap serve` as a real process on a free loopback port, for tests at the edges."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import create_postgres_database, drop_postgres_database, migrated_sqlite_url
from tests.loopback_http import HTTP
from tests.mailbox import mailed_code_in
from tests.migrated_templates import migrated_sqlite_file
from tests.processes import REPO, running_process
from tests.sqlite_urls import sqlite_url_of


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Every test server signs tokens with this key, so that processes sharing a database accept
# each other's tokens, as a deployment's replicas do.
TEST_JWT_SECRET = "sigap-test-servers-" + "k" * 32
DISPATCH_EMAIL, DISPATCH_PASSWORD = "command-center@kupang.test", "kata-sandi-command-center"


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    environment: dict[str, str] = field(default_factory=dict)
    _staff_headers: dict[str, str] | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def staff_headers(self) -> dict[str, str]:
        """Headers of a signed-in city admin (made with `sigap create-admin` on first use)."""
        if self._staff_headers is None:
            self._staff_headers = command_center_headers(self.url, self.environment)
        return self._staff_headers

    def citizen_headers(self, email: str, name: str = "Warga") -> dict[str, str]:
        """Headers of a new citizen, registered and verified as a person does: `registerCitizen`, then
        `verifyEmail` with the code the server mailed (to its log: no SMTP_URL in tests)."""
        register = """mutation($e: String!, $n: String!) { registerCitizen(input: {name: $n, email: $e,
          password: "kata-sandi-warga-kupang"}) { errors { code } } }"""
        answer = HTTP.post(
            self.url + "/graphql", json={"query": register, "variables": {"e": email, "n": name}}
        )
        assert answer.json()["data"]["registerCitizen"]["errors"] == [], answer.text
        code = self._mailed_code(email)
        verify = """mutation($c: String!) {
          verifyEmail(input: {code: $c}) { session { accessToken } errors { code } } }"""
        verified = HTTP.post(self.url + "/graphql", json={"query": verify, "variables": {"c": code}})
        session = verified.json()["data"]["verifyEmail"]
        assert session["errors"] == [], session
        return {"authorization": f"Bearer {session['session']['accessToken']}"}

    def _mailed_code(self, email: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := mailed_code_in(self.log(), email):
                return found
            time.sleep(0.05)
        raise TimeoutError(f"no code mailed to {email}:\n{self.log()}")


def create_admin(
    environment: dict[str, str], email: str, password: str, name: str = "Admin Kota"
) -> subprocess.CompletedProcess[str]:
    """`sigap create-admin` against the database that `environment` names."""
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "server.cli", "create-admin", "--email", email, "--name", name],
        cwd=REPO, env={**os.environ, **environment, "SIGAP_ADMIN_PASSWORD": password},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def command_center_headers(url: str, environment: dict[str, str]) -> dict[str, str]:
    """Make the command center's city admin (harmless when it exists) in the server's database,
    sign in over HTTP, and return the bearer header."""
    create_admin(environment, DISPATCH_EMAIL, DISPATCH_PASSWORD, "Command")
    query = """mutation($e: String!, $p: String!) {
      signIn(input: {email: $e, password: $p}) { session { accessToken } errors { code } } }"""
    answer = HTTP.post(
        url + "/graphql",
        json={"query": query, "variables": {"e": DISPATCH_EMAIL, "p": DISPATCH_PASSWORD}},
        timeout=15,
    ).json()["data"]["signIn"]
    assert answer["errors"] == [], answer
    return {"authorization": f"Bearer {answer['session']['accessToken']}"}


@contextmanager
def sigap_server(
    tmp_path: Path,
    port: int | None = None,
    *,
    entry: str = "server.cli",
    checkout: Path | None = None,
    **env: str,
) -> Iterator[RunningServer]:
    """Run the server (`python -m <entry> serve`) until the block ends; wait on /health, not on a
    guess. Without a DATABASE_URL, on a migrated copy of SQLite in `tmp_path`. `checkout`: another
    checkout's code (with its .venv) instead of this one's (benchmarks compare two)."""
    port = port or free_port()
    if "DATABASE_URL" not in env and not (tmp_path / "server.db").exists():
        migrated_sqlite_file(tmp_path / "server.db")  # a copy: no migrating at every start
    log_path = tmp_path / f"server-{port}.log"
    environment = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": sqlite_url_of(tmp_path / "server.db"),
        "JWT_SECRET": TEST_JWT_SECRET,
        # Room for the filings and sign-ins a module makes from one address; rate-limit tests
        # set their own.
        "RATE_LIMIT_FILE_REPORT": "1000/minute",
        "RATE_LIMIT_FILE_REPORT_PER_ADDRESS": "1000/minute",
        "RATE_LIMIT_SIGN_IN": "1000/minute",
        "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "1000/minute",
        "JOBS_INTERVAL_SECONDS": "0",  # the periodic jobs run only in the tests that turn them on
        **({"PYTHONPATH": str(checkout)} if checkout else {}),
        **env,
    }
    url = f"http://127.0.0.1:{port}"
    python = str(checkout / ".venv" / "bin" / "python") if checkout else sys.executable
    # A group of its own (uvicorn's workers too), ended as a whole.
    with running_process(
        [python, "-m", entry, "serve"], log_path, env=environment, cwd=checkout or REPO,
        ready=lambda: _healthy(url), what="server", start_timeout=60,
    ) as process:  # fmt: skip
        yield RunningServer(url, process, log_path, environment)


@contextmanager
def server_database(folder: Path, backend: str = "sqlite") -> Iterator[str]:
    """The URL of a migrated database of a server's own: a copy of the SQLite template in `folder`,
    or a PostgreSQL database made from the template and dropped when the block ends."""
    if backend == "sqlite":
        yield migrated_sqlite_url(folder)
        return
    url = asyncio.run(create_postgres_database(migrated=True))
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(url))


def module_server(
    name: str, *, backend: str = "sqlite", admin: tuple[str, str] | None = None, **env: str
) -> Any:
    """The fixture of a module whose tests share one server process (`server = module_server("http")`),
    on a database of its own (`backend`), with `env` added to its settings. `admin` (email,
    password): a city admin made with `sigap create-admin` before the server starts."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
        folder = tmp_path_factory.mktemp(name)
        with server_database(folder, backend) as url:
            settings = {"DATABASE_URL": url, **env}
            if admin is not None:
                created = create_admin(settings, *admin)
                assert created.returncode == 0, created.stderr
            with sigap_server(folder, **settings) as running:
                yield running

    return server


def _healthy(url: str) -> bool:
    try:
        return HTTP.get(url + "/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
