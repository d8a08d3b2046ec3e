"""reports(first: 50) with agency names, through Hive Gateway in front of the subgraphs, against the
embedded server, in the same run on the same PostgreSQL data. Prints requests/s, p50 and p99 of each,
the CPU time per request of each process (from /proc: the embedded server; the gateway's Node and the
subgraphs; the database's CPU is in neither) and the ratios. On the shared 2-core machine throughput
swings with what else runs; CPU per request is the steadier figure.

    make bench-federation        (needs wrk: apt-get install wrk; PostgreSQL as for the tests)
    BENCH_PAGE=20 RESPONSE_CACHE=off make bench-federation     (another page size, uncached)
    BENCH_EMBEDDED_REDIS=on ...      (the embedded server on the topology's Redis too)
    BENCH_WARMUP=2s ...              (a shorter warm-up of each server before the rounds; 10s)
    BENCH_BASELINE=/work/main ...    (another checkout measured in the same rounds: federation_baseline.py)

The subgraphs keep query budgets and rate limits in Redis (replicas share them); the embedded server
keeps them in memory unless given REDIS_URL. BENCH_EMBEDDED_REDIS=on gives it the same Redis, so that
the ratio is the cost of the gateway hop alone.

The gateway's deduplication of identical in-flight requests is switched off: wrk sends one query
over and over, and merging those would measure the cache, not the federation.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.databases import drop_database, fresh_database
from bench.federation_baseline import Served, baseline
from bench.read_path import tree_cpu_seconds
from federation.loopback import LoopbackConfig, run_topology
from federation.topology import PHOTOS, REDIS, REPORTS
from resolvers import rate_limits
from resolvers.filing import FilingInput, file_report
from resolvers.identity import Principal
from resolvers.service_area import kupang_service_area
from server.database import connect, disconnect
from tests.server_process import free_port, sigap_server

REPORT_COUNT = int(os.environ.get("BENCH_REPORTS", "500"))
DURATION = os.environ.get("BENCH_DURATION", "8s")
# Node's gateway was still getting faster from round to round after a 2 s warm-up (1,013, 1,064
# and 1,165 req/s in one run): the warm-up lasts until its optimised code and heap have settled.
WARMUP = os.environ.get("BENCH_WARMUP", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
EMBEDDED_REDIS = os.environ.get("BENCH_EMBEDDED_REDIS") == "on"
BASELINE = os.environ.get("BENCH_BASELINE")  # another checkout, measured in the same rounds
WRK = shutil.which("wrk")
PAGE = int(os.environ.get("BENCH_PAGE", "50"))
NODE = "id title status createdAt agency { code name }"
QUERY = "{ reports(first: " + str(PAGE) + ") { edges { node { " + NODE + " } } } }"
CATEGORIES = ["SAMPAH", "PARKIR_LIAR", "KEBAKARAN", "PENGEMIS", "PKL_LIAR", "LAMPU_RAMBU"]


@dataclass
class Figures:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms: dict[str, float]  # CPU per request of each process tree measured


async def _prepare(name: str) -> str:
    url = await fresh_database(name)
    await connect(url)
    seeding = f"{REPORT_COUNT}/minute"  # one client seeds them all
    rate_limits.configure(None, {"file_report": seeding, "file_report_per_address": seeding})
    seeder = Principal(client="bench-seeder")
    try:
        for i in range(REPORT_COUNT):
            data = FilingInput(
                title=f"Laporan uji {i}",
                description="Data untuk benchmark",
                latitude=-10.17 - (i % 50) * 0.001,  # south of the centre: land (resolvers/service_area.py)
                longitude=123.60 + (i % 40) * 0.001,
                category_id=None,
                category_code=CATEGORIES[i % len(CATEGORIES)],
                address=None,
            )
            await file_report(data, principal=seeder, service_area=kupang_service_area())
    finally:
        await disconnect()
    return url


@contextmanager
def _bench_database() -> Iterator[str]:
    name = f"sigap_bench_{secrets.token_hex(4)}"
    try:
        yield asyncio.run(_prepare(name))
    finally:
        asyncio.run(drop_database(name))


def _page(url: str) -> list[tuple[str, str]]:
    body = httpx.post(url, json={"query": QUERY}, timeout=30).json()
    assert "errors" not in body, body
    return [(e["node"]["id"], e["node"]["agency"]["name"]) for e in body["data"]["reports"]["edges"]]


def _wrk(url: str, script: Path, processes: dict[str, int], duration: str = DURATION) -> Figures:
    """One wrk run against `url`; `processes` (name -> pid of a process tree) are the ones serving it."""
    assert WRK is not None
    before = {name: tree_cpu_seconds(pid) for name, pid in processes.items()}
    completed = subprocess.run(  # noqa: S603 - wrk, fixed arguments
        [WRK, "-t2", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1)) if "requests in" in output else 0
    cpu_ms = {
        name: (tree_cpu_seconds(pid) - before[name]) * 1000 / max(requests, 1)
        for name, pid in processes.items()
    }
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{output}\n{completed.stderr}")
    if re.search(r"Non-2xx or 3xx responses: \d+", output):
        raise RuntimeError(f"errors under load:\n{output}")
    return Figures(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_millis(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        p99_ms=_millis(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        cpu_ms=cpu_ms,
    )


def _millis(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def main() -> int:
    if WRK is None:
        print("bench: wrk is needed (apt-get install wrk)", file=sys.stderr)
        return 1
    # wrk is one client: a query budget it cannot spend, in every process started below.
    os.environ["QUERY_POINTS_PER_HOUR"] = str(10**9)
    with tempfile.TemporaryDirectory() as folder, _bench_database() as database_url:
        script = Path(folder) / "post.lua"
        body = json.dumps({"query": QUERY})
        script.write_text(
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(body)}\n"
        )
        config = LoopbackConfig(
            state_dir=Path(folder) / "loopback",
            database_url=database_url,
            ports={
                name: free_port() for name in (REDIS.name, PHOTOS.name, "directory", REPORTS.name, "gateway")
            },
            reports_replicas=1,  # one Python process per hop, as the embedded server has one
            environment="production",
            gateway_deduplicate=False,
        )
        embedded_env = {
            "DATABASE_URL": database_url,
            "SIGAP_ENV": "production",
            "LOG_LEVEL": "warning",
        }
        with ExitStack() as stack:
            federated = stack.enter_context(run_topology(config))
            if EMBEDDED_REDIS:
                embedded_env["REDIS_URL"] = federated.redis_url
            embedded = stack.enter_context(sigap_server(Path(folder), **embedded_env))
            served = {
                "embedded": Served(embedded.url + "/graphql", {"embedded": embedded.process.pid}),
                "gateway": Served(
                    federated.gateway_url,
                    {name: federated.processes[name].pid for name in ("gateway", REPORTS.name)},
                ),
            }
            if BASELINE:
                base = Path(folder) / "baseline"
                base.mkdir()
                served["embedded, baseline"], served["gateway, baseline"] = stack.enter_context(
                    baseline(Path(BASELINE), federated, embedded_env, base)
                )
            pages = {name: _page(server.url) for name, server in served.items()}
            if len({repr(page) for page in pages.values()}) != 1:
                raise RuntimeError(f"the servers answer differently: {pages}")
            for server in served.values():  # warm-up: Node's JIT, every process's caches
                _wrk(server.url, script, {}, duration=WARMUP)
            runs: dict[str, list[Figures]] = {name: [] for name in served}
            for _ in range(ROUNDS):  # alternate, so that drift on a shared machine hits every server
                for name, server in served.items():
                    runs[name].append(_wrk(server.url, script, server.processes))
    _report(runs)
    return 0


def _report(runs: dict[str, list[Figures]]) -> None:
    cache = "response cache off" if os.environ.get("RESPONSE_CACHE") == "off" else "response cache on"
    redis = "; embedded server on Redis too" if EMBEDDED_REDIS else ""
    print(f"reports(first: {PAGE}) with agency names; {REPORT_COUNT} reports on PostgreSQL; {cache}{redis}")
    print(f"wrk -t2 -c{CONNECTIONS} -d{DURATION}, {ROUNDS} alternating rounds each; load average {_load()}")
    print(f"{'server':<19} {'req/s':>6} {'p50 ms':>8} {'p99 ms':>8}  CPU ms/req")
    best = {}
    for name, figures in runs.items():
        best[name] = max(figures, key=lambda f: f.requests_per_s)
        for f in figures:
            cpu = ", ".join(f"{process} {ms:.2f}" for process, ms in f.cpu_ms.items())
            total = f" (total {sum(f.cpu_ms.values()):.2f})" if len(f.cpu_ms) > 1 else ""
            print(f"{name:<19} {f.requests_per_s:>6.0f} {f.p50_ms:>8.1f} {f.p99_ms:>8.1f}  {cpu}{total}")
    cpu = {name: statistics.median(sum(f.cpu_ms.values()) for f in figures) for name, figures in runs.items()}
    for code in ("", ", baseline"):
        if "gateway" + code not in runs:
            continue
        gateway, embedded = best["gateway" + code], best["embedded" + code]
        print(f"{code.lstrip(', ') or 'this checkout'}:")
        throughput = gateway.requests_per_s / embedded.requests_per_s
        print(f"  gateway / embedded throughput (best rounds): {throughput:.2f}")
        print(f"  gateway / embedded p99 (best rounds): {gateway.p99_ms / embedded.p99_ms:.2f}")
        cpu_ratio = cpu["embedded" + code] / cpu["gateway" + code]
        print(f"  embedded / federated CPU per request (medians): {cpu_ratio:.2f}")
        medians = {
            process: statistics.median(f.cpu_ms[process] for f in runs["gateway" + code])
            for process in runs["gateway" + code][0].cpu_ms
        }
        print(
            "  median CPU ms/req: embedded {:.2f}; ".format(cpu["embedded" + code])
            + ", ".join(f"{process} {ms:.2f}" for process, ms in medians.items())
        )


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
