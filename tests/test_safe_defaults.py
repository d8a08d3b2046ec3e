"""What can hurt a deployment is never on by a forgotten variable: the fault that kills the relay
between commit and publish exists only in a test entry point (tests/crashing_server.py), and a
test environment escalates overdue reports like any other unless its schedule says otherwise."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from server.settings import Settings
from tests.live_clients import file_report_http, wait_until
from tests.server_process import sigap_server


def test_the_jobs_schedule_is_explicit_in_every_environment() -> None:
    for environment in ("development", "test"):
        assert Settings.from_env({"SIGAP_ENV": environment}).jobs_interval_s == 60.0
    assert Settings.from_env({"SIGAP_ENV": "test", "JOBS_INTERVAL_SECONDS": "0"}).jobs_interval_s == 0.0


def test_the_old_fault_switch_does_nothing_to_a_server(tmp_path: Path) -> None:
    with sigap_server(tmp_path, SIGAP_FAULT_CRASH_BEFORE_PUBLISH="1") as server:
        report = file_report_http(server.url, "Tetap hidup")

        def published() -> bool:
            with sqlite3.connect(tmp_path / "server.db") as database:
                row = database.execute(
                    "SELECT published_at FROM report_events WHERE id = ?", (int(report["cursor"]),)
                ).fetchone()
            return row is not None and row[0] is not None

        wait_until(published, what="the filing's event published")
        assert server.process.poll() is None  # alive
