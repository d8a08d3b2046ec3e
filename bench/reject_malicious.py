"""Benchmark: how long Sigap takes to refuse malicious requests, next to a valid small query.

Runs the production app in-process (its middleware, view and schema, through httpx's ASGI
transport: no network, so the figures are the server's own work) on a fresh SQLite database.
Every malicious document is made unique per request (a trailing comment), as an attacker would,
so that the parser and validation caches never help. For each kind it prints p50, p99 and max
in milliseconds, the status or error code the client got, and how many SQL statements the
refusals ran (the goal: none, and p99 under 50 ms).

    python -m bench.reject_malicious [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from models.seed import load_seed
from server.app import create_app
from server.settings import Settings


@dataclass(frozen=True)
class Kind:
    name: str
    request: Callable[[int], dict[str, Any]]  # request number -> httpx.post keyword arguments
    baseline: bool = False


def graphql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keyword arguments of a GraphQL POST."""
    return {"json": {"query": query, "variables": variables}}


def nested(depth: int, n: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"duplicateOf {{ {inner} }}"
    return f'{{ report(code: "AAAA-AAAA") {{ {inner} }} }} # {n}'


def fragment_bomb(n: int, levels: int = 8, width: int = 6) -> str:
    fragments = ["fragment F0 on Report { id }"]
    for level in range(1, levels + 1):
        spreads = " ".join(f"a{i}: duplicateOf {{ ...F{level - 1} }}" for i in range(width))
        fragments.append(f"fragment F{level} on Report {{ {spreads} }}")
    return " ".join(fragments) + f' {{ report(code: "X") {{ ...F{levels} }} }} # {n}'


COSTLY_PAGE = "reports(first: 100) { edges { node { timeline { kind } category { agency { code } } } } }"

KINDS = [
    Kind("baseline: valid small query", lambda n: graphql(f"{{ agencies {{ code name }} }} # {n}"), True),
    Kind("baseline: valid page of 50", lambda n: graphql(
        f"{{ reports(first: 50) {{ edges {{ node {{ id title category {{ code }} }} }} }} }} # {n}"), True),
    Kind("depth 12", lambda n: graphql(nested(12, n))),
    Kind("31 aliases", lambda n: graphql(
        "{ " + " ".join(f"a{i}: agencies {{ code }}" for i in range(31)) + f" }} # {n}")),
    Kind("fragment bomb 6^8", lambda n: graphql(fragment_bomb(n))),
    Kind("one field 4,000 times", lambda n: graphql("{ agencies { " + "code " * 4000 + f"}} }} # {n}")),
    Kind("200 KB document", lambda n: graphql("{ " + "agencies { code } " * 12_000 + f"}} # {n}")),
    Kind("5 x 100 x timeline cost", lambda n: graphql(
        "{ " + " ".join(f"p{i}: {COSTLY_PAGE}" for i in range(5)) + f" }} # {n}")),
    Kind("first: $n = 99999999", lambda n: graphql(
        f"query($n: Int!) {{ reports(first: $n) {{ edges {{ node {{ id }} }} }} }} # {n}", {"n": 10**8})),
    Kind("introspection (anonymous)", lambda n: graphql(f"{{ __schema {{ types {{ name }} }} }} # {n}")),
    Kind("field suggestion probe", lambda n: graphql(f"{{ reprts {{ id }} }} # {n}")),
    Kind("NUL in a text argument", lambda n: graphql(
        f"query($t: String) {{ reports(filter: {{text: $t}}) {{ totalCount }} }} # {n}", {"t": "a\x00b"})),
    Kind("date in year 9999", lambda n: graphql(
        f'{{ reports(filter: {{createdAfter: "9999-12-30T00:00:00Z"}}) {{ totalCount }} }} # {n}')),
    Kind("batch of 100", lambda n: {"json": [{"query": f"{{ agencies {{ code }} }} # {n}"}] * 100}),
    Kind("2 MiB body", lambda n: {"content": b'{"query": "' + b"x" * (2 * 2**20) + b'"}',
                                  "headers": {"content-type": "application/json"}}),
    Kind("text/plain (CSRF)", lambda n: {"content": orjson.dumps({"query": "{ agencies { code } }"}),
                                         "headers": {"content-type": "text/plain"}}),
]  # fmt: skip


class StatementCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (its debug log of each one)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "%s: %s":
            self.count += 1


def outcome(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("application/json"):
        errors = response.json().get("errors")
        if errors:
            return str(errors[0].get("extensions", {}).get("code", "?"))
    return str(response.status_code)


async def measure(client: httpx.AsyncClient, kind: Kind, requests: int, counter: StatementCounter) -> str:
    timings: list[float] = []
    outcomes: set[str] = set()
    counter.count = 0
    for n in range(requests):
        arguments = kind.request(n)
        started = time.perf_counter()
        response = await client.post("/graphql", **arguments)
        timings.append((time.perf_counter() - started) * 1000)
        outcomes.add(outcome(response))
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * len(timings)) - 1)]
    answer = ",".join(sorted(outcomes))
    return (
        f"{kind.name:<30}{statistics.median(timings):>8.2f}{p99:>9.2f}{timings[-1]:>9.2f}"
        f"{counter.count / requests:>9.1f}  {answer}"
    )


async def main(requests: int) -> int:
    folder = Path(tempfile.mkdtemp(prefix="sigap-bench-"))
    url = f"sqlite://{folder / 'bench.db'}"
    settings = Settings(
        environment="production", database_url=url, response_cache=False, query_points_per_hour=10**9
    )
    app = create_app(settings)
    counter = StatementCounter()
    tortoise_log = logging.getLogger("tortoise.db_client")
    tortoise_log.setLevel(logging.DEBUG)
    tortoise_log.propagate = False
    tortoise_log.addHandler(counter)
    logging.getLogger("sigap").setLevel(logging.CRITICAL)  # refusals are expected here
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),  # migrations, connection, as `sigap serve` starts
        httpx.AsyncClient(transport=transport, base_url="http://localhost", timeout=60) as client,
    ):
        await load_seed()
        for kind in KINDS[:2]:
            await measure(client, kind, 20, counter)  # warm-up: imports, pools
        print(f"{requests} requests per kind, each document unique (no cache helps); production settings")
        print(f"{'request':<30}{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'SQL/req':>9}  answer")
        for kind in KINDS:
            print(await measure(client, kind, requests, counter))
    print("goal: malicious requests refused with p99 under 50 ms and no SQL")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    sys.exit(asyncio.run(main(parser.parse_args().requests)))
