"""The `sigap` command on a fresh database: migrate, seed, and clear errors for bad settings."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def sigap(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'cli.db'}", **env}
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
