"""The production topology on loopback, driven through its one public entry (Hive Gateway), as clients
on different addresses: each client's limits are its own, the gateway is believed about them and
nobody else is, and a refusal has the same HTTP status through the gateway as from a subgraph."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
from collections.abc import AsyncGenerator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx
import pytest
from playwright.async_api import Browser
from prometheus_client.parser import text_string_to_metric_families

from federation.loopback import RunningTopology
from federation.topology import DIRECTORY, PHOTO_BUCKET, REPORTS
from tests import images, replicas
from tests.gateway_stack import client_at, federated_stack, operation_over_websocket
from tests.graphql import filing
from tests.server_process import create_admin

pytestmark = [pytest.mark.gateway, pytest.mark.postgres]

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@kupang.test", "kata-sandi-admin-123"
SIGN_IN = """mutation($e: String!, $p: String!) {
  signIn(input: {email: $e, password: $p}) { session { accessToken } errors { code } } }"""
FILINGS_PER_MINUTE = SIGN_INS_PER_MINUTE = SOCKETS_PER_CLIENT = 3
QUERY_POINTS_PER_HOUR = 1000
Clients = Callable[[str], httpx.Client]
# Only what the reports subgraph itself answers, so the same document works directly and through the gateway.
FILE_REPORT = """mutation File($input: FileReportInput!) {
  fileReport(input: $input) { report { id code } errors { code } } }"""
METRICS_TOKEN = "scraper-token-for-the-test"
HEAVY_SELECTION = "id title timeline(last: 3) { kind } comments(last: 3) { body }"
HEAVY_QUERY = "{ reports(first: 100) { edges { node { " + HEAVY_SELECTION + " } } } }"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTopology]:
    with federated_stack(
        tmp_path_factory.mktemp("public-entry"),
        reports_replicas=2,  # as compose runs it: one of them is stopped below
        settings={
            "METRICS_TOKEN": METRICS_TOKEN,
            "RATE_LIMIT_FILE_REPORT": f"{FILINGS_PER_MINUTE}/minute",
            "RATE_LIMIT_SIGN_IN": f"{SIGN_INS_PER_MINUTE}/minute",
            "QUERY_POINTS_PER_HOUR": str(QUERY_POINTS_PER_HOUR),
            "LIVE_MAX_CONNECTIONS_PER_CLIENT": str(SOCKETS_PER_CLIENT),
        },
    ) as running:
        create_admin({"DATABASE_URL": running.config.database_url}, ADMIN_EMAIL, ADMIN_PASSWORD)
        yield running


@pytest.fixture
def clients() -> Iterator[Callable[[str], httpx.Client]]:
    """Clients on loopback addresses of their own, closed after the test."""
    made: list[httpx.Client] = []

    def at(address: str) -> httpx.Client:
        made.append(client_at(address))
        return made[-1]

    yield at
    for client in made:
        client.close()


def filed(client: httpx.Client, url: str, **headers: str) -> dict[str, Any]:
    """File one report: the fileReport payload."""
    response = client.post(
        url, json={"query": FILE_REPORT, "variables": {"input": filing()}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"]["fileReport"])


def file_report(client: httpx.Client, url: str, **headers: str) -> list[str]:
    """File one report; the codes of the errors it was refused with (empty: filed)."""
    return [error["code"] for error in filed(client, url, **headers)["errors"]]


def sign_in(client: httpx.Client, url: str, email: str, password: str) -> list[str]:
    variables = {"e": email, "p": password}
    response = client.post(url, json={"query": SIGN_IN, "variables": variables})
    assert response.status_code == 200, response.text
    return [error["code"] for error in response.json()["data"]["signIn"]["errors"]]


def test_each_address_and_each_device_has_its_own_filing_limit(
    stack: RunningTopology, clients: Clients
) -> None:
    first, second, carrier = clients("127.0.0.2"), clients("127.0.0.3"), clients("127.0.0.4")
    phone_a, phone_b = {"x-sigap-device": "phone-a-12345"}, {"x-sigap-device": "phone-b-67890"}

    first_answers = [file_report(first, stack.gateway_url) for _ in range(FILINGS_PER_MINUTE + 1)]
    phone_a_answers = [
        file_report(carrier, stack.gateway_url, **phone_a) for _ in range(FILINGS_PER_MINUTE + 1)
    ]

    assert first_answers == [[]] * FILINGS_PER_MINUTE + [["RATE_LIMITED"]]
    assert phone_a_answers == [[]] * FILINGS_PER_MINUTE + [["RATE_LIMITED"]]
    # Another address, and another phone behind the same carrier address, are not refused.
    assert file_report(second, stack.gateway_url) == []
    assert file_report(carrier, stack.gateway_url, **phone_b) == []


def test_each_address_has_its_own_sign_in_limit(stack: RunningTopology, clients: Clients) -> None:
    guesser, admin = clients("127.0.0.5"), clients("127.0.0.6")

    guesses = [
        sign_in(guesser, stack.gateway_url, f"tebak{n}@kupang.test", "salah-salah-salah")
        for n in range(SIGN_INS_PER_MINUTE + 1)
    ]

    assert guesses[-1] == ["RATE_LIMITED"]
    assert sign_in(admin, stack.gateway_url, ADMIN_EMAIL, ADMIN_PASSWORD) == []


def spend_budget(client: httpx.Client, url: str) -> tuple[list[dict[str, Any]], httpx.Response]:
    """Heavy anonymous queries until one is refused: the budget each answer reported, and the refusal."""
    reported: list[dict[str, Any]] = []
    for _ in range(200):
        response = client.post(url, json={"query": HEAVY_QUERY})
        if response.status_code != 200:
            return reported, response
        reported.append(response.json()["extensions"]["cost"])
    raise AssertionError("the query budget was never spent")


def test_each_address_has_its_own_query_budget_and_refusals_keep_their_status(
    stack: RunningTopology, clients: Clients
) -> None:
    spender, reader, direct_spender = clients("127.0.0.7"), clients("127.0.0.8"), clients("127.0.0.9")

    gateway_budget, through_gateway = spend_budget(spender, stack.gateway_url)
    direct_budget, direct = spend_budget(direct_spender, stack.subgraph_url(REPORTS))
    other_reader = reader.post(stack.gateway_url, json={"query": HEAVY_QUERY})

    # Through the gateway the client watches its budget go down as a direct client of the subgraph
    # does, and is refused once what is left no longer pays for the query.
    points = gateway_budget[0]["requested"]
    assert (
        [cost["remaining"] for cost in gateway_budget]
        == [cost["remaining"] for cost in direct_budget]
        == [QUERY_POINTS_PER_HOUR - points * n for n in range(1, len(gateway_budget) + 1)]
    )
    assert 0 <= gateway_budget[-1]["remaining"] < points
    assert direct.status_code == through_gateway.status_code == 429
    assert int(through_gateway.headers["retry-after"]) > 0
    assert through_gateway.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert other_reader.status_code == 200, other_reader.text
    assert "errors" not in other_reader.json()


REPORTS_PAGE = "{ reports(first: 5) { edges { node { id title } } } }"
AGENCIES_WITH_REPORTS = """query AgenciesWithReports {
  agencies { code reports(first: 3) { edges { node { title } } } } }"""


def budget_reported(response: httpx.Response) -> dict[str, Any]:
    """The answer's `extensions.cost`: what it took from the client's budget and what is left."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return dict(body["extensions"]["cost"])


