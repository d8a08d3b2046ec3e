"""reports(first: 50) with agency names, through Hive Gateway in front of the subgraphs, against the
embedded server, in the same run on the same PostgreSQL data. Prints requests/s, p50 and p99 of each
and the ratio.

    make bench-federation        (needs wrk: apt-get install wrk; PostgreSQL as for the tests)
    BENCH_PAGE=20 RESPONSE_CACHE=off make bench-federation     (another page size, uncached)

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
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.databases import drop_database, fresh_database
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
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
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


def _wrk(url: str, script: Path) -> Figures:
    assert WRK is not None
    completed = subprocess.run(  # noqa: S603 - wrk, fixed arguments
        [WRK, "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{output}\n{completed.stderr}")
    if re.search(r"Non-2xx or 3xx responses: \d+", output):
        raise RuntimeError(f"errors under load:\n{output}")
    return Figures(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_millis(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        p99_ms=_millis(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
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
        embedded_env = {"DATABASE_URL": database_url, "SIGAP_ENV": "production", "LOG_LEVEL": "warning"}
        with sigap_server(Path(folder), **embedded_env) as embedded, run_topology(config) as federated:
            embedded_url = embedded.url + "/graphql"
            if _page(embedded_url) != _page(federated.gateway_url):
                raise RuntimeError("the gateway and the embedded server answer differently")
            runs: dict[str, list[Figures]] = {"embedded": [], "gateway": []}
            for _ in range(ROUNDS):  # alternate, so that drift on a shared machine hits both
                runs["embedded"].append(_wrk(embedded_url, script))
                runs["gateway"].append(_wrk(federated.gateway_url, script))
    _report(runs)
    return 0


def _report(runs: dict[str, list[Figures]]) -> None:
    cache = "response cache off" if os.environ.get("RESPONSE_CACHE") == "off" else "response cache on"
    print(f"reports(first: {PAGE}) with agency names; {REPORT_COUNT} reports on PostgreSQL; {cache}")
    print(f"wrk -t2 -c{CONNECTIONS} -d{DURATION}, {ROUNDS} alternating rounds each")
    print(f"{'server':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    best = {}
    for name, figures in runs.items():
        best[name] = max(figures, key=lambda f: f.requests_per_s)
        for f in figures:
            print(f"{name:<10} {f.requests_per_s:>8.0f} {f.p50_ms:>8.1f} {f.p99_ms:>8.1f}")
    ratio = best["gateway"].requests_per_s / best["embedded"].requests_per_s
    print(f"gateway / embedded throughput (best rounds): {ratio:.2f}")
    print(f"gateway / embedded p99 (best rounds): {best['gateway'].p99_ms / best['embedded'].p99_ms:.2f}")


if __name__ == "__main__":
    sys.exit(main())
