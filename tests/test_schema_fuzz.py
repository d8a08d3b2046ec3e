"""The schema fuzz run: hypothesis-graphql generates valid and invalid queries and mutations from
the committed schema.graphql and sends them to a real server. Whatever it sends, the answer is
never a 5xx, never a stack trace, and every error carries a code that is not an internal error.

Bounded (FUZZ_EXAMPLES operations per mode, derandomised so that CI is reproducible) so that it
takes seconds; raise SIGAP_FUZZ_EXAMPLES for a longer hunt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from tests.abuse import count_fuzzed
from tests.server_process import RunningServer, sigap_server

SCHEMA = (Path(__file__).resolve().parent.parent / "schema.graphql").read_text()
FUZZ_EXAMPLES = int(os.environ.get("SIGAP_FUZZ_EXAMPLES", "150"))
DATES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
SCALARS = {
    "DateTime": DATES.map(lambda moment: graphql.StringValueNode(value=moment.isoformat())),
    # Files travel only as multipart variables: inline, the one value a client can write is null.
    "Upload": st.just(graphql.NullValueNode()),
}
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
    roomy = {"RATE_LIMIT_FILE_REPORT": "100000/minute", "QUERY_POINTS_PER_HOUR": "1000000"}
    with sigap_server(tmp_path_factory.mktemp("fuzz"), **roomy) as running:
        yield running


def check_answer(server: RunningServer, operation: str) -> None:
    count_fuzzed()
    response = httpx.post(server.url + "/graphql", json={"query": operation}, timeout=30)
    assert response.status_code < 500, (operation, response.text)
    assert "Traceback" not in response.text
    body = response.json()
    for error in body.get("errors", []):
        code = error.get("extensions", {}).get("code")
        assert code, (operation, error)
        assert code != "INTERNAL_SERVER_ERROR", (operation, error, server.log()[-3000:])


@RUNS
@given(operation=from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.POSITIVE))
def test_valid_operations_never_fail_the_server(server: RunningServer, operation: str) -> None:
    check_answer(server, operation)


@RUNS
@given(operation=from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
def test_invalid_operations_are_refused_with_codes(server: RunningServer, operation: str) -> None:
    check_answer(server, operation)


def test_the_server_is_still_healthy_after_the_fuzz_run(server: RunningServer) -> None:
    assert httpx.get(server.url + "/health").status_code == 200