def test_a_client_of_the_gateway_sees_the_budget_its_subgraph_charged(
    stack: RunningTopology, clients: Clients
) -> None:
    # Anonymous: its budget is its address's, the same through the gateway and at the subgraph.
    reader = clients("127.0.6.1")
    page = {"query": REPORTS_PAGE}

    first = budget_reported(reader.post(stack.gateway_url, json=page))
    second = budget_reported(reader.post(stack.gateway_url, json=page))
    direct = budget_reported(reader.post(stack.subgraph_url(REPORTS), json=page))

    assert first["limit"] == QUERY_POINTS_PER_HOUR
    assert first["remaining"] == QUERY_POINTS_PER_HOUR - first["requested"]
    assert second["remaining"] == first["remaining"] - second["requested"]
    # The reports subgraph, asked directly, charges that budget the same for the same page.
    assert (direct["requested"], direct["estimate"], direct["limit"]) == (
        second["requested"],
        second["estimate"],
        second["limit"],
    )
    assert direct["remaining"] == second["remaining"] - direct["requested"]
    assert datetime.fromisoformat(second["resetAt"]) > datetime.now(UTC)


def test_an_operation_calling_both_subgraphs_reports_all_it_took(
    stack: RunningTopology, clients: Clients
) -> None:
    reader = clients("127.0.6.2")
    before = budget_reported(reader.post(stack.gateway_url, json={"query": REPORTS_PAGE}))
    calls_before = served_counts(stack)["gateway"]

    both = budget_reported(reader.post(stack.gateway_url, json={"query": AGENCIES_WITH_REPORTS}))

    calls = {
        call: count - calls_before.get(call, 0) for call, count in served_counts(stack)["gateway"].items()
    }
    assert {call: count for call, count in calls.items() if count} == {
        "directory/AgenciesWithReports": 1,
        "reports/AgenciesWithReports": 1,
    }
    # Each subgraph charged at least a point for its part; the client sees both, and what is left.
    assert both["requested"] >= 2
    assert both["remaining"] == before["remaining"] - both["requested"]
    assert both["limit"] == QUERY_POINTS_PER_HOUR


