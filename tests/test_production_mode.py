"""Production mode: no schema probing by the public (introspection, "Did you mean ...?"), and
unexpected failures masked with a request id whose details are in the log."""

from __future__ import annotations

import logging

import pytest
from tortoise import Tortoise

from models import Role, User
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind, principal_for_user
from schema import build_schema
from schema.context import Context
from schema.operation_limits import OperationLimits
from tests.abuse import abusive
from tests.conftest import Database, QueryLog
from tests.graphql import run

production = build_schema(OperationLimits(production=True))

CITIZEN = principal_for_user(User(id=1, name="Warga", role=Role.CITIZEN))
OFFICER = principal_for_user(User(id=2, name="Petugas", role=Role.OFFICER, agency_id=1))
PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=7, scopes=frozenset({"reports:read"}), client="key:7"
)
DISPLAY = Principal(kind=PrincipalKind.DISPLAY, client="display:1")

INTROSPECTION = [
    "{ __schema { types { name } } }",
    '{ __type(name: "Report") { fields { name } } }',
    "query { reports(first: 1) { totalCount } __schema { queryType { name } } }",
    "fragment T on __Schema { types { name } } { __schema { ...T } }",
]


@pytest.mark.parametrize("query", INTROSPECTION)
@pytest.mark.parametrize("principal", [ANONYMOUS, CITIZEN, DISPLAY], ids=["anonymous", "citizen", "display"])
async def test_the_public_cannot_introspect_in_production(
    sql_queries: QueryLog, query: str, principal: Principal
) -> None:
    result = await run(abusive(query), principal=principal, on=production)

    assert result.data is None
    assert result.errors[0].extensions["code"] == "INTROSPECTION_DISABLED"
    assert sql_queries.count == 0


@pytest.mark.parametrize("principal", [OFFICER, PARTNER], ids=["staff", "partner"])
async def test_staff_and_partners_may_introspect_in_production(principal: Principal) -> None:
    result = await run(INTROSPECTION[0], principal=principal, on=production)

    assert result.errors is None
    assert "Report" in {t["name"] for t in result.data["__schema"]["types"]}


async def test_typename_and_development_introspection_stay_open() -> None:
    assert (await run("{ __typename }", on=production)).data == {"__typename": "Query"}
    assert (await run(INTROSPECTION[0])).errors is None  # development: GraphiQL needs it


PROBES = [
    ("{ reprts(first: 1) { totalCount } }", None),  # unknown field
    ("{ reports(frist: 1) { totalCount } }", None),  # unknown argument
    ("{ reports(orderBy: NEWST) { totalCount } }", None),  # enum literal
    ("query($o: ReportOrder!) { reports(orderBy: $o) { totalCount } }", {"o": "NEWST"}),  # enum variable
    ("{ reports(filter: {statusez: [SUBMITTED]}) { totalCount } }", None),  # input field
    ('{ report(code: "X") { ... on Reprt { id } } }', None),  # unknown type
]


@pytest.mark.parametrize(("query", "variables"), PROBES)
async def test_no_field_suggestions_in_production(
    sql_queries: QueryLog, query: str, variables: dict[str, str] | None
) -> None:
    development = await run(query, variables)
    result = await run(abusive(query), variables, on=production)

    assert "Did you mean" in development.errors[0].message  # what production must not tell
    assert result.data is None
    assert all("Did you mean" not in e.message for e in result.errors)
    assert all(e.extensions["code"] == "GRAPHQL_VALIDATION_FAILED" for e in result.errors)
    assert sql_queries.count == 0


async def test_unexpected_failures_are_masked_and_logged_with_their_request_id(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    connection = Tortoise.get_connection("default")
    await connection.execute_script("ALTER TABLE agencies RENAME TO agencies_away")
    try:
        with caplog.at_level(logging.ERROR, logger="sigap.errors"):
            result = await run("{ agencies { code } }", on=production)
    finally:
        await connection.execute_script("ALTER TABLE agencies_away RENAME TO agencies")

    error = result.errors[0]
    request_id = error.extensions["requestId"]
    assert error.extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert request_id in error.message
    assert "agencies" not in error.message  # no SQL, table or stack detail reaches the client
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    assert "agencies" in str(logged[0].exc_info[1])


async def test_introspection_answers_are_never_cached_for_others() -> None:
    # A partner and an anonymous caller share the "public" visibility the response cache is keyed by.
    context = Context(principal=PARTNER)

    result = await production.execute(INTROSPECTION[0], context_value=context)

    assert result.errors is None
    assert context.visibility == ANONYMOUS.visibility
    assert context.cache_policy.cacheable is False
