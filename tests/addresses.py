"""HTTP clients of the real app in-process, each coming from the address given, as the socket
would say (limits per address are decided from it, never from a header)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from starlette.types import ASGIApp

FromAddress = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


def clients_by_address(app: ASGIApp) -> FromAddress:
    @asynccontextmanager
    async def client(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield http

    return client
