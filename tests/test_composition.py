"""The subgraphs compose with @theguild/federation-composition, and the composed API is exactly the
API the embedded server serves: the two ways of running Sigap cannot drift apart."""

from __future__ import annotations

import pytest
from graphql import build_client_schema, build_schema, introspection_from_schema, lexicographic_sort_schema
from graphql import print_schema as print_graphql

from federation.composition import SUPERGRAPH_FILE, Composition, CompositionError, compose, compose_current
from schema import schema
from tests.gateway_stack import require_node

pytestmark = pytest.mark.gateway


@pytest.fixture(scope="module")
async def composition() -> Composition:
    require_node()
    return await compose_current()


def canonical(sdl_schema: object) -> str:
    return print_graphql(lexicographic_sort_schema(sdl_schema))  # type: ignore[arg-type]


def test_the_subgraphs_compose_into_a_supergraph_of_both(composition: Composition) -> None:
    assert '@join__graph(name: "directory"' in composition.supergraph_sdl
    assert '@join__graph(name: "reports"' in composition.supergraph_sdl


def test_a_composition_error_fails_the_check() -> None:
    require_node()
    link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])\n'
    clashing = {  # both subgraphs claim Query.agencies, with different types: not composable
        "directory": link + "type Query { agencies: [String!]! }",
        "reports": link + "type Query { agencies: Int }",
    }

    with pytest.raises(CompositionError, match="agencies"):
        compose(
            clashing, {"directory": "http://127.0.0.1:1/graphql", "reports": "http://127.0.0.1:2/graphql"}
        )


def test_the_embedded_server_serves_the_supergraphs_api_schema(composition: Composition) -> None:
    # What the embedded server answers to introspection, against the composed API schema.
    served = build_client_schema(introspection_from_schema(schema._schema))
    composed = build_schema(composition.public_sdl)

    assert canonical(served) == canonical(composed)


def test_the_committed_supergraph_is_the_current_composition(composition: Composition) -> None:
    assert SUPERGRAPH_FILE.read_text() == composition.supergraph_sdl + "\n", (
        "gateway/supergraph.graphql is out of date: run `make supergraph` and review the difference"
    )
