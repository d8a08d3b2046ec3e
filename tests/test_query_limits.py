"""Abusive query shapes are refused at validation, before any resolver or SQL runs."""

from __future__ import annotations

import pytest
import strawberry
from cachetools import LRUCache
from graphql import parse
from pympler.asizeof import asizeof
from strawberry.extensions import AddValidationRules

from schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, document_limits
from schema.document_limits import document_size
from schema.ids import to_global_id
from schema.operation_limits import MAX_COST
from schema.query_cost import create_cost_rule, operation_cost
from tests.abuse import abusive
from tests.conftest import Database, QueryLog
from tests.graphql import run


def nested(depth: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"duplicateOf {{ {inner} }}"
    return f'{{ report(code: "AAAA-AAAA") {{ {inner} }} }}'


async def test_too_deep_query_is_refused_without_sql(sql_queries: QueryLog) -> None:
    result = await run(abusive(nested(MAX_DEPTH + 2)))

    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0].message
    assert sql_queries.count == 0


async def test_too_many_aliases_are_refused_without_sql(sql_queries: QueryLog) -> None:
    aliases = " ".join(f"a{n}: agencies {{ code }}" for n in range(MAX_ALIASES + 1))

    result = await run(abusive(f"{{ {aliases} }}"))

    assert result.data is None
    assert "aliases" in result.errors[0].message
    assert sql_queries.count == 0


async def test_huge_documents_are_refused_without_sql(sql_queries: QueryLog) -> None:
    result = await run(abusive("{ " + "agencies { code } " * MAX_TOKENS + "}"))

    assert result.data is None
    assert result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert sql_queries.count == 0


async def test_limits_still_apply_when_the_document_is_cached() -> None:
    document = nested(MAX_DEPTH + 2)
    first, second = await run(document), await run(document)

    assert first.errors
    assert second.errors


# --- cost: lists multiply by their page size, nested connections multiply each other ---------


async def test_a_page_of_reports_costs_its_objects_and_reports_it(db: Database) -> None:
    result = await run(
        "{ reports(first: 50) { edges { node { id location { lat } category { code } agency { code } } } } }"
    )

    assert result.errors is None
    cost = result.extensions["cost"]
    # the connection, then per report: its edge, node, location, category, agency
    assert cost["estimate"] == 1 + 50 * 5
    assert cost["requested"] == 3  # points: the estimate / 100, rounded up, at least 1
    assert cost["remaining"] == cost["limit"] - 3


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ reports(first: 99999999) { edges { node { id } } } }", None),
        (
            "query($n: Int!) { reports(first: $n) { edges { node { id category { code } } } } }",
            {"n": 99999999},
        ),
        (
            "query($n: Int! = 99999999) { reports(first: $n) { edges { node { id category { code } } } } }",
            None,
        ),
    ],
)
async def test_absurd_page_sizes_are_refused_before_any_sql(
    sql_queries: QueryLog, query: str, variables: dict[str, int] | None
) -> None:
    result = await run(abusive(query), variables)

    assert result.data is None
    assert result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    assert sql_queries.count == 0


@pytest.mark.parametrize("first", [-5, 0, 101, 99999999])  # totalCount alone costs 1, whatever `first`
async def test_page_sizes_out_of_range_are_typed_errors_without_sql(
    sql_queries: QueryLog, first: int
) -> None:
    result = await run(abusive(f"{{ reports(first: {first}) {{ totalCount }} }}"))

    assert result.errors[0].extensions["code"] == "INVALID_PAGE_SIZE"
    assert sql_queries.count == 0


async def test_a_missing_page_size_means_twenty(db: Database) -> None:
    result = await run("{ reports { edges { node { id } } } }")

    assert result.errors is None
    assert result.extensions["cost"]["estimate"] == 1 + 20 * 2


async def test_aliases_of_a_costly_field_add_up_and_are_refused(sql_queries: QueryLog) -> None:
    page = "reports(first: 100) { edges { node { timeline { kind } category { agency { code } } } } }"
    aliases = " ".join(f"p{n}: {page}" for n in range(5))

    result = await run(abusive(f"{{ {aliases} }}"))

    assert result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    assert sql_queries.count == 0


# A schema with connections nested in connections, which Sigap's own schema does not have (yet):
# the cost rule is built for any schema, and must refuse 100 x 100 x 100 before resolving anything.
resolved: list[str] = []


@strawberry.type
class Item:
    id: int

    @strawberry.field
    def children(self, first: int = 10) -> ItemConnection:
        resolved.append("children")
        return ItemConnection(edges=[ItemEdge(node=Item(id=n)) for n in range(first)])


@strawberry.type
class ItemEdge:
    node: Item


@strawberry.type
class ItemConnection:
    edges: list[ItemEdge]


@strawberry.type
class NestedQuery:
    @strawberry.field
    def items(self, first: int = 10) -> ItemConnection:
        resolved.append("items")
        return ItemConnection(edges=[ItemEdge(node=Item(id=n)) for n in range(first)])


COST_RULES = [create_cost_rule(MAX_COST)]
nested_schema = strawberry.Schema(query=NestedQuery, extensions=[lambda: AddValidationRules(COST_RULES)])


def cube(size: int) -> str:
    return (
        f"{{ items(first: {size}) {{ edges {{ node {{ children(first: {size}) {{ edges {{ node {{ "
        f"children(first: {size}) {{ edges {{ node {{ id }} }} }} }} }} }} }} }} }} }}"
    )


