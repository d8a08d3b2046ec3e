"""Delivery latency per event kind and per writer: `published_at - created_at` (commit to bus, as the
relay marks it) and mutation-to-subscriber (the change returned -> a GraphQL `reportEvents`
subscriber received the event), in-process with the relay as deployed (sweep every 10 s for events
older than 5 s). A negative mutation-to-subscriber time: the event reached the subscriber before the
mutation's own answer was back.

Every writer of every kind (tests/event_writers.py, the same the delivery test uses) runs
`--repeat` times, each change alone (the next starts once it was delivered, or after 40 s: another
change's announcement would otherwise carry it); the table shows medians and maxima in ms.
Where kinds wait for the relay's sweep, pass a few `--kinds` at a time to stay within a minute.

    .venv/bin/python -m bench.event_latency                        # SQLite
    .venv/bin/python -m bench.event_latency --database postgres    # a fresh PostgreSQL database

Runs against any checkout that has tests/event_writers.py and tests/live_in_process.py (copy them
into an older one to measure it)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bench.databases import connected_database
from models import ReportEvent
from realtime.feed import latest_event_id
from resolvers import rate_limits
from tests.event_writers import WRITERS, make_city
from tests.live_clients import wait_until_async
from tests.live_in_process import Subscriber, live_feed

DEPLOYED_SWEEP, DEPLOYED_GRACE = 10.0, 5.0  # realtime.relay.Relay's defaults
GIVE_UP = 40.0  # seconds to wait for one delivery


@dataclass
class Pending:
    kind: str
    writer: str
    after: int  # the newest event id before the change
    returned: float | None = None  # monotonic time the change returned
    cursor: int | None = None
    arrived: float | None = None  # often before the mutation's own answer is back

    @property
    def delivered_ms(self) -> float | None:
        if self.arrived is None or self.returned is None:
            return None
        return (self.arrived - self.returned) * 1000


@dataclass
class Row:
    published_ms: list[float] = field(default_factory=list)
    delivered_ms: list[float] = field(default_factory=list)


async def run(repeat: int, photo_folder: Path, kinds: set[str]) -> list[Pending]:
    rate_limits.configure(None, {"file_report": "100000/minute", "file_report_per_address": "100000/minute"})
    city = await make_city(photo_folder)
    pending: list[Pending] = []
    async with live_feed(sweep_interval=DEPLOYED_SWEEP, grace=DEPLOYED_GRACE) as hub:
        subscriber = await Subscriber.open(hub, city.dispatcher)

        async def collect() -> None:
            while True:
                cursor, kind = await subscriber.next()
                arrived = time.monotonic()
                for item in pending:
                    if item.cursor is None and item.kind == kind and cursor > item.after:
                        item.cursor, item.arrived = cursor, arrived
                        break

        collecting = asyncio.create_task(collect())
        for _ in range(repeat):
            for kind, writers in WRITERS.items():
                for writer in writers if kind.value in kinds else ():
                    act = await writer(city)
                    item = Pending(kind.value, writer.__name__, await latest_event_id())
                    pending.append(item)
                    await act()
                    item.returned = time.monotonic()
                    # Alone: the next change's announcement would wake the hub for this one too.
                    with contextlib.suppress(TimeoutError):
                        await wait_until_async(partial(_arrived, item), within=GIVE_UP, what="delivered")

        async def all_published() -> bool:
            return not await ReportEvent.filter(published_at__isnull=True).exists()

        with contextlib.suppress(TimeoutError):  # what never came shows as "never"
            await wait_until_async(all_published, within=GIVE_UP, what="every event published")
        collecting.cancel()
        await subscriber.close()
    return pending


async def _arrived(item: Pending) -> bool:
    return item.arrived is not None


async def published_ms(cursor: int) -> float | None:
    event = await ReportEvent.get(id=cursor)
    if event.published_at is None:
        return None
    return (event.published_at - event.created_at).total_seconds() * 1000


def _cell(values: list[float]) -> str:
    if not values:
        return "never"
    return f"{statistics.median(values):8.0f} {max(values):8.0f}"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kinds", nargs="*", default=[k.value for k in WRITERS], help="default: all")
    args = parser.parse_args()
    async with connected_database(args.database, "sigap_bench_event_latency") as folder:
        results = await run(args.repeat, folder / "photos", set(args.kinds))
        rows: dict[tuple[str, str], Row] = {}
        for item in results:
            row = rows.setdefault((item.kind, item.writer), Row())
            if item.cursor is not None and item.delivered_ms is not None:
                row.delivered_ms.append(item.delivered_ms)
                if (published := await published_ms(item.cursor)) is not None:
                    row.published_ms.append(published)
    print(f"{args.database}, {args.repeat} runs per writer; milliseconds (median, max)")
    print(f"{'kind':<17} {'writer':<18} {'published-created':>17} {'mutation->subscriber':>20}")
    for (kind, writer), row in rows.items():
        print(f"{kind:<17} {writer:<18} {_cell(row.published_ms):>17} {_cell(row.delivered_ms):>20}")


if __name__ == "__main__":
    asyncio.run(main())
