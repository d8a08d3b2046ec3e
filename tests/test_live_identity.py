"""Who subscribes: credentials checked at connection_init before any subscription, private
fields of live payloads per subscriber, and credentials revoked while the socket is open."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from models import Role, User
from resolvers.tokens import TokenSigner
from tests.live_clients import (
    FILE,
    SseClient,
    SseEvent,
    TransportWsClient,
    change_status_http,
    file_report_http,
    graphql_http,
    live_stats,
    wait_until_async,
)
from tests.loopback_http import HTTP
from tests.server_process import TEST_JWT_SECRET, RunningServer, module_server, sigap_server
from tests.sqlite_urls import sqlite_file_of

PRIVATE_FEED = """subscription($after: String) {
  reportEvents(after: $after) { cursor report { code reporterContact { phone } } } }"""


server = module_server("live-identity", LIVE_KEEPALIVE="0.3", LIVE_CREDENTIALS_RECHECK="0.3")


async def _init(client: TransportWsClient, payload: dict[str, Any]) -> dict[str, Any]:
    await client.send({"type": "connection_init", "payload": payload})
    return await client.receive()


@pytest.mark.parametrize(
    "payload",
    [
        {"authorization": "Bearer not.a.token"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"headers": {"x-api-key": "sgp_nothing_here"}},
    ],
    ids=["forged-token", "unsupported-scheme", "unknown-key"],
)
async def test_bad_credentials_are_refused_at_init(server: RunningServer, payload: dict[str, Any]) -> None:
    client = await TransportWsClient.open(server.url, init=False)
    await client.send({"type": "connection_init", "payload": payload})

    code, reason = await client.closed_with()

    assert code == 4403
    assert reason.startswith("Forbidden")


async def test_live_payloads_show_private_fields_only_to_those_who_may_see_them(
    server: RunningServer,
) -> None:
    staff = await asyncio.to_thread(server.staff_headers)  # a city admin: not of the handling agency
    anonymous = await TransportWsClient.open(server.url)
    admin = await TransportWsClient.open(server.url, init=False)
    assert await _init(admin, staff) == {"type": "connection_ack"}
    filed = await asyncio.to_thread(
        file_report_http, server.url, contactName="Rina", contactPhone="0812 3456 7777"
    )
    before = str(int(filed["cursor"]) - 1)

    for client in (anonymous, admin):
        await client.subscribe("feed", PRIVATE_FEED, {"after": before})
    seen = [(await c.receive())["payload"]["data"]["reportEvents"] for c in (anonymous, admin)]

    assert [event["report"]["code"] for event in seen] == [filed["code"], filed["code"]]
    assert [event["report"]["reporterContact"] for event in seen] == [None, None]
    await anonymous.close()
    await admin.close()


def _call(server: RunningServer, query: str, variables: dict[str, Any] | None = None, **headers: str) -> Any:
    response = HTTP.post(
        server.url + "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response.json()["data"]


def _dlh_officer(server: RunningServer, email: str = "petugas@dlh.test") -> tuple[str, str]:
    """A DLH officer created by the city admin, signed in: their access token and staff id."""
    agencies = _call(server, "{ agencies { id code } }")["agencies"]
    officer = {
        "name": "Petugas DLH",
        "email": email,
        "password": "kata-sandi-petugas",
        "role": "OFFICER",
        "agencyId": next(a["id"] for a in agencies if a["code"] == "DLH"),
    }
    create = "mutation($i: CreateStaffInput!) { createStaff(input: $i) { staff { id } errors { code } } }"
    created = _call(server, create, {"i": officer}, **server.staff_headers())["createStaff"]
    assert created["errors"] == [], created
    sign_in = """mutation($e: String!) { signIn(input: {email: $e, password: "kata-sandi-petugas"}) {
      session { accessToken } } }"""
    token = _call(server, sign_in, {"e": email})["signIn"]["session"]["accessToken"]
    return str(token), str(created["staff"]["id"])


def _dlh_officer_token(server: RunningServer) -> str:
    return _dlh_officer(server)[0]


async def test_the_handling_agency_sees_the_contact_live(server: RunningServer) -> None:
    token = await asyncio.to_thread(_dlh_officer_token, server)
    client = await TransportWsClient.open(server.url, init=False)
    assert await _init(client, {"authorization": f"Bearer {token}"}) == {"type": "connection_ack"}

    filed = await asyncio.to_thread(
        file_report_http, server.url, contactName="Rina", contactPhone="0812 3456 7777"
    )
    await client.subscribe("feed", PRIVATE_FEED, {"after": str(int(filed["cursor"]) - 1)})
    event = (await client.receive())["payload"]["data"]["reportEvents"]

    assert event["report"] == {"code": filed["code"], "reporterContact": {"phone": "+6281234567777"}}
    await client.close()


def _display_key(server: RunningServer) -> tuple[str, str]:
    create = """mutation { createApiKey(input: {name: "Layar", kind: DISPLAY}) { key apiKey { id } } }"""
    created = _call(server, create, **server.staff_headers())["createApiKey"]
    return created["key"], created["apiKey"]["id"]


def _revoke(server: RunningServer, key_id: str) -> None:
    revoke = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { code } } }"
    assert _call(server, revoke, {"id": key_id}, **server.staff_headers())["revokeApiKey"]["errors"] == []


def test_server_sent_events_check_credentials_too(server: RunningServer) -> None:
    response = HTTP.post(
        server.url + "/graphql",
        json={"query": PRIVATE_FEED},
        headers={"accept": "text/event-stream", "authorization": "Bearer forged.token.here"},
    )

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"].startswith("Token akses kedaluwarsa atau tidak valid")
    assert error["extensions"]["messageEn"].startswith("The access token is expired or not valid")


async def test_only_the_gateway_may_carry_many_subscriptions_on_one_socket(tmp_path: Path) -> None:
    with sigap_server(tmp_path, LIVE_MAX_OPERATIONS="2", GATEWAY_TOKEN="g" * 40) as limited:
        gateway = await TransportWsClient.open(limited.url, init=False)
        client = await TransportWsClient.open(limited.url)
        assert await _init(gateway, {"gatewayToken": "g" * 40}) == {"type": "connection_ack"}

        for n in range(3):
            await gateway.subscribe(f"g{n}", PRIVATE_FEED)
            await client.subscribe(f"c{n}", PRIVATE_FEED)
        refusal = await client.receive()

        assert refusal["id"] == "c2"
        assert refusal["type"] == "error"
        assert refusal["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        stats = await asyncio.to_thread(live_stats, limited.url)
        assert stats["operations"] == 5  # the gateway's three and the client's two
        await gateway.close()
        await client.close()


NOTE = (
    "mutation($i: AddInternalNoteInput!) { addInternalNote(input: $i) { event { cursor } errors { code } } }"
)
ALL_EVENTS = """subscription($after: String, $filter: ReportEventFilter) {
  reportEvents(after: $after, filter: $filter) { cursor event { kind note } } }"""


def _note_then_status(server: RunningServer, report_id: str) -> tuple[str, str]:
    """An internal note, then a public status change; their cursors."""
    headers = server.staff_headers()
    note = _call(server, NOTE, {"i": {"id": report_id, "body": "Warga ini sering melapor palsu"}}, **headers)
    assert note["addInternalNote"]["errors"] == []
    return note["addInternalNote"]["event"]["cursor"], change_status_http(server, report_id, "ACKNOWLEDGED")


async def test_internal_notes_never_reach_public_subscribers(server: RunningServer) -> None:
    filed = await asyncio.to_thread(file_report_http, server.url)
    public = await TransportWsClient.open(server.url)
    staff = await TransportWsClient.open(server.url, init=False)
    assert await _init(staff, await asyncio.to_thread(server.staff_headers)) == {"type": "connection_ack"}
    note_cursor, status_cursor = await asyncio.to_thread(_note_then_status, server, filed["id"])
    variables = {"after": filed["cursor"], "filter": {"reportId": filed["id"]}}

    for client in (public, staff):
        await client.subscribe("feed", ALL_EVENTS, variables)
    public_first = (await public.receive())["payload"]["data"]["reportEvents"]
    staff_seen = [(await staff.receive())["payload"]["data"]["reportEvents"] for _ in range(2)]

    assert public_first["cursor"] == status_cursor  # the note was skipped, not delayed
    assert public_first["event"] == {"kind": "STATUS_CHANGED", "note": None}
    assert [e["cursor"] for e in staff_seen] == [note_cursor, status_cursor]
    assert staff_seen[0]["event"]["note"] == "Warga ini sering melapor palsu"
    await public.close()
    await staff.close()


async def test_one_address_holds_a_bounded_number_of_live_connections(tmp_path: Path) -> None:
    """Websockets and SSE streams share one count per address."""
    with sigap_server(tmp_path, LIVE_MAX_CONNECTIONS_PER_CLIENT="2") as limited:
        socket = await TransportWsClient.open(limited.url)
        async with SseClient.open(limited.url, PRIVATE_FEED) as stream:
            await wait_until_async(
                lambda: asyncio.to_thread(lambda: live_stats(limited.url)["connections"] == 2),
                what="the stream counted",
            )
            with pytest.raises(InvalidStatus) as refused_socket:
                await TransportWsClient.open(limited.url)
            async with SseClient.open(limited.url, PRIVATE_FEED) as refused_stream:
                refused = refused_stream.response
                refusal = orjson.loads(await refused.aread())
            assert stream.response.status_code == 200

        assert refused_socket.value.response.status_code == 403
        assert refused.status_code == 429
        assert refusal["errors"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        await wait_until_async(
            lambda: asyncio.to_thread(lambda: live_stats(limited.url)["connections"] == 1),
            what="the closed stream released",
        )
        another = await TransportWsClient.open(limited.url)  # room again once one is closed
        await socket.close()
        await another.close()


# -- credentials that change while a websocket or an SSE stream is open --------------------


def _set_active(server: RunningServer, staff_id: str, active: bool) -> None:
    change = "mutation($i: SetStaffActiveInput!) { setStaffActive(input: $i) { errors { code } } }"
    answer = _call(server, change, {"i": {"id": staff_id, "active": active}}, **server.staff_headers())
    assert answer["setStaffActive"]["errors"] == []


def _move_to_agency(server: RunningServer, email: str, agency_code: str) -> None:
    """What an administrator does in the database: Sigap's API has no mutation for it."""
    database = sqlite_file_of(server.environment["DATABASE_URL"])
    with sqlite3.connect(database) as connection:
        moved = connection.execute(
            "UPDATE users SET agency_id = (SELECT id FROM agencies WHERE code = ?) WHERE email = ?",
            (agency_code, email),
        ).rowcount
    assert moved == 1


