"""Strawberry's ASGI view, hardened for a public endpoint and wired to Sigap's context."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.http.parse_content_type import parse_content_type
from strawberry.subscriptions import GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult

from realtime.hub import Hub
from resolvers.data_version import DataVersion, data_version
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.photo_storage import PhotoStorage
from resolvers.photo_urls import PhotoUrls
from resolvers.tokens import TokenSigner
from schema.context import Context
from schema.errors import CodedErrorsSchema, coded_errors
from schema.live import FollowHub, NoLiveFeed
from schema.operation_limits import admit_cached, refusal
from server import lean_reads
from server.authentication import Unauthenticated, authenticate
from server.gateway_identity import GATEWAY_TOKEN_PARAM, is_gateway
from server.graphiql import GRAPHIQL_PAGE
from server.lean_reads import CompiledRequest
from server.live.results import coded_response
from server.response_cache import CachedAnswer, ResponseCache, cache_key
from server.settings import Settings
from server.upload_limits import BoundedFormRequestAdapter

log = logging.getLogger("sigap.http")
# The gateway sends its GATEWAY_TOKEN on every HTTP request to a subgraph (gateway.config.mjs).
GATEWAY_TOKEN_HEADER = "x-sigap-gateway-token"  # noqa: S105 - a header's name, not a secret
LEAN_SUB_RESPONSE = "sigap.sub_response"  # scope key: the lean door's sub-response, for `run`


class SigapGraphQL(GraphQL[Context, None]):
    schema: CodedErrorsSchema  # the embedded schema or a subgraph: both carry their operation limits
    """Queries and mutations over HTTP. Over websockets it only serves what the live engine
    hands it: the legacy graphql-ws protocol when configured, and the per-subscriber baseline."""

    request_adapter_class = BoundedFormRequestAdapter  # bounds on multipart files and fields

    def __init__(
        self,
        schema: Any,
        settings: Settings,
        subscription_protocols: Sequence[str] = (GRAPHQL_WS_PROTOCOL,),
        *,
        photo_storage: PhotoStorage | None = None,
        photo_urls: PhotoUrls | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,  # queries only: Strawberry refuses mutations over GET
            subscription_protocols=subscription_protocols,
            connection_init_wait_timeout=timedelta(seconds=settings.live_init_timeout),
            # Photos (GraphQL multipart request spec), behind the preflight-header check in __call__.
            multipart_uploads_enabled=True,
        )
        self.settings = settings
        self.cache = ResponseCache() if settings.response_cache else None
        self.lean_reads = settings.lean_reads and settings.compiled_reads
        self.signer = TokenSigner(settings.jwt_secret)
        self.hub: Hub | None = None  # set once the live feed runs
        self.photo_storage = photo_storage
        self.photo_urls = photo_urls or PhotoUrls.from_secret(
            settings.photo_address_base, settings.jwt_secret
        )

    @property
    def graphql_ide_html(self) -> str:
        return GRAPHIQL_PAGE  # Strawberry's page loads its assets from unpkg; ours come from this server

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
            result = await self._execute(
                request, request_adapter, request_data, context, root_value, sub_response
            )
            return _with_status(result, sub_response)
        entry = self.cache.peek(key)
        version: DataVersion | None = None
        if entry is not None:
            # Only answers that passed every limit are stored; the budget is still charged.
            try:
                context.admission = await admit_cached(self.schema.limits, context.principal, entry.estimate)
            except DomainError as exc:
                refused = ExecutionResult(data=None, errors=coded_errors([refusal(exc)]))
                return _with_status(refused, sub_response)
            version = await data_version()
            hit = self.cache.get(key, version.value, datetime.now(UTC))
            if hit is not None:
                return ExecutionResult(data=hit.data, errors=None, extensions=self._cost(context))

        async def take_version() -> None:
            # Taken before computing (the answer is at least this fresh), and only for admitted
            # queries: a refused operation or a mutation costs no SQL for it.
            nonlocal version
            if version is None and context.cache_policy.cacheable:
                version = await data_version()

        context.on_admitted.append(take_version)
        result = await self._execute(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        policy = context.cache_policy
        if (
            isinstance(result, ExecutionResult)
            and not result.errors
            and result.data
            and policy.cacheable
            and version is not None
            and version.settled
            and context.admission is not None
        ):
            answer = CachedAnswer.of(
                version.value, result.data, policy.valid_until, context.admission.estimate
            )
            self.cache.put(key, answer)
        return _with_status(result, sub_response)

    async def _execute(
        self,
        request: Request,
        request_adapter: Any,
        request_data: Any,
        context: Context,
        root_value: None,
        sub_response: Any,
    ) -> Any:
        """The lean path's answer from its plan, else Strawberry's (schema.execute)."""
        if isinstance(request_data, CompiledRequest):
            result = await lean_reads.answer(self.schema, request_data, context)
            if result is not None:
                return result
            request_adapter = self.request_adapter_class(request)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def _answer_lean(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A POST of JSON: a lean request (server.lean_reads) answered as Strawberry's `run` would,
        any other handed to `run` with the context made here. In `run`'s order: the caller is
        authenticated (a 401) before the body is read."""
        request = Request(scope, receive)
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        body = await request.body()
        compiled = lean_reads.compiled_request(self.schema, body)
        response: Response
        try:
            if compiled is None:
                scope[LEAN_SUB_RESPONSE] = sub_response  # the one the context holds
                response = await self.run(
                    Request(scope, lean_reads.replaying(body, receive)), context=context
                )
            else:
                result = await self.execute_operation(request, None, compiled, context, None, sub_response)
                response = self.create_response(await self.process_result(request, result), sub_response)
        except HTTPException as exc:  # as Strawberry's ASGI view answers it
            response = PlainTextResponse(exc.reason, status_code=exc.status_code)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        made = request.scope.pop(LEAN_SUB_RESPONSE, None)
        return made if made is not None else await super().get_sub_response(request)

    def _may_be_lean(self, scope: Scope) -> bool:
        """A POST of JSON asking for one plain answer (no streaming): decided before the body is read."""
        if not self.lean_reads or scope["method"] != "POST":
            return False
        headers = Headers(scope=scope)
        content_type, _ = parse_content_type(headers.get("content-type", ""))
        return "application/json" in content_type and self._get_stream_transport_from_headers(headers) is None

    @staticmethod
    def _cost(context: Context) -> dict[str, Any] | None:
        return {"cost": context.admission.as_extension()} if context.admission is not None else None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        client = f"ip:{request.client.host}" if request.client else "ip:unknown"
        principal = await authenticate(request.headers, client=client, signer=self.signer)
        live = FollowHub(self.hub) if isinstance(request, WebSocket) and self.hub else NoLiveFeed()
        return Context(
            request=request,
            response=response,
            principal=principal,
            service_area=self.settings.service_area,
            timezone=self.settings.timezone,
            tokens=self.signer,
            live=live,
            photo_storage=self.photo_storage,
            photo_urls=self.photo_urls,
            web_push=self.settings.web_push,
            via_gateway=is_gateway(
                {GATEWAY_TOKEN_PARAM: request.headers.get(GATEWAY_TOKEN_HEADER)}, self.settings
            ),
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
        # Preflight (CSRF) and byte caps, declared or streamed, are checked at the door (server.http_guards).
        try:
            if self._may_be_lean(scope):
                await self._answer_lean(scope, receive, send)
            else:
                await super().__call__(scope, receive, send)
        except Unauthenticated as exc:
            await coded_response(exc, 401, {"www-authenticate": "Bearer"})(scope, receive, send)
        except (
            StrawberryGraphQLError,
            ValueError,
            KeyError,
            IndexError,  # a multipart `map` pointing past the end of a list in `operations`
            TypeError,
            AttributeError,
            UnicodeError,
        ) as exc:
            # A malformed request that slipped past Strawberry's own checks: the client's fault,
            # answered coded like every refusal; logged as a warning in case it is ours.
            log.warning("malformed GraphQL request: %r", exc)
            malformed = fail(
                ErrorCode.INVALID_INPUT, "Permintaan GraphQL tidak dapat dibaca", "Malformed GraphQL request"
            )
            await coded_response(malformed, 400)(scope, receive, send)


def _with_status(result: Any, sub_response: Response) -> Any:
    """An operation refused for its rate (not a mutation's typed error) is a 429 with Retry-After."""
    if isinstance(result, ExecutionResult) and result.data is None and result.errors:
        extensions = result.errors[0].extensions or {}
        if extensions.get("code") == ErrorCode.RATE_LIMITED.value:
            sub_response.status_code = 429
            sub_response.headers["Retry-After"] = str(extensions.get("retryAfter", 1))
    return result
