"""Where a webhook may be sent: the outbound-address rule (resolvers/outbound_addresses.py), with
the deployment's exceptions (OUTBOUND_ALLOW_PRIVATE).

The host is resolved and checked at registration (a clear error) and again at every send, which
then connects to the address it checked: a name that resolves elsewhere later (DNS rebinding)
cannot turn a delivery towards the inside."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult

from models.webhooks import URL_MAX
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.outbound_addresses import (
    IpAddress,
    MalformedUrl,
    OutboundPolicy,
    UnsafeAddress,
    check_host,
    outbound_url,
)


@dataclass(frozen=True)
class Destination:
    """A checked URL and the address a request to it connects to."""

    url: SplitResult
    address: IpAddress

    @property
    def host(self) -> str:
        return self.url.hostname or ""

    @property
    def port(self) -> int:
        return self.url.port or (443 if self.url.scheme == "https" else 80)

    def connect_url(self) -> str:
        """The URL with the checked address in place of the name (the Host header keeps the name)."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        path = self.url.path or "/"
        query = f"?{self.url.query}" if self.url.query else ""
        return f"{self.url.scheme}://{literal}:{self.port}{path}{query}"


def parse_webhook_url(text: str, field: str = "url") -> SplitResult:
    try:
        if len(text.strip()) > URL_MAX:
            raise MalformedUrl("too long")
        return outbound_url(text)
    except MalformedUrl as exc:
        raise fail(
            ErrorCode.INVALID_URL,
            "Alamat webhook harus URL http(s) tanpa nama pengguna atau fragmen",
            "A webhook address must be an http(s) URL without credentials or fragment",
            field,
        ) from exc


async def resolve_destination(url: SplitResult, policy: OutboundPolicy, field: str = "url") -> Destination:
    """The first address the host resolves to, if every one of them is allowed."""
    host = url.hostname or ""
    try:
        check_host(url, policy)
    except UnsafeAddress as exc:
        raise _refused(host, [], field) from exc
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, url.port or (443 if url.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError) as exc:
        raise fail(
            ErrorCode.INVALID_URL,
            f"Nama host {host} tidak dapat di-resolve",
            f"The host {host} does not resolve",
            field,
        ) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    refused = [a for a in addresses if not policy.permits(a)]
    if not addresses or refused:
        raise _refused(host, refused, field)
    return Destination(url, addresses[0])


def _refused(host: str, addresses: list[IpAddress], field: str) -> DomainError:
    shown = ", ".join(str(a) for a in addresses[:3]) or host
    return fail(
        ErrorCode.ADDRESS_NOT_ALLOWED,
        f"{host} menunjuk ke alamat privat, loopback, link-local atau khusus ({shown})",
        f"{host} points to a private, loopback, link-local or reserved address ({shown})",
        field,
    )
