"""`reports:read` is what lets a partner key read reports: pages, single reports, nodes (through
HTTP in tests/test_http_auth.py) and the live feed here; without it a key files or reads
statistics, and shares no cached or live answer with keys and callers that read reports."""

from __future__ import annotations

from typing import Any

from models import ApiKeyKind, Role
from resolvers.api_keys import create_api_key, key_principal, revoke_api_key
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from schema import schema
from schema.context import Context
from tests.abuse import abusive
from tests.conftest import Database
from tests.graphql import staff

FEED = "subscription { reportEvents { cursor report { title } } }"


def partner(*scopes: str) -> Principal:
    return Principal(kind=PrincipalKind.PARTNER, api_key_id=7, scopes=frozenset(scopes), client="key:7")


async def first_answer(principal: Principal) -> Any:
    stream = await schema.subscribe(abusive(FEED), context_value=Context(principal=principal))
    assert not hasattr(stream, "errors"), stream
    answer = await anext(stream)  # type: ignore[arg-type]
    await stream.aclose()  # type: ignore[union-attr]
    return answer


async def test_the_live_feed_refuses_a_key_without_reports_read() -> None:
    refused = await first_answer(partner("reports:file", "stats:read"))
    # With the scope, admission lets it through to the feed (absent in this in-process schema).
    admitted = await first_answer(partner("reports:read"))

    assert refused.data is None
    assert "reports:read" in refused.errors[0].message
    assert "reports:read" not in admitted.errors[0].message


def test_keys_without_reports_read_see_differently_from_the_public() -> None:
    assert partner("reports:read").visibility == ANONYMOUS.visibility
    assert partner("reports:file").visibility != ANONYMOUS.visibility


async def test_a_key_reads_as_itself_until_revoked(db: Database) -> None:
    """The key is looked up on every request (one prepared statement on PostgreSQL): its kind and
    scopes as created, nothing for a wrong secret, and nothing from the moment it is revoked."""
    admin = await staff(Role.CITY_ADMIN, None, "Admin Kota")
    key, text = await create_api_key(
        admin,
        name="Mitra",
        kind=ApiKeyKind.PARTNER,
        scopes=["reports:read", "stats:read"],
        budget_per_hour=100,
    )
    found = await key_principal(text, client="203.0.113.9")
    wrong = await key_principal(text + "x", client="203.0.113.9")  # another secret, the same prefix
    await revoke_api_key(admin, key.id)

    assert found is not None
    assert (found.kind, found.api_key_id, found.scopes) == (
        PrincipalKind.PARTNER, key.id, frozenset({"reports:read", "stats:read"}),
    )  # fmt: skip
    assert wrong is None
    assert await key_principal(text, client="203.0.113.9") is None