def test_a_bad_token_is_401_through_the_gateway_as_directly(stack: RunningTopology) -> None:
    bad = {"authorization": "Bearer not-a-token"}
    query = {"query": "{ reports(first: 1) { edges { node { id } } } }"}

    direct = httpx.post(stack.subgraph_url(REPORTS), json=query, headers=bad, timeout=30)
    through_gateway = httpx.post(stack.gateway_url, json=query, headers=bad, timeout=30)

    assert direct.status_code == through_gateway.status_code == 401
    assert through_gateway.headers["www-authenticate"] == "Bearer"
    assert through_gateway.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_client_talking_to_a_subgraph_cannot_name_its_address(
    stack: RunningTopology, clients: Clients
) -> None:
    # From 127.0.0.1, the address uvicorn would have believed X-Forwarded-For from by default.
    spoofer = clients("127.0.0.1")
    answers = [
        file_report(
            spoofer,
            stack.subgraph_url(REPORTS),
            **{
                "x-sigap-client-address": f"10.0.0.{n}",
                "x-forwarded-for": f"10.1.0.{n}",
                "x-sigap-gateway-token": "a guess",
            },
        )
        for n in range(FILINGS_PER_MINUTE + 1)
    ]

    assert answers[-1] == ["RATE_LIMITED"]


FEED = """subscription($after: String) { reportEvents(after: $after) { cursor event { kind } } }"""


async def test_subscribers_through_the_gateway_are_limited_each_as_themselves(stack: RunningTopology) -> None:
    """More subscribers than one client's socket cap, each on its own address: the gateway's upstream
    sockets count against each client, not all against the gateway."""
    addresses = [f"127.0.1.{n}" for n in range(1, SOCKETS_PER_CLIENT + 3)]

    async def first_event(address: str) -> dict[str, Any]:
        feed = operation_over_websocket(stack.gateway_url, FEED, {"after": "0"}, local_address=address)
        try:
            payload = await asyncio.wait_for(anext(feed), timeout=30)
        finally:
            await feed.aclose()
        return dict(payload)

    with client_at("127.0.1.200") as filer:
        await asyncio.to_thread(file_report, filer, stack.gateway_url)
    payloads = await asyncio.gather(*(first_event(address) for address in addresses))

    assert all(payload["data"]["reportEvents"]["event"]["kind"] == "FILED" for payload in payloads), payloads


