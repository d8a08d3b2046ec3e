"""Idempotency keys: a mobile app retrying a filing (lost answer, flaky network) sends the same key
and gets the report its first attempt created, never a second one.

Keys are scoped to the caller (`principal.client`) and expire after KEY_LIFETIME. The key row is
written in the report's own transaction and is unique per (client, key): of two requests racing
with one key, the second waits on the first's row and then finds its report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from models import IdempotencyKey, Report
from models.idempotency import IDEMPOTENCY_KEY_MAX
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.timeline import utcnow

KEY_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class IdempotencyClaim:
    client: str
    key: str
    request_hash: str


class KeyAlreadyClaimed(Exception):
    """A concurrent request with the same key committed first; nothing of ours was written."""


def claim(client: str, key: str, request: Mapping[str, Any]) -> IdempotencyClaim:
    """The claim of `key` for `request` (the input's fingerprint, hashed to spot reuse)."""
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise fail(
            ErrorCode.INVALID_INPUT,
            f"Kunci idempotensi harus 1 sampai {IDEMPOTENCY_KEY_MAX} karakter cetak",
            f"The idempotency key must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters",
            "idempotencyKey",
        )
    body = orjson.dumps(dict(request), option=orjson.OPT_SORT_KEYS)
    return IdempotencyClaim(client, key, hashlib.sha256(body).hexdigest())


async def earlier_report(claim: IdempotencyClaim, *, expired_too: bool = False) -> Report | None:
    """The report this key already created, if any; IDEMPOTENCY_KEY_REUSED for another request.
    `expired_too` finds a key whose row blocked ours even though it expired meanwhile (another
    process's clock, or its last moments)."""
    rows = IdempotencyKey.filter(client=claim.client, key=claim.key)
    row = await (rows if expired_too else rows.filter(expires_at__gt=utcnow())).first()
    if row is None:
        return None
    if row.request_hash != claim.request_hash:
        raise fail(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "Kunci idempotensi ini sudah dipakai untuk laporan lain",
            "This idempotency key was already used for a different report",
            "idempotencyKey",
        )
    return await Report.get_or_none(id=row.report_id)


async def record(
    connection: BaseDBAsyncClient, claim: IdempotencyClaim, report: Report, now: datetime
) -> None:
    """Write the key in the report's transaction; KeyAlreadyClaimed if a concurrent twin won."""
    # An expired row of the same key would block the insert: it is forgotten first.
    await (
        IdempotencyKey.filter(client=claim.client, key=claim.key, expires_at__lte=now)
        .using_db(connection)
        .delete()
    )
    try:
        await IdempotencyKey.create(
            client=claim.client,
            key=claim.key,
            request_hash=claim.request_hash,
            report=report,
            created_at=now,
            expires_at=now + KEY_LIFETIME,
            using_db=connection,
        )
    except IntegrityError as exc:
        raise KeyAlreadyClaimed from exc


def key_in_use(claim: IdempotencyClaim) -> DomainError:
    """A concurrent request holds the key and its row is gone already: the client retries."""
    return fail(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        "Kunci idempotensi ini sedang dipakai permintaan lain; coba lagi",
        "Another request is using this idempotency key; try again",
        "idempotencyKey",
    )


async def purge_expired() -> int:
    """Delete expired keys (run by the server every hour); returns how many."""
    return await IdempotencyKey.filter(expires_at__lte=utcnow()).delete()
