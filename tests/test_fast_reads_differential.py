"""The compiled read path (schema.compiled) against the general path: generated operations over the
read shapes it claims, as every kind of caller, must give identical `data` and `errors`.

hypothesis-graphql generates the operations from the part of the schema the compiled path answers
(its fields table, `schema.compiled.fields.BY_TYPE`, cut out of the real schema), so that most of them
take the compiled path; hand-written ones add what generation rarely reaches (real cursors,
filters by place, codes that exist) and the queues (`myQueue`, `agencyQueue`). Every operation
runs on both paths as anonymous, the reporter, another citizen, the officers of the handling and
of another agency, a dispatcher, a partner key and the wall's display key, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from models import Agency, Role
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from schema import build_schema, schema
from schema.compiled.executor import STATS
from schema.compiled.fields import BY_TYPE
from schema.ids import to_global_id
from tests.conftest import Database
from tests.graphql import citizen, file_report, gql, run, staff

GENERAL = build_schema(compiled_reads=False)
GENERATED = 60
PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"reports:read"}), client="key:1"
)
DISPLAY = Principal(kind=PrincipalKind.DISPLAY, api_key_id=2, client="key:2")
BENCH_PAGE = """{ reports(first: 50) { edges { node { id title status location { lat lon } createdAt
  category { code name } agency { code name } } } } }"""
EVERY_REPORT_FIELD = """
  __typename id code title description status publicGroup statusReason createdAt updatedAt
  acknowledgedAt resolvedAt closedAt acknowledgeDueAt dueAt allowedStatuses resolutionOutcome
  disputeCount rating location { lat lon __typename } address ratingComment isOverdue
  category { id code name nameEn responseHours resolutionHours isEmergency isSensitive
             requiresAfterPhoto isActive agency { id code } }
  agency { id code name nameEn phone email __typename }
