"""`/health` latency idle and during a sign-in flood, against a real server process.

Password hashing (Argon2id, tens of milliseconds of CPU each) must not stall the event loop: with
the hashing on its bounded thread pool, `/health` p95 during the flood should stay within 2x of
idle. The flood is password spraying: `--loops` concurrent clients sending sign-ins with wrong
passwords as fast as they are answered (the rate limits are lifted for the run, so that every
attempt is hashed).

    .venv/bin/python -m bench.signin_flood --loops 3 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.server_process import create_admin, sigap_server

EMAIL, PASSWORD = "bench-admin@kupang.test", "kata-sandi-bench-admin"
SIGN_IN = """mutation($e: String!, $p: String!) {
  signIn(input: {email: $e, password: $p}) { session { accessToken } errors { code } } }"""
NO_LIMITS = "1000000/minute"


async def health_latencies(client: httpx.AsyncClient, seconds: float) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        response = await client.get("/health")
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return latencies


async def sign_in_loop(client: httpx.AsyncClient, stop: asyncio.Event, answers: Counter[str]) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        variables = {"e": EMAIL, "p": f"tebakan-salah-{n}"}
        response = await client.post("/graphql", json={"query": SIGN_IN, "variables": variables})
        errors = response.json()["data"]["signIn"]["errors"]
        answers[errors[0]["code"] if errors else "SIGNED_IN"] += 1


def summary(latencies: list[float]) -> str:
    cuts = statistics.quantiles(latencies, n=100)
    return f"p50 {cuts[49]:6.1f} ms   p95 {cuts[94]:6.1f} ms   max {max(latencies):6.1f} ms"


async def measure(
    url: str, loops: int, seconds: float
) -> tuple[list[float], list[float], Counter[str], float]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await health_latencies(client, 1)  # warm up
        idle = await health_latencies(client, seconds)
        stop, answers = asyncio.Event(), Counter[str]()
        flooders = [asyncio.create_task(sign_in_loop(client, stop, answers)) for _ in range(loops)]
        started = time.perf_counter()
        flooded = await health_latencies(client, seconds)
        elapsed = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*flooders)
    return idle, flooded, answers, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=3, help="concurrent sign-in loops")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    args = parser.parse_args()
    limits = {
        f"RATE_LIMIT_{name}": NO_LIMITS for name in ("SIGN_IN", "SIGN_IN_PER_ADDRESS", "SIGN_IN_FAILURES")
    }
    with tempfile.TemporaryDirectory() as folder, sigap_server(Path(folder), **limits) as server:
        created = create_admin(server.environment, EMAIL, PASSWORD)
        assert created.returncode == 0, created.stderr
        idle, flooded, answers, elapsed = asyncio.run(measure(server.url, args.loops, args.seconds))
    print(f"/health idle          {summary(idle)}")
    print(f"/health idle          {len(idle)} requests in {args.seconds:.0f} s")
    print(f"/health during flood  {summary(flooded)}   ({args.loops} sign-in loops, {len(flooded)} requests)")
    ratio = statistics.quantiles(flooded, n=100)[94] / statistics.quantiles(idle, n=100)[94]
    rate = sum(answers.values()) / elapsed
    print(f"p95 flood / idle      {ratio:.2f}x   sign-ins answered {dict(answers)} ({rate:.0f}/s)")


if __name__ == "__main__":
    main()
