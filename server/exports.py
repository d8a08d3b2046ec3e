"""GET /exports/reports.{csv,geojson,ndjson}: every report a `reports` filter matches, streamed.

`?filter=` takes the `reports` filter as JSON, exactly as the GraphQL variable would be written
(`{"publicGroups": ["WAITING"], "categoryIds": ["..."]}`), coerced by the GraphQL schema itself;
`?orderBy=` one of the `reports` orders. Rows come from the database in keyset batches and leave as
they come, so memory stays flat whatever the number of rows. Each batch is charged to the caller's
hourly query budget before it is read, as GraphQL would charge a page of reports with their
category and agency; the first before anything is sent (a refusal is a 429 with Retry-After), a
later one ends the stream without its final chunk, which clients see as an incomplete download.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLInputObjectType, coerce_input_value
from graphql.utilities import validate_input_value
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from strawberry.types.arguments import convert_argument

from resolvers import report_queries
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.exports import EXPORT_FIELDS, exported_batches
from resolvers.identity import Principal
from resolvers.report_queries import ReportOrder
from resolvers.tokens import TokenSigner
from schema import schema
from schema.ids import to_global_id
from schema.operation_limits import OperationLimits, charge
from schema.query_cost import OperationCost
from schema.report_pages import ReportFilter
from server.authentication import Unauthenticated, authenticate

log = logging.getLogger("sigap.exports")

BATCH_ROWS = 500
OBJECTS_PER_ROW = 3  # a report with its category and agency, as the GraphQL cost counts them
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "ndjson": "application/x-ndjson",
}


def report_filter(text: str | None) -> report_queries.ReportFilter:
    """The `reports` filter from its JSON, with the GraphQL schema's own checks and messages."""
    if not text:
        return report_queries.ReportFilter()
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise _bad_filter("bukan JSON", "not JSON") from exc
    filter_type = schema._schema.get_type("ReportFilter")
    assert isinstance(filter_type, GraphQLInputObjectType)
    problems: list[str] = []

    def on_error(error: GraphQLError, path: list[str | int]) -> None:
        problems.append(f"{'.'.join(map(str, path)) or 'filter'}: {error.message}")

    validate_input_value(value, filter_type, on_error, hide_suggestions=True)
    if problems:
        raise _bad_filter(problems[0], problems[0])
    coerced = coerce_input_value(value, filter_type)
    converted = convert_argument(
        coerced, ReportFilter, schema.schema_converter.scalar_registry, schema.config
    )
    assert isinstance(converted, ReportFilter)
    return converted.to_domain()


def _bad_filter(reason: str, reason_en: str) -> DomainError:
    return fail(
        ErrorCode.INVALID_INPUT, f"filter tidak valid: {reason}", f"Invalid filter: {reason_en}", "filter"
    )


def report_order(text: str | None) -> ReportOrder:
    try:
        return ReportOrder(text or ReportOrder.NEWEST.value)
    except ValueError as exc:
        orders = ", ".join(order.value for order in ReportOrder)
        raise fail(
            ErrorCode.INVALID_INPUT,
            f"orderBy harus salah satu dari {orders}",
            f"orderBy must be one of {orders}",
            "orderBy",
        ) from exc


def error_response(exc: DomainError) -> JSONResponse:
    first = exc.errors[0]
    extensions: dict[str, Any] = {
        "code": first.code.value,
        "field": first.field,
        "messageEn": first.message_en,
    }
    headers = {}
    status = 400
    if first.retry_after is not None:
        extensions["retryAfter"] = first.retry_after
        headers["Retry-After"] = str(first.retry_after)
    if first.code is ErrorCode.RATE_LIMITED:
        status = 429
    return JSONResponse({"errors": [{"message": first.message, "extensions": extensions}]}, status, headers)


async def caller(request: Request, signer: TokenSigner) -> Principal:
    client = f"ip:{request.client.host}" if request.client else "ip:unknown"
    return await authenticate(request.headers, client=client, signer=signer)


def unauthenticated(exc: Unauthenticated) -> JSONResponse:
    error = {"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}
    return JSONResponse({"errors": [error]}, status_code=401, headers={"www-authenticate": "Bearer"})


class ReportExports:
    def __init__(self, limits: OperationLimits, signer: TokenSigner) -> None:
        self.limits = limits
        self.signer = signer

    async def serve(self, request: Request) -> Response:
        kind = request.path_params["format"]
        if kind not in MEDIA_TYPES:
            return JSONResponse(
                {"errors": [{"message": "Unknown export format; use csv, geojson or ndjson"}]}, 404
            )
        try:
            principal = await caller(request, self.signer)
        except Unauthenticated as exc:
            return unauthenticated(exc)
        try:
            flt = report_filter(request.query_params.get("filter"))
            order = report_order(request.query_params.get("orderBy"))
            await self._pay(principal)  # the first batch: refused before anything is sent
        except DomainError as exc:
            return error_response(exc)
        batches = exported_batches(flt, principal, order=order, size=BATCH_ROWS)
        body = FORMATS[kind](_paid(batches, lambda: self._pay(principal)))
        return StreamingResponse(
            body,
            media_type=MEDIA_TYPES[kind],
            headers={
                "Content-Disposition": f'attachment; filename="reports.{kind}"',
                "Cache-Control": "no-store",
            },
        )

    async def _pay(self, principal: Principal) -> None:
        await charge(self.limits, principal, OperationCost(BATCH_ROWS * OBJECTS_PER_ROW))


async def _paid(
    batches: AsyncIterator[list[dict[str, Any]]], pay: Callable[[], Awaitable[None]]
) -> AsyncIterator[list[dict[str, Any]]]:
    """The batches, each after its charge (the first was charged before the response began)."""
    first = True
    while True:
        if not first:
            try:
                await pay()
            except DomainError:
                log.info("export stopped: the caller's query budget is spent")
                raise
        first = False
        batch = await anext(batches, None)
        if batch is None:
            return
        yield [{**row, "id": to_global_id("Report", row["id"])} for row in batch]


async def as_csv(batches: AsyncIterator[list[dict[str, Any]]]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    async for batch in batches:
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


async def as_ndjson(batches: AsyncIterator[list[dict[str, Any]]]) -> AsyncIterator[bytes]:
    async for batch in batches:
        yield b"".join(orjson.dumps(row) + b"\n" for row in batch)


async def as_geojson(batches: AsyncIterator[list[dict[str, Any]]]) -> AsyncIterator[bytes]:
    yield b'{"type":"FeatureCollection","features":['
    separator = b""
    async for batch in batches:
        features = [
            orjson.dumps({"type": "Feature", "geometry": _point(row), "properties": row}) for row in batch
        ]
        yield separator + b",".join(features)
        separator = b","
    yield b"]}"


def _point(row: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [row["lon"], row["lat"]]}  # GeoJSON: longitude first


FORMATS: dict[str, Callable[[AsyncIterator[list[dict[str, Any]]]], AsyncIterator[Any]]] = {
    "csv": as_csv,
    "geojson": as_geojson,
    "ndjson": as_ndjson,
}