"""
PAGE = (
    "query($first: Int!, $after: String, $filter: ReportFilter, $order: ReportOrder!) {"
    " reports(first: $first, after: $after, filter: $filter, orderBy: $order) {"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
    " edges { cursor node { ..." + "R } } } } fragment R on Report { " + EVERY_REPORT_FIELD + " }"
)
MY_QUEUE = (
    "query($first: Int!) { myQueue(first: $first) { pageInfo { hasNextPage endCursor }"
    " edges { node { ...R } } } } fragment R on Report { " + EVERY_REPORT_FIELD + " }"
)
AGENCY_QUEUE = (
    "query($agency: ID!, $filter: ReportFilter) { agencyQueue(agencyId: $agency, first: 10, filter: $filter)"
    " { edges { cursor node { id title status location { lat lon } address category { code } } } } }"
)
ASSIGN = "mutation($input: AssignReportInput!) { assignReport(input: $input) { errors { code } } }"
BY_CODE = "query($code: String!) { report(code: $code) { " + EVERY_REPORT_FIELD + " } other: __typename }"
BY_ID = "query($id: ID!) { mine: report(id: $id) { id address location { lat lon } } }"


def claimed_schema() -> str:
    """The real schema cut down to the roots and fields the compiled path answers. Page sizes are
    drawn from 1..100 and report IDs from real-looking ones (custom scalars standing in for Int and
    ID), so that most operations are answered, not refused; cursors come from the hand-written cases.
    """
    cut = graphql.build_schema(graphql.print_schema(schema._schema))
    query = cut.query_type
    assert query is not None
    reports, report = query.fields["reports"], query.fields["report"]
    query.fields = {"reports": reports, "report": report}  # type: ignore[misc]
    page_size = graphql.GraphQLNonNull(graphql.GraphQLScalarType("PageSize"))
    reports.args = {
        **{k: v for k, v in reports.args.items() if k != "after"},
        "first": graphql.GraphQLArgument(page_size),
    }
    report.args = {
        "id": graphql.GraphQLArgument(graphql.GraphQLScalarType("ReportId")),
        "code": report.args["code"],
    }
    for type_name, getters in BY_TYPE.items():
        object_type = cut.get_type(type_name)
        assert isinstance(object_type, graphql.GraphQLObjectType)
        object_type.fields = {k: v for k, v in object_type.fields.items() if k in getters}  # type: ignore[misc]
    return graphql.print_schema(graphql.GraphQLSchema(query=query))


def generated_operations(count: int) -> list[str]:
    """`count` operations, the same on every run (derandomised), drawn before the event loop runs."""
    found: list[str] = []
    dates = st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    )
    scalars = {
        "DateTime": dates.map(lambda moment: graphql.StringValueNode(value=moment.isoformat())),
        "PageSize": st.integers(1, 100).map(lambda size: graphql.IntValueNode(value=str(size))),
        "ReportId": st.integers(1, 60).map(
            lambda pk: graphql.StringValueNode(value=to_global_id("Report", pk))
        ),
    }

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(from_schema(claimed_schema(), custom_scalars=scalars))
    def collect(operation: str) -> None:
        found.append(operation)

    collect()
    return found


OPERATIONS = generated_operations(GENERATED)


async def callers(reporter: Principal) -> dict[str, Principal]:
    return {
        "anonymous": ANONYMOUS,
        "reporter": reporter,
        "other citizen": await citizen("Budi"),
        "handling officer": await staff(Role.OFFICER, "DINSOS", "Petugas Dinsos"),
        "other agency's officer": await staff(Role.OFFICER, "DLH", "Petugas DLH"),
        "dispatcher": await staff(Role.DISPATCHER, None, "Dispatcher Kota"),
        "partner key": PARTNER,
        "display key": DISPLAY,
    }


async def both_paths(operation: str, variables: dict[str, Any] | None, principal: Principal) -> None:
    fast = await run(operation, variables, principal=principal)
    general = await run(operation, variables, principal=principal, on=GENERAL)
    assert fast.data == general.data, operation
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in general.errors or []], operation


@pytest.fixture
async def scene(db: Database) -> dict[str, Any]:
    """Reports in a sensitive (PENGEMIS, DINSOS) and a plain (SAMPAH, DLH) category, by a signed-in
    citizen and anonymously, at places that coarsening moves."""
    reporter = await citizen("Ani")
    place = {"lat": -10.171234, "lon": 123.607891}
    reports = [
        await file_report(reporter, categoryCode="PENGEMIS", location=place, address="Jl. Rahasia 7"),
        await file_report(reporter, location=place),
        await file_report(
            categoryCode="PENGEMIS", location=place, contactName="Anonim", contactPhone="0812-3456-7890"
        ),
        await file_report(title="Lampu jalan mati", categoryCode="KEMACETAN"),
    ]
    everyone = await callers(reporter)
    officer = everyone["handling officer"]
    assert officer.user is not None
    assign = {"id": reports[0]["id"], "assigneeId": to_global_id("User", officer.user.id)}
    assigned = await gql(ASSIGN, {"input": assign}, principal=officer)
    assert assigned["assignReport"]["errors"] == []
    return {"reporter": reporter, "reports": reports, "callers": everyone}


async def test_generated_read_operations_answer_the_same_on_both_paths(scene: dict[str, Any]) -> None:
    compiled_before = STATS["compiled"]
    for operation in OPERATIONS:
        for principal in scene["callers"].values():
            await both_paths(operation, None, principal)
    assert STATS["compiled"] - compiled_before >= len(OPERATIONS) * len(scene["callers"]) // 3, (
        "most generated operations should take the compiled path",
        STATS,
    )


async def test_pages_codes_and_filters_answer_the_same_on_both_paths(scene: dict[str, Any]) -> None:
    first_page = await gql(PAGE, {"first": 2, "order": "NEWEST"})
    cursor = first_page["reports"]["pageInfo"]["endCursor"]
    sensitive = scene["reports"][0]
    near = {"lat": -10.1712, "lon": 123.6079, "radiusMeters": 50}
    dinsos_pk = (await Agency.get(code="DINSOS")).id
    dinsos = to_global_id("Agency", dinsos_pk)
    cases: list[tuple[str, dict[str, Any] | None]] = [
        (BENCH_PAGE, None),
        (PAGE, {"first": 2, "order": "NEWEST"}),
        (PAGE, {"first": 2, "after": cursor, "order": "NEWEST"}),
        (PAGE, {"first": 3, "after": cursor, "order": "OLDEST"}),  # a cursor of another order: an error
        (PAGE, {"first": 0, "order": "NEWEST"}),  # refused page size: the general path's error
        (PAGE, {"first": 5, "order": "DUE_SOONEST", "filter": {"near": near}}),
        (PAGE, {"first": 5, "order": "RECENTLY_UPDATED", "filter": {"statuses": ["SUBMITTED"]}}),
        (PAGE, {"first": 5, "order": "NEWEST", "filter": {"overdue": False, "text": "sampah"}}),
        (BY_CODE, {"code": sensitive["code"]}),
        (BY_CODE, {"code": "TIDAK-ADA"}),
        (BY_ID, {"id": sensitive["id"]}),
        (BY_ID, {"id": "not a global id"}),
        (MY_QUEUE, {"first": 5}),  # staff only: the others get the general path's refusal
        (AGENCY_QUEUE, {"agency": dinsos}),
        (AGENCY_QUEUE, {"agency": dinsos, "filter": {"unassigned": True}}),
        (AGENCY_QUEUE, {"agency": to_global_id("Agency", dinsos_pk + 1000)}),
    ]
    compiled_before = STATS["compiled"]
    for operation, variables in cases:
        for principal in scene["callers"].values():
            await both_paths(operation, variables, principal)
    assert STATS["compiled"] > compiled_before
