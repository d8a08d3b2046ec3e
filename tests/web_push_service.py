"""A browser's side of Web Push for tests: its key pair and auth secret (as `pushManager.subscribe`
makes them), and a push service, a real HTTP server on a free loopback port, that keeps what it is
sent and answers each path as told."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from resolvers.vapid import b64url


@dataclass
class PushedMessage:
    path: str
    headers: dict[str, str]
    body: bytes
    peer: tuple[str, int]  # the sender's end of the connection: the same for a reused connection


@dataclass
class BrowserKeys:
    """What a browser keeps to read its pushes: a P-256 key pair and a 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def keys(self) -> dict[str, str]:
        """`PushSubscription.toJSON().keys`."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}

    def decrypt(self, body: bytes) -> bytes:
        """As the browser does before handing the push to the service worker (RFC 8291)."""
        return bytes(
            http_ece.decrypt(
                body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
            )
        )


@dataclass
class PushService:
    """Answers `/status/<code>/<name>` with that status (and `Retry-After: 120` for 429 and 5xx, a
    `Location` on this service for 3xx)."""

    origin: str
    received: asyncio.Queue[PushedMessage] = field(default_factory=asyncio.Queue)

    def endpoint(self, status: int, name: str) -> str:
        return f"{self.origin}/status/{status}/{name}"

    async def handle(self, request: web.Request) -> web.Response:
        assert request.transport is not None
        peer = request.transport.get_extra_info("peername")[:2]
        body = await request.read()
        await self.received.put(PushedMessage(request.path, dict(request.headers), body, peer))
        status = int(request.match_info["status"])
        headers = {"Retry-After": "120"} if status == 429 or status >= 500 else {}
        if 300 <= status < 400:
            headers = {"Location": self.endpoint(201, "redirected")}
        return web.Response(status=status, headers=headers)


@asynccontextmanager
async def push_service() -> AsyncIterator[PushService]:
    service = PushService("")
    app = web.Application()
    app.router.add_post("/status/{status}/{name}", service.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        service.origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
        yield service
    finally:
        await runner.cleanup()
