"""Webhooks through the public interface, against a real receiver process (tests/webhook_receiver.py),
on SQLite and PostgreSQL: a partner registers an endpoint, Sigap POSTs its events signed (verified
here by the Standard Webhooks rules), retries 500s and timeouts, keeps each report's order, gives up
(and disables the endpoint) when the retry window ends or the receiver answers 410, refuses private
addresses, replays from a cursor, and loses nothing when the delivering server is killed mid-send."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from models import ApiKey, Delivery, DeliveryStatus, ReportEvent, Role, WebhookStatus
from models import WebhookEndpoint as WebhookEndpointModel
from realtime.deliveries import DeliveryDraft, DeliveryPolicy, consume_once, deliver_due, enqueue
from resolvers import outbound_addresses, webhooks
from resolvers.errors import DomainError
from resolvers.identity import principal_of_key
from resolvers.outbound_addresses import OutboundPolicy
from resolvers.webhook_addresses import parse_webhook_url, resolve_destination
from resolvers.webhooks import new_webhook_secret
from schema import webhooks as schema_webhooks
from schema.context import Context
from schema.ids import from_global_id, to_global_id
from schema.webhook_payloads import WebhookPayloads
from server.webhooks.consumer import WebhookConsumer
from server.webhooks.sender import WebhookSender
from tests.casework_api import move
from tests.conftest import Database
from tests.graphql import file_report, gql, staff
from tests.live_clients import change_status_http, file_report_http, graphql_http, wait_until
from tests.server_process import REPO, RunningServer, server_database, sigap_server
from tests.webhook_receiver import Receiver, running_receiver

# Fast clocks: a send may take 0.5 s (a claimed delivery is leased for 2 s), the first retry comes
# after ~0.1 s.
DELIVERY_SETTINGS = {
    "DELIVERY_POLL_SECONDS": "0.2",
    "DELIVERY_SEND_TIMEOUT_SECONDS": "0.5",
    "DELIVERY_RETRY_BASE_SECONDS": "0.1",
    "WEBHOOK_RETRY_SECONDS": "600",  # outlives a restart (the retry window: tested in-process)
    "OUTBOUND_ALLOW_PRIVATE": "127.0.0.1/32",  # the receiver; every other private address is refused
}

CREATE_KEY = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key errors { code } } }"""
CREATE_WEBHOOK = """mutation($i: CreateWebhookInput!) { createWebhookEndpoint(input: $i) {
  endpoint { id url status } secret errors { code field message } } }"""
ENDPOINTS = """{ webhookEndpoints { id url status disabledReason
  deliveries(first: 50) { eventCursor status attempts lastStatusCode lastError } } }"""
REPLAY = (
    """mutation($i: ReplayWebhookInput!) { replayWebhook(input: $i) { queued nextCursor errors { code } } }"""
)


@pytest.fixture(scope="module")
def database_url(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for the module's server, of the backend the in-process tests run on (following
    the session's `database` keeps each backend's tests together: one server per backend)."""
    with server_database(tmp_path_factory.mktemp("webhooks"), database.backend) as url:
        yield url


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    with running_receiver(tmp_path_factory.mktemp("receiver")) as running:
        yield running


class ServerLives:
    """The module's server, which one test kills and starts again on the same database."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.database_url, self.folder = database_url, folder
        self._life: contextlib.ExitStack | None = None
        self.current = self.start()

    def start(self, **env: str) -> RunningServer:
        self._life = contextlib.ExitStack()
        settings = {**DELIVERY_SETTINGS, "DATABASE_URL": self.database_url, **env}
        return self._life.enter_context(sigap_server(self.folder, **settings))

    def kill_and_restart(self) -> RunningServer:
        """SIGKILL (no shutdown at all), then a new process: no migrations, no seeding left to do."""
        os.killpg(self.current.process.pid, signal.SIGKILL)
        self.current.process.wait(timeout=10)
        self.stop()
        self.current = self.start(MIGRATE_ON_START="false", SEED_ON_START="false")
        return self.current

    def stop(self) -> None:
        if self._life is not None:
            self._life.close()


