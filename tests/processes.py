"""The one way the tests run a helper process (a Sigap server, the SMTP server, the webhook
receiver): in a process group of its own with its output in a log file, waited on until it
answers (the real condition, polled every 50 ms), and stopped as a whole group, workers included."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from federation.loopback import stop_process_group

REPO = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.05


@contextmanager
def running_process(
    command: list[str],
    log_path: Path,
    *,
    ready: Callable[[], bool],
    what: str,
    env: dict[str, str] | None = None,
    start_timeout: float = 20,
    stop_timeout: float = 10,
    cwd: Path = REPO,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` until the block ends, entering it once `ready()` is true; a process that exits
    or never gets ready fails with its log."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - commands the tests name: our interpreter and modules
            command, cwd=cwd, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        _wait_ready(process, log_path, ready, what, start_timeout)
        yield process
    finally:
        stop_process_group(process, timeout=stop_timeout)


def _wait_ready(
    process: subprocess.Popen[bytes], log_path: Path, ready: Callable[[], bool], what: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{_text(log_path)}")
        if ready():
            return
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"{what} not ready after {timeout} s:\n{_text(log_path)}")


def _text(log_path: Path) -> str:
    return log_path.read_text(errors="replace")
