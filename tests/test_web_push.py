"""Web Push: a browser registers its subscription through the API, and a notification reaches it
through a push service (served by the test), encrypted for that browser alone and signed with
Sigap's VAPID key; the push service's answers decide what becomes of the subscription."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from models import Delivery
from realtime.deliveries import PermanentFailure, RetryableFailure
from resolvers import outbound_addresses
from resolvers.identity import Principal
from resolvers.outbound_addresses import OutboundPolicy, UnsafeAddress
from resolvers.public_resolver import PublicOnlyResolver
from resolvers.vapid import WebPushConfig, from_b64url, generate_private_key, public_key_of
from resolvers.web_push import MAX_PLAINTEXT_BYTES, MAX_REFUSALS, WebPushSender, encoded_message
from server.app import create_app
from server.cli import main as sigap
from server.settings import Settings, SettingsError
from tests.conftest import Database
from tests.graphql import SIGNER, citizen
from tests.web_push_service import BrowserKeys, PushService, push_service

CONFIG = WebPushConfig(private_key=generate_private_key(), subject="mailto:ops@kupangkota.test")
LOCAL = OutboundPolicy.parse("127.0.0.1/32")  # the test's push service: http, on loopback
REGISTER = """mutation($input: RegisterPushSubscriptionInput!) { registerPushSubscription(input: $input) {
  pushSubscription { endpoint label } errors { code field message messageEn } } }"""
UNREGISTER = """mutation($endpoint: String!) { unregisterPushSubscription(endpoint: $endpoint) {
  removed errors { code } } }"""
MINE = "{ me { pushSubscriptions { endpoint label lastSuccessAt failures } } }"
NOTIFICATION = {
    "title": "Laporan KPG-0042 selesai",
    "body": "Dinas Lingkungan Hidup menyelesaikan laporan Anda: sampah sudah diangkut.",
    "url": "https://sigap.kupangkota.test/r/KPG-0042",
    "report_code": "KPG-0042",
    "event_id": 4242,
}


@pytest.fixture(scope="module")
async def service() -> AsyncIterator[PushService]:
    async with push_service() as running:
        yield running


@pytest.fixture(scope="module")
async def sender() -> AsyncIterator[WebPushSender]:
    """One sender for the module, as the server keeps one for its life."""
    async with WebPushSender(CONFIG, LOCAL) as running:
        yield running


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    """The API over HTTP, in-process, with the Web Push settings of a deployment."""
    settings = Settings(
        environment="test", jwt_secret=SIGNER.secret, web_push=CONFIG, outbound_addresses=LOCAL
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            yield client
    finally:
        outbound_addresses.configure(OutboundPolicy())  # the app set the deployment's policy


class Citizen:
    """A signed-in citizen calling the API from a browser."""

    def __init__(self, api: httpx.AsyncClient, principal: Principal) -> None:
        assert principal.user is not None
        self.api, self.user_id = api, principal.user.id
        self.headers = {"authorization": f"Bearer {SIGNER.access_token(principal.user)[0]}"}

    async def call(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {**self.headers, "user-agent": "Firefox/140 (Android)"}
        answer = (
            await self.api.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        ).json()
        assert "errors" not in answer, answer
        return answer["data"]

    async def register(self, endpoint: str, keys: dict[str, str], **extra: Any) -> dict[str, Any]:
        data = await self.call(REGISTER, input={"endpoint": endpoint, "keys": keys, **extra})
        return data["registerPushSubscription"]

    async def subscriptions(self) -> list[dict[str, Any]]:
        return (await self.call(MINE))["me"]["pushSubscriptions"]

    def notified(self) -> Delivery:
        return Delivery(
            id=1, channel="web_push", target=str(self.user_id), payload=dict(NOTIFICATION), event_id=4242
        )


async def signed_in(api: httpx.AsyncClient, name: str) -> Citizen:
    return Citizen(api, await citizen(name))


async def test_a_notification_reaches_the_browser_encrypted_and_signed(
    db: Database, api: httpx.AsyncClient, service: PushService
) -> None:
    rina, browser = await signed_in(api, "Rina"), BrowserKeys()
    endpoint = service.endpoint(201, "rina-laptop")
    registered = await rina.register(endpoint, browser.keys, label="Laptop Rina")
    assert registered == {"pushSubscription": {"endpoint": endpoint, "label": "Laptop Rina"}, "errors": []}

    async with WebPushSender(CONFIG, LOCAL) as sender:
        await sender.send(rina.notified())
        pushed = service.received.get_nowait()
        await sender.send(rina.notified())  # the next one goes over the same connection
        assert service.received.get_nowait().peer == pushed.peer

    assert orjson.loads(browser.decrypt(pushed.body)) == NOTIFICATION
    assert pushed.headers["Content-Encoding"] == "aes128gcm"
    assert pushed.headers["TTL"] == str(CONFIG.ttl_s)
    assert pushed.headers["Urgency"] == "normal"
    scheme, _, credentials = pushed.headers["Authorization"].partition(" ")
    token, key = (part.split("=", 1)[1] for part in credentials.split(","))
    assert scheme == "vapid"
    public_key = (await api.post("/graphql", json={"query": "{ webPushPublicKey }"})).json()["data"]
    assert key == public_key["webPushPublicKey"]
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), from_b64url(key))
    claims = jwt.decode(token, verifier, algorithms=["ES256"], audience=service.origin)
    assert claims["sub"] == "mailto:ops@kupangkota.test"
    assert (
        datetime.now(UTC)
        < datetime.fromtimestamp(claims["exp"], UTC)
        <= datetime.now(UTC) + timedelta(hours=24)
    )
    [subscription] = await rina.subscriptions()
    assert subscription["lastSuccessAt"] is not None
    assert subscription["failures"] == 0


async def test_a_browser_that_unsubscribed_is_forgotten_not_retried(
    db: Database, api: httpx.AsyncClient, service: PushService, sender: WebPushSender
) -> None:
    rina = await signed_in(api, "Rina")
    await rina.register(service.endpoint(410, "old-phone"), BrowserKeys().keys)
    await rina.register(service.endpoint(404, "expired"), BrowserKeys().keys)

    with pytest.raises(PermanentFailure, match="unsubscribed"):  # given up: nothing left to retry
        await sender.send(rina.notified())

    assert {service.received.get_nowait().path for _ in range(2)} == {
        "/status/410/old-phone",
        "/status/404/expired",
    }
    assert await rina.subscriptions() == []
    await sender.send(rina.notified())  # no subscription: nothing to send
    assert service.received.empty()


async def test_a_failing_push_service_is_retried_after_its_retry_after(
    db: Database, api: httpx.AsyncClient, service: PushService, sender: WebPushSender
) -> None:
    rina = await signed_in(api, "Rina")
    await rina.register(service.endpoint(500, "busy"), BrowserKeys().keys)

    with pytest.raises(RetryableFailure) as failure:
        await sender.send(rina.notified())

    assert failure.value.status_code == 500
    assert failure.value.retry_after == timedelta(seconds=120)
    assert service.received.get_nowait().path == "/status/500/busy"
    assert [s["failures"] for s in await rina.subscriptions()] == [1]


async def test_a_subscription_refused_again_and_again_is_dropped(
    db: Database, api: httpx.AsyncClient, service: PushService, sender: WebPushSender
) -> None:
    rina = await signed_in(api, "Rina")
    await rina.register(service.endpoint(403, "made-with-another-key"), BrowserKeys().keys)

    for sent in range(1, MAX_REFUSALS + 1):
        with pytest.raises(PermanentFailure):  # not worth retrying this delivery
            await sender.send(rina.notified())
        assert [s["failures"] for s in await rina.subscriptions()] == ([sent] if sent < MAX_REFUSALS else [])

    assert service.received.qsize() == MAX_REFUSALS
    while not service.received.empty():
        service.received.get_nowait()


async def test_addresses_inside_the_network_are_never_reached(
    db: Database, api: httpx.AsyncClient, service: PushService, sender: WebPushSender
) -> None:
    rina = await signed_in(api, "Rina")
    await rina.register(service.endpoint(307, "elsewhere"), BrowserKeys().keys)

    with pytest.raises(PermanentFailure):  # the only push service refused: not worth retrying
        await sender.send(rina.notified())
    assert service.received.get_nowait().path == "/status/307/elsewhere"
    assert service.received.empty()  # the redirect was not followed

    async with WebPushSender(CONFIG, OutboundPolicy()) as production:
        with pytest.raises(PermanentFailure):  # the test's loopback service is not allowed here
            await production.send(rina.notified())
    assert service.received.empty()
    assert await rina.subscriptions() == []  # an address that can never be sent to is dropped
    with pytest.raises(UnsafeAddress):  # names are checked where they resolve
        await PublicOnlyResolver(OutboundPolicy()).resolve("localhost", 443)


def test_a_long_message_is_shortened_to_fit_a_push() -> None:
    wordy = {**NOTIFICATION, "body": "Sampah menumpuk di pasar Oeba. " * 300}

    message = orjson.loads(encoded_message(Delivery(channel="web_push", target="1", payload=wordy)))

    assert len(orjson.dumps(message)) <= MAX_PLAINTEXT_BYTES  # a push service takes 4,096 bytes encrypted
    assert message["body"].startswith("Sampah menumpuk di pasar Oeba.")
    assert message["body"].endswith("…")
    assert {key: value for key, value in message.items() if key != "body"} == {
        key: value for key, value in NOTIFICATION.items() if key != "body"
    }


BAD_REGISTRATIONS = [
    ({"endpoint": "http://push.example.com/x"}, "INVALID_INPUT", "endpoint"),  # not https, not allowed
    ({"endpoint": "https://10.0.0.7/push"}, "INVALID_INPUT", "endpoint"),  # the city's own network
    ({"endpoint": "https://[::ffff:169.254.169.254]/"}, "INVALID_INPUT", "endpoint"),  # cloud metadata
    ({"endpoint": "https://[fd00::7]:8443/push"}, "INVALID_INPUT", "endpoint"),  # (loopback: LOCAL)
    ({"endpoint": "https://push.example.com/" + "x" * 1100}, "TOO_LONG", "endpoint"),
    ({"keys": {"p256dh": "BAAA"}}, "INVALID_INPUT", "keys.p256dh"),  # too short
    ({"keys": {"p256dh": "B" + "A" * 86}}, "INVALID_INPUT", "keys.p256dh"),  # 65 bytes, not on the curve
    ({"keys": {"auth": "not base64url!"}}, "INVALID_INPUT", "keys.auth"),
    ({"label": "a\u202eb"}, "INVALID_INPUT", "label"),  # reverses the text after it
]


async def test_bad_registrations_are_refused_with_a_code_and_change_nothing(
    db: Database, api: httpx.AsyncClient
) -> None:
    rina, good = await signed_in(api, "Rina"), BrowserKeys().keys
    for change, code, field in BAD_REGISTRATIONS:
        given = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", **change}
        given["keys"] = {**good, **change.get("keys", {})}

        refused = (await rina.call(REGISTER, input=given))["registerPushSubscription"]

        [error] = refused["errors"]
        assert (error["code"], error["field"]) == (code, field), change
        assert error["message"] != error["messageEn"]  # Indonesian, and English beside it
    assert await rina.subscriptions() == []
    anonymous = {"input": {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": good}}
    answer = (await api.post("/graphql", json={"query": REGISTER, "variables": anonymous})).json()
    assert [e["code"] for e in answer["data"]["registerPushSubscription"]["errors"]] == ["UNAUTHENTICATED"]


async def test_an_endpoint_belongs_to_whoever_registered_it_last(
    db: Database, api: httpx.AsyncClient
) -> None:
    rina, budi, keys = await signed_in(api, "Rina"), await signed_in(api, "Budi"), BrowserKeys().keys
    endpoint = "https://updates.push.services.mozilla.com/wpush/v2/shared-computer"
    registered = await rina.register(endpoint, keys)
    await rina.register(endpoint, keys)  # the same browser again: still one subscription
    assert registered["pushSubscription"]["label"] == "Firefox/140 (Android)"  # unnamed: its User-Agent
    assert [s["endpoint"] for s in await rina.subscriptions()] == [endpoint]

    await budi.register(endpoint, keys)  # Budi signs in on the same browser
    assert await rina.subscriptions() == []
    assert (await rina.call(UNREGISTER, endpoint=endpoint))["unregisterPushSubscription"]["removed"] is False
    assert (await budi.call(UNREGISTER, endpoint=endpoint))["unregisterPushSubscription"]["removed"] is True
    assert await budi.subscriptions() == []


def test_sigap_keys_vapid_prints_a_key_pair(capsys: pytest.CaptureFixture[str]) -> None:
    assert sigap(["keys", "vapid"]) == 0

    private_line, public_line = capsys.readouterr().out.splitlines()
    private_key = private_line.removeprefix("VAPID_PRIVATE_KEY=")
    assert len(from_b64url(private_key)) == 32
    assert public_line.endswith(public_key_of(private_key))
    assert Settings.from_env({"VAPID_PRIVATE_KEY": private_key}).web_push.public_key == public_key_of(
        private_key
    )


def test_development_keeps_a_generated_key_and_production_needs_one(tmp_path: Any) -> None:
    key_file = tmp_path / "var" / "vapid_private_key"
    first = Settings.from_env({"VAPID_KEY_FILE": str(key_file)}).web_push.public_key
    again = Settings.from_env({"VAPID_KEY_FILE": str(key_file)}).web_push.public_key

    assert first is not None
    assert first == again
    assert key_file.stat().st_mode & 0o777 == 0o600
    production = {"SIGAP_ENV": "production", "JWT_SECRET": "p" * 40}
    assert Settings.from_env(production).web_push.public_key is None  # no key: Web Push is off
    with pytest.raises(SettingsError, match="WEB_PUSH_ALLOWED_HOSTS"):
        Settings.from_env({**production, "WEB_PUSH_ALLOWED_HOSTS": "127.0.0.1"})
    with pytest.raises(SettingsError, match="VAPID_PRIVATE_KEY"):
        Settings.from_env({"VAPID_PRIVATE_KEY": "not-a-key"})
