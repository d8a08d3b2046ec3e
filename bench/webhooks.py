"""Webhook delivery latency and throughput, against the same receiver hit directly in the same run.

Sigap's delivery parts run in this process as `sigap serve` runs them (server.deliveries: the
webhook consumer and sender under a DeliveryRunner, woken by this process's commits); the receiver
is a Starlette app under uvicorn in a thread of its own, answering 204 at once and noting when each
request arrived.

- latency: `--changes` status changes, one at a time (the next once the previous was delivered):
  from the change's commit (realtime.outbox.on_commit, in this process) to the receiver having the
  signed request. Baseline: the same receiver POSTed the same body by a plain httpx loop, one at a
  time: the floor of one local HTTP request.
- throughput: one `replayWebhook` of the `--burst` reports' events (each filed, the first
  `--changes` also acknowledged: those two go in order), from the mutation's return to the last
  arrival; each body is made at send time.
  Baseline: the same number of POSTs from httpx with the runner's concurrency (32).

    .venv/bin/python -m bench.webhooks                          # SQLite
    .venv/bin/python -m bench.webhooks --database postgres      # a fresh PostgreSQL database
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.databases import connected_database
from models import ApiKey, Role
from realtime.delivery_runner import DeliveryRunner, running_deliveries
from realtime.feed import latest_event_id
from realtime.outbox import on_commit
from resolvers import rate_limits
from resolvers.identity import principal_of_key
from server.deliveries import delivery_parts, delivery_policy
from server.settings import Settings
from tests.casework_api import move
from tests.graphql import file_report, gql, staff
from tests.live_clients import wait_until_async
from tests.server_process import free_port

CONCURRENCY = 32  # DeliveryRunner's default
DATABASE = "sigap_bench_webhooks"
CREATE_KEY = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }"""
CREATE_WEBHOOK = """mutation($i: CreateWebhookInput!) { createWebhookEndpoint(input: $i) {
  endpoint { id } errors { code } } }"""
REPLAY = (
    """mutation($i: ReplayWebhookInput!) { replayWebhook(input: $i) { queued nextCursor errors { code } } }"""
)


class Receiver:
    """Notes each request's arrival by the event cursor in its body (`direct` ones by their index)."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.last_body = b""
        self.app = Starlette(routes=[Route("/hook/{name}", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        cursor = orjson.loads(body)["data"]["cursor"]
        self.arrivals[f"{request.path_params['name']}:{cursor}"] = time.perf_counter()
        self.last_body = body
        return Response(status_code=204)


@contextmanager
def receiving(receiver: Receiver) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(receiver.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="bench-receiver", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the receiver did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:8.2f} {p99 * 1000:8.2f}"


async def _arrived(receiver: Receiver, key: str, within: float = 30) -> float:
    async def came() -> bool:
        return key in receiver.arrivals

    await wait_until_async(came, within=within, what=f"request {key}")
    return receiver.arrivals[key]


async def measure(receiver: Receiver, url: str, changes: int, burst: int) -> dict[str, Any]:
    rate_limits.configure(None, {"file_report": "100000/minute", "file_report_per_address": "100000/minute"})
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    officer = await staff(Role.OFFICER, "DLH", "Petugas DLH")
    key_input = {"name": "Bench", "kind": "PARTNER", "scopes": ["reports:read"], "budgetPerHour": 10_000_000}
    plaintext = (await gql(CREATE_KEY, {"i": key_input}, principal=admin))["createApiKey"]["key"]
    partner = principal_of_key(await ApiKey.get(prefix=plaintext.split("_")[1]))
    before_reports = await latest_event_id()
    reports = [await file_report() for _ in range(max(changes, burst))]
    hook = {"url": f"{url}/hook/live", "filter": {"statuses": ["ACKNOWLEDGED"]}}
    live = (await gql(CREATE_WEBHOOK, {"i": hook}, principal=partner))["createWebhookEndpoint"]
    assert live["errors"] == [], live

    committed: dict[int, float] = {}

    def note(event_id: int) -> None:
        committed[event_id] = time.perf_counter()

    latency: list[float] = []
    with on_commit(note):
        for report in reports[:changes]:
            await move(str(report["id"]), ["ACKNOWLEDGED"], officer)
            event_id = await latest_event_id()
            latency.append(await _arrived(receiver, f"live:{event_id}") - committed[event_id])

    # Registered now, so it is sent nothing live: only the replay.
    replayed = (await gql(CREATE_WEBHOOK, {"i": {"url": f"{url}/hook/replay"}}, principal=partner))[
        "createWebhookEndpoint"
    ]
    assert replayed["errors"] == [], replayed
    variables = {"i": {"endpoint": replayed["endpoint"]["id"], "after": str(before_reports)}}
    start = time.perf_counter()
    answer = (await gql(REPLAY, variables, principal=partner))["replayWebhook"]
    returned = time.perf_counter()
    queued = int(answer["queued"])

    async def all_came() -> bool:
        return sum(k.startswith("replay:") for k in receiver.arrivals) >= queued

    await wait_until_async(all_came, within=300, what="every replayed delivery")
    span = max(v for k, v in receiver.arrivals.items() if k.startswith("replay:")) - returned
    return {
        "latency": latency,
        "replay_ms": (returned - start) * 1000,
        "queued": queued,
        "per_s": queued / span,
    }


async def baseline(receiver: Receiver, url: str, changes: int, burst: int) -> dict[str, Any]:
    template = orjson.loads(receiver.last_body)
    latency: list[float] = []
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONCURRENCY)) as client:
        for n in range(changes):
            template["data"]["cursor"] = str(n)
            body = orjson.dumps(template)
            sent = time.perf_counter()
            (await client.post(f"{url}/hook/direct", content=body)).raise_for_status()
            latency.append(receiver.arrivals[f"direct:{n}"] - sent)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def post(n: int) -> None:
            template_n = {**template, "data": {**template["data"], "cursor": f"b{n}"}}
            async with gate:
                (await client.post(f"{url}/hook/direct", content=orjson.dumps(template_n))).raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(post(n) for n in range(burst)))
        span = time.perf_counter() - start
    return {"latency": latency, "per_s": burst / span}


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--changes", type=int, default=100, help="status changes timed one by one")
    parser.add_argument("--burst", type=int, default=500, help="events replayed at once")
    args = parser.parse_args()
    settings = Settings.from_env({"OUTBOUND_ALLOW_PRIVATE": "127.0.0.1/32"})
    receiver = Receiver()
    with receiving(receiver) as url:
        async with connected_database(args.database, DATABASE):
            parts = delivery_parts(settings)
            try:
                runner = DeliveryRunner(parts.consumers, parts.senders, policy=delivery_policy(settings))
                async with running_deliveries(runner):
                    sigap = await measure(receiver, url, args.changes, args.burst)
                direct = await baseline(receiver, url, args.changes, args.burst)
            finally:
                await parts.close()
    print(f"{args.database}: {args.changes} status changes one at a time, {sigap['queued']} replayed at once")
    print(f"{'':<34} {'p50 ms':>8} {'p99 ms':>8} {'deliveries/s':>13}")
    print(f"{'Sigap: commit -> receiver':<34} {_ms(sigap['latency'])} {sigap['per_s']:13.0f}")
    print(f"{'baseline: httpx -> receiver':<34} {_ms(direct['latency'])} {direct['per_s']:13.0f}")
    print(f"replayWebhook of {sigap['queued']} events answered in {sigap['replay_ms']:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
