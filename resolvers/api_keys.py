"""API keys for partners (scopes, an hourly budget) and for the wall display (read-only).

A key reads `sgp_<prefix>_<secret>`: the prefix finds the row, the secret is compared by hash.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime

from models import ApiKey, ApiKeyKind
from resolvers import read_statements, webhooks
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.identity import Principal, principal_of_key
from resolvers.permissions import require_city_admin
from resolvers.secrets_at_rest import digest, new_secret
from resolvers.validation import clean_text

KNOWN_SCOPES = frozenset({"reports:read", "reports:file", "stats:read"})
DEFAULT_BUDGETS = {ApiKeyKind.PARTNER: 5_000, ApiKeyKind.DISPLAY: 50_000}


def _split(text: str) -> tuple[str, str] | None:
    parts = text.strip().split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != "sgp" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def create_api_key(
    principal: Principal,
    *,
    name: str,
    kind: ApiKeyKind,
    scopes: list[str],
    budget_per_hour: int | None,
) -> tuple[ApiKey, str]:
    """The new key and its plaintext, which is shown this once and never stored."""
    require_city_admin(principal)
    errors: list[FieldError] = []
    clean_name = clean_text(errors, "name", name, max_length=200, required=True)
    unknown = sorted(set(scopes) - KNOWN_SCOPES)
    if unknown:
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                f"Cakupan tidak dikenal: {', '.join(unknown)}",
                f"Unknown scopes: {', '.join(unknown)}",
                "scopes",
            )
        )
    if budget_per_hour is not None and not 1 <= budget_per_hour <= 10_000_000:
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                "Anggaran tidak valid",
                "Budget must be 1..10,000,000",
                "budgetPerHour",
            )
        )
    if errors or clean_name is None:
        raise DomainError(*errors)
    prefix, secret = secrets.token_hex(6), new_secret()
    key = await ApiKey.create(
        name=clean_name,
        kind=kind,
        prefix=prefix,
        secret_hash=digest(secret),
        scopes=sorted(set(scopes)) if kind is ApiKeyKind.PARTNER else ["reports:read"],
        budget_per_hour=budget_per_hour or DEFAULT_BUDGETS[kind],
        created_by_id=principal.user.id if principal.user else None,
        created_at=datetime.now(UTC),
    )
    return key, f"sgp_{prefix}_{secret}"


async def revoke_api_key(principal: Principal, key_id: int) -> ApiKey:
    """Revoke a key; its webhooks stop with it (endpoints disabled, pending deliveries cancelled)."""
    require_city_admin(principal)
    key = await ApiKey.filter(id=key_id).first()
    if key is None:
        raise fail(ErrorCode.NOT_FOUND, "Kunci API tidak ditemukan", "API key not found", "id")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await key.save(update_fields=["revoked_at"])
    # Also when it was revoked before: a call again finishes what an interrupted one began.
    await webhooks.disable_key_endpoints(key.id, "its API key was revoked")
    return key


async def key_principal(text: str, *, client: str) -> Principal | None:
    """The principal of a valid, unrevoked key; None for anything else."""
    parts = _split(text)
    if parts is None:
        return None
    key = await read_statements.first_model(  # asked on every request the key makes: revoking counts at once
        ApiKey,
        '"prefix" = $1 AND "revoked_at" IS NULL',
        [parts[0]],
        lambda: ApiKey.filter(prefix=parts[0], revoked_at__isnull=True).first(),
    )
    if key is None or not hmac.compare_digest(key.secret_hash, digest(parts[1])):
        return None
    return principal_of_key(key, address=client)