async def first_payload(stack: RunningTopology, init: dict[str, Any], address: str) -> dict[str, Any]:
    feed = operation_over_websocket(stack.gateway_url, FEED, {"after": "0"}, init=init, local_address=address)
    try:
        return dict(await asyncio.wait_for(anext(feed), timeout=15))
    finally:
        await feed.aclose()


CREATE_KEY = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) {
  key apiKey { id } errors { code } } }"""
REVOKE_KEY = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { code } } }"


def admin_headers(stack: RunningTopology, client: httpx.Client) -> dict[str, str]:
    variables = {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD}
    session = client.post(stack.gateway_url, json={"query": SIGN_IN, "variables": variables}).json()
    return {"authorization": f"Bearer {session['data']['signIn']['session']['accessToken']}"}


async def test_refused_subscribers_through_the_gateway_are_told_so(
    stack: RunningTopology, clients: Clients
) -> None:
    """Bad credentials in connectionParams, `authorization` or `x-api-key`, end the subscription with
    an error at once (the subgraph closes its socket with 4403); a valid key is served."""
    admin_client = clients("127.0.2.1")
    admin = await asyncio.to_thread(admin_headers, stack, admin_client)
    await asyncio.to_thread(file_report, admin_client, stack.gateway_url)
    display = {"i": {"name": "Layar Command Center", "kind": "DISPLAY"}}
    created = admin_client.post(
        stack.gateway_url, json={"query": CREATE_KEY, "variables": display}, headers=admin
    )
    key = created.json()["data"]["createApiKey"]

    served = await first_payload(stack, {"x-api-key": key["key"]}, "127.0.2.2")
    revoke = {"query": REVOKE_KEY, "variables": {"id": key["apiKey"]["id"]}}
    assert admin_client.post(stack.gateway_url, json=revoke, headers=admin).json()["data"][
        "revokeApiKey"
    ] == {"errors": []}
    refused = {
        "revoked key": await first_payload(stack, {"x-api-key": key["key"]}, "127.0.2.3"),
        "bad token": await first_payload(stack, {"authorization": "Bearer not-a-token"}, "127.0.2.4"),
    }

    assert served["data"]["reportEvents"]["event"]["kind"] == "FILED"
    for payload in refused.values():
        assert payload["data"] is None
        assert [error["extensions"]["code"] for error in payload["errors"]] == ["FORBIDDEN"]


PHOTO_FILING = """mutation($input: FileReportInput!) { fileReport(input: $input) {
  report { id photos { url thumbnailUrl } } errors { code field } } }"""


def multipart_filing(client: httpx.Client, url: str, photo: bytes, **headers: str) -> httpx.Response:
    """A filing with one photo as a GraphQL multipart request (operations, map, then the file)."""
    variables = {"input": filing(photos=[None])}
    return client.post(
        url,
        data={
            "operations": json.dumps({"query": PHOTO_FILING, "variables": variables}),
            "map": json.dumps({"0": ["variables.input.photos.0"]}),
        },
        files=[("0", ("rumah.jpg", photo, "image/jpeg"))],
        headers=headers,
    )


def test_a_photo_is_filed_and_fetched_through_the_public_entry(
    stack: RunningTopology, clients: Clients
) -> None:
    citizen = clients("127.0.3.1")
    entry = stack.gateway_url.removesuffix("/graphql")

    filed = multipart_filing(citizen, stack.gateway_url, images.jpeg_with_gps(), **{"x-sigap-csrf": "1"})

    assert filed.status_code == 200, filed.text
    payload = filed.json()["data"]["fileReport"]
    assert payload["errors"] == []
    photo = payload["report"]["photos"][0]
    for url in (photo["url"], photo["thumbnailUrl"]):
        assert url.startswith(entry + "/photos/"), url  # absolute, on the public entry
        served = citizen.get(url)
        assert served.status_code == 200, (url, served.text)
        assert served.headers["content-type"] == "image/jpeg"
        meta = images.metadata_of(served.content)
        assert (meta["format"], meta["gps"]) == ("JPEG", {})  # stored without its location
    assert citizen.get(entry + "/photos/" + "0" * 32 + ".jpg").status_code == 404
    # Stored in the photos service (S3), where every reports replica finds them.
    bucket = boto3.client(
        "s3", endpoint_url=stack.photos_url, region_name="us-east-1",
        aws_access_key_id="sigap", aws_secret_access_key=stack.config.s3_secret,
    )  # fmt: skip
    stored = {item["Key"] for item in bucket.list_objects_v2(Bucket=PHOTO_BUCKET).get("Contents", [])}
    assert {url.rsplit("/", 1)[1] for url in (photo["url"], photo["thumbnailUrl"])} <= stored


def test_an_upload_without_the_preflight_header_is_refused_alike(
    stack: RunningTopology, clients: Clients
) -> None:
    """A cross-site form could post multipart: refused with the same status at the entry as directly."""
    citizen = clients("127.0.3.2")

    through_gateway = multipart_filing(citizen, stack.gateway_url, images.jpeg_with_gps())
    direct = multipart_filing(citizen, stack.subgraph_url(REPORTS), images.jpeg_with_gps())

    assert through_gateway.status_code == direct.status_code == 403


def test_the_wall_and_its_assets_load_through_the_public_entry(
    stack: RunningTopology, clients: Clients
) -> None:
    browser = clients("127.0.3.3")
    entry = stack.gateway_url.removesuffix("/graphql")

    page = browser.get(entry + "/wall")
    assets = re.findall(r'(?:href|src)="(/wall/assets/[^"]+)"', page.text)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert len(assets) >= 2, page.text
    for asset in assets:
        assert browser.get(entry + asset).status_code == 200, asset
    assert browser.post(entry + "/wall").status_code == 405


def test_partners_file_and_read_open311_and_exports_through_the_public_entry(
    stack: RunningTopology, clients: Clients
) -> None:
    partner = clients("127.0.3.4")
    entry = stack.gateway_url.removesuffix("/graphql")
    admin = admin_headers(stack, partner)
    created = partner.post(
        stack.gateway_url,
        json={"query": CREATE_KEY, "variables": {"i": {"name": "Dasbor provinsi", "kind": "PARTNER",
              "scopes": ["reports:file", "reports:read"]}}},
        headers=admin,
    )  # fmt: skip
    key = created.json()["data"]["createApiKey"]["key"]
    form = {"api_key": key, "service_code": "SAMPAH", "lat": "-10.1700", "long": "123.6070",
            "description": "Sampah menumpuk di pinggir jalan", "first_name": "Yohanes"}  # fmt: skip

    services = partner.get(entry + "/open311/v2/services.json")
    posted = partner.post(entry + "/open311/v2/requests.json", data=form)
    [answer] = posted.json()
    request = partner.get(entry + f"/open311/v2/requests/{answer['service_request_id']}.json")
    export = partner.get(entry + "/exports/reports.csv", headers={"x-api-key": key})
    open_data = partner.get(entry + "/open-data/")

    assert "SAMPAH" in {service["service_code"] for service in services.json()}
    assert posted.status_code == 200, posted.text
    assert request.json()[0]["status"] == "open"
    assert "Yohanes" not in request.text
    assert export.status_code == 200, export.text
    assert export.text.startswith("id,")
    assert answer["service_request_id"] in export.text
    assert partner.post(entry + "/open311/v2/services.json").status_code == 405
    assert open_data.json() == {"files": []}  # no OPEN_DATA_DIR in this deployment


def test_subscriptions_over_sse_through_the_public_entry(stack: RunningTopology, clients: Clients) -> None:
    reader = clients("127.0.3.4")
    file_report(reader, stack.gateway_url)
    request = {"query": FEED, "variables": {"after": "0"}}

    with reader.stream(
        "POST", stack.gateway_url, json=request, headers={"accept": "text/event-stream"}
    ) as events:
        assert events.status_code == 200
        assert events.headers["content-type"].startswith("text/event-stream")
        first = next(line for line in events.iter_lines() if line.startswith("data:"))

    assert json.loads(first.removeprefix("data:"))["data"]["reportEvents"]["event"]["kind"] == "FILED"


async def test_the_wall_is_live_through_the_public_entry_in_chromium(
    stack: RunningTopology, clients: Clients, browser: Browser
) -> None:
    """Loaded from the gateway, the wall subscribes through it and shows a new filing at once."""
    entry = stack.gateway_url.removesuffix("/graphql")
    citizen = clients("127.0.3.5")
    page = await browser.new_page()
    try:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(entry + "/wall")
        await page.wait_for_selector('#connection[data-state="live"]', timeout=15_000)

        report = (await asyncio.to_thread(filed, citizen, stack.gateway_url))["report"]

        await page.wait_for_selector(f'#ticker li[data-code="{report["code"]}"]', timeout=5_000)
    finally:
        await page.close()
    assert errors == []


def scraped(url: str, family_name: str, *labels: str) -> dict[str, float]:
    """The samples counting `family_name` at `url`'s /metrics, summed by `labels` (joined with /),
    read with the scraper's token as Prometheus would (with several replicas, any one answers for
    all of them)."""
    metrics = httpx.get(url, headers={"authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30)
    assert metrics.status_code == 200, metrics.text
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics.text):
        if family.name == family_name:
            for sample in family.samples:
                if sample.name in (f"{family_name}_total", f"{family_name}_count"):
                    value = "/".join(sample.labels[label] for label in labels)
                    counts[value] = counts.get(value, 0) + sample.value
    return counts


def metrics_url(url: str) -> str:
    return url.removesuffix("/graphql") + "/metrics"


def served_counts(stack: RunningTopology) -> dict[str, dict[str, float]]:
    """Operations by name that each subgraph answered, and the gateway's calls by subgraph/operation."""
    counts = {
        service.name: scraped(
            metrics_url(stack.subgraph_url(service)), "sigap_graphql_operations", "operation"
        )
        for service in (DIRECTORY, REPORTS)
    }
    counts["gateway"] = scraped(
        metrics_url(stack.gateway_url),
        "graphql_gateway_subgraph_execute_duration",
        "subgraphName",
        "operationName",
    )
    return counts


