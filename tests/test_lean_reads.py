"""The lean HTTP path for compiled reads (server.lean_reads) against Strawberry's view: the same
requests, through the real app with LEAN_READS on and then off, must get the same status codes,
the same headers that matter (Retry-After, WWW-Authenticate, content type), the same bodies
(`extensions.cost` and its budget charge included), the same metrics and the same response cache
behaviour, as every kind of caller, and be traced alike; and repeats of compiled documents must
take the lean path."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from models import ApiKeyKind, Role
from resolvers import rate_limits
from resolvers.api_keys import create_api_key
from resolvers.identity import Principal
from schema.compiled.executor import STATS
from server.app import create_app
from server.observability.metrics import ERRORS, HTTP_REQUESTS, OPERATIONS
from server.observability.tracing import use_tracer_provider
from server.settings import Settings
from tests.conftest import Database, QueryLog
from tests.graphql import SIGNER, citizen, file_report, staff

BENCH_PAGE = """{ reports(first: 50) { edges { node { id title status location { lat lon } createdAt
  category { code name } agency { code name } } } } }"""
PAGE = (
    "query Page($first: Int!, $filter: ReportFilter) { reports(first: $first, filter: $filter) {"
    " pageInfo { hasNextPage endCursor } edges { cursor node { id code title status address"
    " location { lat lon } category { code name isSensitive } agency { code } } } } }"
)
BY_ID = "query($id: ID!) { report(id: $id) { id title address location { lat lon } } }"
MY_QUEUE = "query($first: Int!) { myQueue(first: $first) { edges { node { id title } } } }"
TWO_OPERATIONS = "query A { __typename } query B { reports(first: 1) { edges { node { id } } } }"
FILE = "mutation($i: FileReportInput!) { fileReport(input: $i) { errors { code } } }"
BUDGET = 7  # points an hour, for the budgets that run out: BENCH_PAGE costs 3
Request = tuple[str, dict[str, str], dict[str, Any]]  # (caller, headers, JSON body)


def bearer(principal: Principal) -> dict[str, str]:
    assert principal.user is not None
    return {"authorization": f"Bearer {SIGNER.access_token(principal.user)[0]}"}


@pytest.fixture
async def callers(db: Database) -> dict[str, dict[str, str]]:
    reporter = await citizen("Ani")
    await file_report(reporter, categoryCode="PENGEMIS", address="Jl. Rahasia 7")
    await file_report(reporter)
    await file_report(title="Lampu jalan mati", categoryCode="KEMACETAN")
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    keys = {
        name: (await create_api_key(admin, name=name, kind=kind, scopes=scopes, budget_per_hour=budget))[1]
        for name, kind, scopes, budget in (
            ("partner key", ApiKeyKind.PARTNER, ["reports:read"], None),
            ("display key", ApiKeyKind.DISPLAY, [], None),
        )
    }
    return {
        "anonymous": {},
        "citizen": bearer(reporter),
        "officer": bearer(await staff(Role.OFFICER, "DINSOS", "Petugas Dinsos")),
        "dispatcher": bearer(await staff(Role.DISPATCHER, None, "Dispatcher")),
        **{name: {"x-api-key": key} for name, key in keys.items()},
        "bad token": {"authorization": "Bearer not-a-token"},
    }


def requests(callers: Mapping[str, dict[str, str]]) -> list[Request]:
    """Every kind of request, each caller's sent twice: the first validates and compiles, the
    repeat may go the lean way."""
    report_id = "UmVwb3J0OjE="  # Report:1, the sensitive one
    bodies: list[dict[str, Any]] = [
        {"query": BENCH_PAGE},
        {"query": PAGE, "variables": {"first": 2}, "operationName": "Page"},
        {"query": PAGE, "variables": {"first": 5, "filter": {"statuses": ["SUBMITTED"], "text": "lampu"}}},
        {"query": PAGE, "variables": {"first": "many"}},  # coercion fails: graphql-core's own error
        {"query": PAGE, "variables": {"first": 0}},  # a refused page size, after admission
        {"query": PAGE, "variables": {"first": 2, "filter": {"text": "sam\x00pah"}}},  # NUL
        {"query": PAGE, "variables": {"first": 2}, "operationName": "Other"},  # names no operation
        {"query": BY_ID, "variables": {"id": report_id}},
        {"query": BY_ID, "variables": {"id": "not a global id"}},  # the plan falls back
        {"query": MY_QUEUE, "variables": {"first": 3}},  # staff only
        {"query": TWO_OPERATIONS},  # which one? refused
        {"query": TWO_OPERATIONS, "operationName": "B"},
        {"query": BENCH_PAGE, "extensions": {"persistedQuery": {"version": 1}}},
    ]
    sent: list[Request] = []
    for body in bodies:
        for caller, headers in callers.items():
            sent += [(caller, headers, body), (caller, headers, body)]
    sent.append(("anonymous", {}, {"query": FILE, "variables": {"i": {"title": "x"}}}))
    return sent


def counted() -> Counter[tuple[str, tuple[tuple[str, str], ...]]]:
    """The counters an operator watches (operations, errors by code, HTTP statuses)."""
    values: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
    for metric in (OPERATIONS, ERRORS, HTTP_REQUESTS):
        for family in metric.collect():
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    values[(sample.name, tuple(sorted(sample.labels.items())))] += int(sample.value)
    return values


def comparable(response: httpx.Response) -> dict[str, Any]:
    """What a client sees, with the budget window's end and waits (seconds from the first charge
    of the run) kept apart: they move by the time between the two runs."""
    body = (
        orjson.loads(response.content) if response.headers.get("content-type") == "application/json" else None
    )
    times: list[float] = []
    cost = (body or {}).get("extensions", {}).get("cost")
    if cost is not None:
        times.append(datetime.fromisoformat(cost.pop("resetAt")).timestamp())
    for error in (body or {}).get("errors") or ():
        if "retryAfter" in error.get("extensions", {}):
            times.append(error["extensions"].pop("retryAfter"))
    headers = {name: response.headers.get(name) for name in ("content-type", "www-authenticate")}
    retry_after = response.headers.get("retry-after")
    return {
        "status": response.status_code,
        "headers": headers,
        "retry-after": retry_after is not None,
        "body": body if body is not None else response.text,
        "times": times,
    }


async def answers(
    db: Database, sent: list[Request], sql: QueryLog | None = None, **settings: Any
) -> dict[str, Any]:
    await rate_limits.reset()
    app = create_app(Settings(database_url=db.url, jwt_secret=SIGNER.secret, **settings))
    view = app.state.graphql_view
    metrics_before, lean_before = counted(), STATS["lean"]
    if sql is not None:
        sql.clear()
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        seen = [
            comparable(await client.post("/graphql", content=orjson.dumps(body), headers={
                "content-type": "application/json", **headers}))
            for _caller, headers, body in sent
        ]  # fmt: skip
    return {
        "seen": seen,
        "metrics": counted() - metrics_before,
        "lean": STATS["lean"] - lean_before,
        "cache hits": view.cache.hits if view.cache is not None else None,
        "sql": list(sql.statements) if sql is not None else None,
    }


def assert_same(lean: dict[str, Any], general: dict[str, Any], sent: list[Request]) -> None:
    for request, fast, slow in zip(sent, lean["seen"], general["seen"], strict=True):
        assert {**fast, "times": None} == {**slow, "times": None}, request
        assert [round(t) for t in fast["times"]] == pytest.approx([round(t) for t in slow["times"]], abs=3)
    assert lean["metrics"] == general["metrics"]
    assert lean["cache hits"] == general["cache hits"]
    assert lean["sql"] == general["sql"]  # the same statements, none twice


@pytest.mark.parametrize("response_cache", [False, True], ids=["uncached", "cached"])
async def test_the_lean_path_answers_as_strawberrys_view_does(
    db: Database, callers: dict[str, dict[str, str]], response_cache: bool, sql_queries: QueryLog
) -> None:
    sent = requests(callers)

    lean = await answers(db, sent, sql_queries, response_cache=response_cache)
    general = await answers(db, sent, sql_queries, response_cache=response_cache, lean_reads=False)

    assert_same(lean, general, sent)
    assert general["lean"] == 0
    statuses = Counter(seen["status"] for seen in lean["seen"])
    # The bad token's requests, and the operation name naming no operation (Strawberry's 400).
    assert statuses == {200: 145, 401: 26, 400: 12}, statuses
    if response_cache:
        assert lean["cache hits"] > 0  # repeats answered from the cache, charged, not planned
    else:
        # Each caller's repeat of the compiled pages (the bench page, two pages, a report, the
        # named operation B; the queue for staff) at least.
        assert lean["lean"] >= 5 * (len(callers) - 2)


async def test_each_charge_is_taken_once_even_when_the_plan_falls_back(
    db: Database, callers: dict[str, dict[str, str]], sql_queries: QueryLog
) -> None:
    lookup = {"query": BY_ID, "variables": {"id": "not a global id"}}
    sent: list[Request] = [("anonymous", {}, {"query": BY_ID, "variables": {"id": "UmVwb3J0OjI="}})]
    sent += [("anonymous", {}, lookup)] * 3

    lean = await answers(db, sent, sql_queries, response_cache=False)
    general = await answers(db, sent, sql_queries, response_cache=False, lean_reads=False)

    assert_same(lean, general, sent)
    remaining = [seen["body"]["extensions"]["cost"]["remaining"] for seen in lean["seen"]]
    assert [before - after for before, after in itertools.pairwise(remaining)] == [1, 1, 1]
    assert lean["seen"][-1]["body"]["errors"][0]["extensions"]["code"] == "INVALID_ID"
    assert lean["lean"] == 0  # the plan fell back each time: Strawberry answered


@pytest.mark.parametrize("response_cache", [False, True], ids=["uncached", "cached"])
async def test_a_spent_budget_is_refused_alike(
    db: Database, callers: dict[str, dict[str, str]], response_cache: bool
) -> None:
    sent: list[Request] = [
        (caller, callers[caller], {"query": BENCH_PAGE})
        for caller in ("anonymous", "officer")
        for _ in range(4)
    ]

    lean = await answers(db, sent, response_cache=response_cache, query_points_per_hour=BUDGET)
    general = await answers(
        db, sent, response_cache=response_cache, query_points_per_hour=BUDGET, lean_reads=False
    )

    assert_same(lean, general, sent)
    assert [seen["status"] for seen in lean["seen"]] == [200, 200, 429, 429] * 2
    assert all(seen["retry-after"] for seen in lean["seen"] if seen["status"] == 429)
    assert [seen["body"]["extensions"]["cost"]["remaining"] for seen in lean["seen"][:2]] == [4, 1]
    # Planned once, the document is lean for every caller; the refusals run nothing, and with
    # the cache only the officer's first answer is computed (anonymous answers are shared).
    assert lean["lean"] == (1 if response_cache else 3)


def span_tree(exporter: InMemorySpanExporter) -> list[tuple[str, str, tuple[str, ...], str]]:
    """The last request's spans: name, kind, the names above it, its SQL."""
    finished = exporter.get_finished_spans()
    last_trace = finished[-1].context.trace_id
    spans = [span for span in finished if span.context.trace_id == last_trace]
    by_id = {span.context.span_id: span for span in spans}

    def above(span: ReadableSpan) -> tuple[str, ...]:
        names = []
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            names.append(span.name)
        return tuple(names)

    return sorted(
        (span.name, span.kind.name, above(span), str((span.attributes or {}).get("db.statement", "")))
        for span in spans
    )


