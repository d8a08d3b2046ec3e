"""Serialising GraphQL results once, for every transport of the live engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.responses import Response

from schema.errors import coded_errors


def error_list(errors: Sequence[Exception]) -> list[dict[str, Any]]:
    graphql_errors = [
        e if isinstance(e, GraphQLError) else GraphQLError(str(e), original_error=e) for e in errors
    ]
    return [error.formatted for error in coded_errors(graphql_errors)]  # type: ignore[misc]


def result_json(data: Any, errors: Sequence[Exception] | None) -> str:
    """An ExecutionResult as JSON text: {"data": ...} plus "errors" when there are any."""
    result: dict[str, Any] = {"data": data}
    if errors:
        result["errors"] = error_list(errors)
    return orjson.dumps(result).decode()


def errors_json(errors: Sequence[Exception]) -> str:
    return orjson.dumps(error_list(errors)).decode()


def coded_response(error: Exception, status: int, headers: dict[str, str] | None = None) -> Response:
    """A refusal at a live endpoint's door, as GraphQL over HTTP answers one: {"errors": [...]}."""
    return Response(
        '{"errors":' + errors_json([error]) + "}",
        status_code=status,
        media_type="application/json",
        headers=headers,
    )
