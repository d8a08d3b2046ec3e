"""The compiled read path (schema.compiled) against the general path: generated operations over the
read shapes it claims, as every kind of caller, must give identical `data` and `errors`.

hypothesis-graphql generates the operations from the part of the schema the compiled path answers
(its fields table, `schema.compiled.fields.BY_TYPE`, cut out of the real schema), so that most of them
take the compiled path; hand-written ones add what generation rarely reaches (real cursors,
filters by place, codes that exist), the queues (`myQueue`, `agencyQueue`) and timelines and
comments with internal notes, hidden and redacted comments on several reports. Every operation
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

from models import Agency, Category, Role
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from resolvers.privacy import REDACTED_MARKER
from schema import build_schema, schema
from schema.compiled.executor import STATS
from schema.compiled.fields import BY_TYPE
from schema.ids import to_global_id
from tests.casework_api import change
from tests.conftest import Database
from tests.graphql import citizen, file_report, gql, run, staff
from tests.test_cluster_counts import CASES as CLUSTER_CASES
from tests.test_cluster_counts import ODD_BOX, scatter

GENERAL = build_schema(compiled_reads=False)
GENERATED = 60
PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"reports:read"}), client="key:1"
)
DISPLAY = Principal(kind=PrincipalKind.DISPLAY, api_key_id=2, client="key:2")
PARTNER_READ = """{ reports(first: 10) { edges { node { id title timeline { kind createdAt }
  comments { body } } } } }"""  # bench/other_reads.py's partner read
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
EVENT_FIELDS = "id cursor kind fromStatus toStatus note createdAt isInternal __typename"
COMMENT_FIELDS = "id body isInternal byReporter createdAt __typename"
TIMELINES = (
    "query($last: Int!) { reports(first: 10) { edges { node { id agency { code }"
    f" timeline(last: $last) {{ {EVENT_FIELDS} }} comments(last: $last) {{ {COMMENT_FIELDS} }} }} }} }} }}"
)
ALIASED_COMMENTS = (
    "query($code: String!) { report(code: $code) { newest: comments(last: 1) { body }"
    f" comments {{ {COMMENT_FIELDS} }} timeline(last: 3) {{ kind note }} ...T }} }}"
    " fragment T on Report { timeline(last: 3) { isInternal } }"
)
QUEUE_COMMENTS = (
    "query($agency: ID!) { agencyQueue(agencyId: $agency, first: 10)"
    " { edges { node { id comments { body isInternal } timeline { kind note } } } } }"
)


def claimed_schema() -> str:
    """The real schema cut down to the roots and fields the compiled path answers. Page sizes are
    drawn from 1..100 and report IDs from real-looking ones (custom scalars standing in for Int and
    ID), so that most operations are answered, not refused; cursors come from the hand-written cases.
    """
    cut = graphql.build_schema(graphql.print_schema(schema._schema))
    last_events = graphql.GraphQLNonNull(graphql.GraphQLScalarType("LastEvents"))  # drawn from 1..100
    last = graphql.GraphQLArgument(last_events, default_value=50)
    cut_report = cut.get_type("Report")
    assert isinstance(cut_report, graphql.GraphQLObjectType)
    for nested in ("timeline", "comments"):
        cut_report.fields[nested].args = {"last": last}
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
        "LastEvents": st.integers(1, 100).map(lambda size: graphql.IntValueNode(value=str(size))),
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


@pytest.fixture(scope="module")
def operations() -> list[str]:
    """Drawn when the module runs, not at its import: every xdist worker collects (imports) every
    module, and drawing them costs ~1.6 s of CPU."""
    return generated_operations(GENERATED)


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


async def both_paths(operation: str, variables: dict[str, Any] | None, principal: Principal) -> bool:
    """Whether the operation was answered without errors (the same on both paths)."""
    fast = await run(operation, variables, principal=principal)
    general = await run(operation, variables, principal=principal, on=GENERAL)
    assert fast.data == general.data, operation
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in general.errors or []], operation
    return not fast.errors


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
    await converse(reports, reporter, officer)
    return {"reporter": reporter, "reports": reports, "callers": everyone}


async def converse(reports: list[dict[str, Any]], reporter: Principal, officer: Principal) -> None:
    """Comments on three reports by the reporter and the handling officer, an internal note, one
    comment hidden and one redacted by the officer (each leaving a MODERATED event)."""
    sensitive, plain = reports[0]["id"], reports[1]["id"]
    said = [
        await change("addComment", reporter, id=sensitive, body="Masih ada di perempatan"),
        await change("addComment", officer, id=sensitive, body="Petugas menuju lokasi"),
        await change("addInternalNote", officer, id=sensitive, body="Koordinasi dengan Satpol PP"),
        await change("addComment", reporter, id=sensitive, body="Nomor saya 0812 3456 7890"),
        await change("addComment", reporter, id=sensitive, body="Rumah cat biru, nomor 7"),
        await change("addComment", reporter, id=plain, body="Baunya sampai ke sekolah"),
        await change("addComment", ANONYMOUS, id=reports[3]["id"], body="Sudah dua malam"),
    ]
    assert [payload["errors"] for payload in said[:-1]] == [[]] * (len(said) - 1)
    assert said[-1]["errors"], "an anonymous stranger may not comment"
    for event, action in ((said[3]["event"], "HIDE"), (said[4]["event"], "REDACT")):
        variables = {"target": "COMMENT", "id": event["id"], "action": action, "reason": "Data pribadi"}
        moderated = await change("moderateContent", officer, **variables)
        assert moderated["errors"] == [], moderated


async def test_generated_read_operations_answer_the_same_on_both_paths(
    scene: dict[str, Any], operations: list[str]
) -> None:
    compiled_before = STATS["compiled"]
    for operation in operations:
        for principal in scene["callers"].values():
            await both_paths(operation, None, principal)
    assert STATS["compiled"] - compiled_before >= len(operations) * len(scene["callers"]) // 3, (
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


async def test_timelines_and_comments_answer_the_same_on_both_paths(scene: dict[str, Any]) -> None:
    """Internal notes (staff of the handling agency and city-wide), hidden comments (absent for the
    public), redacted ones (the marker) and moderation events (no reason) on a page of reports, a
    single report and a queue, with `last` given, defaulted, aliased and refused."""
    sensitive = scene["reports"][0]
    dinsos = to_global_id("Agency", (await Agency.get(code="DINSOS")).id)
    cases: list[tuple[str, dict[str, Any] | None]] = [
        (TIMELINES, {"last": 50}),
        (TIMELINES, {"last": 2}),
        (TIMELINES, {"last": 0}),  # refused: the general path's error
        (TIMELINES, {"last": 101}),
        (ALIASED_COMMENTS, {"code": sensitive["code"]}),
        (QUEUE_COMMENTS, {"agency": dinsos}),
        (PARTNER_READ, None),
    ]
    for operation, variables in cases:
        for principal in scene["callers"].values():
            await both_paths(operation, variables, principal)
    compiled_before = STATS["compiled"]
    seen = {name: await run(TIMELINES, {"last": 50}, principal=p) for name, p in scene["callers"].items()}
    assert STATS["compiled"] - compiled_before == len(seen), "every caller's timelines are compiled"
    public, officer = comment_bodies(seen["anonymous"].data), comment_bodies(seen["handling officer"].data)
    assert "Masih ada di perempatan" in public
    assert REDACTED_MARKER in public
    assert STAFF_SEE_ONLY.isdisjoint(public)
    assert officer >= STAFF_SEE_ONLY


CLUSTERS = (
    "query($box: BoundingBoxInput!, $zoom: Int!, $filter: ReportFilter, $first: Int!) {"
    " reportClusters(boundingBox: $box, zoom: $zoom, filter: $filter) { __typename key count"
    " centroid { lat lon } waiting inProcess done byCategory(first: $first) { __typename categoryId"
    " categoryCode count } ...C } } fragment C on ReportCluster { top: byCategory { count } done }"
)
COUNTS_ONLY = "{ reportClusters(boundingBox: {minLat: -10.27, minLon: 123.5, maxLat: -10.09, maxLon: 123.72}"
COUNTS_ONLY += ", zoom: 12) { count n: count } }"
HEATMAP = """query($box: BoundingBoxInput!, $zoom: Int!) { reportHeatmap(boundingBox: $box, zoom: $zoom)
  { __typename key point { lat lon } count weight } }"""


async def test_map_clusters_answer_the_same_on_both_paths(scene: dict[str, Any]) -> None:
    """Clusters from the counted cells and from the reports themselves (boxes whose edges cut
    cells, finer zooms, filters), with categories given, defaulted, aliased and refused; the
    heatmap of the same cells."""
    await scatter(300)
    sensitive = (await Category.get(code="PENGEMIS")).id
    cases: list[tuple[str, dict[str, Any] | None]] = [(COUNTS_ONLY, None)]
    for box, zoom, flt in CLUSTER_CASES:
        for first in (0, 3, 50):
            cases.append((CLUSTERS, {"box": box, "zoom": zoom, "filter": flt, "first": first}))
    cases += [
        (CLUSTERS, {"box": ODD_BOX, "zoom": 12, "filter": {"categoryIds": [sensitive]}, "first": 2}),
        (CLUSTERS, {"box": ODD_BOX, "zoom": 12, "filter": {}, "first": 51}),  # refused: an error
        (CLUSTERS, {"box": ODD_BOX, "zoom": 23, "filter": {}, "first": 3}),  # refused zoom
        (HEATMAP, {"box": ODD_BOX, "zoom": 13}),
        (HEATMAP, {"box": ODD_BOX, "zoom": 17}),
    ]
    compiled_before, answered = STATS["compiled"], 0
    for operation, variables in cases:
        for principal in scene["callers"].values():
            answered += await both_paths(operation, variables, principal)
    # (50 categories for a whole city's cells costs more than admission allows: refused alike)
    assert answered >= len(cases) * len(scene["callers"]) // 2
    assert STATS["compiled"] - compiled_before == answered, "every answered cluster query is compiled"


# A hidden comment, a redacted one and an internal note: the handling officer reads them as written.
STAFF_SEE_ONLY = {"Nomor saya 0812 3456 7890", "Rumah cat biru, nomor 7", "Koordinasi dengan Satpol PP"}


def comment_bodies(data: dict[str, Any]) -> set[str]:
    return {comment["body"] for edge in data["reports"]["edges"] for comment in edge["node"]["comments"]}