def test_the_metrics_of_each_service_count_the_requests_it_served(
    stack: RunningTopology, clients: Clients
) -> None:
    citizen = clients("127.0.4.1")
    before = served_counts(stack)

    filings = [filed(citizen, stack.gateway_url) for _ in range(2)]
    areas = citizen.post(stack.gateway_url, json={"query": "query AreasForTheMetrics { areas { code } }"})

    assert [payload["errors"] for payload in filings] == [[], []]
    assert areas.status_code == 200, areas.text
    moved = {
        service: {name: count - before[service].get(name, 0) for name, count in counts.items()}
        for service, counts in served_counts(stack).items()
    }
    assert moved[REPORTS.name].get("File") == 2, moved
    assert moved[DIRECTORY.name].get("AreasForTheMetrics") == 1, moved
    assert moved["gateway"].get("reports/File") == 2, moved
    assert moved["gateway"].get("directory/AreasForTheMetrics") == 1, moved
    # Without the scraper's token, nobody reads them.
    for url in (stack.gateway_url, stack.subgraph_url(REPORTS), stack.subgraph_url(DIRECTORY)):
        assert httpx.get(metrics_url(url), timeout=30).status_code == 401, url


PAGE_WITH_AGENCY_NAMES = (
    "query PageWithAgencyNames { reports(first: 20) { edges { node { id agency { code name } } } } }"
)


