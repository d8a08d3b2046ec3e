"""Several server processes on one PostgreSQL and one Redis, and the faults the live feed must
survive: Redis stopped mid-stream, and a process killed between commit and publish."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.databases import create_postgres_database, drop_postgres_database
from tests.live_clients import (
    TransportWsClient,
    change_status_http,
    file_report_http,
    live_stats,
    wait_until,
)
from tests.redis_servers import PrivateRedis, private_redis, unique_channel
from tests.server_process import RunningServer, sigap_server

pytestmark = pytest.mark.postgres


@dataclass
class Deployment:
    database_url: str
    redis: PrivateRedis
    folder: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
async def deployment(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    folder = tmp_path_factory.mktemp("redis-live")
    database_url = await create_postgres_database(migrated=True)
    try:
        with private_redis(folder) as redis_server:
            env = {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_server.url,
                "EVENT_CHANNEL": unique_channel(),
            }
            yield Deployment(database_url, redis_server, folder, env)
    finally:
        await drop_postgres_database(database_url)


@pytest.fixture(scope="module")
def process_a(deployment: Deployment) -> Iterator[RunningServer]:
    with sigap_server(deployment.folder, **deployment.env) as server:
        yield server


@pytest.fixture(scope="module")
def process_b(deployment: Deployment, process_a: RunningServer) -> Iterator[RunningServer]:
    with sigap_server(deployment.folder, **deployment.env) as server:  # after A: one migrates and seeds
        yield server


async def unpublished_events(database_url: str) -> list[int]:
    connection = await asyncpg.connect("postgresql://" + database_url.split("://", 1)[1])
    try:
        rows = await connection.fetch("SELECT id FROM report_events WHERE published_at IS NULL ORDER BY id")
    finally:
        await connection.close()
    return [row["id"] for row in rows]


async def live_subscriber(server: RunningServer, after: str) -> TransportWsClient:
    """A subscriber registered on the server's feed, following it after the cursor."""
    members = live_stats(server.url)["members"]
    client = await TransportWsClient.open(server.url)
    await client.subscribe("feed", variables={"after": after})
    await asyncio.to_thread(
        wait_until, lambda: live_stats(server.url)["members"] > members, what="subscribed"
    )
    return client


async def nothing_more(client: TransportWsClient) -> None:
    """Whatever was on its way has arrived once a ping is answered: assert it was nothing."""
    await client.send({"type": "ping"})
    assert await client.receive() == {"type": "pong"}


async def test_a_change_through_process_b_reaches_a_subscriber_of_process_a(
    process_a: RunningServer, process_b: RunningServer
) -> None:
    report = await asyncio.to_thread(file_report_http, process_b.url, "Lampu mati")
    client = await live_subscriber(process_a, after=report["cursor"])

    cursor = await asyncio.to_thread(change_status_http, process_b, report["id"], "ACKNOWLEDGED")
    [event] = await client.events(1)
    await nothing_more(client)
    await client.close()

    assert event["cursor"] == cursor
    assert event["event"] == {"kind": "STATUS_CHANGED", "fromStatus": "SUBMITTED", "toStatus": "ACKNOWLEDGED"}
    assert event["report"]["code"] == report["code"]


async def test_redis_restart_mid_stream_loses_nothing_and_filing_goes_on(
    deployment: Deployment, process_a: RunningServer, process_b: RunningServer
) -> None:
    start = await asyncio.to_thread(file_report_http, process_b.url, "Sebelum")
    client = await live_subscriber(process_a, after=start["cursor"])

    deployment.redis.stop()
    while_down = [
        await asyncio.to_thread(file_report_http, process_b.url, f"Saat Redis mati {n}") for n in range(3)
    ]
    deployment.redis.start()
    events = await client.events(3, within=20)
    await nothing_more(client)
    await client.close()
    resumed = await TransportWsClient.open(process_a.url)
    await resumed.subscribe("feed", variables={"after": start["cursor"]})
    replayed = await resumed.events(3)
    await nothing_more(resumed)
    await resumed.close()
    await asyncio.to_thread(
        wait_until, lambda: not asyncio.run(unpublished_events(deployment.database_url)), what="all published"
    )

    expected = [(r["cursor"], r["code"]) for r in while_down]
    assert [(e["cursor"], e["report"]["code"]) for e in events] == expected
    assert [(e["cursor"], e["report"]["code"]) for e in replayed] == expected


async def test_a_process_killed_between_commit_and_publish_loses_nothing(
    deployment: Deployment, process_a: RunningServer, process_b: RunningServer
) -> None:
    start = await asyncio.to_thread(file_report_http, process_b.url, "Sebelum")
    client = await live_subscriber(process_a, after=start["cursor"])
    with sigap_server(deployment.folder, entry="tests.crashing_server", **deployment.env) as doomed:
        # The process may die before it answers: the commit is what matters.
        with contextlib.suppress(httpx.TransportError, AssertionError, ValueError):
            await asyncio.to_thread(file_report_http, doomed.url, "Ditulis lalu mati")
        await asyncio.to_thread(doomed.process.wait, 20)
        assert doomed.process.returncode == -signal.SIGKILL
    orphans = await unpublished_events(deployment.database_url)
    assert len(orphans) == 1
    await nothing_more(client)  # committed, never published: nobody has heard of it yet

    with sigap_server(deployment.folder, **deployment.env):  # the process comes back
        [event] = await client.events(1, within=20)
        await nothing_more(client)
    await client.close()
    resumed = await TransportWsClient.open(process_a.url)
    await resumed.subscribe("feed", variables={"after": start["cursor"]})
    [replayed] = await resumed.events(1)
    await nothing_more(resumed)
    await resumed.close()

    assert event["cursor"] == replayed["cursor"] == str(orphans[0])
    assert event["report"]["title"] == "Ditulis lalu mati"
    assert await unpublished_events(deployment.database_url) == []
