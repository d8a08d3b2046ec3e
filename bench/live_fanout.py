"""Live fan-out benchmark: one server process, N websocket subscribers on the city wall's feed
(in separate client processes), report status changes made through the API.

For each N it runs the shared engine (one execution per event for all identical subscriptions)
and, in the same run, the baseline: Strawberry's own graphql-transport-ws handler, which
executes the subscription once per subscriber (LIVE_ENGINE=per-subscriber). It prints:
- commit-to-client latency (event.createdAt to arrival) of single changes: p50, p99, and the
  last client's;
- deliveries per second over a burst of changes (all N clients, every change), with p50/p99;
- the server's memory per subscriber.

    python -m bench.live_fanout --subscribers 1000 5000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from tests.server_process import command_center_headers

REPO = Path(__file__).resolve().parent.parent
FILE = """mutation($i: FileReportInput!) { fileReport(input: $i) { report { id } errors { code } } }"""
ACKNOWLEDGE = """mutation($id: ID!) { updateReportStatus(input: {id: $id, status: ACKNOWLEDGED}) {
  event { cursor } errors { code } } }"""


@dataclass
class Result:
    engine: str
    subscribers: int
    single_p50: float
    single_p99: float
    single_last: float
    burst_changes: int
    deliveries_per_s: float
    burst_p50: float
    burst_p99: float
    kib_per_subscriber: float
    missing: int


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, engine: str, folder: Path, port: int) -> None:
        env = {
            **os.environ,
            "PORT": str(port),
            "DATABASE_URL": f"sqlite://{folder / f'{engine}.db'}",
            "LIVE_ENGINE": engine,
            "LOG_LEVEL": "warning",
            "JWT_SECRET": secrets.token_urlsafe(32),
            # One load generator is one client address: limits sized for the load, not for abuse.
            "LIVE_MAX_CONNECTIONS_PER_CLIENT": "100000",
            "RATE_LIMIT_FILE_REPORT": "100000/minute",
            "RATE_LIMIT_FILE_REPORT_PER_ADDRESS": "100000/minute",
            "QUERY_POINTS_PER_HOUR": str(10**9),
        }
        self.environment = env
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve"], cwd=REPO, env=env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start")
            time.sleep(0.1)
        self.staff = command_center_headers(self.url, env)  # status changes need a signed-in officer

    def stats(self) -> dict[str, int]:
        return dict(httpx.get(self.url + "/live", timeout=30).json())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class ClientProcess:
    def __init__(self, url: str, count: int) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "bench.live_subscribers", "--url", url, "--count", str(count)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self) -> dict[str, object]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a client process died")
        return dict(orjson.loads(line))

    def send(self, command: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(orjson.dumps(command) + b"\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def collect(
    clients: list[ClientProcess], cursors: list[str], timeout: float
) -> tuple[list[float], float, int]:
    for client in clients:
        client.send({"cmd": "collect", "cursors": cursors, "timeout": timeout})
    latencies: list[float] = []
    last, missing = 0.0, 0
    for client in clients:
        answer = client.read()
        latencies += answer["latencies_ms"]  # type: ignore[arg-type]
        last = max(last, float(answer["last"]))  # type: ignore[arg-type]
        missing += int(answer["missing"])  # type: ignore[call-overload]
    return latencies, last, missing


async def acknowledge_all(
    url: str, report_ids: list[str], concurrency: int, headers: dict[str, str]
) -> list[str]:
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=120, headers=headers) as http:

        async def one(report_id: str) -> str:
            async with gate:
                response = await http.post(
                    url + "/graphql", json={"query": ACKNOWLEDGE, "variables": {"id": report_id}}
                )
                return str(response.json()["data"]["updateReportStatus"]["event"]["cursor"])

        return await asyncio.gather(*(one(i) for i in report_ids))


def file_reports(url: str, count: int) -> list[str]:
    ids = []
    with httpx.Client(timeout=30) as http:
        for n in range(count):
            variables = {
                "i": {
                    "title": f"Laporan uji {n}",
                    "description": "Tumpukan sampah di pinggir jalan",
                    "categoryCode": "SAMPAH",
                    "location": {"lat": -10.17 - (n % 100) * 0.0005, "lon": 123.60 + (n % 100) * 0.0005},
                }
            }
            ids.append(http.post(url + "/graphql", json={"query": FILE, "variables": variables}).json())
    return [r["data"]["fileReport"]["report"]["id"] for r in ids]


def run(engine: str, subscribers: int, burst: int, singles: int, client_processes: int, port: int) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        server = Server(engine, Path(folder), port)
        try:
            reports = file_reports(server.url, singles + burst)
            rss_before = rss_kib(server.process.pid)
            shares = [
                subscribers // client_processes + (i < subscribers % client_processes)
                for i in range(client_processes)
            ]
            ws_url = server.url.replace("http://", "ws://") + "/graphql"
            clients = [ClientProcess(ws_url, share) for share in shares]
            try:
                for client in clients:
                    client.read()  # ready
                counter = "members" if engine == "shared" else "listeners"
                while server.stats()[counter] < subscribers:
                    time.sleep(0.2)
                kib = (rss_kib(server.process.pid) - rss_before) / subscribers

                single: list[float] = []
                lasts: list[float] = []
                missing = 0
                for report_id in reports[:singles]:
                    [cursor] = asyncio.run(acknowledge_all(server.url, [report_id], 1, server.staff))
                    latencies, _, lost = collect(clients, [cursor], timeout=120)
                    single += latencies
                    lasts.append(max(latencies) if latencies else float("nan"))
                    missing += lost

                started = time.time()
                cursors = asyncio.run(acknowledge_all(server.url, reports[singles:], 4, server.staff))
                latencies, last, lost = collect(clients, cursors, timeout=600)
                missing += lost
                delivered = len(latencies)
                return Result(
                    engine=engine,
                    subscribers=subscribers,
                    single_p50=percentile(single, 0.50),
                    single_p99=percentile(single, 0.99),
                    single_last=statistics.median(lasts),
                    burst_changes=burst,
                    deliveries_per_s=delivered / (last - started) if last > started else float("nan"),
                    burst_p50=percentile(latencies, 0.50),
                    burst_p99=percentile(latencies, 0.99),
                    kib_per_subscriber=kib,
                    missing=missing,
                )
            finally:
                for client in clients:
                    client.stop()
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1000])
    parser.add_argument("--burst", type=int, default=100, help="status changes in the shared engine's burst")
    parser.add_argument("--baseline-burst", type=int, default=20, help="the baseline's burst (it is slow)")
    parser.add_argument("--singles", type=int, default=5, help="single changes timed one at a time")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=8911)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of sockets; children inherit it

    results = []
    for n in args.subscribers:
        for engine, burst in (("shared", args.burst), ("per-subscriber", args.baseline_burst)):
            print(f"running {engine} with {n} subscribers...", file=sys.stderr, flush=True)
            results.append(run(engine, n, burst, args.singles, args.client_processes, args.port))

    print(
        f"{'engine':<15}{'subs':>6} | {'single p50':>10}{'p99':>8}{'last':>8} (ms) | "
        f"{'burst':>5}{'deliv/s':>9}{'p50':>8}{'p99':>8} (ms) | {'KiB/sub':>7}{'missing':>8}"
    )
    for r in results:
        print(
            f"{r.engine:<15}{r.subscribers:>6} | "
            f"{r.single_p50:>10.0f}{r.single_p99:>8.0f}{r.single_last:>8.0f}      | "
            f"{r.burst_changes:>5}{r.deliveries_per_s:>9.0f}{r.burst_p50:>8.0f}{r.burst_p99:>8.0f}      | "
            f"{r.kib_per_subscriber:>7.1f}{r.missing:>8}"
        )
    by_size: dict[int, dict[str, Result]] = {}
    for r in results:
        by_size.setdefault(r.subscribers, {})[r.engine] = r
    for n, pair in by_size.items():
        ratio = pair["shared"].deliveries_per_s / pair["per-subscriber"].deliveries_per_s
        print(
            f"{n} subscribers: shared engine delivers {ratio:.1f}x the per-subscriber baseline's deliveries/s"
        )


if __name__ == "__main__":
    main()