def _delete_account(server: RunningServer, citizen: dict[str, str]) -> None:
    delete = """mutation { deleteAccount(input: {password: "kata-sandi-warga-kupang"}) { deleted } }"""
    assert _call(server, delete, **citizen)["deleteAccount"] == {"deleted": True}


def _change_password(server: RunningServer, email: str) -> None:
    sign_in = """mutation($e: String!) { signIn(input: {email: $e, password: "kata-sandi-petugas"}) {
      session { accessToken } } }"""
    token = _call(server, sign_in, {"e": email})["signIn"]["session"]["accessToken"]
    change = """mutation { changePassword(input: {currentPassword: "kata-sandi-petugas",
      newPassword: "kata-sandi-petugas-baru"}) { errors { code } } }"""
    assert _call(server, change, authorization=f"Bearer {token}")["changePassword"] == {"errors": []}


def _short_lived_token(token: str, seconds: float) -> str:
    """The same officer's access token, signed by the servers' key, expiring in `seconds`."""
    user_id = TokenSigner(TEST_JWT_SECRET).user_id_of(token)
    signer = TokenSigner(TEST_JWT_SECRET, access_ttl=timedelta(seconds=seconds))
    return signer.access_token(User(id=user_id, role=Role.OFFICER))[0]


def _credentials_about_to_change(
    server: RunningServer, change: str, name: str
) -> tuple[dict[str, str], Callable[[], None]]:
    """Credentials for a live connection, and the change that will make them stop holding."""
    if change == "revoked-key":
        key, key_id = _display_key(server)
        return {"x-api-key": key}, lambda: _revoke(server, key_id)
    if change == "deleted-account":  # a citizen deletes their account (issue 13)
        citizen = server.citizen_headers(f"{name}@warga.test")
        return citizen, lambda: _delete_account(server, citizen)
    email = f"{name}@dlh.test"
    token, staff_id = _dlh_officer(server, email)
    if change == "changed-password":  # from another device: this session ends with the others
        return {"authorization": f"Bearer {token}"}, lambda: _change_password(server, email)
    if change == "expired-token":
        return {"authorization": f"Bearer {_short_lived_token(token, 2)}"}, lambda: None
    if change == "disabled-account":
        return {"authorization": f"Bearer {token}"}, lambda: _set_active(server, staff_id, False)
    assert change == "moved-agency"
    return {"authorization": f"Bearer {token}"}, lambda: _move_to_agency(server, email, "DINSOS")


