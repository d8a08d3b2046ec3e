"""Who is calling: the principal every permission check, privacy rule and limit is decided on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from models import ApiKey, ApiKeyKind, Role, User
from resolvers import read_statements

STAFF_ROLES = frozenset({Role.OFFICER, Role.DISPATCHER, Role.AGENCY_ADMIN, Role.CITY_ADMIN})


class PrincipalKind(StrEnum):
    ANONYMOUS = "ANONYMOUS"  # no credentials (a public web page, a first-time reporter)
    USER = "USER"  # signed in: a citizen or staff, see `user.role`
    PARTNER = "PARTNER"  # an API key with scopes and a budget
    DISPLAY = "DISPLAY"  # the command center's read-only wall key


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind = PrincipalKind.ANONYMOUS
    user: User | None = None
    api_key_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    # Rate limits and idempotency keys are counted per client: the key or user when known, else the
    # app install's device id, else the address.
    client: str = "anonymous"
    # Where the request came from. Many phones share one address behind carrier NAT, so anonymous
    # callers are limited per device, and per address only loosely (against one machine posing as
    # many devices).
    address: str = "anonymous"
    # This caller's query budget in points per hour (a partner's key sets its own); None: the default.
    points_per_hour: int | None = None

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user is not None else None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def agency_id(self) -> int | None:
        return self.user.agency_id if self.user is not None and self.is_staff else None

    @property
    def may_introspect(self) -> bool:
        """In production only staff and partners may read the schema through introspection."""
        return self.kind is PrincipalKind.PARTNER or self.is_staff

    @property
    def budget_key(self) -> str:
        """Whose query budget pays: an anonymous caller's device id costs nothing to change, so
        anonymous reads share their address's budget."""
        return self.address if self.kind is PrincipalKind.ANONYMOUS else self.client

    @property
    def visibility(self) -> str:
        """Principals with the same visibility see exactly the same data: answers are cached and
        live executions shared per visibility. Without an account nobody sees private data; with
        one, what is private to them depends on who they are (their own reports, their agency's),
        so each account is its own class."""
        if self.user is not None:
            return f"user:{self.user.id}"
        if self.kind is PrincipalKind.PARTNER and "reports:read" not in self.scopes:
            return "partner:no-reports"  # sees no reports at all (resolvers.permissions.require_can_read)
        return "public"


ANONYMOUS = Principal()


def principal_for_user(user: User, *, client: str | None = None, address: str = "anonymous") -> Principal:
    return Principal(kind=PrincipalKind.USER, user=user, client=client or f"user:{user.id}", address=address)


def principal_of_key(key: ApiKey, *, address: str = "anonymous") -> Principal:
    """Whom a key's requests (and its webhooks' deliveries) read as."""
    kind = PrincipalKind.DISPLAY if key.kind is ApiKeyKind.DISPLAY else PrincipalKind.PARTNER
    return Principal(
        kind=kind,
        api_key_id=key.id,
        scopes=frozenset(key.scopes),
        client=f"key:{key.id}",
        address=address,
        points_per_hour=key.budget_per_hour,  # its own hourly budget, as the city admin set it
    )


async def active_user(user_id: int) -> User | None:
    """The active account `user_id`, read anew for every request a token makes (so that disabling,
    deleting, a new role or a password change count at once), by a statement built once."""
    return await read_statements.first_model(
        User, '"id" = $1 AND "is_active"', [user_id], lambda: User.filter(id=user_id, is_active=True).first()
    )
