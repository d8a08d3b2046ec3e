"""The `sigap` command on a fresh database: migrate, seed, and clear errors for bad settings."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.databases import create_postgres_database, drop_postgres_database, sqlite_url
from tests.redis_servers import require_shared_redis, unique_channel
from tests.server_process import sigap_server
from tests.sqlite_urls import sqlite_url_of

REPO = Path(__file__).resolve().parent.parent


def sigap(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": sqlite_url_of(tmp_path / "cli.db"), **env}
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "server.cli", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_migrate_then_seed_twice(tmp_path: Path) -> None:
    assert sigap(tmp_path, "migrate").returncode == 0
    first = sigap(tmp_path, "seed")
    second = sigap(tmp_path, "seed")

    assert first.returncode == second.returncode == 0
    assert "7 new agencies" in first.stdout
    assert "0 new agencies" in second.stdout
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute("SELECT count(*) FROM categories").fetchone() == (18,)


def test_bad_setting_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    result = sigap(tmp_path, "migrate", PORT="eighty")

    assert result.returncode == 2
    assert "PORT must be a number" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_subgraph_is_refused_before_serving(tmp_path: Path) -> None:
    result = sigap(tmp_path, "serve", "--subgraph", "billing")

    assert result.returncode == 2
    assert "invalid choice: 'billing'" in result.stderr
    assert "Traceback" not in result.stderr


def test_several_workers_need_a_shared_bus(tmp_path: Path) -> None:
    result = sigap(tmp_path, "serve", "--workers", "2", REDIS_URL="")

    assert result.returncode == 2
    assert "WORKERS above 1 needs REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_workers_start_on_a_fresh_database(tmp_path: Path, backend: str) -> None:
    """Migrations run once, before the workers start: both workers start and the API answers."""
    database_url = sqlite_url(tmp_path) if backend == "sqlite" else asyncio.run(create_postgres_database())
    # A channel of its own on the shared Redis: no other test's (or other run's) server hears its events.
    environment = {
        "DATABASE_URL": database_url, "WORKERS": "2", "REDIS_URL": require_shared_redis(),
        "EVENT_CHANNEL": unique_channel(),
    }  # fmt: skip
    try:
        with sigap_server(tmp_path, LOG_LEVEL="info", **environment) as server:
            deadline = time.monotonic() + 60
            while server.log().count("Application startup complete") < 2:
                assert server.process.poll() is None, server.log()
                assert time.monotonic() < deadline, server.log()
                time.sleep(0.1)
            answer = httpx.post(server.url + "/graphql", json={"query": "{ agencies { code } }"}, timeout=10)

            assert answer.status_code == 200, answer.text
            assert len(answer.json()["data"]["agencies"]) == 7
            assert "Traceback" not in server.log()
            assert "already exists" not in server.log()
    finally:
        if backend == "postgres":
            asyncio.run(drop_postgres_database(database_url))


def test_a_setting_that_is_not_finite_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    for name in ("LIVE_KEEPALIVE", "STATEMENT_TIMEOUT"):
        result = sigap(tmp_path, "serve", **{name: "nan", "PORT": "0"})

        assert result.returncode == 2
        assert f"{name} must be a finite number, got 'nan'" in result.stderr
        assert "Traceback" not in result.stderr
