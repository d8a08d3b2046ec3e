"""A private redis-server on a free port, so that tests never touch the shared one."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.databases import service_missing
from tests.server_process import free_port


@contextmanager
def private_redis(folder: Path) -> Iterator[str]:
    """Run redis-server until the block ends; yields its URL."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        service_missing("redis-server (apt-get install redis-server)", FileNotFoundError(binary))
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_ping(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_ping(url: str, process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    client = redis.Redis.from_url(url, socket_timeout=1)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise TimeoutError("redis-server did not answer PING")
    finally:
        client.close()
