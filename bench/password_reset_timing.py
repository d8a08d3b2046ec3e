"""Does `requestPasswordReset` take the same time for an email with an account and one without?

Alternating requests for a known and an unknown email through the real app (in-process HTTP,
limits lifted), on SQLite and PostgreSQL; prints the median and p90 of each. The mail (and the
token's row) are made in the background after the answer, and waited for between requests so
that one request's background work never lands in the next one's time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bench.databases import drop_database, fresh_database
from models import Role, User
from resolvers import mail
from resolvers.passwords import hash_password
from server.app import create_app
from server.database import apply_migrations, connect, disconnect
from server.settings import Settings

REQUEST = "mutation($e: String!) { requestPasswordReset(input: {email: $e}) { accepted errors { code } } }"
LIFTED = {
    name: "1000000/hour"
    for name in ("password_reset", "password_reset_per_address", "password_reset_per_email")
}
KNOWN, UNKNOWN = "ada@warga.test", "tiada@warga.test"


async def measure(url: str, requests: int) -> dict[str, list[float]]:
    EXECUTOR_CACHE.clear()  # Tortoise caches SQL per connection name: both backends are "default"
    await connect(url)
    try:
        await User.create(
            name="Ada",
            email=KNOWN,
            role=Role.CITIZEN,
            password_hash=await hash_password("kata-sandi-panjang"),
        )
        app = create_app(Settings(database_url=url, rate_limits=LIFTED))
        times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            for n in range(requests):
                email = KNOWN if n % 2 else UNKNOWN
                start = time.perf_counter()
                answer = await http.post("/graphql", json={"query": REQUEST, "variables": {"e": email}})
                times[email].append((time.perf_counter() - start) * 1000)
                assert answer.json()["data"]["requestPasswordReset"] == {"accepted": True, "errors": []}
                await mail.drained()
        return {email: samples[requests // 20 :] for email, samples in times.items()}  # warm-up dropped
    finally:
        await disconnect()


def report(backend: str, times: dict[str, list[float]]) -> None:
    for email, label in ((KNOWN, "known email"), (UNKNOWN, "unknown email")):
        samples = times[email]
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"{backend:10} {label:14} median {statistics.median(samples):6.2f} ms   p90 {p90:6.2f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        await apply_migrations(url)
        report("sqlite", await measure(url, arguments.requests))
    url = await fresh_database("sigap_bench_reset")
    try:
        report("postgres", await measure(url, arguments.requests))
    finally:
        await drop_database("sigap_bench_reset")


if __name__ == "__main__":
    asyncio.run(main())
