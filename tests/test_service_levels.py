"""Overdue escalation: each report escalated once per missed target, however many job runs go at
once, in one process or in several `sigap jobs run-once` processes; and the job inside `sigap serve`."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

from models import EscalationTarget, EventKind, Report, ReportEvent, Role
from resolvers.service_levels import escalate_overdue, run_periodic_jobs
from resolvers.timeline import utcnow
from schema.ids import from_global_id
from tests.casework_api import move
from tests.conftest import Database
from tests.graphql import file_report, gql, staff
from tests.server_process import REPO, sigap_server

FIRE = {
    "title": "Kebakaran",
    "description": "Api besar",
    "categoryCode": "KEBAKARAN",
    "location": {"lat": -10.17, "lon": 123.607},
}


async def _escalations() -> list[tuple[int, str]]:
    rows = (
        await ReportEvent.filter(kind=EventKind.ESCALATED).order_by("report_id").values("report_id", "data")
    )
    return sorted((row["report_id"], row["data"]["target"]) for row in rows)


async def _overdue_reports(count: int) -> list[int]:
    """New reports whose acknowledge and resolve targets passed an hour ago."""
    ids = []
    for _ in range(count):
        report = await file_report()
        ids.append(from_global_id(report["id"], "Report"))
    past = utcnow() - timedelta(hours=1)
    await Report.filter(id__in=ids).update(acknowledge_due_at=past, due_at=past)
    return ids


async def test_overdue_reports_are_escalated_once_per_target(db: Database) -> None:
    submitted, acknowledged = await _overdue_reports(2)
    dispatcher = await staff(Role.DISPATCHER, "DLH", "Dispatcher")
    report = await Report.get(id=acknowledged)
    await move(
        (await gql("query($c: String!) { report(code: $c) { id } }", {"c": report.code}))["report"]["id"],
        ["ACKNOWLEDGED"],
        dispatcher,
    )
    on_time = await file_report()

    first = await run_periodic_jobs()
    second = await run_periodic_jobs()

    assert first.escalated == {EscalationTarget.ACKNOWLEDGE: 1, EscalationTarget.RESOLVE: 2}
    assert second.escalated == {EscalationTarget.ACKNOWLEDGE: 0, EscalationTarget.RESOLVE: 0}
    assert await _escalations() == [
        (submitted, "ACKNOWLEDGE"),
        (submitted, "RESOLVE"),
        (acknowledged, "RESOLVE"),
    ]
    data = await gql(
        "query($id: ID!) { report(id: $id) { isOverdue timeline { kind } } }", {"id": on_time["id"]}
    )
    assert data["report"]["isOverdue"] is False
    assert "ESCALATED" not in [e["kind"] for e in data["report"]["timeline"]]


async def test_finished_reports_are_not_escalated(db: Database) -> None:
    (report_id,) = await _overdue_reports(1)
    await Report.filter(id=report_id).update(status="REJECTED")

    run = await run_periodic_jobs()

    assert sum(run.escalated.values()) == 0
    assert await _escalations() == []


async def test_concurrent_runs_in_one_process_escalate_each_report_once(db: Database) -> None:
    ids = await _overdue_reports(12)

    counts = await asyncio.gather(*(escalate_overdue(EscalationTarget.RESOLVE, utcnow()) for _ in range(6)))

    assert sum(counts) == 12
    assert await _escalations() == [(i, "RESOLVE") for i in ids]


async def test_several_job_processes_at_once_escalate_each_report_once(db: Database) -> None:
    ids = await _overdue_reports(40)
    env = {**os.environ, "DATABASE_URL": db.url, "SIGAP_ENV": "test"}
    command = [sys.executable, "-m", "server.cli", "jobs", "run-once"]

    processes = [
        await asyncio.create_subprocess_exec(
            *command, cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        for _ in range(4)
    ]
    finished = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), timeout=60)
    outputs = [out.decode() for out, _ in finished]

    assert [process.returncode for process in processes] == [0, 0, 0, 0], outputs
    assert await _escalations() == sorted([(i, "ACKNOWLEDGE") for i in ids] + [(i, "RESOLVE") for i in ids])
    said = sum(int(out.split("escalated ")[2].split(" ")[0]) for out in outputs)
    assert said == 40, outputs  # the RESOLVE escalations the four processes reported add up


def test_sigap_serve_runs_the_jobs_in_the_background(tmp_path: Path) -> None:
    with sigap_server(tmp_path, JOBS_INTERVAL_SECONDS="0.2") as server:
        filed = httpx.post(
            server.url + "/graphql",
            json={
                "query": "mutation($i: FileReportInput!) { fileReport(input: $i) { report { id } } }",
                "variables": {"i": FIRE},
            },
        ).json()  # fmt: skip
        report_id = filed["data"]["fileReport"]["report"]["id"]
        database = sqlite3.connect(tmp_path / "server.db")
        past = (utcnow() - timedelta(minutes=1)).isoformat(" ")
        database.execute("UPDATE reports SET acknowledge_due_at = ?, due_at = ?", (past, past))
        database.commit()
        database.close()
        query = "query($id: ID!) { report(id: $id) { timeline { kind data } } }"
        deadline = time.monotonic() + 15
        kinds: list[str] = []
        while time.monotonic() < deadline:
            body = httpx.post(
                server.url + "/graphql", json={"query": query, "variables": {"id": report_id}}
            ).json()
            kinds = [e["kind"] for e in body["data"]["report"]["timeline"]]
            if kinds.count("ESCALATED") == 2:
                break
            time.sleep(0.1)
        assert kinds == ["FILED", "ESCALATED", "ESCALATED"]
