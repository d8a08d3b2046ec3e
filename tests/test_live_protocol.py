"""graphql-transport-ws as the graphql-ws library's PROTOCOL.md specifies it, against the real
server over real websockets: the handshake, pings, every close code, and operations."""

from __future__ import annotations

import asyncio

import orjson
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.live_clients import FEED, TransportWsClient, file_report_http, ws_url
from tests.server_process import RunningServer, module_server

server = module_server("protocol", LIVE_INIT_TIMEOUT="1", LIVE_KEEPALIVE="0.5", LIVE_MAX_OPERATIONS="3")


async def test_ack_then_pong_echoing_the_ping_payload(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url)

    await client.send({"type": "ping", "payload": {"n": 1}})

    assert await client.receive() == {"type": "pong", "payload": {"n": 1}}
    await client.close()


async def test_subscribe_before_init_is_unauthorized(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url, init=False)

    await client.subscribe("1")

    assert await client.closed_with() == (4401, "Unauthorized")


async def test_second_init_is_refused(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url)

    await client.send({"type": "connection_init"})

    assert await client.closed_with() == (4429, "Too many initialisation requests")


async def test_no_init_within_the_timeout_closes_with_4408(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url, init=False)

    assert await client.closed_with(within=5) == (4408, "Connection initialisation timeout")


async def test_duplicate_operation_id_closes_with_4409(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url)
    await client.subscribe("same")

    await client.subscribe("same")

    assert await client.closed_with() == (4409, "Subscriber for same already exists")


@pytest.mark.parametrize(
    "frame",
    ["not json", '{"type": "connection_ack"}', '{"no": "type"}', b"\x00\x01binary"],
    ids=["garbage", "server-only-type", "missing-type", "binary"],
)
async def test_invalid_messages_close_with_4400(server: RunningServer, frame: str | bytes) -> None:
    client = await TransportWsClient.open(server.url)

    await client.connection.send(frame)

    code, _ = await client.closed_with()
    assert code == 4400


async def test_subscribe_payload_without_query_closes_with_4400(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url)

    await client.send({"id": "1", "type": "subscribe", "payload": {"variables": {}}})

    assert await client.closed_with() == (4400, "Invalid message received: payload.query must be a string")


@pytest.mark.parametrize("offered", [None, "graphql-ws"], ids=["no-subprotocol", "legacy-off"])
async def test_unserved_subprotocols_close_with_4406(server: RunningServer, offered: str | None) -> None:
    async with websockets.connect(ws_url(server.url), subprotocols=[offered] if offered else None) as conn:  # type: ignore[list-item]
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(conn.recv(), 5)

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4406, "Subprotocol not acceptable")


async def test_sockets_opened_by_another_site_are_refused(server: RunningServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(
            ws_url(server.url),
            subprotocols=["graphql-transport-ws"],
            origin="https://evil.example",  # type: ignore[list-item,arg-type]
        )

    assert refused.value.response.status_code == 403


async def test_server_pings_and_closes_a_peer_that_never_answers(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url)

    frames = await read_until_closed(client)

    assert {"type": "ping"} in frames[:-1]
    assert frames[-1] == (1001, "Keep-alive timeout: no pong")


async def read_until_closed(client: TransportWsClient) -> list[object]:
    """Every message, without answering any, then the close code and reason."""
    frames: list[object] = []
    try:
        while True:
            frames.append(orjson.loads(await asyncio.wait_for(client.connection.recv(), 5)))
    except websockets.ConnectionClosed as closed:
        frames.append((closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else None)
    return frames


async def test_a_validation_error_is_an_error_message_and_the_socket_stays(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url)

    await client.subscribe("bad", "subscription { reportEvents { nope } }")
    error = await client.receive()
    await client.subscribe("q", "{ agencies { code } }")
    result, done = await client.receive(), await client.receive()

    assert error["type"] == "error"
    assert error["id"] == "bad"
    assert error["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert result["type"] == "next"
    assert len(result["payload"]["data"]["agencies"]) == 7
    assert done == {"id": "q", "type": "complete"}
    await client.close()


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"after": "yesterday"}, "INVALID_CURSOR"),
        ({"after": "\u00b2"}, "INVALID_CURSOR"),  # a digit to str.isdigit(), not to int()
        ({"filter": {"agency": "not-an-id"}}, "INVALID_ID"),
    ],
    ids=["word", "superscript-two", "bad-id"],
)
async def test_bad_arguments_get_a_coded_error_then_complete(
    server: RunningServer, variables: dict[str, object], code: str
) -> None:
    client = await TransportWsClient.open(server.url)

    await client.subscribe("1", FEED, variables)
    result, done = await client.receive(), await client.receive()

    assert result["type"] == "next"
    assert [e["extensions"]["code"] for e in result["payload"]["errors"]] == [code]
    assert done == {"id": "1", "type": "complete"}
    await client.close()


async def test_operations_per_connection_are_capped(server: RunningServer) -> None:
    client = await TransportWsClient.open(server.url)
    for n in range(3):
        await client.subscribe(f"s{n}")

    await client.subscribe("one-too-many")
    refusal = await client.receive()

    assert refusal["type"] == "error"
    assert refusal["id"] == "one-too-many"
    assert refusal["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    await client.close()


async def test_filed_report_and_status_change_arrive_in_order(server: RunningServer) -> None:
    start = await asyncio.to_thread(file_report_http, server.url, "Titik awal")
    client = await TransportWsClient.open(server.url)
    await client.subscribe("feed", variables={"after": start["cursor"]})

    report = await asyncio.to_thread(file_report_http, server.url, "Lampu jalan mati")
    events = await client.events(1)
    await client.close()

    assert events[0]["event"]["kind"] == "FILED"
    assert events[0]["report"]["code"] == report["code"]
    assert int(events[0]["cursor"]) == int(start["cursor"]) + 1


async def test_completed_operation_gets_nothing_more(server: RunningServer) -> None:
    start = await asyncio.to_thread(file_report_http, server.url, "Sebelum")
    client = await TransportWsClient.open(server.url)
    await client.subscribe("stopped", variables={"after": start["cursor"]})
    await client.send({"id": "stopped", "type": "complete"})
    await client.subscribe("kept", variables={"after": start["cursor"]})

    await asyncio.to_thread(file_report_http, server.url, "Sesudah")
    await client.events(1)
    await client.send({"type": "ping"})  # the pong comes after anything already on its way
    assert await client.receive() == {"type": "pong"}
    await client.close()

    assert {m["id"] for m in client.received if m["type"] == "next"} == {"kept"}