@asynccontextmanager
async def _live_feed(
    server: RunningServer, transport: str, credentials: dict[str, str], after: str
) -> AsyncIterator[Callable[[], Awaitable[dict[str, Any] | str]]]:
    """A PRIVATE_FEED subscription over `transport`; yields `receive`, which returns the next
    result, or how the server ended the connection: a websocket's close code and reason, or the
    error code of an SSE stream's last result."""
    if transport == "websocket":
        client = await TransportWsClient.open(server.url, init=False)
        assert await _init(client, credentials) == {"type": "connection_ack"}
        await client.subscribe("feed", PRIVATE_FEED, {"after": after})

        async def receive_ws() -> dict[str, Any] | str:
            try:
                return dict((await client.receive())["payload"])
            except ConnectionClosed as closed:
                frame = closed.rcvd
            return f"{frame.code} {frame.reason}" if frame is not None else "no close frame"

        yield receive_ws
        await client.close()
        return
    async with SseClient.open(server.url, PRIVATE_FEED, {"after": after}, credentials) as stream:

        async def receive_sse() -> dict[str, Any] | str:
            event = await stream.next_event()
            assert event is not None
            assert event.kind == "next"
            assert event.data is not None
            if "errors" in event.data:
                assert await stream.next_event() == SseEvent("complete", None)
                assert await stream.next_event() is None  # the server ended the stream
                return str(event.data["errors"][0]["extensions"]["code"])
            return event.data

        yield receive_sse


