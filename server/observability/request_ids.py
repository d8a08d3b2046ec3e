"""Every request and websocket gets an id: the gateway's when the gateway proves who it is (so
one id names the request on every hop), a fresh one otherwise; a client cannot choose the id
that lands in the logs. It is returned in the x-request-id response header."""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.request_ids import current_request_id, new_request_id
from server.gateway_identity import from_gateway
from server.settings import Settings

REQUEST_ID_HEADER = b"x-request-id"
# Hive Gateway sends UUIDs; nothing that could forge a log line or grow without bound.
_ACCEPTABLE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def request_id_for(headers: Mapping[bytes, bytes], settings: Settings) -> str:
    offered = headers.get(REQUEST_ID_HEADER)
    if offered is not None and _ACCEPTABLE.fullmatch(offered) and from_gateway(headers, settings):
        return offered.decode("ascii")
    return new_request_id()


class RequestIds:
    """ASGI middleware: sets the request id for everything the request runs (logs, masked
    errors) and adds it to the HTTP response's headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(dict(scope.get("headers") or ()), self.settings)
        token = current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            current_request_id.reset(token)
