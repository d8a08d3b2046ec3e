"""Running operations against the schema in-process, as the HTTP view would."""

from __future__ import annotations

from typing import Any

from models import Agency, Role, User
from resolvers.identity import ANONYMOUS, Principal, principal_for_user
from resolvers.photo_storage import PhotoStorage
from resolvers.service_area import ServiceArea, kupang_service_area
from resolvers.tokens import TokenSigner
from schema import SigapSchema, schema
from schema.context import Context


class GraphQLErrors(AssertionError):
    pass


class Caller:
    """Who operations run as when a test does not say; set by fixtures such as `as_dispatcher`."""

    default: Principal = ANONYMOUS
    photo_storage: PhotoStorage | None = None


SIGNER = TokenSigner("test-secret-" + "x" * 32)


async def run(
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    service_area: ServiceArea | None = None,
    on: SigapSchema = schema,
) -> Any:
    """Execute on the development schema, or `on` another (a production one), as the view would."""
    context = Context(
        principal=principal or Caller.default,
        service_area=service_area or kupang_service_area(),
        tokens=SIGNER,
        photo_storage=Caller.photo_storage,
    )
    return await on.execute(query, variable_values=variables, context_value=context)


async def staff(role: Role, agency_code: str | None, name: str = "Petugas") -> Principal:
    """A new member of staff, signed in."""
    agency = await Agency.get(code=agency_code) if agency_code else None
    email = f"{name.lower().replace(' ', '.')}.{role.value.lower()}.{agency_code or 'city'}@kupang.test"
    user = await User.create(name=name, role=role, agency=agency, email=email)
    return principal_for_user(user)


async def citizen(name: str = "Warga") -> Principal:
    user = await User.create(
        name=name, role=Role.CITIZEN, email=f"{name.lower()}@warga.test", phone="081234567"
    )
    return principal_for_user(user)


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


async def file_report(principal: Principal | None = None, **overrides: Any) -> dict[str, Any]:
    data = await gql(FILE_REPORT, {"input": filing(**overrides)}, principal=principal)
    payload = data["fileReport"]
    assert payload["errors"] == [], payload["errors"]
    return payload["report"]
