"""Does a change wait for its notifications? `updateReportStatus` round trips in-process, first with
no delivery runner, then with a runner whose consumer plans nothing (the framework's own cost), then
with the runner of `sigap serve` planning notifications for a reporter and
`--followers` followers each and mailing them to an SMTP server that accepts connections and never
answers (every send hangs until the send timeout). The table shows milliseconds per change.

    .venv/bin/python -m bench.notification_latency                        # SQLite
    .venv/bin/python -m bench.notification_latency --database postgres    # a fresh PostgreSQL database
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence

from bench.databases import connected_database
from models import ReportEvent, Role
from realtime.deliveries import DeliveryDraft, DeliveryPolicy, consume_once
from realtime.delivery_runner import DeliveryRunner, running_deliveries
from resolvers import mail, rate_limits
from resolvers.identity import Principal
from resolvers.notification_consumer import NotificationsConsumer
from resolvers.notification_senders import EmailSender
from tests.casework_api import change, move
from tests.graphql import citizen, file_report, staff

STATUSES = ["ACKNOWLEDGED", "IN_PROGRESS"]


class Idle:
    name = "bench-idle"

    async def plan(self, events: Sequence[ReportEvent]) -> Sequence[DeliveryDraft]:
        return []


async def changes(reports: list[str], officer: Principal) -> list[float]:
    """Milliseconds of each status change, one report after another."""
    spent = []
    for status in STATUSES:
        for report_id in reports:
            started = time.perf_counter()
            await move(report_id, [status], officer)
            spent.append((time.perf_counter() - started) * 1000)
    return spent


async def filed(count: int, followers: int, round_name: str) -> list[str]:
    ids = []
    for n in range(count):
        reporter = await citizen(f"Pelapor{round_name}{n}")
        report = await file_report(reporter, title=f"Sampah {n}")
        for f in range(followers):
            follower = await citizen(f"Pengikut{round_name}{n}x{f}")
            assert (await change("followReport", follower, id=report["id"]))["errors"] == []
        ids.append(report["id"])
    return ids


async def run(reports: int, followers: int) -> dict[str, list[float]]:
    rate_limits.configure(None, {"file_report": "100000/minute", "file_report_per_address": "100000/minute"})
    officer = await staff(Role.OFFICER, "DLH", "Petugas DLH")
    results = {"no runner": await changes(await filed(reports, followers, "a"), officer)}

    # The framework's own cost: a consumer that reads every event and plans nothing.
    idle = DeliveryRunner([Idle()], {}, poll_seconds=2)
    ids = await filed(reports, followers, "i")
    await consume_once(Idle())
    async with running_deliveries(idle):
        results["runner, planning nothing"] = await changes(ids, officer)

    hanging: list[asyncio.StreamWriter] = []

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hanging.append(writer)

    hole = await asyncio.start_server(hang, "127.0.0.1", 0)
    mail.configure(f"smtp://127.0.0.1:{hole.sockets[0].getsockname()[1]}", "Sigap <no-reply@kupang.test>")
    senders = {"email": EmailSender()}
    consumer = NotificationsConsumer("https://sigap.kupang.test", channels=senders)
    ids = await filed(reports, followers, "b")
    await consume_once(consumer)
    runner = DeliveryRunner([consumer], senders, policy=DeliveryPolicy(send_timeout=30), poll_seconds=2)
    try:
        async with running_deliveries(runner):
            results["runner, SMTP hanging"] = await changes(ids, officer)
    finally:
        for writer in hanging:
            writer.close()
        hole.close()
        mail.configure(None, "")
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--reports", type=int, default=15)
    parser.add_argument("--followers", type=int, default=5)
    args = parser.parse_args()
    async with connected_database(args.database, "sigap_bench_notification_latency"):
        results = await run(args.reports, args.followers)
    print(f"{args.database}: {args.reports} reports x {len(STATUSES)} status changes, each told to its "
          f"reporter and {args.followers} followers; updateReportStatus in ms")  # fmt: skip
    print(f"{'':<22} {'median':>8} {'p90':>8} {'max':>8}")
    for name, spent in results.items():
        deciles = statistics.quantiles(spent, n=10)
        print(f"{name:<22} {statistics.median(spent):>8.1f} {deciles[8]:>8.1f} {max(spent):>8.1f}")


if __name__ == "__main__":
    asyncio.run(main())
