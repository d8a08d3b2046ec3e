"""Benchmark: `reports(first: 50)` with nested category and agency, against a plain endpoint.

Seeds 10,000 reports into a PostgreSQL database, starts Sigap (`sigap serve`) and the plain
Starlette endpoint (bench/plain_endpoint.py) as separate processes, and drives each with wrk
(16 connections, 10 s by default). Prints requests/s, p50/p99 latency and the server's peak memory,
and the GraphQL/plain throughput ratio measured in this same run.

    python -m bench.reports_page [--duration 10] [--connections 16] [--reports 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import orjson

from bench.databases import fresh_database, pg
from resolvers.public_code import new_public_code

REPO = Path(__file__).resolve().parent.parent
WRK = shutil.which("wrk") or "wrk"
QUERY = """{ reports(first: 50) { edges { node { id title status location { lat lon } createdAt
  category { code name } agency { code name } } } } }"""


@dataclass
class Result:
    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float


async def prepare_database(name: str, count: int) -> str:
    url = await fresh_database(name)
    connection = await asyncpg.connect(pg(url))
    categories = await connection.fetch("SELECT id, agency_id, resolution_hours FROM categories")
    rng = random.Random(7)
    now = datetime.now(UTC)
    statuses = ["SUBMITTED", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED"]
    rows = []
    for n in range(count):
        category = rng.choice(categories)
        created = now - timedelta(minutes=n * 7)
        lat, lon = -10.27 + rng.random() * 0.18, 123.50 + rng.random() * 0.22
        rows.append(
            (
                new_public_code(), f"Laporan warga nomor {n}", "Deskripsi laporan " * 5,
                category["id"], category["agency_id"], None, lat, lon, lat, lon, None,
                rng.choice(statuses), None, None, None, None,
                created, created, None, None, None,
                created + timedelta(hours=1), created + timedelta(hours=category["resolution_hours"]),
                0, True, "APP",
            )
        )  # fmt: skip
    columns = [
        "code", "title", "description", "category_id", "agency_id", "area_id", "latitude", "longitude",
        "public_latitude", "public_longitude", "address", "status", "status_reason", "duplicate_of_id",
        "reporter_id", "assignee_id", "created_at",
        "updated_at", "acknowledged_at", "resolved_at", "closed_at", "acknowledge_due_at", "due_at",
        "dispute_count", "reporter_follows", "channel",  # the ORM's defaults live in Python, not in the table
    ]  # fmt: skip
    await connection.copy_records_to_table("reports", records=rows, columns=columns)
    await connection.execute(
        "INSERT INTO report_events (report_id, kind, to_status, created_at, published_at, is_internal) "
        "SELECT id, 'FILED', 'SUBMITTED', created_at, created_at, FALSE FROM reports"
    )
    await connection.execute("ANALYZE")
    await connection.close()
    return url


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    command: list[str], env: dict[str, str], health_url: str, cwd: Path = REPO
) -> subprocess.Popen[bytes]:
    """A server process, once its `health_url` answers; `cwd`: the checkout whose code it runs."""
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env})  # noqa: S603 - our own programs
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(health_url, timeout=1).status_code < 500:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{command} did not come up")


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def wrk(url: str, *, duration: int, connections: int, body: bytes | None) -> tuple[float, float, float]:
    output = wrk_output(url, duration=duration, connections=connections, body=body)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rps, latency(output, "50%"), latency(output, "99%")


def wrk_output(
    url: str, *, duration: int, connections: int, body: bytes | None, script: Path | None = None
) -> str:
    """wrk's report of one run; POSTing `body` as JSON when given, or the requests of a wrk `script`.
    Refuses runs with non-2xx answers."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as written:
        if script is not None:
            written.write(script.read_text())
        elif body is not None:
            written.write(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {orjson.dumps(body.decode()).decode()}\n"
            )
    output = subprocess.run(  # noqa: S603 - wrk from Debian
        [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency",
         "-s", written.name, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(written.name)
    refused = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if refused:  # a budget, rate limit or error answered instead: the figures would mean nothing
        raise RuntimeError(f"{refused.group(1)} answers were not 2xx:\n{output}")
    return output


def latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def check_same_rows(graphql_url: str, plain_url: str) -> None:
    """Both servers must answer with the same 50 reports, or the comparison means nothing."""
    graphql = httpx.post(graphql_url, json={"query": QUERY}).json()["data"]["reports"]["edges"]
    plain = httpx.get(plain_url).json()["data"]["reports"]
    assert [e["node"]["title"] for e in graphql] == [r["title"] for r in plain], "servers disagree"
    assert len(plain) == 50


def measure(
    name: str, process: subprocess.Popen[bytes], url: str, body: bytes | None, args: argparse.Namespace
) -> Result:
    wrk(url, duration=2, connections=args.connections, body=body)  # warm-up: connections, caches
    rps, p50, p99 = wrk(url, duration=args.duration, connections=args.connections, body=body)
    return Result(name, rps, p50, p99, peak_rss_mb(process.pid))


def start_sigap(url: str, checkout: Path = REPO, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = start(
        [sys.executable, "-m", "server.cli", "serve"],
        {
            "DATABASE_URL": url,
            "PORT": str(port),
            "SIGAP_ENV": "production",
            "LOG_LEVEL": "warning",
            "JWT_SECRET": secrets.token_urlsafe(32),
            # wrk is one client: a budget it cannot spend, so that every request is charged and served
            "QUERY_POINTS_PER_HOUR": str(10**9),
            # No escalation jobs: the seeded reports are mostly overdue, and escalating them all took
            # ~5% of the server's CPU during a measured run (py-spy), work the other servers never do.
            "JOBS_INTERVAL_SECONDS": "0",
            **env,
        },
        f"http://127.0.0.1:{port}/health",
        cwd=checkout,
    )
    return process, f"http://127.0.0.1:{port}/graphql"


def load_arguments(description: str | None) -> argparse.ArgumentParser:
    """The options of the page benchmarks: how long, how many connections, how many reports."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--reports", type=int, default=10_000)
    return parser


def main() -> int:
    args = load_arguments(__doc__).parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    url = asyncio.run(prepare_database("sigap_bench", args.reports))
    print(f"seeded {args.reports} reports into {url}")
    body = orjson.dumps({"query": QUERY})
    plain_port = free_port()
    plain_url = f"http://127.0.0.1:{plain_port}/reports"
    plain = start([sys.executable, "-m", "bench.plain_endpoint", str(plain_port), url], {}, plain_url)
    processes = [plain]
    try:
        cached, cached_url = start_sigap(url)
        processes.append(cached)
        uncached, uncached_url = start_sigap(url, RESPONSE_CACHE="0")
        processes.append(uncached)
        check_same_rows(cached_url, plain_url)
        check_same_rows(uncached_url, plain_url)
        results = [
            measure("plain Starlette + asyncpg", plain, plain_url, None, args),
            measure("Sigap (response cache)", cached, cached_url, body, args),
            measure("Sigap (cache off)", uncached, uncached_url, body, args),
        ]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
    print(f"\nreports(first: 50) + category + agency; {args.connections} connections, {args.duration} s each")
    print(f"{'server':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'peak RSS MB':>14}{'vs plain':>10}")
    for r in results:
        ratio = r.requests_per_s / results[0].requests_per_s
        print(
            f"{r.name:<28}{r.requests_per_s:>10.0f}{r.p50_ms:>10.1f}{r.p99_ms:>10.1f}"
            f"{r.peak_rss_mb:>14.1f}{ratio:>10.2f}"
        )
    print("goal: >= 0.50 of plain; PostGraphile 4 reached about 0.43 here (shared/PERFORMANCE.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