async def test_lean_answers_are_traced_alike(db: Database, callers: dict[str, dict[str, str]]) -> None:
    page = {"query": PAGE, "variables": {"first": 2}, "operationName": "Page"}
    trees = []
    for lean in (True, False):
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        use_tracer_provider(provider)
        try:
            lean_before = STATS["lean"]
            await answers(
                db, [("citizen", callers["citizen"], page)] * 2, response_cache=False, lean_reads=lean
            )
            assert STATS["lean"] - lean_before == (1 if lean else 0)
            trees.append(span_tree(exporter))
        finally:
            use_tracer_provider(None)

    assert trees[0] == trees[1]
    assert ("query Page", "INTERNAL", ("POST /graphql",), "") in trees[0], trees[0]
    if db.backend == "sqlite":  # PostgreSQL's page runs as a prepared statement, outside Tortoise's spans
        assert any(kind == "CLIENT" and above[:1] == ("query Page",) for _, kind, above, _ in trees[0])


async def test_a_subgraph_behind_the_gateway_answers_alike(
    db: Database, callers: dict[str, dict[str, str]]
) -> None:
    token = "gateway-token-" + "g" * 32
    page = "query Page($n:Int){reports(first: $n){edges{node{id title status createdAt agency{code name}}}}}"
    bodies = [{"query": page, "variables": {"n": 20}}, {"query": "{ _service { sdl } }"}]
    sent: list[Request] = [
        (caller, {**callers[caller], **gateway}, body)
        for body in bodies
        for caller in ("anonymous", "officer", "partner key")
        for gateway in ({}, {"x-sigap-gateway-token": token}, {"x-sigap-gateway-token": "wrong"})
        for _ in range(2)
    ]
    settings = {"subgraph": "reports", "environment": "production", "gateway_token": token}

    lean = await answers(db, sent, response_cache=False, **settings)
    general = await answers(db, sent, response_cache=False, lean_reads=False, **settings)

    assert_same(lean, general, sent)
    assert lean["lean"] >= 8  # the page's repeats
    codes = {
        seen["body"]["errors"][0]["extensions"]["code"] for seen in lean["seen"] if "errors" in seen["body"]
    }
    assert codes == {"FORBIDDEN"}  # `_service` without the gateway's token, in production


def test_lean_reads_are_on_unless_turned_off() -> None:
    assert Settings.from_env({}).lean_reads
    assert not Settings.from_env({"LEAN_READS": "0"}).lean_reads


async def test_a_bad_token_is_refused_before_a_too_large_body_is_read(
    db: Database, callers: dict[str, dict[str, str]]
) -> None:
    async def streamed() -> AsyncIterator[bytes]:  # no content-length: the cap is met while reading
        yield b'{"query": "{ __typename }", "padding": "'
        yield b"x" * 4000
        yield b'"}'

    statuses = {}
    for caller in ("bad token", "anonymous"):
        for lean in (True, False):
            app = create_app(
                Settings(database_url=db.url, jwt_secret=SIGNER.secret, lean_reads=lean, max_body_bytes=1000)
            )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
                headers = {"content-type": "application/json", **callers[caller]}
                response = await client.post("/graphql", content=streamed(), headers=headers)
            statuses[caller, lean] = response.status_code

    assert statuses == {
        ("bad token", True): 401,
        ("bad token", False): 401,
        ("anonymous", True): 413,
        ("anonymous", False): 413,
    }
