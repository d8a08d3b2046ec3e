"""Strawberry's ASGI view, hardened for a public endpoint and wired to Sigap's context."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.types import ExecutionResult

from resolvers.data_version import data_version
from resolvers.errors import DomainError, ErrorCode
from resolvers.identity import Principal
from schema import SigapSchema
from schema.context import Context
from schema.errors import coded_errors
from schema.operation_limits import charge, refusal
from server.response_cache import CachedAnswer, ResponseCache, cache_key
from server.settings import Settings

log = logging.getLogger("sigap.http")


class SigapGraphQL(GraphQL[Context, None]):
    schema: SigapSchema

    def __init__(self, schema: SigapSchema, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,  # queries only: Strawberry refuses mutations over GET
        )
        self.settings = settings
        self.cache = ResponseCache() if settings.response_cache else None

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: Any,
        context: Context,
        root_value: None,
        sub_response: Any,
    ) -> Any:
        key = None if self.cache is None else cache_key(request_data, context.visibility)
        if key is None or self.cache is None:
            result = await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
            return _with_status(result, sub_response)
        entry = self.cache.peek(key)
        version: str | None = None
        if entry is not None:
            # Only answers that passed every limit are stored; the budget is still charged.
            try:
                context.admission = await charge(self.schema.limits, context.principal, entry.estimate)
            except DomainError as exc:
                refused = ExecutionResult(data=None, errors=coded_errors([refusal(exc)]))
                return _with_status(refused, sub_response)
            version = await data_version()
            hit = self.cache.get(key, version, datetime.now(UTC))
            if hit is not None:
                return ExecutionResult(data=hit.data, errors=None, extensions=self._cost(context))

        async def take_version() -> None:
            # Taken before computing (the answer is at least this fresh), and only for admitted
            # operations: a refused one costs no SQL.
            nonlocal version
            if version is None:
                version = await data_version()

        context.on_admitted.append(take_version)
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        policy = context.cache_policy
        if (
            isinstance(result, ExecutionResult)
            and not result.errors
            and result.data
            and policy.cacheable
            and version is not None
            and context.admission is not None
        ):
            size = len(orjson.dumps(result.data))
            answer = CachedAnswer(version, result.data, policy.valid_until, size, context.admission.estimate)
            self.cache.put(key, answer)
        return _with_status(result, sub_response)

    @staticmethod
    def _cost(context: Context) -> dict[str, Any] | None:
        return {"cost": context.admission.as_extension()} if context.admission is not None else None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        client = request.client.host if request.client else "unknown"
        principal = Principal(client=f"ip:{client}")  # credentials: see the trust issue
        return Context(
            request=request, response=response, principal=principal, service_area=self.settings.service_area
        )

    def decode_json(self, data: str | bytes) -> object:
        parsed = orjson.loads(data)  # JSONDecodeError (also for invalid UTF-8) becomes a 400
        if not isinstance(parsed, dict):
            # Strawberry would treat a list as a batch and fail on scalars with a 500.
            raise HTTPException(400, "The request body must be one JSON object")
        return parsed

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            await super().__call__(scope, receive, send)
        except (StrawberryGraphQLError, ValueError, KeyError, TypeError, UnicodeError) as exc:
            # A malformed request that slipped past Strawberry's own checks: the client's fault.
            log.info("malformed GraphQL request: %r", exc)
            await PlainTextResponse("Malformed GraphQL request", status_code=400)(scope, receive, send)


def _with_status(result: Any, sub_response: Response) -> Any:
    """An operation refused for its rate (not a mutation's typed error) is a 429 with Retry-After."""
    if isinstance(result, ExecutionResult) and result.data is None and result.errors:
        extensions = result.errors[0].extensions or {}
        if extensions.get("code") == ErrorCode.RATE_LIMITED.value:
            sub_response.status_code = 429
            sub_response.headers["Retry-After"] = str(extensions.get("retryAfter", 1))
    return result
