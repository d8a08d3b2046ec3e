"""Resolving names for outbound requests with aiohttp, refusing those that lead inside the network
(the rule is resolvers/outbound_addresses.py). Apart from that rule so that checking an address,
as registration does, never loads an HTTP client."""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from resolvers.outbound_addresses import OutboundPolicy, UnsafeAddress


class PublicOnlyResolver(AbstractResolver):
    """Resolves like aiohttp's default resolver, and refuses names whose addresses the policy does
    not all permit."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self.resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self.resolver.resolve(host, port, family)
        if not all(self.policy.permits(r["host"]) for r in found):
            raise UnsafeAddress(f"{host} resolves to a private address")
        return found

    async def close(self) -> None:
        await self.resolver.close()