ENDED_BY = {
    ("websocket", "revoked-key"): "4403 Forbidden",
    ("websocket", "disabled-account"): "4403 Forbidden",
    ("websocket", "expired-token"): "4403 Forbidden",
    ("sse", "revoked-key"): "UNAUTHENTICATED",
    ("sse", "disabled-account"): "UNAUTHENTICATED",
    ("sse", "expired-token"): "UNAUTHENTICATED",
    ("websocket", "deleted-account"): "4403 Forbidden",
    ("sse", "deleted-account"): "UNAUTHENTICATED",
    ("websocket", "changed-password"): "4403 Forbidden",
}


@pytest.mark.parametrize(("transport", "change"), list(ENDED_BY), ids=[f"{t}-{c}" for t, c in ENDED_BY])
async def test_credentials_that_stop_holding_end_the_live_connection(
    server: RunningServer, transport: str, change: str
) -> None:
    credentials, apply_change = await asyncio.to_thread(
        _credentials_about_to_change, server, change, f"{change}-{transport}"
    )
    filed = await asyncio.to_thread(
        file_report_http, server.url, contactName="Rina", contactPhone="0812 3456 7999"
    )
    after = str(int(filed["cursor"]) - 1)
    async with _live_feed(server, transport, credentials, after) as receive:
        first = await receive()
        assert isinstance(first, dict)
        assert first["data"]["reportEvents"]["report"]["code"] == filed["code"]

        await asyncio.to_thread(apply_change)
        # Nothing else is filed: the connection ends by itself, within the re-check interval.
        ended = await receive()

    assert isinstance(ended, str)
    assert ended.startswith(ENDED_BY[transport, change])


