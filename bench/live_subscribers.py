"""The subscribers of the live benchmark: N websocket clients in a process of their own.

Each connection subscribes to the city wall's feed and records, for every event, when it
arrived and how long after the event's commit (`event.createdAt`). The coordinator
(bench.live_fanout) talks to this process through stdin/stdout, one JSON object per line:
  -> {"cmd": "collect", "cursors": [...], "timeout": s}   <- {"latencies_ms": [...], "last": t, ...}
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import sys
import time
from collections import Counter
from datetime import datetime

import orjson
import websockets

WALL_FEED = """subscription WallFeed($after: String) {
  reportEvents(after: $after) {
    cursor
    event { kind fromStatus toStatus createdAt }
    report { id code title status publicGroup dueAt updatedAt
             location { lat lon } category { name } agency { code name } }
  }
}"""


class Subscribers:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.latencies_ms: list[float] = []
        self.last_arrival = 0.0
        self.connections: list[websockets.ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.arrived = asyncio.Event()
        self.lost = 0

    async def connect(self, url: str, count: int, concurrency: int = 100) -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                connection = await websockets.connect(
                    url,
                    subprotocols=["graphql-transport-ws"],
                    compression=None,
                    open_timeout=60,
                    max_queue=None,  # type: ignore[list-item]
                )
                await connection.send('{"type":"connection_init"}')
                assert orjson.loads(await connection.recv())["type"] == "connection_ack"
                await connection.send(
                    orjson.dumps(
                        {"id": "wall", "type": "subscribe", "payload": {"query": WALL_FEED}}
                    ).decode()
                )
                self.connections.append(connection)
                self.readers.append(asyncio.create_task(self.read(connection)))

        await asyncio.gather(*(one() for _ in range(count)))

    async def read(self, connection: websockets.ClientConnection) -> None:
        try:
            async for frame in connection:
                arrived = time.time()
                message = orjson.loads(frame)
                if message["type"] == "ping":
                    await connection.send('{"type":"pong"}')
                    continue
                if message["type"] != "next":
                    continue
                feed = message["payload"]["data"]["reportEvents"]
                committed = datetime.fromisoformat(feed["event"]["createdAt"]).timestamp()
                self.counts[feed["cursor"]] += 1
                self.latencies_ms.append((arrived - committed) * 1000)
                self.last_arrival = max(self.last_arrival, arrived)
                self.arrived.set()
        except websockets.ConnectionClosed:
            self.lost += 1

    async def collect(self, cursors: list[str], within: float) -> dict[str, object]:
        deadline = time.monotonic() + within
        expected = len(self.connections)
        while any(self.counts[c] < expected for c in cursors) and time.monotonic() < deadline:
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), max(0.0, deadline - time.monotonic()))
        result = {
            "latencies_ms": [round(v, 2) for v in self.latencies_ms],
            "last": self.last_arrival,
            "missing": sum(max(0, expected - self.counts[c]) for c in cursors),
            "lost_connections": self.lost,
        }
        self.latencies_ms = []
        return result


async def serve(url: str, count: int) -> None:
    subscribers = Subscribers()
    await subscribers.connect(url, count)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(orjson.dumps({"ready": len(subscribers.connections)}).decode(), flush=True)
    while line := await reader.readline():
        command = orjson.loads(line)
        if command["cmd"] == "collect":
            result = await subscribers.collect(command["cursors"], command["timeout"])
            print(orjson.dumps(result).decode(), flush=True)
    for connection in subscribers.connections:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(serve(args.url, args.count))


if __name__ == "__main__":
    main()
