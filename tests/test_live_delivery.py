"""Live delivery through the real server over real websockets and SSE: resuming without gap or
duplicate, shared executions, filters, a client no one here wrote, and slow clients dropped."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpx
import orjson
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from tests.live_clients import (
    FEED,
    SseLines,
    TransportWsClient,
    change_status_http,
    file_report_http,
    graphql_http,
    live_stats,
    wait_until,
    ws_url,
)
from tests.server_process import RunningServer, module_server, sigap_server

server = module_server("delivery")


def all_cursors_after(url: str, cursor: str) -> list[int]:
    """Every event cursor after `cursor`, as the database has them (through the API)."""
    data = graphql_http(
        url, "{ reports(first: 100, orderBy: OLDEST) { edges { node { timeline { cursor } } } } }"
    )
    cursors = [int(e["cursor"]) for edge in data["reports"]["edges"] for e in edge["node"]["timeline"]]
    return sorted(c for c in cursors if c > int(cursor))


async def test_resuming_client_misses_nothing_and_gets_nothing_twice(server: RunningServer) -> None:
    start = await asyncio.to_thread(file_report_http, server.url, "Awal")
    first = await TransportWsClient.open(server.url)
    await first.subscribe("feed", variables={"after": start["cursor"]})
    await asyncio.to_thread(file_report_http, server.url, "Satu")
    seen = await first.events(1)
    await first.close()  # a network loss

    # Filings go on while the client is away, and while it resumes.
    for n in range(5):
        await asyncio.to_thread(file_report_http, server.url, f"Saat terputus {n}")
    filer = threading.Thread(
        target=lambda: [file_report_http(server.url, f"Saat kembali {n}") for n in range(10)]
    )
    filer.start()
    second = await TransportWsClient.open(server.url)
    await second.subscribe("feed", variables={"after": seen[-1]["cursor"]})
    await asyncio.to_thread(filer.join)
    expected = await asyncio.to_thread(all_cursors_after, server.url, start["cursor"])
    seen += await second.events(len(expected) - 1)
    await second.send({"type": "ping"})
    assert await second.receive() == {"type": "pong"}  # nothing more was on its way
    await second.close()

    assert [int(item["cursor"]) for item in seen] == expected


async def test_same_document_runs_once_per_event_for_every_subscriber(server: RunningServer) -> None:
    start = await asyncio.to_thread(file_report_http, server.url, "Awal")
    clients = [await TransportWsClient.open(server.url) for _ in range(4)]
    for n, client in enumerate(clients):
        await client.subscribe(f"wall-{n}", variables={"after": start["cursor"]})
    await asyncio.to_thread(wait_until, lambda: live_stats(server.url)["members"] >= 4, what="4 members")
    before = await asyncio.to_thread(live_stats, server.url)

    for title in ("Pertama", "Kedua", "Ketiga"):
        await asyncio.to_thread(file_report_http, server.url, title)
    payloads = []
    for client in clients:
        await client.events(3)
        payloads.append([orjson.dumps(m["payload"]) for m in client.received if m["type"] == "next"])
        await client.close()
    after = await asyncio.to_thread(live_stats, server.url)

    assert after["executions"] - before["executions"] == 3
    assert after["deliveries"] - before["deliveries"] == 12
    assert all(p == payloads[0] for p in payloads)


async def test_filters_pick_their_events_and_report_updated_follows_one_report(server: RunningServer) -> None:
    start = await asyncio.to_thread(file_report_http, server.url, "Awal")
    agencies = graphql_http(server.url, "{ agencies { id code } }")["agencies"]
    dishub = next(a["id"] for a in agencies if a["code"] == "DISHUB")
    client = await TransportWsClient.open(server.url)
    await client.subscribe("dishub", variables={"after": start["cursor"], "filter": {"agency": dishub}})
    await client.subscribe(
        "acknowledged", variables={"after": start["cursor"], "filter": {"statuses": ["ACKNOWLEDGED"]}}
    )

    trash = await asyncio.to_thread(file_report_http, server.url, "Sampah", categoryCode="SAMPAH")
    await client.subscribe(
        "one",
        "subscription($id: ID!, $after: String) { reportUpdated(id: $id, after: $after) { code status } }",
        {"id": trash["id"], "after": trash["cursor"]},
    )
    jam = await asyncio.to_thread(file_report_http, server.url, "Macet", categoryCode="KEMACETAN")
    await asyncio.to_thread(change_status_http, server, trash["id"], "ACKNOWLEDGED")
    await asyncio.to_thread(change_status_http, server, trash["id"], "IN_PROGRESS")
    got: dict[str, list[object]] = {"dishub": [], "acknowledged": [], "one": []}
    while len(got["dishub"]) < 1 or len(got["acknowledged"]) < 1 or len(got["one"]) < 2:
        message = await client.receive()
        data = message["payload"]["data"]
        got[message["id"]].append(data.get("reportEvents") or data.get("reportUpdated"))
    await client.close()

    assert [(e["report"]["code"], e["event"]["kind"]) for e in got["dishub"]] == [(jam["code"], "FILED")]  # type: ignore[index]
    assert [(e["report"]["code"], e["event"]["toStatus"]) for e in got["acknowledged"]] == [  # type: ignore[index]
        (trash["code"], "ACKNOWLEDGED")
    ]
    # One message per change, each with the report as it was when the feed read it.
    assert [r["code"] for r in got["one"]] == [trash["code"]] * 2  # type: ignore[index]
    assert got["one"][-1]["status"] == "IN_PROGRESS"  # type: ignore[index]


async def test_a_client_no_one_here_wrote_receives_events(server: RunningServer) -> None:
    start = await asyncio.to_thread(file_report_http, server.url, "Awal")
    transport = WebsocketsTransport(
        url=ws_url(server.url), subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    received = []
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        request = GraphQLRequest(FEED, variable_values={"after": start["cursor"]})
        subscription = session.subscribe(request)
        filing = asyncio.create_task(asyncio.to_thread(file_report_http, server.url, "Dari gql"))
        async for result in subscription:
            received.append(result["reportEvents"])
            break
        await subscription.aclose()
        report = await filing

    assert received[0]["report"]["code"] == report["code"]
    assert received[0]["event"]["kind"] == "FILED"


def sse_events(response: httpx.Response, count: int) -> list[tuple[str | None, str, object]]:
    """(id, event, data) of the next `count` events of an SSE stream."""
    events: list[tuple[str | None, str, object]] = []
    lines = SseLines()
    for line in response.iter_lines():
        event = lines.feed(line)
        if event is not None:
            events.append((event.id, event.kind, event.data))
            if len(events) == count:
                return events
    return events


def test_sse_streams_the_feed_and_resumes_from_last_event_id(server: RunningServer) -> None:
    start = file_report_http(server.url, "Awal")
    body = {"query": FEED, "variables": {"after": start["cursor"]}}
    headers = {"accept": "text/event-stream"}
    first = file_report_http(server.url, "Pertama")
    with httpx.stream("POST", server.url + "/graphql", json=body, headers=headers, timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        [(event_id, kind, data)] = sse_events(response, 1)
    second = file_report_http(server.url, "Kedua")
    with httpx.stream(
        "POST",
        server.url + "/graphql",
        json=body,
        headers={**headers, "last-event-id": str(event_id)},
        timeout=10,
    ) as response:
        [(resumed_id, _, resumed)] = sse_events(response, 1)

    assert kind == "next"
    assert data["data"]["reportEvents"]["report"]["code"] == first["code"]  # type: ignore[index]
    assert event_id == data["data"]["reportEvents"]["cursor"]  # type: ignore[index]
    assert resumed["data"]["reportEvents"]["report"]["code"] == second["code"]  # type: ignore[index]
    assert int(str(resumed_id)) > int(str(event_id))


def test_sse_refuses_mutations_over_get_before_running_them(server: RunningServer) -> None:
    mutation = (
        'mutation { fileReport(input: {title: "x", description: "y", categoryCode: "SAMPAH",'
        " location: {lat: -10.17, lon: 123.6}}) { errors { code } } }"
    )
    response = httpx.get(
        server.url + "/graphql", params={"query": mutation}, headers={"accept": "text/event-stream"}
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert (
        graphql_http(server.url, '{ reports(first: 1, filter: {text: "x"}) { totalCount } }')["reports"][
            "totalCount"
        ]
        == 0
    )


@pytest.mark.parametrize(
    "last_event_id", [b"\xb2", "\u00b2".encode(), b"yesterday", b"-1", b"9" * 19], ids=repr
)
def test_a_malformed_last_event_id_is_a_coded_400(server: RunningServer, last_event_id: bytes) -> None:
    response = httpx.post(
        server.url + "/graphql",
        json={"query": FEED},
        headers={"accept": "text/event-stream", "last-event-id": last_event_id},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


def test_a_malformed_after_over_sse_is_a_coded_error(server: RunningServer) -> None:
    body = {"query": FEED, "variables": {"after": "\u00b2"}}
    with httpx.stream(
        "POST", server.url + "/graphql", json=body, headers={"accept": "text/event-stream"}, timeout=10
    ) as response:
        [(_, kind, data), (_, end, _)] = sse_events(response, 2)

    assert (kind, end) == ("next", "complete")
    assert [e["extensions"]["code"] for e in data["errors"]] == ["INVALID_CURSOR"]  # type: ignore[index]


@pytest.fixture
def small_queue_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with sigap_server(
        tmp_path_factory.mktemp("slow"), LIVE_SEND_QUEUE="16", LIVE_MAX_OPERATIONS="100"
    ) as running:
        yield running


async def test_a_client_that_never_reads_is_dropped_and_the_others_get_everything(
    small_queue_server: RunningServer,
) -> None:
    server = small_queue_server
    start = await asyncio.to_thread(file_report_http, server.url, "Awal")
    reader = await TransportWsClient.open(server.url)
    await reader.subscribe("feed", variables={"after": start["cursor"]})
    # The stalled client: a tiny receive buffer, many subscriptions, and it stops reading.
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
    stalled_client = await TransportWsClient.open(server.url, sock=stalled)
    stalled_client.connection.transport.pause_reading()
    heavy = FEED.replace("title status", "title description status")
    for n in range(50):
        await stalled_client.subscribe(f"s{n}", heavy, {"after": start["cursor"]})
    await asyncio.to_thread(wait_until, lambda: live_stats(server.url)["members"] >= 51, what="51 members")

    long_text = "Tumpukan sampah di pinggir jalan. " * 100
    filed = []
    for n in range(40):
        filed.append(
            await asyncio.to_thread(file_report_http, server.url, f"Laporan {n}", description=long_text)
        )
        await reader.events(1)
        if live_stats(server.url)["dropped"]:
            break
    await asyncio.to_thread(
        wait_until, lambda: live_stats(server.url)["dropped"] == 1, what="the stalled client dropped"
    )
    filed.append(await asyncio.to_thread(file_report_http, server.url, "Sesudah", description=long_text))
    last = await reader.events(1)
    stats = await asyncio.to_thread(live_stats, server.url)
    await reader.close()
    stalled_client.connection.transport.abort()

    assert last[0]["report"]["code"] == filed[-1]["code"]
    assert stats["connections"] == 1  # the reader alone; the stalled one is gone
    assert stats["members"] == 1


@pytest.fixture
def legacy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with sigap_server(tmp_path_factory.mktemp("legacy"), LEGACY_GRAPHQL_WS="1") as running:
        yield running


async def test_the_legacy_protocol_serves_when_configured(legacy_server: RunningServer) -> None:
    server = legacy_server
    start = await asyncio.to_thread(file_report_http, server.url, "Awal")
    client = await TransportWsClient.open(server.url, init=False, subprotocol="graphql-ws")
    await client.send({"type": "connection_init", "payload": {}})
    assert await client.receive() == {"type": "connection_ack"}
    query = {"query": FEED, "variables": {"after": start["cursor"]}}
    await client.send({"id": "1", "type": "start", "payload": query})

    report = await asyncio.to_thread(file_report_http, server.url, "Lewat protokol lama")
    message = await client.receive()
    while message["type"] == "ka":  # the legacy protocol's keep-alive
        message = await client.receive()
    await client.close()

    assert message["type"] == "data"
    assert message["payload"]["data"]["reportEvents"]["report"]["code"] == report["code"]
