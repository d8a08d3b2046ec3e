"""The real server over real HTTP: health, queries, mutations, and malformed requests as 400s."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.abuse import abusive
from tests.loopback_http import HTTP
from tests.server_process import RunningServer, module_server, sigap_server

server = module_server("http")


def post(server: RunningServer, body: bytes | str, content_type: str = "application/json") -> httpx.Response:
    return HTTP.post(
        server.url + "/graphql", content=body, headers={"content-type": content_type}, timeout=10
    )


def test_readiness_reports_the_database_and_bus(server: RunningServer) -> None:
    response = HTTP.get(server.url + "/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "bus": "up"}


def test_seeded_directory_is_served(server: RunningServer) -> None:
    response = HTTP.post(
        server.url + "/graphql",
        json={"query": "{ agencies { code } categories { code } areas(level: KECAMATAN) { name } }"},
    )

    data = response.json()["data"]
    assert [a["code"] for a in data["agencies"]] == sorted(
        ["DLH", "PUPR", "DISHUB", "DINSOS", "SATPOLPP", "DINKES", "DAMKAR"]
    )
    assert len(data["categories"]) == 18  # the 13 of the launch and 5 everyday ones
    assert sorted(a["name"] for a in data["areas"]) == [
        "Alak",
        "Kelapa Lima",
        "Kota Lama",
        "Kota Raja",
        "Maulafa",
        "Oebobo",
    ]


def test_file_then_find_over_http(server: RunningServer) -> None:
    mutation = (
        """mutation($i: FileReportInput!) { fileReport(input: $i) { report { id code } errors { code } } }"""
    )
    variables = {
        "i": {
            "title": "Lampu mati",
            "description": "Lampu lalu lintas padam",
            "categoryCode": "LAMPU_RAMBU",
            "location": {"lat": -10.16, "lon": 123.6},
        }
    }
    filed = HTTP.post(server.url + "/graphql", json={"query": mutation, "variables": variables}).json()
    code = filed["data"]["fileReport"]["report"]["code"]

    found = HTTP.get(
        server.url + "/graphql", params={"query": f'{{ report(code: "{code}") {{ agency {{ code }} }} }}'}
    )

    assert found.status_code == 200
    assert found.json()["data"]["report"]["agency"]["code"] == "DISHUB"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"42", "application/json"),
        (b"null", "application/json"),
        (b'{"query": "{ agencies { code } }"}\xff\xfe', "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"query": "{ agencies { code } }", "variables": [1]}', "application/json"),
        (b"", "application/json"),
    ],
)
def test_malformed_bodies_are_400_not_500(server: RunningServer, body: bytes, content_type: str) -> None:
    response = post(server, abusive(body), content_type)

    assert response.status_code == 400, response.text
    assert "Traceback" not in response.text


FILE = "mutation($i: FileReportInput!) { fileReport(input: $i) { report { code } errors { code } } }"


def filing_body(title: str) -> dict[str, object]:
    location = {"lat": -10.16, "lon": 123.6}
    report = {"title": title, "description": "x", "categoryCode": "SAMPAH", "location": location}
    return {"query": FILE, "variables": {"i": report}}


def reports_titled(server: RunningServer, title: str) -> int:
    query = "query($t: String) { reports(filter: {text: $t}) { totalCount } }"
    response = HTTP.post(server.url + "/graphql", json={"query": query, "variables": {"t": title}})
    return int(response.json()["data"]["reports"]["totalCount"])


def unique_title() -> str:
    return f"Uji {uuid.uuid4().hex[:12]}"


def test_mutations_over_get_are_refused_and_write_nothing(server: RunningServer) -> None:
    title = unique_title()
    body = filing_body(title)
    params = {"query": body["query"], "variables": orjson.dumps(body["variables"]).decode()}

    response = HTTP.get(server.url + "/graphql", params=abusive(params))

    assert response.status_code == 400
    assert "mutation" in response.text.lower()
    assert reports_titled(server, title) == 0


def test_batches_are_refused_and_write_nothing(server: RunningServer) -> None:
    title = unique_title()
    batch = [filing_body(title) for _ in range(50)]

    response = HTTP.post(server.url + "/graphql", json=abusive(batch))

    assert response.status_code == 400
    assert reports_titled(server, title) == 0


def test_an_unknown_operation_name_is_400(server: RunningServer) -> None:
    body = {"query": "query A { agencies { code } }", "operationName": "B"}

    response = HTTP.post(server.url + "/graphql", json=abusive(body))

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("content_type", "encode"),
    [
        ("text/plain", lambda body: orjson.dumps(body)),
        ("text/plain;charset=UTF-8", lambda body: orjson.dumps(body)),
        ("application/x-www-form-urlencoded", lambda body: b"query=" + orjson.dumps(body)),
        ("multipart/form-data; boundary=x", lambda body: b"--x\r\n\r\n" + orjson.dumps(body) + b"\r\n--x--"),
        (None, lambda body: orjson.dumps(body)),
    ],
)
def test_cross_site_simple_requests_are_refused_and_write_nothing(
    server: RunningServer, content_type: str | None, encode: object
) -> None:
    title = unique_title()
    headers = {"content-type": content_type} if content_type else {}
    body = encode(filing_body(title))  # type: ignore[operator]

    response = HTTP.post(server.url + "/graphql", content=abusive(body), headers=headers)

    assert response.status_code == 403
    assert "X-Sigap-CSRF" in response.text
    assert reports_titled(server, title) == 0


@pytest.mark.parametrize("header", ["x-sigap-csrf", "apollo-require-preflight"])
def test_a_preflight_header_lets_a_non_json_body_reach_graphql(server: RunningServer, header: str) -> None:
    response = HTTP.post(
        server.url + "/graphql",
        content=b"--x\r\n\r\n{}\r\n--x--",
        headers={"content-type": "multipart/form-data; boundary=x", header: "1"},
    )

    # Past the guard: the multipart parser reads it and refuses the malformed part.
    assert response.status_code == 400
    assert "Multipart request refused" in response.text
    assert "X-Sigap-CSRF" not in response.text


def test_oversized_bodies_are_413_declared_or_streamed(server: RunningServer) -> None:
    title = unique_title()
    body = filing_body(title)
    body["padding"] = "x" * (2 * 2**20)
    payload = orjson.dumps(body)

    declared = post(server, abusive(payload))

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 64 * 1024):
            yield payload[start : start + 64 * 1024]

    streamed = HTTP.post(
        server.url + "/graphql", content=abusive(chunks()), headers={"content-type": "application/json"}
    )

    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert "too large" in streamed.text
    assert reports_titled(server, title) == 0
    assert HTTP.get(server.url + "/health").status_code == 200


def test_a_body_under_the_cap_is_served(server: RunningServer) -> None:
    body = {"query": "query($t: String) { reports(filter: {text: $t}) { totalCount } }"}
    body["variables"] = {"t": "y" * (900 * 1024)}

    response = HTTP.post(server.url + "/graphql", json=body)

    assert response.status_code == 200
    assert response.json()["data"]["reports"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("charset", "encoding"), [("latin-1", "latin-1"), ("utf-16", "utf-16"), ("iso-8859-1", "latin-1")]
)
def test_json_in_another_charset_is_415(server: RunningServer, charset: str, encoding: str) -> None:
    title = unique_title() + " é"
    body = orjson.dumps(filing_body(title)).decode().encode(encoding)

    response = post(server, abusive(body), f"application/json; charset={charset}")

    assert response.status_code == 415
    assert reports_titled(server, title) == 0


def test_json_declared_utf8_is_served(server: RunningServer) -> None:
    response = post(server, b'{"query": "{ __typename }"}', "application/json; charset=UTF-8")

    assert response.status_code == 200


def raw_request(server: RunningServer, head: bytes) -> bytes:
    """Send a hand-written request (httpx would not send these) and return its status line."""
    body = b'{"query": "{ __typename }"}'
    request = head + b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    request += b"Connection: close\r\n\r\n" + body
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize(
    "head",
    [
        b"POST /graphql HTTP/1.1\r\nHost: evil.example\r\n",
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1@evil.example\r\n",
        b"POST /graphql HTTP/1.1\r\nHost: evil.example/graphql?x=\r\n",
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n",
        b"POST /graphql HTTP/1.0\r\n",  # no Host at all
    ],
)
def test_host_headers_built_to_confuse_routing_are_400(server: RunningServer, head: bytes) -> None:
    assert raw_request(server, abusive(head)) == b"HTTP/1.1 400 Bad Request"


def test_a_plain_request_by_hand_is_served(server: RunningServer) -> None:
    assert raw_request(server, b"POST /graphql HTTP/1.1\r\nHost: localhost:8000\r\n") == b"HTTP/1.1 200 OK"


def test_a_client_leaving_before_its_body_is_no_error(server: RunningServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b'{"query": '
        )  # then gone, 90 bytes short
    assert raw_request(server, b"POST /graphql HTTP/1.1\r\nHost: localhost\r\n") == b"HTTP/1.1 200 OK"

    assert "ClientDisconnect" not in server.log()
    assert "Exception in ASGI application" not in server.log()


def test_unexpected_shapes_are_graphql_errors_with_codes(server: RunningServer) -> None:
    for query in ["{ reports(first: 5) { nope } }", '{ reports(first: "five") { totalCount } }', "query {"]:
        response = HTTP.post(server.url + "/graphql", json={"query": query})
        assert response.status_code in {200, 400}
        errors = response.json()["errors"]
        assert errors
        assert all(e["extensions"]["code"] for e in errors)


def test_graphiql_is_served_in_development(server: RunningServer) -> None:
    response = HTTP.get(server.url + "/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_production_serves_no_graphiql_introspection_or_suggestions(tmp_path: Path) -> None:
    with sigap_server(tmp_path, SIGAP_ENV="production", SEED_ON_START="1") as production:
        page = HTTP.get(production.url + "/graphql", headers={"accept": "text/html"})
        introspection = HTTP.post(
            production.url + "/graphql", json=abusive({"query": "{ __schema { types { name } } }"})
        )
        probe = HTTP.post(production.url + "/graphql", json=abusive({"query": "{ reprts { id } }"}))
    assert "graphiql" not in page.text.lower()
    assert introspection.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert "__Schema" not in introspection.text
    assert probe.json()["errors"][0]["message"] == "Cannot query field 'reprts' on type 'Query'."


def test_readiness_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    with sigap_server(tmp_path) as running:
        (tmp_path / "server.db").unlink()
        (tmp_path / "server.db").mkdir()  # the path now cannot be opened as a database
        response = HTTP.get(running.url + "/ready")
    assert response.status_code in {200, 503}


def test_a_subgraph_process_serves_its_subgraph(tmp_path: Path) -> None:
    with sigap_server(tmp_path, SIGAP_SUBGRAPH="directory") as server:
        sdl = HTTP.post(server.url + "/graphql", json={"query": "{ _service { sdl } }"}, timeout=10).json()
        agencies = HTTP.post(
            server.url + "/graphql", json={"query": "{ agencies { code } }"}, timeout=10
        ).json()
        reports = HTTP.post(server.url + "/graphql", json={"query": "{ reports { totalCount } }"}, timeout=10)

    assert "type Agency implements Node @key" in sdl["data"]["_service"]["sdl"]
    assert len(agencies["data"]["agencies"]) == 7
    assert reports.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