@pytest.fixture(scope="module")
def lives(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerLives]:
    running = ServerLives(database_url, tmp_path_factory.mktemp("server"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def server(lives: ServerLives) -> RunningServer:
    return lives.current


def partner_key(server: RunningServer, name: str) -> dict[str, str]:
    variables = {"i": {"name": name, "kind": "PARTNER", "scopes": ["reports:read"]}}
    created = graphql_http(server.url, CREATE_KEY, variables, server.staff_headers())["createApiKey"]
    assert created["errors"] == []
    return {"x-api-key": created["key"]}


def register(server: RunningServer, key: dict[str, str], url: str, **fields: Any) -> dict[str, Any]:
    return dict(
        graphql_http(server.url, CREATE_WEBHOOK, {"i": {"url": url, **fields}}, key)["createWebhookEndpoint"]
    )


def endpoints(server: RunningServer, key: dict[str, str]) -> list[dict[str, Any]]:
    return list(graphql_http(server.url, ENDPOINTS, {}, key)["webhookEndpoints"])


def verified(secret: str, request: dict[str, Any]) -> dict[str, Any]:
    """The body, if its signature holds by the Standard Webhooks specification (written here from
    the specification, not from Sigap's code): v1 = base64(HMAC-SHA256(base64-decoded secret,
    "{id}.{timestamp}.{body}")), with a timestamp within five minutes."""
    headers, body = request["headers"], request["body"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    signatures = [part.split(",", 1) for part in headers["webhook-signature"].split(" ")]
    assert any(version == "v1" and hmac.compare_digest(sig, expected) for version, sig in signatures), (
        "no signature verifies"
    )
    assert abs(time.time() - int(headers["webhook-timestamp"])) < 300
    return dict(json.loads(body))


def test_signed_events_come_in_order_per_report_through_500s_and_timeouts(
    server: RunningServer, receiver: Receiver
) -> None:
    key = partner_key(server, "Harian Pos Kupang")
    created = register(server, key, receiver.hook_url(f"news-{server.url[-5:]}"))
    assert created["errors"] == []
    secret, hook = created["secret"], f"news-{server.url[-5:]}"
    assert secret.startswith("whsec_")
    receiver.script(hook, [500, "slow"])  # the first event: refused, then no answer in time

    first = file_report_http(server.url, "Lampu jalan mati")
    second = file_report_http(server.url, "Sampah menumpuk")
    acknowledged = change_status_http(server, first["id"], "ACKNOWLEDGED")

    requests = receiver.wait_for(hook, 5)  # 2 failed attempts, then the 3 events
    bodies = [(r["answer"], verified(secret, r)) for r in requests]
    delivered = [body["data"] for answer, body in bodies if answer == 200]
    first_report = [d["cursor"] for d in delivered if d["report"]["code"] == first["code"]]
    assert first_report == [first["cursor"], acknowledged]  # in order, though the first one failed twice
    assert {d["report"]["code"] for d in delivered} == {first["code"], second["code"]}
    answers: dict[str, list[Any]] = {}
    for answer, body in bodies:
        answers.setdefault(body["data"]["cursor"], []).append(answer)
    # Whichever events met the 500 and the timeout were sent again until answered 200.
    assert sorted(str(a) for sent in answers.values() for a in sent) == ["200", "200", "200", "500", "slow"]
    assert all(sent[-1] == 200 and sent.count(200) == 1 for sent in answers.values())
    assert all(body["type"] == "report.event" for _, body in bodies)
    report = delivered[0]["report"]
    assert "reporterContact" not in report  # what reportEvents gives a key: no contact data
    assert set(report["location"]) == {"lat", "lon"}

    def log() -> dict[str, tuple[str, int, int]]:
        (endpoint,) = endpoints(server, key)
        return {
            d["eventCursor"]: (d["status"], d["attempts"], d["lastStatusCode"])
            for d in endpoint["deliveries"]
        }

    # The receiver records a request as it comes, before it answers: the last outcome may still
    # be on its way to the log.
    wait_until(
        lambda: all(status != "PENDING" for status, _, _ in log().values()), timeout=20, what="settled"
    )
    assert log() == {cursor: ("DELIVERED", len(sent), 200) for cursor, sent in answers.items()}


def test_a_replay_sends_the_matching_events_after_the_cursor_again(
    server: RunningServer, receiver: Receiver
) -> None:
    key = partner_key(server, "Universitas Nusa Cendana")
    hook = f"campus-{server.url[-5:]}"
    created = register(server, key, receiver.hook_url(hook), filter={"statuses": ["ACKNOWLEDGED"]})
    report = file_report_http(server.url, "Jalan berlubang")
    acknowledged = change_status_http(server, report["id"], "ACKNOWLEDGED")
    # The filter: only the status change.
    wait_until(lambda: len(receiver.received(hook)) == 1, timeout=20, what="one delivery")

    variables = {"i": {"endpoint": created["endpoint"]["id"], "after": report["cursor"]}}
    replayed = graphql_http(server.url, REPLAY, variables, key)["replayWebhook"]
    refused = graphql_http(server.url, REPLAY, {"i": {**variables["i"], "after": "nope"}}, key)[
        "replayWebhook"
    ]

    assert replayed == {"queued": 1, "nextCursor": None, "errors": []}
    assert refused["errors"] == [{"code": "INVALID_CURSOR"}]
    again = receiver.wait_for(hook, 2)
    assert [verified(created["secret"], r)["data"]["cursor"] for r in again] == [acknowledged, acknowledged]
    assert again[0]["headers"]["webhook-id"] != again[1]["headers"]["webhook-id"]  # a new message


def test_private_addresses_and_other_schemes_are_refused_at_registration(server: RunningServer) -> None:
    key = partner_key(server, "Penyusup")
    refusals = {
        url: register(server, key, url)["errors"]
        for url in (
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.7/hook",
            "http://[::1]:8080/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://0.0.0.0/",
            "ftp://example.org/hook",
            "http://user:pass@127.0.0.1/hook",
        )
    }

    codes = {url: [e["code"] for e in errors] for url, errors in refusals.items()}
    assert codes == {
        "http://169.254.169.254/latest/meta-data": ["ADDRESS_NOT_ALLOWED"],
        "http://10.0.0.7/hook": ["ADDRESS_NOT_ALLOWED"],
        "http://[::1]:8080/hook": ["ADDRESS_NOT_ALLOWED"],
        "http://[::ffff:127.0.0.1]/hook": ["ADDRESS_NOT_ALLOWED"],
        "http://0.0.0.0/": ["ADDRESS_NOT_ALLOWED"],
        "ftp://example.org/hook": ["INVALID_URL"],
        "http://user:pass@127.0.0.1/hook": ["INVALID_URL"],
    }
    assert endpoints(server, key) == []


async def test_names_are_checked_by_the_addresses_they_resolve_to() -> None:
    """`localhost` is refused by default, as its address is; the send connects to the checked address."""
    with pytest.raises(DomainError) as refused:
        await resolve_destination(parse_webhook_url("http://localhost:9/hook"), OutboundPolicy())
    allowed = OutboundPolicy.parse("127.0.0.1/32")
    checked = await resolve_destination(parse_webhook_url("http://localhost:9/h?x=1"), allowed)

    assert refused.value.errors[0].code == "ADDRESS_NOT_ALLOWED"
    assert checked.connect_url() == "http://127.0.0.1:9/h?x=1"
    assert checked.url.netloc == "localhost:9"  # the Host header keeps the name


async def test_an_endpoint_failing_past_the_retry_window_or_gone_is_disabled(
    db: Database, receiver: Receiver
) -> None:
    """In-process with a clock of its own (the framework's `now`), against the real receiver: a
    2-second retry window passes in no time."""
    webhooks.configure(timedelta(seconds=2))
    outbound_addresses.configure(OutboundPolicy.parse("127.0.0.1/32"))
    sender = WebhookSender(timeout=0.5)
    policy = DeliveryPolicy(send_timeout=0.5, retry_base=0.1)
    consumer = WebhookConsumer(lambda principal: Context(principal=principal))
    try:
        await consume_once(consumer)
        admin = await staff(Role.CITY_ADMIN, None, "Admin")
        created = await gql(
            CREATE_KEY,
            {"i": {"name": "Dasbor", "kind": "PARTNER", "scopes": ["reports:read"]}},
            principal=admin,
        )
        partner = principal_of_key(await ApiKey.get(prefix=created["createApiKey"]["key"].split("_")[1]))
        failing, gone = f"down-{db.backend}", f"gone-{db.backend}"
        receiver.script(failing, [500] * 100)
        receiver.script(gone, [410])
        for hook in (failing, gone):
            answer = await gql(CREATE_WEBHOOK, {"i": {"url": receiver.hook_url(hook)}}, principal=partner)
            assert answer["createWebhookEndpoint"]["errors"] == []
        await file_report()
        await consume_once(consumer)
        start = datetime.now(UTC)

        for seconds in (0, 0.5, 1.0, 1.5, 3.0):  # the last one is past the window
            await deliver_due({"webhook": sender}, policy=policy, now=start + timedelta(seconds=seconds))

        found = (await gql(ENDPOINTS, principal=partner))["webhookEndpoints"]
        down, left = sorted(found, key=lambda e: "gone" in e["url"])
        assert (down["status"], left["status"]) == ("DISABLED", "DISABLED")
        assert "answered 500" in down["disabledReason"]
        assert [d["status"] for d in down["deliveries"]] == ["FAILED"]
        assert len(receiver.received(failing)) >= 2  # retried until the window ended
        assert "410" in left["disabledReason"]
        assert [(d["status"], d["lastStatusCode"]) for d in left["deliveries"]] == [("FAILED", 410)]

        sent = len(receiver.received(failing))
        await file_report()
        await consume_once(consumer)
        await deliver_due({"webhook": sender}, policy=policy, now=start + timedelta(seconds=4))
        assert len(receiver.received(failing)) == sent  # a disabled endpoint is sent nothing more
        assert await Delivery.filter(status=DeliveryStatus.PENDING).count() == 0
    finally:
        await sender.close()
        outbound_addresses.configure(OutboundPolicy())
        webhooks.configure(timedelta(hours=24))


class ClosingReceiver:
    """An HTTP/1.1 receiver that, by its script, answers a request 200 (keeping the connection
    alive) or closes the connection without answering it, as a server does with a connection it
    finds idle past its keep-alive timeout as the request comes. Records (connection, body).

    Only connections that carry a POST to `path` are numbered: the suite's other workers probe
    ports they expect their own servers on, and one may land on this ephemeral port."""

    def __init__(self, script: list[str], path: bytes = b"/h") -> None:
        self.script = script
        self.path = path
        self.seen: list[tuple[int, bytes]] = []
        self._connections = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = 0
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                request_line, *headers = head.lower().split(b"\r\n")
                if not request_line.startswith(b"post " + self.path + b" "):
                    writer.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    await writer.drain()
                    break
                if not connection:
                    self._connections += 1
                    connection = self._connections
                length = next(
                    int(line.split(b":")[1]) for line in headers if line.startswith(b"content-length:")
                )
                self.seen.append((connection, await reader.readexactly(length)))
                if self.script.pop(0) == "close":
                    break
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the sender closed it
        finally:
            writer.close()


async def test_a_request_on_a_pooled_connection_the_receiver_closed_is_sent_again_at_once(
    db: Database,
) -> None:
    """Not a failed attempt: the receiver never read it. A new connection closed without an answer
    is one, retried later (the delivery log counts what the receiver could have answered)."""
    receiving = ClosingReceiver(["close", "answer", "close", "answer"])
    server = await asyncio.start_server(receiving.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    outbound_addresses.configure(OutboundPolicy.parse("127.0.0.1/32"))
    sender = WebhookSender(timeout=5)
    try:
        admin = await staff(Role.CITY_ADMIN, None, "Admin")
        _, partner = await _partner(admin, "Radio Kupang")
        answer = await gql(CREATE_WEBHOOK, {"i": {"url": f"http://127.0.0.1:{port}/h"}}, principal=partner)
        target = from_global_id(answer["createWebhookEndpoint"]["endpoint"]["id"], "WebhookEndpoint")
        await enqueue(
            [DeliveryDraft(webhooks.CHANNEL, str(target), {"n": n}, order_key=str(n)) for n in range(3)]
        )
        for _ in range(3):  # one at a time: which connection each goes on is the point
            assert await deliver_due({"webhook": sender}, limit=1) == 1
    finally:
        await sender.close()
        server.close()
        outbound_addresses.configure(OutboundPolicy())

    bodies = [(connection, json.loads(body)["n"]) for connection, body in receiving.seen]
    assert bodies == [(1, 0), (2, 1), (2, 2), (3, 2)]  # the third went again, on a new connection
    log = await Delivery.all().order_by("id").values_list("status", "attempts", "last_error")
    assert [(status, attempts) for status, attempts, _ in log] == [
        (DeliveryStatus.PENDING, 1),  # closed on a new connection: retried later
        (DeliveryStatus.DELIVERED, 1),
        (DeliveryStatus.DELIVERED, 1),
    ]
    assert "could not connect" in log[0][2]


async def test_a_body_is_the_keys_view_of_the_event(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sensitive category's report reaches a partner at its rounded point, without its address or
    its reporter's contact, as `reportEvents` shows it to that key; made once for the endpoints of
    keys that see alike, whatever their filters."""
    rendered = []
    render = WebhookPayloads._render

    async def counted(self: WebhookPayloads, view: Any, item: Any) -> Any:
        rendered.append(item.id)
        return await render(self, view, item)

    monkeypatch.setattr(WebhookPayloads, "_render", counted)
    outbound_addresses.configure(OutboundPolicy.parse("127.0.0.1/32"))
    consumer = WebhookConsumer(lambda principal: Context(principal=principal))
    try:
        await consume_once(consumer)
        admin = await staff(Role.CITY_ADMIN, None, "Admin")
        _, partner = await _partner(admin, "Koran")
        _, other = await _partner(admin, "Radio")
        hooks = [(partner, {}), (partner, {"statuses": ["SUBMITTED"]}), (other, {})]
        for principal, event_filter in hooks:
            hook = {"url": "http://127.0.0.1:9/hook", "filter": event_filter}
            answer = await gql(CREATE_WEBHOOK, {"i": hook}, principal=principal)
            assert answer["createWebhookEndpoint"]["errors"] == []
        exact = {"lat": -10.171234, "lon": 123.607654}
        await file_report(categoryCode="PENGEMIS", location=exact, address="Jl. Rahasia 7",
                          contactName="Yohana", contactPhone="+6281234567890")  # fmt: skip
        await consume_once(consumer)
    finally:
        outbound_addresses.configure(OutboundPolicy())

    delivery, *others = await Delivery.all().order_by("id")
    assert [d.payload for d in others] == [delivery.payload] * 2
    assert len(rendered) == 1
    report = delivery.payload["data"]["report"]
    assert report["category"]["code"] == "PENGEMIS"
    assert report["address"] is None
    assert report["location"] != exact
    assert "Yohana" not in json.dumps(delivery.payload)
    assert "6281234567890" not in json.dumps(delivery.payload)


def test_nothing_is_lost_when_the_delivering_server_is_killed_mid_send(
    lives: ServerLives, receiver: Receiver
) -> None:
    hook = f"crash-{lives.current.url[-5:]}"
    receiver.script(hook, ["hold"])  # the first request is in flight when the server dies
    key = partner_key(lives.current, "Sistem Pengaduan Nasional")
    secret = register(lives.current, key, receiver.hook_url(hook))["secret"]
    report = file_report_http(lives.current.url, "Air PDAM mati")
    receiver.wait_for(hook, 1)

    restarted = lives.kill_and_restart()
    later = file_report_http(restarted.url, "Banjir di Oesapa")
    requests = receiver.wait_for(hook, 3)

    cursors = sorted(verified(secret, r)["data"]["cursor"] for r in requests)
    assert cursors == sorted([report["cursor"], report["cursor"], later["cursor"]])  # sent again
    (endpoint,) = endpoints(restarted, key)
    assert {d["status"] for d in endpoint["deliveries"]} == {"DELIVERED"}


def test_deliveries_run_once_is_safe_beside_a_running_server(lives: ServerLives) -> None:
    """`sigap deliveries run-once` (for cron) plans and sends what the server has not yet: here,
    nothing is left, and it says so."""
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "deliveries", "run-once"],
        cwd=REPO, env={**lives.current.environment}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deliveries: ")
    assert "delivery attempt(s)" in done.stdout


ENABLE = """mutation($i: WebhookEndpointInput!) { enableWebhookEndpoint(input: $i) {
  endpoint { id status disabledReason } errors { code } } }"""
ROTATE = """mutation($i: WebhookEndpointInput!) { rotateWebhookSecret(input: $i) {
  endpoint { id } secret errors { code } } }"""


def test_a_disabled_endpoint_is_enabled_again_from_now_and_signs_with_a_rotated_secret(
    server: RunningServer, receiver: Receiver
) -> None:
    key = partner_key(server, "Dinas Provinsi")
    hook = f"revived-{server.url[-5:]}"
    receiver.script(hook, [410])  # the first event: gone, so the endpoint is disabled
    created = register(server, key, receiver.hook_url(hook))
    target = {"i": {"id": created["endpoint"]["id"]}}
    file_report_http(server.url, "Pohon tumbang")
    wait_until(
        lambda: endpoints(server, key)[0]["status"] == "DISABLED", timeout=20, what="the endpoint disabled"
    )
    file_report_http(server.url, "Got mampet")  # while disabled: never sent

    stranger = graphql_http(server.url, ENABLE, target, partner_key(server, "Orang lain"))
    enabled = graphql_http(server.url, ENABLE, target, key)["enableWebhookEndpoint"]
    rotated = graphql_http(server.url, ROTATE, target, key)["rotateWebhookSecret"]
    resumed = file_report_http(server.url, "Drainase meluap")
    gone, sent = receiver.wait_for(hook, 2)

    assert stranger["enableWebhookEndpoint"] == {"endpoint": None, "errors": [{"code": "NOT_FOUND"}]}
    assert enabled == {
        "endpoint": {"id": created["endpoint"]["id"], "status": "ACTIVE", "disabledReason": None},
        "errors": [],
    }
    assert gone["answer"] == 410
    assert rotated["errors"] == []
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]
    assert verified(rotated["secret"], sent)["data"]["cursor"] == resumed["cursor"]  # from now on
    assert verified(created["secret"], sent) == verified(rotated["secret"], sent)  # both, in the grace
    assert len(sent["headers"]["webhook-signature"].split(" ")) == 2
    with pytest.raises(AssertionError):
        verified(new_webhook_secret(), sent)
    assert len(receiver.received(hook)) == 2


REVOKE_KEY = """mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { errors { code } } }"""
CREATE_KEY_ID = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }"""


async def _partner(admin: Any, name: str) -> tuple[str, Any]:
    """A new partner key: its global id and its principal."""
    created = (
        await gql(
            CREATE_KEY_ID,
            {"i": {"name": name, "kind": "PARTNER", "scopes": ["reports:read"]}},
            principal=admin,
        )
    )["createApiKey"]
    key = await ApiKey.get(prefix=created["key"].split("_")[1])
    return created["apiKey"]["id"], principal_of_key(key)


async def test_revoking_a_key_stops_its_webhooks(db: Database) -> None:
    outbound_addresses.configure(OutboundPolicy.parse("127.0.0.1/32"))
    consumer = WebhookConsumer(lambda principal: Context(principal=principal))
    try:
        await consume_once(consumer)
        admin = await staff(Role.CITY_ADMIN, None, "Admin")
        key_id, partner = await _partner(admin, "Dasbor Provinsi")
        for port in (9, 10):
            answer = await gql(
                CREATE_WEBHOOK, {"i": {"url": f"http://127.0.0.1:{port}/h"}}, principal=partner
            )
            assert answer["createWebhookEndpoint"]["errors"] == []
        await file_report()
        await consume_once(consumer)
        pending = await Delivery.filter(status=DeliveryStatus.PENDING).count()

        revoked = await gql(REVOKE_KEY, {"i": {"id": key_id}}, principal=admin)
        endpoint_id = (await WebhookEndpointModel.all().first()).id  # type: ignore[union-attr]
        enable = {"i": {"id": to_global_id("WebhookEndpoint", endpoint_id)}}
        refused = await gql(ENABLE, enable, principal=admin)
        await file_report()
        await consume_once(consumer)
    finally:
        outbound_addresses.configure(OutboundPolicy())

    assert pending == 2
    assert revoked["revokeApiKey"]["errors"] == []
    found = await WebhookEndpointModel.all().values_list("status", "disabled_reason")
    assert found == [(WebhookStatus.DISABLED, "its API key was revoked")] * 2
    assert await Delivery.all().values_list("status", flat=True) == [DeliveryStatus.CANCELLED] * 2
    assert refused["enableWebhookEndpoint"]["errors"] == [{"code": "FORBIDDEN"}]


async def test_after_the_grace_only_the_new_secret_signs(db: Database) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    _, partner = await _partner(admin, "Rotasi")
    outbound_addresses.configure(OutboundPolicy.parse("127.0.0.1/32"))
    try:
        answer = await gql(CREATE_WEBHOOK, {"i": {"url": "http://127.0.0.1:9/h"}}, principal=partner)
    finally:
        outbound_addresses.configure(OutboundPolicy())
    created = answer["createWebhookEndpoint"]
    rotated = await gql(ROTATE, {"i": {"id": created["endpoint"]["id"]}}, principal=partner)
    endpoint = await WebhookEndpointModel.get(
        id=int(from_global_id(created["endpoint"]["id"], "WebhookEndpoint"))
    )
    new = rotated["rotateWebhookSecret"]["secret"]

    assert webhooks.signing_secrets(endpoint) == [new, created["secret"]]
    later = datetime.now(UTC) + webhooks.SECRET_GRACE + timedelta(seconds=1)
    assert webhooks.signing_secrets(endpoint, now=later) == [new]


async def test_a_replay_queues_events_without_bodies_and_they_go_out_in_order_per_report(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replay request writes rows carrying only their event (bounded: here 2 per request, then
    `nextCursor`); the sender makes each body, as the live fan-out would, in order per report."""
    monkeypatch.setattr(schema_webhooks, "REPLAY_MAX", 2)
    outbound_addresses.configure(OutboundPolicy.parse("127.0.0.1/32"))
    sender = WebhookSender(timeout=2)
    hook = f"replayed-{db.backend}"
    try:
        admin = await staff(Role.CITY_ADMIN, None, "Admin")
        _, partner = await _partner(admin, "Arsip Kota")
        answer = await gql(CREATE_WEBHOOK, {"i": {"url": receiver.hook_url(hook)}}, principal=partner)
        created = answer["createWebhookEndpoint"]
        first = await file_report()
        await file_report()
        await move(str(first["id"]), ["ACKNOWLEDGED"], await staff(Role.OFFICER, "DLH", "Petugas DLH"))
        events = await ReportEvent.all().order_by("id").values_list("id", "report_id")
        replay = {"i": {"endpoint": created["endpoint"]["id"], "after": str(events[0][0] - 1)}}
        page = (await gql(REPLAY, replay, principal=partner))["replayWebhook"]
        replay["i"]["after"] = page["nextCursor"]
        rest = (await gql(REPLAY, replay, principal=partner))["replayWebhook"]
        payloads = await Delivery.all().values_list("payload", flat=True)
        while await deliver_due({"webhook": sender}):
            pass
    finally:
        await sender.close()
        outbound_addresses.configure(OutboundPolicy())

    assert page == {"queued": 2, "nextCursor": str(events[1][0]), "errors": []}
    assert rest == {"queued": 1, "nextCursor": None, "errors": []}
    assert payloads == [{"deferred": True}] * 3  # no body made in the request
    bodies = [verified(created["secret"], r)["data"] for r in receiver.received(hook)]
    sent = [(int(b["cursor"]), b["report"]["code"]) for b in bodies]
    first_report = [cursor for cursor, code in sent if code == first["code"]]
    assert sorted(cursor for cursor, _ in sent) == [event_id for event_id, _ in events]
    assert first_report == sorted(first_report)
    assert len(first_report) == 2
    assert await Delivery.all().values_list("status", flat=True) == [DeliveryStatus.DELIVERED] * 3


async def test_an_admin_cannot_give_webhooks_to_a_key_that_may_not_read_reports(db: Database) -> None:
    """Nor can the key itself: a filing-only key would receive nothing (one rule, require_can_read)."""
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    created = (
        await gql(
            CREATE_KEY_ID,
            {"i": {"name": "Loket", "kind": "PARTNER", "scopes": ["reports:file"]}},
            principal=admin,
        )
    )["createApiKey"]

    answer = await gql(
        CREATE_WEBHOOK,
        {"i": {"apiKey": created["apiKey"]["id"], "url": "https://93.184.215.14/hooks"}},
        principal=admin,
    )

    key = await ApiKey.get(prefix=created["key"].split("_")[1])
    own = await gql(
        CREATE_WEBHOOK, {"i": {"url": "https://93.184.215.14/hooks"}}, principal=principal_of_key(key)
    )

    assert [(e["code"], e["field"]) for e in answer["createWebhookEndpoint"]["errors"]] == [
        ("FORBIDDEN", "apiKey")
    ]
    assert [e["code"] for e in own["createWebhookEndpoint"]["errors"]] == ["FORBIDDEN"]  # the same rule
    assert await WebhookEndpointModel.all().count() == 0
