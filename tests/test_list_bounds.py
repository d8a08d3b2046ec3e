"""Every list the API returns has a bound the query cost counts on (schema.query_cost is an upper
bound): a page size (`first`/`last`), or a declared size the resolver keeps to. ID lists in
filters stop at 100."""

from __future__ import annotations

import base64

import pytest
from graphql import GraphQLSchema, get_named_type, is_leaf_type

from models import Role
from schema import schema
from schema.query_cost import LIST_SIZE, SIZED_FIELDS, SLICING_ARGUMENTS, _is_list
from schema.subgraphs import SUBGRAPHS, build_subgraph
from tests.abuse import abusive
from tests.casework_api import change
from tests.conftest import Database
from tests.graphql import file_report, gql, run, staff

SCHEMAS = {"embedded": schema._schema, **{name: build_subgraph(name)._schema for name in SUBGRAPHS}}
# Lists bounded by the input they answer (one error per input field at most), and the federation
# list, costed by its representations.
EXEMPT = {("*", "errors"), ("Query", "_entities")}


def unbounded_lists(graphql_schema: GraphQLSchema) -> list[str]:
    found = []
    for type_ in graphql_schema.type_map.values():
        if type_.name.startswith("__") or not hasattr(type_, "fields") or not hasattr(type_, "interfaces"):
            continue
        for name, field in type_.fields.items():
            if not _is_list(field.type) or is_leaf_type(get_named_type(field.type)):
                continue
            if ("*", name) in EXEMPT or (type_.name, name) in EXEMPT:
                continue
            sliced = any(argument in field.args for argument in SLICING_ARGUMENTS)
            declared = getattr((field.extensions or {}).get("strawberry-definition"), "metadata", None) or {}
            sized_by_connection = name in SIZED_FIELDS and type_.name.endswith("Connection")
            if not (sliced or LIST_SIZE in declared or sized_by_connection):
                found.append(f"{type_.name}.{name}")
    return found


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_list_of_objects_has_a_bound(name: str) -> None:
    assert unbounded_lists(SCHEMAS[name]) == []


TIMELINE = """query($id: ID!, $last: Int) { report(id: $id) {
  timeline(last: $last) { note } comments(last: $last) { body } } }"""


async def test_timelines_and_comments_come_in_slices_the_cost_counts(db: Database) -> None:
    report = await file_report()
    officer = await staff(Role.DISPATCHER, None, "Dispatcher")
    for n in range(60):
        assert (await change("addComment", officer, id=report["id"], body=f"catatan {n}"))["errors"] == []

    default = (await gql(TIMELINE, {"id": report["id"]}, principal=officer))["report"]
    everything = await run(TIMELINE, {"id": report["id"], "last": 100}, principal=officer)
    too_many = await run(TIMELINE, {"id": report["id"], "last": abusive(101)}, principal=officer)

    assert len(default["timeline"]) == len(default["comments"]) == 50
    assert default["comments"][-1]["body"] == "catatan 59"  # the most recent, oldest first
    assert everything.data is not None
    assert len(everything.data["report"]["timeline"]) == 61  # FILED and sixty comments
    assert everything.extensions["cost"]["estimate"] == 1 + 100 + 100
    assert {e.extensions["code"] for e in too_many.errors or ()} == {"INVALID_PAGE_SIZE"}


@pytest.mark.parametrize("field", ["assigneeIds", "categoryIds", "statuses"])
async def test_filter_lists_stop_at_a_hundred(db: Database, field: str) -> None:
    many = (
        ["SUBMITTED"] * 101
        if field == "statuses"
        else [base64.b64encode(f"{'User' if field == 'assigneeIds' else 'Category'}:{n}".encode()).decode()
              for n in range(1, 40_001)]
    )  # fmt: skip
    result = await run(
        "query($f: ReportFilter) { reports(filter: $f) { totalCount } }",
        {"f": {field: abusive(many)}},
        principal=await staff(Role.CITY_ADMIN, None, "Admin"),
    )

    assert [(e.extensions["code"], e.extensions["field"]) for e in result.errors or ()] == [
        ("INVALID_INPUT", field)
    ]
