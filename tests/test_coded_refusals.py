"""Hostile argument values get a coded refusal, never INTERNAL_SERVER_ERROR: NUL characters in any
text (refused at one door, schema.argument_text), global IDs with numbers beyond their table's key
(schema.ids), dates outside what the service computes with (schema.scalars), and representations
a subgraph does not resolve. The schema fuzz run sends such values to every argument."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from models import Report, Role
from schema.context import Context
from schema.subgraphs import SUBGRAPHS, build_subgraph
from tests.abuse import abusive
from tests.conftest import Database
from tests.graphql import filing, run, staff

NUL = "a\u0000b"
FILE = "mutation($i: FileReportInput!) { fileReport(input: $i) { errors { code } } }"
COUNT = "query($f: ReportFilter) { reports(filter: $f) { totalCount } }"


def huge(type_name: str, number: int = 99_999_999_999) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


# (name, operation, variables, expected code)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("filter text", COUNT, {"f": {"text": NUL}}, "INVALID_INPUT"),
    ("literal filter text", '{ reports(filter: {text: "a\\u0000b"}) { totalCount } }', {}, "INVALID_INPUT"),
    ("braced escape", '{ reports(filter: {text: "a\\u{0}b"}) { totalCount } }', {}, "INVALID_INPUT"),
    ("fileReport categoryCode", FILE, {"i": filing(categoryCode=NUL)}, "INVALID_INPUT"),
    (
        "signIn email",
        'mutation($e: String!) { signIn(input: {email: $e, password: "x"}) { errors { code } } }',
        {"e": NUL},
        "INVALID_INPUT",
    ),
    (
        "registerCitizen email",
        'mutation($e: String!) { registerCitizen(input: {name: "A", email: $e, password: "p4ssword-long"})'
        " { errors { code } } }",
        {"e": NUL},
        "INVALID_INPUT",
    ),
    (
        "similarReports categoryCode",
        "query($c: String) { similarReports(location: {lat: -10.17, lon: 123.6}, categoryCode: $c)"
        " { totalCount } }",
        {"c": NUL},
        "INVALID_INPUT",
    ),
    ("NUL in a JSON key", COUNT, {"f": {"text": "x"}, "\x00": 1}, "INVALID_INPUT"),
    ("categoryCode longer than any code", FILE, {"i": filing(categoryCode="x" * 2_000)}, "INVALID_INPUT"),
    (
        "similarReports categoryCode longer than any code",
        "query($c: String) { similarReports(location: {lat: -10.17, lon: 123.6}, categoryCode: $c)"
        " { totalCount } }",
        {"c": "x" * 2_000},
        "INVALID_INPUT",
    ),
    ("node Category", "query($id: ID!) { node(id: $id) { id } }", {"id": huge("Category")}, "INVALID_ID"),
    ("node User", "query($id: ID!) { node(id: $id) { id } }", {"id": huge("User")}, "INVALID_ID"),
    ("node Report", "query($id: ID!) { node(id: $id) { id } }", {"id": huge("Report", 2**63)}, "INVALID_ID"),
    ("categoryIds", COUNT, {"f": {"categoryIds": [huge("Category")]}}, "INVALID_ID"),
    ("assigneeIds", COUNT, {"f": {"assigneeIds": [huge("User")]}}, "INVALID_ID"),
    ("agencyIds", COUNT, {"f": {"agencyIds": [huge("Agency")]}}, "INVALID_ID"),
    (
        "fileReport categoryId",
        FILE,
        {"i": filing(categoryCode=None, categoryId=huge("Category"))},
        "INVALID_ID",
    ),
    (
        "statistics area",
        'query($a: ID) { reportStatistics(since: "2026-01-01T00:00:00Z", until: "2026-01-02T00:00:00Z",'
        " areaId: $a) { figures { filed } } }",
        {"a": huge("Area")},
        "INVALID_ID",
    ),
    (
        "statistics far future",
        'query { reportStatistics(since: "9999-12-30T00:00:00Z", until: "9999-12-31T23:00:00Z")'
        " { figures { filed } daily { day filed } } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "far past with an offset",
        'query { reportStatistics(since: "0001-01-01T00:00:00+08:00", until: "0001-01-02T00:00:00Z")'
        " { figures { filed } } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
    ),
]


def codes_of(result: Any) -> list[str]:
    """Every code the caller sees: coded GraphQL errors and a mutation payload's typed errors."""
    codes = [str((e.extensions or {}).get("code")) for e in result.errors or ()]
    for payload in (result.data or {}).values():
        if isinstance(payload, dict):
            codes += [error["code"] for error in payload.get("errors") or ()]
    return codes


@pytest.mark.parametrize(("name", "query", "variables", "code"), CASES, ids=[c[0] for c in CASES])
async def test_hostile_values_get_a_coded_refusal(
    db: Database, name: str, query: str, variables: dict[str, Any], code: str
) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")

    result = await run(query, abusive(variables), principal=admin)

    assert code in codes_of(result), (name, result)
    assert "INTERNAL_SERVER_ERROR" not in codes_of(result)


ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
BAD_REPRESENTATIONS = [
    [{"__typename": "Unknown", "id": "x"}],
    [{"id": "QWdlbmN5OjE="}],
    [{"__typename": "Agency", "id": 1}],
    [{"__typename": "Agency", "id": "QWdlbmN5OjE=", "extra": True}],
    ["Agency"],
    [{"__typename": "Query", "id": "x"}],
]


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
@pytest.mark.parametrize("representations", BAD_REPRESENTATIONS)
async def test_representations_a_subgraph_does_not_resolve_are_refused(
    db: Database, subgraph: str, representations: list[Any]
) -> None:
    result = await build_subgraph(subgraph).execute(
        ENTITIES, variable_values={"r": abusive(representations)}, context_value=Context()
    )

    assert codes_of(result) == ["INVALID_INPUT"], result


async def test_a_nul_refusal_names_the_field_and_files_nothing(db: Database) -> None:
    result = await run(FILE, {"i": filing(description=abusive("nul \x00 byte"))})

    assert [(e.extensions or {}).get("field") for e in result.errors or ()] == ["description"]
    assert await Report.all().count() == 0
