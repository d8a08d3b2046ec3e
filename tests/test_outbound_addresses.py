"""The one outbound-address rule (resolvers/outbound_addresses.py) and its one setting: webhooks and
Web Push refuse the same addresses, and the deployment's exceptions (OUTBOUND_ALLOW_PRIVATE, or the
older names it replaces) open the same ones to both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from resolvers.errors import DomainError
from resolvers.outbound_addresses import MalformedUrl, OutboundPolicy, UnsafeAddress, checked_url
from resolvers.webhook_addresses import parse_webhook_url, resolve_destination
from server.settings import Settings, SettingsError

INSIDE = [
    "http://10.0.0.7/h",
    "http://169.254.169.254/latest",
    "http://127.0.0.1:9/h",
    "http://localhost:9/h",
]


async def _webhook_refuses(url: str, policy: OutboundPolicy) -> bool:
    try:
        await resolve_destination(parse_webhook_url(url), policy)
    except DomainError as exc:
        return exc.errors[0].code == "ADDRESS_NOT_ALLOWED"
    return False


def _push_refuses(url: str, policy: OutboundPolicy) -> bool:
    """As Web Push's registration and its sender check an endpoint (resolvers/push_subscriptions.py,
    resolvers/web_push.py); names are checked again where they resolve (PublicOnlyResolver)."""
    try:
        checked_url(url.replace("http://", "https://"), policy, https_only=True)
    except UnsafeAddress:
        return True
    return False


@pytest.mark.parametrize("url", INSIDE)
async def test_webhooks_and_web_push_refuse_the_same_addresses_and_except_the_same(url: str) -> None:
    refusing, local = OutboundPolicy(), OutboundPolicy.parse("127.0.0.0/8,10.0.0.0/8,169.254.0.0/16")

    assert await _webhook_refuses(url, refusing)
    assert _push_refuses(url, refusing)
    assert not await _webhook_refuses(url, local)
    assert not _push_refuses(url, local)


def test_web_push_takes_plain_http_only_from_the_exceptions() -> None:
    local = OutboundPolicy.parse("localhost")

    checked_url("http://127.0.0.1:8080/push", local, https_only=True)  # a push service in a test
    with pytest.raises(UnsafeAddress):
        checked_url("http://93.184.215.14/push", local, https_only=True)  # public, but not https
    with pytest.raises(UnsafeAddress):  # loopback written as IPv6: an exception is taken as written
        checked_url("http://[::ffff:127.0.0.1]/push", local, https_only=True)
    with pytest.raises(MalformedUrl):
        checked_url("https://user:secret@93.184.215.14/push", local, https_only=True)


def test_one_setting_and_its_older_names_add_exceptions() -> None:
    def policy(**env: str) -> OutboundPolicy:
        return Settings.from_env(env).outbound_addresses

    assert not policy().permits("10.1.2.3")
    assert policy(OUTBOUND_ALLOW_PRIVATE="10.0.0.0/8").permits("10.1.2.3")
    assert policy(WEBHOOK_ALLOW_PRIVATE="10.0.0.0/8").permits("10.1.2.3")  # as before, now for both
    assert policy(WEB_PUSH_ALLOWED_HOSTS="127.0.0.1").permits("127.0.0.1")
    both = policy(OUTBOUND_ALLOW_PRIVATE="10.0.0.0/8", WEB_PUSH_ALLOWED_HOSTS="localhost")
    assert [both.permits(a) for a in ("10.1.2.3", "::1", "192.168.1.1")] == [True, True, False]
    assert policy(OUTBOUND_ALLOW_PRIVATE="1").permits("192.168.1.1")
    with pytest.raises(SettingsError, match="OUTBOUND_ALLOW_PRIVATE"):
        policy(OUTBOUND_ALLOW_PRIVATE="push.internal")  # names are not exceptions: addresses are


def test_only_the_rule_judges_addresses() -> None:
    """No second rule of which addresses are inside: every path asks resolvers/outbound_addresses.py
    (its policy's `permits`), so an exception or a fix there holds for webhooks and Web Push alike."""
    repo = Path(__file__).resolve().parent.parent
    door = repo / "resolvers" / "outbound_addresses.py"
    judging = re.compile(r"\.is_(global|private|loopback|link_local|reserved)\b|\bis_public\(")
    offenders = [
        str(path.relative_to(repo))
        for package in ("models", "realtime", "resolvers", "schema", "server", "federation")
        for path in sorted((repo / package).rglob("*.py"))
        if path != door and judging.search(path.read_text())
    ]

    assert offenders == []
    assert judging.search(door.read_text())  # the check sees the rule itself
