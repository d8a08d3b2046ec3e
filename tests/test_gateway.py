"""Sigap federated for real: PostgreSQL, Redis, both subgraphs (reports with two replicas) and Hive
Gateway started by the loopback script on free ports; every request goes through the gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.loopback import RunningTopology
from tests.gateway_stack import federated_stack, operation_over_websocket
from tests.graphql import FILE_REPORT, UPDATE_STATUS, filing
from tests.server_process import create_admin

pytestmark = [pytest.mark.gateway, pytest.mark.postgres]

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@kupang.test", "kata-sandi-admin-123"
SIGN_IN = """mutation($e: String!, $p: String!) {
  signIn(input: {email: $e, password: $p}) { session { accessToken } errors { code } } }"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTopology]:
    with federated_stack(tmp_path_factory.mktemp("loopback")) as running:
        yield running


@pytest.fixture(scope="module")
def database_url(stack: RunningTopology) -> str:
    return stack.config.database_url


def through_gateway(
    stack: RunningTopology, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> Any:
    response = httpx.post(
        stack.gateway_url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=30
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_file_a_report_then_page_reports_with_agency_names(stack: RunningTopology) -> None:
    filed = through_gateway(stack, FILE_REPORT, {"input": filing(title="Sampah di pasar")})["fileReport"]
    through_gateway(stack, FILE_REPORT, {"input": filing(categoryCode="KEBAKARAN", title="Kebakaran rumah")})

    page = through_gateway(
        stack, "{ reports(first: 50) { edges { node { id title status agency { code name } } } } }"
    )["reports"]

    assert filed["errors"] == []
    assert filed["report"]["agency"] == {"code": "DLH"}
    nodes = {edge["node"]["id"]: edge["node"] for edge in page["edges"]}
    # The name comes from the directory subgraph, the report from the reports subgraph.
    assert nodes[filed["report"]["id"]]["agency"]["name"] == "Dinas Lingkungan Hidup"
    assert {node["agency"]["name"] for node in nodes.values()} >= {"Dinas Pemadam Kebakaran"}


def test_directory_types_carry_the_reports_fields(stack: RunningTopology) -> None:
    through_gateway(stack, FILE_REPORT, {"input": filing(categoryCode="PARKIR_LIAR")})

    agencies = through_gateway(
        stack,
        "{ agencies { code name reportCounts { total } reports(first: 3) { edges { node { title } } } } }",
    )["agencies"]

    dishub = next(agency for agency in agencies if agency["code"] == "DISHUB")
    assert dishub["name"] == "Dinas Perhubungan"
    assert dishub["reportCounts"]["total"] >= 1
    assert dishub["reports"]["edges"]


def _signed_in_admin(stack: RunningTopology, database_url: str) -> dict[str, str]:
    """A city admin made with the CLI, signed in through the gateway: its bearer header."""
    create_admin({"DATABASE_URL": database_url}, ADMIN_EMAIL, ADMIN_PASSWORD)  # a second call finds it there
    signed_in = through_gateway(stack, SIGN_IN, {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD})["signIn"]
    assert signed_in["errors"] == []
    return {"authorization": f"Bearer {signed_in['session']['accessToken']}"}


def test_a_status_change_through_the_gateway(stack: RunningTopology, database_url: str) -> None:
    report = through_gateway(stack, FILE_REPORT, {"input": filing()})["fileReport"]["report"]
    change = {"input": {"id": report["id"], "status": "ACKNOWLEDGED", "note": "Tim menuju"}}

    anonymous = through_gateway(stack, UPDATE_STATUS, change)["updateReportStatus"]
    changed = through_gateway(stack, UPDATE_STATUS, change, **_signed_in_admin(stack, database_url))[
        "updateReportStatus"
    ]
    again = through_gateway(stack, "query R($id: ID!) { report(id: $id) { status } }", {"id": report["id"]})

    # The gateway forwards the caller's credentials, and only them: the subgraph checks them.
    assert [e["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
    assert changed["errors"] == []
    assert changed["event"]["toStatus"] == "ACKNOWLEDGED"
    assert again["report"]["status"] == "ACKNOWLEDGED"


async def test_the_gateway_speaks_graphql_transport_ws_to_clients(stack: RunningTopology) -> None:
    # A query over the client websocket: the path live subscriptions take, up to the gateway.
    payloads = [
        payload async for payload in operation_over_websocket(stack.gateway_url, "{ agencies { code name } }")
    ]

    assert len(payloads) == 1
    assert {"code": "DLH", "name": "Dinas Lingkungan Hidup"} in payloads[0]["data"]["agencies"]


def test_bad_requests_get_clear_errors_from_the_gateway(stack: RunningTopology) -> None:
    too_deep = "{ reports(first: 1) { edges { node { category { agency { reports(first: 1) { edges { node "
    too_deep += "{ category { agency { name } } } } } } } } } } }"

    response = httpx.post(stack.gateway_url, json={"query": too_deep}, timeout=30)

    assert response.status_code in {200, 400}
    assert response.json()["errors"]
    assert "Traceback" not in response.text


def test_production_gateway_hides_the_schema_from_probes(stack: RunningTopology) -> None:
    introspection = httpx.post(
        stack.gateway_url, json={"query": "{ __schema { types { name } } }"}, timeout=30
    )
    typo = httpx.post(stack.gateway_url, json={"query": "{ agencie { code } }"}, timeout=30)

    assert introspection.json()["errors"]
    assert "data" not in introspection.json() or not introspection.json()["data"]
    assert typo.json()["errors"]
    assert "Did you mean" not in typo.text


def test_each_replica_is_its_own_process(stack: RunningTopology) -> None:
    parent = stack.processes["reports"].pid
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    commands = [Path(f"/proc/{child}/cmdline").read_bytes() for child in children]

    assert sum(b"spawn_main" in command for command in commands) == stack.config.reports_replicas


GATEWAY_FEED = """subscription($after: String, $filter: ReportEventFilter) {
  reportEvents(after: $after, filter: $filter) {
    cursor event { kind toStatus } report { status agency { name } } } }"""


async def test_a_subscriber_through_the_gateway_receives_the_status_change(
    stack: RunningTopology, database_url: str
) -> None:
    filed = await asyncio.to_thread(
        through_gateway,
        stack,
        FILE_REPORT.replace("report {", "report { timeline { cursor }"),
        {"input": filing()},
    )
    report = filed["fileReport"]["report"]
    staff = await asyncio.to_thread(_signed_in_admin, stack, database_url)
    # From the FILED event's cursor: whether the change lands before or after the subscriber is
    # registered, the feed replays or delivers it; either way exactly once, and in order.
    variables = {"after": report["timeline"][0]["cursor"], "filter": {"reportId": report["id"]}}
    feed = operation_over_websocket(stack.gateway_url, GATEWAY_FEED, variables)
    first = asyncio.ensure_future(anext(feed))

    change = {"input": {"id": report["id"], "status": "ACKNOWLEDGED", "note": "Tim menuju"}}
    changed = await asyncio.to_thread(through_gateway, stack, UPDATE_STATUS, change, **staff)
    payload = await asyncio.wait_for(first, timeout=20)
    await feed.aclose()

    assert changed["updateReportStatus"]["errors"] == []
    event = payload["data"]["reportEvents"]
    assert event["event"] == {"kind": "STATUS_CHANGED", "toStatus": "ACKNOWLEDGED"}
    # The report comes from the reports subgraph, its agency's name from the directory.
    assert event["report"] == {"status": "ACKNOWLEDGED", "agency": {"name": "Dinas Lingkungan Hidup"}}


PRIVATE_FEED = """subscription($after: String, $filter: ReportEventFilter) {
  reportEvents(after: $after, filter: $filter) { cursor report { reporterContact { phone } } } }"""


def _dlh_officer_token(stack: RunningTopology, admin: dict[str, str]) -> str:
    agencies = through_gateway(stack, "{ agencies { id code } }")["agencies"]
    officer = {
        "name": "Petugas DLH",
        "email": "petugas@dlh.kupang.test",
        "password": "kata-sandi-petugas",
        "role": "OFFICER",
        "agencyId": next(a["id"] for a in agencies if a["code"] == "DLH"),
    }
    create = "mutation($i: CreateStaffInput!) { createStaff(input: $i) { errors { code } } }"
    through_gateway(stack, create, {"i": officer}, **admin)  # a second run finds the account there
    signed_in = through_gateway(stack, SIGN_IN, {"e": officer["email"], "p": officer["password"]})["signIn"]
    return str(signed_in["session"]["accessToken"])


async def test_subscribers_through_the_gateway_see_what_their_own_credentials_allow(
    stack: RunningTopology, database_url: str
) -> None:
    admin = await asyncio.to_thread(_signed_in_admin, stack, database_url)
    officer = await asyncio.to_thread(_dlh_officer_token, stack, admin)
    contact = {"contactName": "Rina", "contactPhone": "0812 3456 7555"}
    filed = await asyncio.to_thread(
        through_gateway, stack, FILE_REPORT.replace("report {", "report { timeline { cursor }"),
        {"input": filing(**contact)},
    )  # fmt: skip
    report = filed["fileReport"]["report"]
    variables = {"after": str(int(report["timeline"][0]["cursor"]) - 1), "filter": {"reportId": report["id"]}}

    seen = {}
    for who, init in [("officer", {"authorization": f"Bearer {officer}"}), ("anonymous", {})]:
        feed = operation_over_websocket(stack.gateway_url, PRIVATE_FEED, variables, init=init)
        seen[who] = (await asyncio.wait_for(anext(feed), timeout=20))["data"]["reportEvents"]["report"]
        await feed.aclose()

    assert seen["officer"] == {"reporterContact": {"phone": "+6281234567555"}}  # DLH handles trash
    assert seen["anonymous"] == {"reporterContact": None}


def test_my_reports_join_the_directorys_me_through_the_gateway(
    stack: RunningTopology, database_url: str
) -> None:
    admin = _signed_in_admin(stack, database_url)
    filed = through_gateway(stack, FILE_REPORT, {"input": filing(title="Milik admin")}, **admin)["fileReport"]

    me = through_gateway(
        stack,
        "{ me { name reports(relation: FILED) { totalCount edges { node { title unreadUpdates } } } } }",
        **admin,
    )["me"]
    public = through_gateway(stack, "{ publicStatistics(days: 1) { figures { filed } } }")

    assert filed["errors"] == []
    assert me["name"]  # from the directory subgraph
    assert {"title": "Milik admin", "unreadUpdates": 0} in [e["node"] for e in me["reports"]["edges"]]
    assert public["publicStatistics"]["figures"]["filed"] >= 1  # open to anyone
