"""A partner's webhook receiver for the tests, run as a process of its own (`python -m
tests.webhook_receiver PORT`): it records every POST to /hooks/{name} and answers as scripted.

- POST /script/{name} with a JSON list: the answers to the next requests, in order: a status code,
  "slow" (answer 200 only after SLOW_SECONDS, past Sigap's send timeout in the tests), or "hold"
  (answer only when the test is over: for a delivery in flight while Sigap is killed). Then 200.
- GET /received/{name}: what came, in arrival order ({"headers", "body", "answer"}).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.loopback_http import HTTP

SLOW_SECONDS = 3.0
HOLD_SECONDS = 60.0

_scripts: dict[str, list[Any]] = {}
_received: dict[str, list[dict[str, Any]]] = {}


async def hook(request: Request) -> Response:
    name = request.path_params["name"]
    script = _scripts.get(name) or []
    answer = script.pop(0) if script else 200
    headers = {k: v for k, v in request.headers.items() if k.startswith("webhook-") or k == "host"}
    _received.setdefault(name, []).append(
        {"headers": headers, "body": (await request.body()).decode(), "answer": answer}
    )
    if answer == "slow":
        await asyncio.sleep(SLOW_SECONDS)
        return Response(status_code=200)
    if answer == "hold":
        await asyncio.sleep(HOLD_SECONDS)
        return Response(status_code=200)
    return Response(status_code=int(answer))


async def script(request: Request) -> Response:
    _scripts[request.path_params["name"]] = list(await request.json())
    return Response(status_code=204)


async def received(request: Request) -> Response:
    return JSONResponse(_received.get(request.path_params["name"], []))


app = Starlette(
    routes=[
        Route("/hooks/{name}", hook, methods=["POST"]),
        Route("/script/{name}", script, methods=["POST"]),
        Route("/received/{name}", received, methods=["GET"]),
    ]
)


@dataclass
class Receiver:
    """The test's handle on a running receiver."""

    url: str

    def hook_url(self, name: str) -> str:
        return f"{self.url}/hooks/{name}"

    def script(self, name: str, answers: list[Any]) -> None:
        HTTP.post(f"{self.url}/script/{name}", json=answers).raise_for_status()

    def received(self, name: str) -> list[dict[str, Any]]:
        return list(HTTP.get(f"{self.url}/received/{name}").json())

    def answers(self) -> bool:
        try:
            HTTP.get(f"{self.url}/received/ping", timeout=1)
        except httpx.TransportError:
            return False
        return True

    def wait_for(self, name: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """The requests to `name` once at least `count` have come (the condition polled, bounded)."""
        deadline = time.monotonic() + timeout
        while len(got := self.received(name)) < count:
            assert time.monotonic() < deadline, f"{len(got)} of {count} requests to {name}: {got}"
            time.sleep(0.05)
        return got


@contextmanager
def running_receiver(tmp_path: Any) -> Iterator[Receiver]:
    """The receiver in a process group of its own, stopped as a whole."""
    from tests.processes import running_process
    from tests.server_process import free_port

    port = free_port()
    receiver = Receiver(f"http://127.0.0.1:{port}")
    with running_process(
        [sys.executable, "-m", "tests.webhook_receiver", str(port)], tmp_path / f"receiver-{port}.log",
        ready=receiver.answers, what="the receiver", stop_timeout=5,
    ):  # fmt: skip
        yield receiver


if __name__ == "__main__":
    uvicorn.run(
        app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", timeout_graceful_shutdown=1
    )