@pytest.mark.parametrize("transport", ["websocket", "sse"])
async def test_an_officer_moved_to_another_agency_stops_seeing_the_old_agencys_contacts(
    server: RunningServer, transport: str
) -> None:
    credentials, move = await asyncio.to_thread(
        _credentials_about_to_change, server, "moved-agency", f"moved-{transport}"
    )
    filed = await asyncio.to_thread(
        file_report_http, server.url, contactName="Rina", contactPhone="0812 3456 7005"
    )
    after = str(int(filed["cursor"]) - 1)
    async with _live_feed(server, transport, credentials, after) as receive:
        before = await receive()
        await asyncio.to_thread(move)
        ended = await receive()  # within the re-check interval, with nothing else filed

    async with _live_feed(server, transport, credentials, after) as receive:  # the client reconnects
        resumed = await receive()

    assert isinstance(before, dict)
    assert before["data"]["reportEvents"]["report"]["reporterContact"] == {"phone": "+6281234567005"}
    assert ended == (
        "4403 Forbidden: the account's rights changed; reconnect" if transport == "websocket" else "FORBIDDEN"
    )
    assert isinstance(resumed, dict)
    assert resumed["data"]["reportEvents"]["report"] == {"code": filed["code"], "reporterContact": None}


MY_NOTIFICATIONS = "subscription { myNotifications { kind title report { code } } }"


async def test_a_citizens_inbox_reaches_their_socket_and_stream_only_when_signed_in(
    server: RunningServer,
) -> None:
    """End to end in `sigap serve`: the change over HTTP, the delivery runner fills the inbox and
    mails (to the log: the development backend), the citizen's websocket and SSE stream get the entry."""
    rina = await asyncio.to_thread(server.citizen_headers, "rina.inbox@warga.test", "Rina")
    await asyncio.to_thread(server.staff_headers)  # before the sockets: they must answer pings meanwhile
    filing = {"title": "Sampah menumpuk", "description": "Sudah tiga hari", "categoryCode": "SAMPAH",
              "location": {"lat": -10.17, "lon": 123.607}}  # fmt: skip
    filed = (await asyncio.to_thread(graphql_http, server.url, FILE, {"i": filing}, rina))["fileReport"]
    code = filed["report"]["code"]
    anonymous = await TransportWsClient.open(server.url)
    client = await TransportWsClient.open(server.url, init=False)
    assert await _init(client, rina) == {"type": "connection_ack"}
    inboxes = (await asyncio.to_thread(live_stats, server.url))["inboxes"]
    await anonymous.subscribe("inbox", MY_NOTIFICATIONS)
    await client.subscribe("inbox", MY_NOTIFICATIONS)
    refused = await anonymous.receive()
    async with SseClient.open(server.url, MY_NOTIFICATIONS, headers=rina) as stream:

        async def subscribed() -> bool:
            return (await asyncio.to_thread(live_stats, server.url))["inboxes"] == inboxes + 2

        await wait_until_async(subscribed, what="both inbox subscriptions wait")
        await asyncio.to_thread(change_status_http, server, filed["report"]["id"], "ACKNOWLEDGED")
        pushed = await client.receive(within=20)
        streamed = await stream.next_event(within=20)
    await client.close()
    await anonymous.close()

    expected = {"kind": "ACKNOWLEDGED", "title": f"Laporan {code} diterima dinas", "report": {"code": code}}
    assert refused["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert pushed["payload"]["data"]["myNotifications"] == expected
    assert streamed is not None
    assert streamed.data == {"data": {"myNotifications": expected}}
    assert f"mail to rina.inbox@warga.test: Laporan {code} diterima dinas" in server.log()