def test_a_page_of_reports_with_agency_names_is_one_call_to_the_reports_subgraph(
    stack: RunningTopology, clients: Clients
) -> None:
    citizen = clients("127.0.4.2")
    assert filed(citizen, stack.gateway_url)["errors"] == []
    before = served_counts(stack)

    page = citizen.post(
        stack.gateway_url,
        json={"query": PAGE_WITH_AGENCY_NAMES},
    )

    assert page.status_code == 200, page.text
    agencies = [edge["node"]["agency"] for edge in page.json()["data"]["reports"]["edges"]]
    assert {"code": "DLH", "name": "Dinas Lingkungan Hidup"} in agencies
    moved = {
        call: count - before["gateway"].get(call, 0)
        for call, count in served_counts(stack)["gateway"].items()
    }
    # The reports subgraph answers the agencies' code and name itself (@shareable): no directory call.
    assert {call: count for call, count in moved.items() if count} == {"reports/PageWithAgencyNames": 1}


RESUMABLE_FEED = """subscription($after: String) {
  reportEvents(after: $after) { cursor report { code } } }"""
Feed = AsyncGenerator[dict[str, Any], None]


async def read_feed(feed: Feed, seen: list[tuple[str, str]], until: set[str] | None = None) -> None:
    """Read the feed into `seen` (cursor, report code) until every report in `until` is in it, or,
    without `until`, until the subscription completes."""
    while until is None or not until <= {code for _, code in seen}:
        try:
            payload = await asyncio.wait_for(anext(feed), timeout=30)
        except StopAsyncIteration:
            assert until is None, ("the subscription ended", seen)
            return
        assert payload.get("data"), (payload, seen)
        envelope = payload["data"]["reportEvents"]
        seen.append((envelope["cursor"], envelope["report"]["code"]))


