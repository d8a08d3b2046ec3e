"""How refusals reach clients: typed errors in mutation payloads, coded GraphQL errors elsewhere."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionContext, ExecutionResult
from tortoise.exceptions import ValidationError

from resolvers.errors import DomainError, ErrorCode, FieldError
from resolvers.request_ids import request_id_or_new
from schema.extension_hooks import KnownHooksRunner
from schema.operation_limits import OperationLimits

log = logging.getLogger("sigap.errors")

# graphql-core's hints (graphql.pyutils.did_you_mean): " Did you mean 'a', 'b', or 'c'?", with
# GraphQL names between the quotes, at the end of a message or before its details.
_SUGGESTION = re.compile(r" Did you mean [^?']*(?:'[^']*'[^?']*)*\?")
# Strawberry's own refusals of a request, before it runs: no query, an `operationName` naming
# no operation, an operation type the transport does not run.
REQUEST_FAULTS = (GraphQLError, MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)
STATEMENT_TIMEOUT_SQLSTATE = "57014"  # PostgreSQL's query_canceled: statement_timeout fired


ERRORS_HELP = "Alasan penolakan; kosong bila berhasil / Why it was refused; empty on success"


@strawberry.federation.type(
    shareable=True,  # a value type both subgraphs return; identical in each
    description="Why a mutation refused its input. Nothing was written.",
)
class UserError:
    code: ErrorCode = strawberry.field(description="Kode stabil / Stable code")
    message: str = strawberry.field(description="In Indonesian, for citizens")
    message_en: str = strawberry.field(description="Dalam bahasa Inggris / In English")
    field: str | None = strawberry.field(default=None, description="The input field at fault")
    retry_after: int | None = strawberry.field(
        default=None, description="For RATE_LIMITED: seconds to wait before trying again"
    )

    @classmethod
    def from_domain(cls, error: FieldError) -> UserError:
        return cls(
            code=error.code,
            message=error.message,
            message_en=error.message_en,
            field=error.field,
            retry_after=error.retry_after,
        )


def user_errors(exc: DomainError) -> list[UserError]:
    return [UserError.from_domain(e) for e in exc.errors]


def coded_errors(errors: list[GraphQLError], *, hide_suggestions: bool = False) -> list[GraphQLError]:
    """Give every GraphQL error a code; replace unexpected failures by a masked error with a
    request id, the details going to the log and never to the client. In production,
    `hide_suggestions` drops "Did you mean ...?" hints that would map the schema for a prober."""
    return [_coded(error, hide_suggestions) for error in errors]


def _coded(error: GraphQLError, hide_suggestions: bool) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, REQUEST_FAULTS):  # the request's fault: say what
        extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
        message = _SUGGESTION.sub("", error.message) if hide_suggestions else error.message
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, extensions)
    if isinstance(original, DomainError):
        first = original.errors[0]
        extensions = {"code": first.code.value, "field": first.field, "messageEn": first.message_en}
        if first.retry_after is not None:
            extensions["retryAfter"] = first.retry_after
        return GraphQLError(
            first.message, error.nodes, error.source, error.positions, error.path, None, extensions
        )
    if isinstance(original, ValidationError):
        # The ORM refused a value for its column (a code longer than any code, say) before any
        # SQL: the caller's value, not our failure.
        log.info("a value did not fit its column at %s: %s", error.path, original)
        return _with_code(
            error,
            ErrorCode.INVALID_INPUT,
            "Nilai tidak sesuai untuk kolomnya (terlalu panjang atau salah bentuk)",
            "A value is too long or of the wrong form",
        )
    if getattr(original, "sqlstate", None) == STATEMENT_TIMEOUT_SQLSTATE:
        log.warning("statement timeout at %s: %s", error.path, original)
        return _with_code(
            error,
            ErrorCode.QUERY_TIMEOUT,
            "Permintaan terlalu lama dan dihentikan; persempit filter",
            "The query took too long and was stopped; narrow its filter",
        )
    request_id = request_id_or_new()  # the one in the response header and on every log line
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


def _with_code(error: GraphQLError, code: ErrorCode, message: str, message_en: str) -> GraphQLError:
    extensions = {"code": code.value, "messageEn": message_en}
    return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, extensions)


class CodedErrorsSchema(strawberry.Schema):
    """A schema whose every error carries a code: the embedded schema and each subgraph are one.
    `limits` are the operation limits it runs with (budgets, production mode)."""

    def __init__(self, *args: Any, limits: OperationLimits, **kwargs: Any) -> None:
        self.limits = limits
        super().__init__(*args, **kwargs)

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return KnownHooksRunner(execution_context=execution_context, extensions=extensions)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # Every path (parse, validation, resolvers) ends here: one place to code and mask errors.
        result = await super().execute(*args, **kwargs)
        return self._coded(result)

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """The same for live transports (websockets, SSE; `subscribe` streams too)."""
        return self._coded_results(await super().stream(*args, **kwargs))

    async def _coded_results(self, results: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
        async with aclosing(results):
            async for result in results:
                yield self._coded(result) if isinstance(result, ExecutionResult) else result

    def _coded(self, result: ExecutionResult) -> ExecutionResult:
        if result.errors:
            result.errors = coded_errors(result.errors, hide_suggestions=self.limits.production)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Silence Strawberry's own error log: refusals are expected, and `coded_errors` logs
        unexpected failures once, with the request id the client was given."""
