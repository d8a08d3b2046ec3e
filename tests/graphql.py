"""Running operations against the schema in-process, as the HTTP view would."""

from __future__ import annotations

from typing import Any

from resolvers.geo import KUPANG_SERVICE_AREA, BoundingBox
from resolvers.identity import ANONYMOUS, Principal
from schema import SigapSchema, schema
from schema.context import Context


class GraphQLErrors(AssertionError):
    pass


async def run(
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    principal: Principal = ANONYMOUS,
    service_area: BoundingBox = KUPANG_SERVICE_AREA,
    on: SigapSchema = schema,
) -> Any:
    """Execute on the development schema, or `on` another (a production one), as the view would."""
    return await on.execute(
        query,
        variable_values=variables,
        context_value=Context(principal=principal, service_area=service_area),
    )


async def gql(query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Execute and return `data`, failing the test on any GraphQL error."""
    result = await run(query, variables, **kwargs)
    if result.errors:
        raise GraphQLErrors([e.formatted for e in result.errors])
    assert result.data is not None
    return result.data


FILE_REPORT = """
mutation File($input: FileReportInput!) {
  fileReport(input: $input) {
    report { id code title status publicGroup dueAt acknowledgeDueAt createdAt
             location { lat lon } address category { code } agency { code } area { code } }
    errors { code field message messageEn }
  }
}
"""

UPDATE_STATUS = """
mutation Update($input: UpdateReportStatusInput!) {
  updateReportStatus(input: $input) {
    report { id status publicGroup acknowledgedAt resolvedAt closedAt statusReason allowedStatuses
             duplicateOf { id } }
    event { kind fromStatus toStatus note cursor }
    errors { code field message }
  }
}
"""


def filing(**overrides: Any) -> dict[str, Any]:
    """A valid filing near Kupang's centre, with fields replaced as given."""
    data: dict[str, Any] = {
        "title": "Sampah menumpuk di pinggir jalan",
        "description": "Tumpukan sampah belum diangkut sejak tiga hari, bau menyengat.",
        "categoryCode": "SAMPAH",
        "location": {"lat": -10.1700, "lon": 123.6070},
        "address": "Jl. El Tari, Oebobo",
    }
    data.update(overrides)
    return data


async def file_report(**overrides: Any) -> dict[str, Any]:
    data = await gql(FILE_REPORT, {"input": filing(**overrides)})
    payload = data["fileReport"]
    assert payload["errors"] == [], payload["errors"]
    return payload["report"]
