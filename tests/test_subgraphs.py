"""Each subgraph serves the fields it owns, resolves the entities it owns in batches, and the
embedded schema serves everything at once."""

from __future__ import annotations

import pytest
from graphql import ObjectTypeDefinitionNode, parse

from models import Agency, Category, Role, User
from schema.compiled.executor import STATS
from schema.context import Context
from schema.ids import to_global_id
from schema.subgraphs import OWNER_OF_MODULE, SUBGRAPHS, build_subgraph
from tests.conftest import Database, QueryLog
from tests.graphql import file_report, gql, run

SUBGRAPH = {name: build_subgraph(name) for name in SUBGRAPHS}
ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Agency { id code name }
    ... on Category { id code name }
    ... on StaffMember { id name role }
  }
}
"""


async def service_sdl(name: str) -> str:
    result = await SUBGRAPH[name].execute("{ _service { sdl } }", context_value=Context())
    assert result.errors is None
    assert result.data is not None
    return str(result.data["_service"]["sdl"])


def fields_of(sdl: str, type_name: str) -> set[str]:
    # Parsed, not built: federation directives are imported by @link, not declared in the SDL.
    for definition in parse(sdl).definitions:
        if isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value == type_name:
            return {field.name.value for field in definition.fields or ()}
    raise AssertionError(f"no type {type_name}")


async def test_each_subgraph_links_federation_2_9_and_keys_entities_by_id() -> None:
    for name in SUBGRAPHS:
        sdl = await service_sdl(name)

        assert 'schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"' in sdl
        assert 'type Agency implements Node @key(fields: "id")' in sdl
        assert 'type Category implements Node @key(fields: "id")' in sdl


async def test_directory_owns_the_directory_fields_and_knows_nothing_of_reports() -> None:
    sdl = await service_sdl("directory")

    assert fields_of(sdl, "Agency") == {"id", "code", "name", "nameEn", "phone", "email"}
    assert fields_of(sdl, "StaffMember") == {"id", "name", "role"}
    assert fields_of(sdl, "Query") == {
        "_entities", "_service", "agencies", "categories", "areas", "areaAt", "me", "webPushPublicKey",
    }  # fmt: skip
    assert fields_of(sdl, "Mutation") == {
        "signIn", "refreshSession", "signOut", "registerCitizen", "verifyEmail", "createStaff",
        "setStaffActive", "createApiKey", "revokeApiKey", "updateCategory", "createAgency", "setAreaOutline",
        "registerPushSubscription", "unregisterPushSubscription",
        "requestPasswordReset", "resetPassword", "updateProfile", "changePassword", "deleteAccount",
    }  # fmt: skip
    assert "type Report " not in sdl


async def test_reports_adds_only_its_own_fields_to_directory_entities() -> None:
    sdl = await service_sdl("reports")

    # code and name are @shareable: a page of reports with agency names needs no directory call.
    assert fields_of(sdl, "Agency") == {"id", "code", "name", "reports", "reportCounts"}
    assert fields_of(sdl, "Category") == {"id", "reports", "reportCounts"}
    assert fields_of(sdl, "Area") == {"id", "reports", "reportCounts"}
    assert fields_of(sdl, "StaffMember") == {"id"}
    assert {"report", "reports", "node"} <= fields_of(sdl, "Query")
    assert {"fileReport", "updateReportStatus"} <= fields_of(sdl, "Mutation")


def test_every_schema_module_with_fields_has_an_owner() -> None:
    import pkgutil

    import schema

    shared = {
        "schema.context", "schema.errors", "schema.ids", "schema.limits", "schema.live", "schema.subgraphs",
        "schema.operation_limits", "schema.document_limits", "schema.query_cost", "schema.operation_choice",
        "schema.argument_text", "schema.scalars", "schema.descriptions", "schema.compiled",
        "schema.locations", "schema.extension_hooks",
        "schema.webhook_payloads", "schema.api", "schema.subgraph_names", "schema.roots",
    }  # fmt: skip
    modules = {f"schema.{m.name}" for m in pkgutil.iter_modules(schema.__path__)}

    assert modules - shared == set(OWNER_OF_MODULE)


@pytest.mark.usefixtures("db")
async def test_a_hundred_references_cost_one_sql_query_per_entity_type(sql_queries: QueryLog) -> None:
    agencies = await Agency.all().values_list("id", "code")
    categories = await Category.all().values_list("id", "code")
    representations = [
        {"__typename": "Agency", "id": to_global_id("Agency", agencies[i % len(agencies)][0])}
        if i % 2
        else {"__typename": "Category", "id": to_global_id("Category", categories[i % len(categories)][0])}
        for i in range(100)
    ]
    sql_queries.clear()

    result = await SUBGRAPH["directory"].execute(
        ENTITIES, variable_values={"representations": representations}, context_value=_context()
    )

    assert result.errors is None
    assert result.data is not None
    entities = result.data["_entities"]
    assert len(entities) == 100
    assert entities[1]["code"] == dict(agencies)[agencies[1][0]]
    assert entities[0]["code"] == dict(categories)[categories[0][0]]
    assert sql_queries.count == 2, sql_queries.statements


@pytest.mark.usefixtures("db")
async def test_unknown_and_malformed_references() -> None:
    citizen = await User.create(name="Warga", role=Role.CITIZEN)
    representations = [
        {"__typename": "Agency", "id": to_global_id("Agency", 999_999)},
        {"__typename": "StaffMember", "id": to_global_id("User", citizen.id)},
        {"__typename": "Agency", "id": "not-an-id"},
    ]

    result = await SUBGRAPH["directory"].execute(
        ENTITIES, variable_values={"representations": representations}, context_value=_context()
    )

    assert result.data is not None
    assert result.data["_entities"][:2] == [None, None]  # no such agency; a citizen is never shown
    assert result.errors is not None
    assert [e.extensions["code"] for e in result.errors if e.extensions] == ["INVALID_ID"]


async def test_agency_reports_and_counts_in_the_embedded_schema(db: Database) -> None:
    await file_report()
    await file_report(categoryCode="PARKIR_LIAR")

    data = await gql(
        """{ agencies { code reportCounts { total waiting inProcess done overdue }
                        reports(first: 5) { totalCount edges { node { category { code } } } } } }"""
    )

    by_code = {agency["code"]: agency for agency in data["agencies"]}
    assert by_code["DLH"]["reportCounts"] == {
        "total": 1,
        "waiting": 1,
        "inProcess": 0,
        "done": 0,
        "overdue": 0,
    }
    assert by_code["DLH"]["reports"]["totalCount"] == 1
    assert by_code["DLH"]["reports"]["edges"][0]["node"]["category"]["code"] == "SAMPAH"
    assert by_code["DISHUB"]["reportCounts"]["total"] == 1
    assert by_code["DINKES"]["reports"]["edges"] == []


# What Hive Gateway (Hive Router's query planner, gateway/router_runtime.mjs) sends the reports
# subgraph for `reports(first: 20)` with agency names, printed by the planner: the arguments as the
# client wrote them (a literal, or the client's variable), the agency's code and name asked here
# (@shareable), the call named after the client's operation.
GATEWAY_PAGES = {
    "literal": (
        "query Page{reports(first: 20){edges{node{id title status createdAt agency{code name}}}}}",
        {},
    ),
    "variable": (
        "query Page($n:Int){reports(first: $n){edges{node{id title status createdAt agency{code name}}}}}",
        {"n": 20},
    ),
}


@pytest.mark.parametrize("sent", GATEWAY_PAGES.values(), ids=GATEWAY_PAGES.keys())
async def test_the_gateways_page_with_agency_names_is_answered_from_a_compiled_plan(
    db: Database, sent: tuple[str, dict[str, object]]
) -> None:
    await file_report()
    await file_report(categoryCode="KEBAKARAN")
    document, variables = sent
    compiled = STATS["compiled"]

    from_subgraph = await run(document, variables, on=SUBGRAPH["reports"])  # type: ignore[arg-type]

    assert from_subgraph.errors is None
    assert STATS["compiled"] == compiled + 1
    embedded = await gql(
        "{ reports(first: 20) { edges { node { id title status createdAt agency { code name } } } } }"
    )
    assert from_subgraph.data == embedded
    names = {edge["node"]["agency"]["name"] for edge in embedded["reports"]["edges"]}
    assert names == {"Dinas Lingkungan Hidup", "Dinas Pemadam Kebakaran"}


@pytest.mark.usefixtures("db")
async def test_a_report_list_inside_a_report_list_is_refused_even_behind_aliases() -> None:
    await file_report()

    result = await run(
        "{ reports(first: 5) { edges { node { a: agency { r: reports(first: 100) { totalCount } } } } } }"
    )

    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "NESTED_CONNECTION"


def _context():  # type: ignore[no-untyped-def]
    from schema.context import Context

    return Context()