async def test_nested_connections_multiply_and_100_cubed_is_refused_unresolved() -> None:
    resolved.clear()

    refused = await nested_schema.execute(abusive(cube(100)))

    assert refused.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    assert refused.errors[0].extensions["cost"] > 100 * 100 * 100
    assert resolved == []

    small = await nested_schema.execute(cube(5))
    assert small.errors is None
    assert len(small.data["items"]["edges"]) == 5
    assert operation_cost(nested_schema._schema, parse(cube(5))).cost == 1 + 5 * (3 + 5 * (3 + 5 * 2))


# --- shapes that would make validation itself slow --------------------------------------------


def fragment_bomb(levels: int, width: int) -> str:
    fragments = ["fragment F0 on Report { id }"]
    for level in range(1, levels + 1):
        spreads = " ".join(f"a{n}: duplicateOf {{ ...F{level - 1} }}" for n in range(width))
        fragments.append(f"fragment F{level} on Report {{ {spreads} }}")
    return " ".join(fragments) + f' {{ report(code: "AAAA-AAAA") {{ ...F{levels} }} }}'


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(fragment_bomb(8, 6), id="fragment-bomb"),
        pytest.param("{ agencies { " + "code " * 4000 + "} }", id="one-field-4000-times"),
        pytest.param(
            "fragment F on Agency { code } { agencies { " + "...F " * 2000 + "} }",
            id="one-fragment-2000-times",
        ),
        pytest.param(
            "fragment F0 on Report { id } "
            + " ".join(f"fragment F{n} on Report {{ ...F{n - 1} }}" for n in range(1, 400))
            + ' { report(code: "AAAA-AAAA") { ...F399 } }',
            id="fragment-chain-400",
        ),
        pytest.param("{ agencies " + "@skip(if: false) " * 600 + "{ code } }", id="one-directive-600-times"),
        pytest.param(
            "fragment A on Report { duplicateOf { ...B } } fragment B on Report { duplicateOf { ...A } } "
            '{ report(code: "AAAA-AAAA") { ...A } }',
            id="circular-fragments",
        ),
    ],
)
async def test_documents_built_to_slow_validation_are_refused_without_sql(
    sql_queries: QueryLog, document: str
) -> None:
    result = await run(abusive(document))

    assert result.data is None
    assert result.errors
    assert all(e.extensions["code"] == "GRAPHQL_VALIDATION_FAILED" for e in result.errors)
    assert sql_queries.count == 0


def test_fragments_are_measured_once_however_often_they_are_spread() -> None:
    # 6^8 (1.7 million) spreads once expanded, measured in a pass over 9 fragments
    assert document_size(parse(fragment_bomb(8, 6))).selections > 1_000_000


async def test_huge_variables_are_typed_errors_not_failures(db: Database, sql_queries: QueryLog) -> None:
    many_ids = [to_global_id("Category", n) for n in range(1, 50_001)]
    query = "query($ids: [ID!]) { reports(filter: {categoryIds: $ids}) { totalCount } }"

    result = await run(query, abusive({"ids": many_ids}))

    assert result.errors[0].extensions["code"] == "INVALID_INPUT"
    assert result.errors[0].extensions["field"] == "categoryIds"
    assert sql_queries.count == 0


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ reports(first: 5) { edges { node { id } } ", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int!) { reports(first: $n) { totalCount } }", {"n": "ten"}, "GRAPHQL_VALIDATION_FAILED"),
        ("{ reports(orderBy: SIDEWAYS) { totalCount } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($s: [ReportStatus!]) { reports(filter: {statuses: $s}) { totalCount } }",
         {"s": ["LOST"]}, "GRAPHQL_VALIDATION_FAILED"),
        ('{ report(id: "not-an-id") { id } }', None, "INVALID_ID"),
        ('{ report(id: "QWdlbmN5OjE=") { id } }', None, "INVALID_ID"),  # Agency:1, not a report
        ('{ node(id: "%%%") { id } }', None, "INVALID_ID"),
    ],
)  # fmt: skip
async def test_malformed_operations_get_coded_errors(
    db: Database, query: str, variables: dict[str, object] | None, code: str
) -> None:
    result = await run(abusive(query), variables)

    assert result.errors
    assert result.errors[0].extensions["code"] == code


async def test_refused_documents_are_not_kept_and_the_parser_cache_is_bounded_in_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = LRUCache(2**20, getsizeof=document_limits._weight)
    monkeypatch.setattr(document_limits, "validated_documents", small)
    flood = "{ agencies { " + "code " * 2000 + "} }"
    invalid = "{ agencies { nope } }"
    await run(abusive(flood))
    await run(abusive(invalid))
    assert len(small) == 0

    for n in range(60):  # comments, and aliases: the two extremes of weight per character
        await run(f"{{ __typename }} # {'x' * 10_000} {n}")
        await run("{ " + " ".join(f"a{n}_{i}: agencies {{ code name }}" for i in range(25)) + " }")
    held = asizeof(small)  # documents, keys and bookkeeping: every byte the cache holds

    assert len(small) > 0
    assert held <= small.maxsize, f"the parser cache holds {held} bytes, over its bound of {small.maxsize}"


async def test_documents_past_the_character_limit_are_refused_unread(sql_queries: QueryLog) -> None:
    from schema.document_limits import MAX_DOCUMENT_CHARACTERS

    padding = "#" * MAX_DOCUMENT_CHARACTERS  # a comment: few tokens, many characters
    result = await run("{ agencies { code } }\n" + padding)

    assert result.data is None
    assert "characters" in result.errors[0].message
    assert result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert sql_queries.count == 0
