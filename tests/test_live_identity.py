"""Who subscribes: credentials checked at connection_init before any subscription, private
fields of live payloads per subscriber, and credentials revoked while the socket is open."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.live_clients import (
    TransportWsClient,
    change_status_http,
    file_report_http,
    live_stats,
    wait_until_async,
)
from tests.server_process import RunningServer, sigap_server

PRIVATE_FEED = """subscription($after: String) {
  reportEvents(after: $after) { cursor report { code reporterContact { phone } } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with sigap_server(tmp_path_factory.mktemp("live-identity"), LIVE_KEEPALIVE="0.3") as running:
        yield running


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
    filed = await asyncio.to_thread(file_report_http, server.url, contactName="Rina", contactPhone="0812 777")
    before = str(int(filed["cursor"]) - 1)

    for client in (anonymous, admin):
        await client.subscribe("feed", PRIVATE_FEED, {"after": before})
    seen = [(await c.receive())["payload"]["data"]["reportEvents"] for c in (anonymous, admin)]

    assert [event["report"]["code"] for event in seen] == [filed["code"], filed["code"]]
    assert [event["report"]["reporterContact"] for event in seen] == [None, None]
    await anonymous.close()
    await admin.close()


def _call(server: RunningServer, query: str, variables: dict[str, Any] | None = None, **headers: str) -> Any:
    response = httpx.post(
        server.url + "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response.json()["data"]


def _dlh_officer_token(server: RunningServer) -> str:
    """A DLH officer created by the city admin, signed in."""
    agencies = _call(server, "{ agencies { id code } }")["agencies"]
    officer = {
        "name": "Petugas DLH",
        "email": "petugas@dlh.test",
        "password": "kata-sandi-petugas",
        "role": "OFFICER",
        "agencyId": next(a["id"] for a in agencies if a["code"] == "DLH"),
    }
    create = "mutation($i: CreateStaffInput!) { createStaff(input: $i) { errors { code } } }"
    assert _call(server, create, {"i": officer}, **server.staff_headers())["createStaff"]["errors"] == []
    sign_in = """mutation { signIn(input: {email: "petugas@dlh.test", password: "kata-sandi-petugas"}) {
      session { accessToken } } }"""
    return str(_call(server, sign_in)["signIn"]["session"]["accessToken"])


async def test_the_handling_agency_sees_the_contact_live(server: RunningServer) -> None:
    token = await asyncio.to_thread(_dlh_officer_token, server)
    client = await TransportWsClient.open(server.url, init=False)
    assert await _init(client, {"authorization": f"Bearer {token}"}) == {"type": "connection_ack"}

    filed = await asyncio.to_thread(file_report_http, server.url, contactName="Rina", contactPhone="0812 777")
    await client.subscribe("feed", PRIVATE_FEED, {"after": str(int(filed["cursor"]) - 1)})
    event = (await client.receive())["payload"]["data"]["reportEvents"]

    assert event["report"] == {"code": filed["code"], "reporterContact": {"phone": "0812 777"}}
    await client.close()


def _display_key(server: RunningServer) -> tuple[str, str]:
    create = """mutation { createApiKey(input: {name: "Layar", kind: DISPLAY}) { key apiKey { id } } }"""
    created = _call(server, create, **server.staff_headers())["createApiKey"]
    return created["key"], created["apiKey"]["id"]


def _revoke(server: RunningServer, key_id: str) -> None:
    revoke = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { code } } }"
    assert _call(server, revoke, {"id": key_id}, **server.staff_headers())["revokeApiKey"]["errors"] == []


async def test_a_key_revoked_while_connected_closes_the_socket(server: RunningServer) -> None:
    key, key_id = await asyncio.to_thread(_display_key, server)
    client = await TransportWsClient.open(server.url, init=False)
    assert await _init(client, {"x-api-key": key}) == {"type": "connection_ack"}

    await asyncio.to_thread(_revoke, server, key_id)

    code, reason = await asyncio.wait_for(client.closed_with(), timeout=10)
    assert (code, reason) == (4403, "Forbidden: the credentials were revoked")


def test_server_sent_events_check_credentials_too(server: RunningServer) -> None:
    response = httpx.post(
        server.url + "/graphql",
        json={"query": PRIVATE_FEED},
        headers={"accept": "text/event-stream", "authorization": "Bearer forged.token.here"},
    )

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


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


async def test_one_address_holds_a_bounded_number_of_sockets(tmp_path: Path) -> None:
    with sigap_server(tmp_path, LIVE_MAX_CONNECTIONS_PER_CLIENT="2") as limited:
        first = await TransportWsClient.open(limited.url)
        second = await TransportWsClient.open(limited.url)
        with pytest.raises(InvalidStatus) as refused:
            await TransportWsClient.open(limited.url)
        assert refused.value.response.status_code == 403

        await first.close()
        await wait_until_async(
            lambda: asyncio.to_thread(lambda: live_stats(limited.url)["connections"] == 1),
            what="the closed socket released",
        )
        third = await TransportWsClient.open(limited.url)  # room again once one is closed
        await second.close()
        await third.close()
