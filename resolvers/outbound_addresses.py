"""Where Sigap may send requests on someone's behalf (webhooks, Web Push): the one rule against
SSRF, so that a registered address cannot make the server reach its own network.

An outbound address is an http(s) URL with a host, without credentials or fragment
(`outbound_url`), and it may be reached only on public addresses (`is_public`), or on the
networks the deployment names as exceptions (`OutboundPolicy`, from OUTBOUND_ALLOW_PRIVATE: "1"
for any, or a list of networks; a closed network, tests). Checked where the address is known:
as written (`check_host`: an address literal, or `localhost`), and every address its name
resolves to when connecting (resolvers/webhook_addresses.py, resolvers/public_resolver.py), so a
name that later resolves inside is refused too. Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# "localhost" in a list of networks, and a URL's `localhost` host (RFC 6761: always loopback).
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


class UnsafeAddress(OSError):
    """The address is not one Sigap sends to. (An OSError: aiohttp passes it through its
    connection errors, where `PublicOnlyResolver` raises it.)"""


class MalformedUrl(ValueError):
    """Not an http(s) URL with a host, without credentials or fragment."""


def is_public(address: str | IpAddress) -> bool:
    """The rule of where Sigap's outbound requests may connect: a global unicast address; an IPv4
    address written as IPv6 (::ffff:10.0.0.1) is judged as IPv4."""
    ip = _literal(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class OutboundPolicy:
    """The deployment's exceptions to `is_public`: none by default."""

    allow_any: bool = False  # "1": a closed network (tests, an intranet)
    allowed: tuple[IpNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> OutboundPolicy:
        """From the setting: "1" (any), or networks (CIDR), addresses and `localhost`, separated by
        commas; raises ValueError on anything else."""
        text = (text or "").strip()
        if text.lower() in {"1", "true", "yes"}:
            return cls(allow_any=True)
        if text.lower() in {"", "0", "false", "no"}:
            return cls()
        networks: list[IpNetwork] = []
        for part in (p.strip() for p in text.split(",")):
            if part.lower() == "localhost":
                networks.extend(LOOPBACK)
            elif part:
                networks.append(ipaddress.ip_network(part))
        return cls(allowed=tuple(networks))

    def __or__(self, other: OutboundPolicy) -> OutboundPolicy:
        """Both sets of exceptions (the older settings add to OUTBOUND_ALLOW_PRIVATE)."""
        return OutboundPolicy(self.allow_any or other.allow_any, self.allowed + other.allowed)

    def excepts(self, address: str | IpAddress) -> bool:
        """Whether the address is one of the exceptions (which may also be reached over http), as
        written: 127.0.0.1/32 does not let ::ffff:127.0.0.1 through."""
        ip = _literal(address)
        return self.allow_any or any(ip in network for network in self.allowed)

    def permits(self, address: str | IpAddress) -> bool:
        return self.excepts(address) or is_public(address)


_policy = OutboundPolicy()


def configure(policy: OutboundPolicy) -> None:
    """The deployment's policy (server.deliveries.configure_outbound, from the settings)."""
    global _policy
    _policy = policy


def current_policy() -> OutboundPolicy:
    return _policy


def outbound_url(text: str) -> SplitResult:
    """The URL's parts, if it is an http(s) URL with a host, without credentials or fragment."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise MalformedUrl(f"not a URL: {exc}") from exc
    if parts.scheme not in {"http", "https"}:
        raise MalformedUrl("not an http(s) address")
    if not parts.hostname or parts.username is not None or parts.password is not None or parts.fragment:
        raise MalformedUrl("an address has a host, and no credentials or fragment")
    return parts


def check_host(url: SplitResult, policy: OutboundPolicy, *, https_only: bool = False) -> None:
    """UnsafeAddress unless the host as written may be reached: an address literal (or
    `localhost`) the policy permits; a name is judged by its addresses when connecting.
    `https_only` (Web Push): plain http only to the policy's exceptions."""
    host = (url.hostname or "").lower().rstrip(".")  # "localhost." is localhost
    if host == "localhost" or host.endswith(".localhost"):
        addresses: list[IpAddress] = [ipaddress.ip_address("127.0.0.1")]  # what it resolves to: later
    else:
        try:
            addresses = [_literal(host)]
        except ValueError:
            addresses = []
    refused = [a for a in addresses if not policy.permits(a)]
    if refused:
        raise UnsafeAddress(f"{host} is a private, loopback, link-local or reserved address ({refused[0]})")
    excepted = policy.allow_any or (bool(addresses) and all(policy.excepts(a) for a in addresses))
    if https_only and url.scheme != "https" and not excepted:
        raise UnsafeAddress("only an https address is sent to")


def checked_url(text: str, policy: OutboundPolicy, *, https_only: bool = False) -> SplitResult:
    """`outbound_url` then `check_host`: MalformedUrl or UnsafeAddress, or the URL's parts."""
    url = outbound_url(text)
    check_host(url, policy, https_only=https_only)
    return url


def _literal(text: str | IpAddress) -> IpAddress:
    return ipaddress.ip_address(str(text).split("%", 1)[0])  # an IPv6 zone names a local interface
