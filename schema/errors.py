"""How refusals reach clients: typed errors in mutation payloads, coded GraphQL errors elsewhere."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext, ExecutionResult

from resolvers.errors import DomainError, ErrorCode, FieldError

log = logging.getLogger("sigap.errors")


@strawberry.federation.type(
    shareable=True,  # a value type both subgraphs return; identical in each
    description="Why a mutation refused its input. Nothing was written.",
)
class UserError:
    code: ErrorCode
    message: str = strawberry.field(description="In Indonesian, for citizens")
    message_en: str
    field: str | None = strawberry.field(default=None, description="The input field at fault")

    @classmethod
    def from_domain(cls, error: FieldError) -> UserError:
        return cls(code=error.code, message=error.message, message_en=error.message_en, field=error.field)


def user_errors(exc: DomainError) -> list[UserError]:
    return [UserError.from_domain(e) for e in exc.errors]


def coded_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Give every GraphQL error a code; replace unexpected failures by a masked error with a
    request id, the details going to the log and never to the client."""
    return [_coded(error) for error in errors]


def _coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
        return GraphQLError(
            error.message, error.nodes, error.source, error.positions, error.path, None, extensions
        )
    if isinstance(original, DomainError):
        first = original.errors[0]
        extensions = {"code": first.code.value, "field": first.field, "messageEn": first.message_en}
        return GraphQLError(
            first.message, error.nodes, error.source, error.positions, error.path, None, extensions
        )
    if isinstance(original, GraphQLError):
        return error
    request_id = uuid.uuid4().hex
    log.error("request %s failed at %s", request_id, error.path, exc_info=original)
    return GraphQLError(
        f"Internal error; quote request id {request_id}",
        error.nodes,
        error.source,
        error.positions,
        error.path,
        None,
        {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


class CodedErrorsSchema(strawberry.Schema):
    """A schema whose every error carries a code: the embedded schema and each subgraph are one."""

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # Every path (parse, validation, resolvers) ends here: one place to code and mask errors.
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = coded_errors(result.errors)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Silence Strawberry's own error log: refusals are expected, and `coded_errors` logs
        unexpected failures once, with the request id the client was given."""
