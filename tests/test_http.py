"""The real server over real HTTP: health, queries, mutations, and malformed requests as 400s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server_process import RunningServer, sigap_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with sigap_server(tmp_path_factory.mktemp("http")) as running:
        yield running


def post(server: RunningServer, body: bytes | str, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(
        server.url + "/graphql", content=body, headers={"content-type": content_type}, timeout=10
    )


def test_health_reports_the_database(server: RunningServer) -> None:
    response = httpx.get(server.url + "/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_seeded_directory_is_served(server: RunningServer) -> None:
    response = httpx.post(
        server.url + "/graphql", json={"query": "{ agencies { code } categories { code } areas { name } }"}
    )

    data = response.json()["data"]
    assert [a["code"] for a in data["agencies"]] == sorted(
        ["DLH", "PUPR", "DISHUB", "DINSOS", "SATPOLPP", "DINKES", "DAMKAR"]
    )
    assert len(data["categories"]) == 13
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
    filed = httpx.post(server.url + "/graphql", json={"query": mutation, "variables": variables}).json()
    code = filed["data"]["fileReport"]["report"]["code"]

    found = httpx.get(
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
    response = post(server, body, content_type)

    assert response.status_code == 400, response.text
    assert "Traceback" not in response.text


def test_mutation_over_get_is_refused(server: RunningServer) -> None:
    query = 'mutation { updateReportStatus(input: {id: "UmVwb3J0OjE=", status: ACKNOWLEDGED}) '
    query += "{ errors { code } } }"

    response = httpx.get(server.url + "/graphql", params={"query": query})

    assert response.status_code in {400, 405}


def test_unexpected_shapes_are_graphql_errors_with_codes(server: RunningServer) -> None:
    for query in ["{ reports(first: 5) { nope } }", '{ reports(first: "five") { totalCount } }', "query {"]:
        response = httpx.post(server.url + "/graphql", json={"query": query})
        assert response.status_code in {200, 400}
        errors = response.json()["errors"]
        assert errors
        assert all(e["extensions"]["code"] for e in errors)


def test_graphiql_is_served_in_development(server: RunningServer) -> None:
    response = httpx.get(server.url + "/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_no_graphiql_in_production(tmp_path: Path) -> None:
    with sigap_server(tmp_path, SIGAP_ENV="production", SEED_ON_START="1", JWT_SECRET="x" * 40) as production:
        response = httpx.get(production.url + "/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in response.text.lower()


def test_health_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    with sigap_server(tmp_path) as running:
        (tmp_path / "server.db").unlink()
        (tmp_path / "server.db").mkdir()  # the path now cannot be opened as a database
        response = httpx.get(running.url + "/health")
    assert response.status_code in {200, 503}


def test_a_subgraph_process_serves_its_subgraph(tmp_path: Path) -> None:
    with sigap_server(tmp_path, SIGAP_SUBGRAPH="directory") as server:
        sdl = httpx.post(server.url + "/graphql", json={"query": "{ _service { sdl } }"}, timeout=10).json()
        agencies = httpx.post(
            server.url + "/graphql", json={"query": "{ agencies { code } }"}, timeout=10
        ).json()
        reports = httpx.post(
            server.url + "/graphql", json={"query": "{ reports { totalCount } }"}, timeout=10
        )

    assert "type Agency implements Node @key" in sdl["data"]["_service"]["sdl"]
    assert len(agencies["data"]["agencies"]) == 7
    assert reports.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