def code_filed(stack: RunningTopology, client: httpx.Client) -> str:
    payload = filed(client, stack.gateway_url)
    assert payload["errors"] == [], payload
    return str(payload["report"]["code"])


async def test_a_subscriber_resumes_after_its_reports_replica_is_stopped(
    stack: RunningTopology, clients: Clients
) -> None:
    """The replica holding a subscriber's upstream socket stops (SIGTERM, as an orchestrator stops
    it): the subscription through the gateway completes, and resumed from its last cursor through
    the gateway (now served by the other replica) it gets every event filed meanwhile exactly once.
    Last in the module: the stopped worker is replaced by its supervisor, but not at once."""
    address = "127.0.5.1"
    filers = iter(clients(f"127.0.5.{n}") for n in range(2, 10))
    first = await asyncio.to_thread(code_filed, stack, next(filers))
    supervisor, port = stack.processes[REPORTS.name].pid, stack.config.port(REPORTS)
    before = replicas.connections_by_worker(supervisor, port)

    seen: list[tuple[str, str]] = []
    feed = operation_over_websocket(stack.gateway_url, RESUMABLE_FEED, {"after": "0"}, local_address=address)
    await read_feed(feed, seen, until={first})
    opened = {
        pid: inodes - before.get(pid, set())
        for pid, inodes in replicas.connections_by_worker(supervisor, port).items()
    }
    serving = [pid for pid, inodes in opened.items() if inodes]
    assert len(serving) == 1, opened  # the worker holding the gateway's upstream socket for it

    os.kill(serving[0], signal.SIGTERM)
    meanwhile = {await asyncio.to_thread(code_filed, stack, next(filers))}  # while it goes away
    await read_feed(feed, seen)  # to the end
    meanwhile |= {await asyncio.to_thread(code_filed, stack, next(filers)) for _ in range(2)}  # while away
    resumed = operation_over_websocket(
        stack.gateway_url, RESUMABLE_FEED, {"after": seen[-1][0]}, local_address=address
    )
    try:
        await read_feed(resumed, seen, until=meanwhile)
    finally:
        await resumed.aclose()

    cursors = [cursor for cursor, _ in seen]
    assert len(set(cursors)) == len(cursors), seen  # no event twice
    codes = [code for _, code in seen]
    assert sorted(codes[codes.index(first) + 1 :]) == sorted(meanwhile), seen  # none missing
