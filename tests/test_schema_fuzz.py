"""The schema fuzz run: hypothesis-graphql generates valid and invalid queries and mutations from
the committed schema.graphql and sends them to a real server on PostgreSQL (the stricter backend:
it refuses NUL and integers beyond a column), anonymously and as a city admin. Every scalar
argument is drawn half the time from hostile values: NUL, bidi-override and zero-width
characters, huge and negative integers, far and naive dates, and global IDs of every type with
huge numbers. Whatever it sends, the answer is never a 5xx, never a stack trace, and every error
carries a code that is not an internal error.

Bounded (FUZZ_EXAMPLES operations per mode, a few per root field so that every argument of the
schema is reached, derandomised so that CI is reproducible) so that it takes seconds; raise
SIGAP_FUZZ_EXAMPLES for a longer hunt."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from schema.ids import to_global_id
from tests.abuse import count_fuzzed
from tests.loopback_http import HTTP
from tests.server_process import RunningServer, server_database, sigap_server

SCHEMA = (Path(__file__).resolve().parent.parent / "schema.graphql").read_text()
FUZZ_EXAMPLES = int(os.environ.get("SIGAP_FUZZ_EXAMPLES", "100"))
EXAMPLES_PER_FIELD = int(os.environ.get("SIGAP_FUZZ_EXAMPLES_PER_FIELD", "3"))
DATES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
NODE_TYPES = ("Report", "ReportEvent", "ReportPhoto", "Agency", "Category", "Area", "User", "ApiKey", "Query")
HOSTILE_TEXT = ["a\x00b", "\x00", "\u202eHARMLESS\u200b\ufeff", "\u200b", "\u2066x\u2069", "x" * 2_000, " "]
HOSTILE_INTS = [0, -1, -(2**31), 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 10**30]
HOSTILE_IDS = [to_global_id(t, n) for t in NODE_TYPES for n in (1, 2**31, 2**63, 10**30)] + [
    base64.b64encode(b"Report:-1").decode(),
    base64.b64encode(b"Report:\x00").decode(),
    "not base64",
]
HOSTILE_DATES = [
    "9999-12-30T00:00:00Z",
    "0001-01-01T00:00:00+08:00",
    "2026-11-30T12:00:00",
    "2026-13-01T00:00Z",
]


def string_node(text: str) -> graphql.ValueNode:
    return graphql.StringValueNode(value=text)


def int_node(number: int) -> graphql.ValueNode:
    return graphql.IntValueNode(value=str(number))


def half_hostile(hostile: st.SearchStrategy[Any], ordinary: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(hostile, ordinary)


SCALARS = {
    "String": half_hostile(st.sampled_from(HOSTILE_TEXT), st.text(max_size=30)).map(string_node),
    "ID": half_hostile(st.sampled_from(HOSTILE_IDS), st.text(max_size=20)).map(string_node),
    "Int": half_hostile(st.sampled_from(HOSTILE_INTS), st.integers(-5, 200)).map(int_node),
    "Float": half_hostile(st.sampled_from([1e308, -1e308, 0.0, -0.0]), st.floats(-200, 200)).map(
        lambda number: graphql.FloatValueNode(value=repr(number))
    ),
    "DateTime": half_hostile(st.sampled_from(HOSTILE_DATES), DATES.map(datetime.isoformat)).map(string_node),
    # Files travel only as multipart variables: inline, the one value a client can write is null.
    "Upload": st.just(graphql.NullValueNode()),
}
_ROOTS = graphql.build_schema(SCHEMA)
ROOT_FIELDS = sorted(
    name for root in (_ROOTS.query_type, _ROOTS.mutation_type) if root is not None for name in root.fields
)
RUNS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # Limits wide open so that generated filings reach validation, routing and the database.
    roomy = {
        "RATE_LIMIT_FILE_REPORT": "100000/minute",
        "RATE_LIMIT_FILE_REPORT_PER_ADDRESS": "100000/minute",
        "RATE_LIMIT_SIGN_IN": "100000/minute",
        "QUERY_POINTS_PER_HOUR": "1000000",
    }
    folder = tmp_path_factory.mktemp("fuzz")
    with (
        server_database(folder, "postgres") as url,
        sigap_server(folder, DATABASE_URL=url, **roomy) as running,
    ):
        running.staff_headers()  # the city admin, made before the fuzz starts
        yield running


def check_answer(server: RunningServer, operation: str, as_admin: bool = False) -> None:
    count_fuzzed()
    headers = server.staff_headers() if as_admin else None
    response = HTTP.post(server.url + "/graphql", json={"query": operation}, headers=headers, timeout=30)
    assert response.status_code < 500, (operation, response.text)
    assert "Traceback" not in response.text
    body = response.json()
    for error in body.get("errors", []):
        code = error.get("extensions", {}).get("code")
        assert code, (operation, error)
        assert code != "INTERNAL_SERVER_ERROR", (operation, error, server.log()[-3000:])


@RUNS
@given(operation=from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.POSITIVE), as_admin=st.booleans())
def test_valid_operations_never_fail_the_server(
    server: RunningServer, operation: str, as_admin: bool
) -> None:
    check_answer(server, operation, as_admin)


@RUNS
@given(operation=from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
def test_invalid_operations_are_refused_with_codes(server: RunningServer, operation: str) -> None:
    check_answer(server, operation)


@pytest.mark.parametrize("root_field", ROOT_FIELDS)
def test_hostile_arguments_of_every_root_field_get_coded_answers(
    server: RunningServer, root_field: str
) -> None:
    @settings(RUNS, max_examples=EXAMPLES_PER_FIELD)
    @given(
        operation=from_schema(SCHEMA, fields=[root_field], custom_scalars=SCALARS, mode=Mode.POSITIVE),
        as_admin=st.booleans(),
    )
    def hostile(operation: str, as_admin: bool) -> None:
        check_answer(server, operation, as_admin)

    hostile()


def test_the_server_is_still_healthy_after_the_fuzz_run(server: RunningServer) -> None:
    assert HTTP.get(server.url + "/health").status_code == 200
