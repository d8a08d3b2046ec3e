"""SIGTERM on a real server: websockets close with 1001 and SSE streams end, so clients resume
elsewhere; a request in flight still gets its answer; the process then exits."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson

from tests.live_clients import FEED, FILE, TransportWsClient, live_stats, wait_until
from tests.server_process import sigap_server

FILING = {
    "query": FILE,
    "variables": {
        "i": {
            "title": "Got tersumbat",
            "description": "Air meluap ke jalan",
            "categoryCode": "SAMPAH",
            "location": {"lat": -10.17, "lon": 123.607},
        }
    },
}


async def test_sigterm_closes_sockets_ends_streams_and_finishes_requests(tmp_path: Path) -> None:
    with sigap_server(tmp_path) as server:
        socket = await TransportWsClient.open(server.url)
        await socket.subscribe("feed")
        async with httpx.AsyncClient(timeout=20) as http:
            sse_request = http.build_request(
                "POST", server.url + "/graphql", json={"query": FEED}, headers={"accept": "text/event-stream"}
            )
            stream = await http.send(sse_request, stream=True)
            assert stream.status_code == 200
            wait_until(lambda: live_stats(server.url)["members"] == 2, what="both subscribers registered")

            body = orjson.dumps(FILING)
            first_half_sent, release = asyncio.Event(), asyncio.Event()

            async def slow_body() -> AsyncIterator[bytes]:
                yield body[: len(body) // 2]
                first_half_sent.set()  # httpx asks for the next chunk once the first is written
                await release.wait()
                yield body[len(body) // 2 :]

            in_flight = asyncio.create_task(
                http.post(
                    server.url + "/graphql", content=slow_body(), headers={"content-type": "application/json"}
                )
            )
            await asyncio.wait_for(first_half_sent.wait(), 10)

            server.process.send_signal(signal.SIGTERM)

            assert await socket.closed_with() == (1001, "server shutting down")
            rest = [chunk async for chunk in stream.aiter_bytes()]  # ends, rather than hanging
            await stream.aclose()
            release.set()
            answer = await asyncio.wait_for(in_flight, 15)

        returncode = await asyncio.to_thread(server.process.wait, 15)

    assert b"event: complete" not in b"".join(rest)  # not completed: cut, for the client to resume
    assert answer.status_code == 200
    filed = answer.json()["data"]["fileReport"]
    assert filed["errors"] == []
    assert filed["report"] is not None
    assert returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in server.log()
