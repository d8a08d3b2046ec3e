"""Starting `sigap serve` as a real process on a free loopback port, for tests at the edges."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from federation.loopback import stop_process_group

REPO = Path(__file__).resolve().parent.parent


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
        answer = httpx.post(
            self.url + "/graphql", json={"query": register, "variables": {"e": email, "n": name}}
        )
        assert answer.json()["data"]["registerCitizen"]["errors"] == [], answer.text
        code = self._mailed_code(email)
        verify = """mutation($c: String!) {
          verifyEmail(input: {code: $c}) { session { accessToken } errors { code } } }"""
        verified = httpx.post(self.url + "/graphql", json={"query": verify, "variables": {"c": code}})
        session = verified.json()["data"]["verifyEmail"]
        assert session["errors"] == [], session
        return {"authorization": f"Bearer {session['session']['accessToken']}"}

    def _mailed_code(self, email: str, timeout: float = 10) -> str:
        mail = re.compile(rf"mail to {re.escape(email)}:.*?(?:\\n|\n)([A-Za-z0-9_-]{{40,}})", re.DOTALL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := mail.search(self.log()):
                return found.group(1)
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
    answer = httpx.post(
        url + "/graphql",
        json={"query": query, "variables": {"e": DISPATCH_EMAIL, "p": DISPATCH_PASSWORD}},
        timeout=15,
    ).json()["data"]["signIn"]
    assert answer["errors"] == [], answer
    return {"authorization": f"Bearer {answer['session']['accessToken']}"}


@contextmanager
def sigap_server(
    tmp_path: Path, port: int | None = None, *, entry: str = "server.cli", **env: str
) -> Iterator[RunningServer]:
    """Run the server (`python -m <entry> serve`) until the block ends; wait on /health, not on a
    guess."""
    port = port or free_port()
    log_path = tmp_path / f"server-{port}.log"
    environment = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite://{tmp_path / 'server.db'}",
        "JWT_SECRET": TEST_JWT_SECRET,
        # Room for the filings and sign-ins a module makes from one address; rate-limit tests
        # set their own.
        "RATE_LIMIT_FILE_REPORT": "1000/minute",
        "RATE_LIMIT_FILE_REPORT_PER_ADDRESS": "1000/minute",
        "RATE_LIMIT_SIGN_IN": "1000/minute",
        "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "1000/minute",
        "JOBS_INTERVAL_SECONDS": "0",  # the periodic jobs run only in the tests that turn them on
        **env,
    }
    with log_path.open("wb") as log:
        # A group of its own (uvicorn's workers too), ended as a whole.
        process = subprocess.Popen(  # noqa: S603 - `entry` is a module of this repository, named by tests
            [sys.executable, "-m", entry, "serve"],
            cwd=REPO, env=environment, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    server = RunningServer(f"http://127.0.0.1:{port}", process, log_path, environment)
    try:
        _wait_healthy(server)
        yield server
    finally:
        stop_process_group(process, timeout=10)


def _wait_healthy(server: RunningServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            if httpx.get(server.url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"server not healthy after {timeout} s:\n{server.log()}")
