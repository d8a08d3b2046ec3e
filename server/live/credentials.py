"""Keeping a live connection's principal true while it stays open.

A websocket or an SSE stream authenticates once, when it opens, and may then stay open for
hours. Every `interval` its credentials are proved again, exactly as a new request's would be:
an access token that expired, an API key revoked, an account disabled, or rights that changed
(a role, an agency) end the connection, and the client reconnects as whoever it is now,
resuming from its cursor. Both transports go through this one watch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.identity import Principal
from resolvers.tokens import TokenSigner
from server.authentication import Unauthenticated, authenticate

log = logging.getLogger("sigap.live")


@dataclass(frozen=True)
class Refusal:
    """Why a connection's principal no longer holds: a close reason and a coded error."""

    reason: str  # short English, for a websocket close frame (at most 123 bytes)
    error: DomainError


def rights(principal: Principal) -> tuple[object, ...]:
    """Everything a principal's view of the data depends on."""
    return (
        principal.kind,
        principal.visibility,
        principal.role,
        principal.agency_id,
        principal.api_key_id,
        principal.scopes,
    )


@dataclass(frozen=True)
class CredentialWatch:
    credentials: Mapping[str, str]
    principal: Principal
    address: str  # the `client` the principal was authenticated with
    signer: TokenSigner
    interval: float

    @property
    def needed(self) -> bool:
        """Without an account or a key there is nothing that could be revoked."""
        return self.principal.user is not None or self.principal.api_key_id is not None

    async def check(self) -> Refusal | None:
        try:
            now = await authenticate(self.credentials, client=self.address, signer=self.signer)
        except Unauthenticated as exc:
            return Refusal(
                f"Forbidden: {exc}"[:120],
                fail(
                    ErrorCode.UNAUTHENTICATED,
                    "Kredensial tidak berlaku lagi; masuk kembali",
                    f"The credentials are no longer valid: {exc}",
                ),
            )
        if rights(now) != rights(self.principal):
            return Refusal(
                "Forbidden: the account's rights changed; reconnect",
                fail(
                    ErrorCode.FORBIDDEN,
                    "Hak akses akun berubah; sambungkan kembali dan lanjutkan dari kursor",
                    "The account's rights changed; reconnect and resume from your cursor",
                ),
            )
        return None

    async def run(self, refused: Callable[[Refusal], None]) -> None:
        """Check every `interval` until the credentials fail; then call `refused` once."""
        if not self.needed:
            return
        while True:
            await asyncio.sleep(self.interval)
            try:
                refusal = await self.check()
            except Exception as exc:  # noqa: BLE001 - a database hiccup: prove them again next time
                log.warning("could not re-check a live connection's credentials: %r", exc)
                continue
            if refusal is not None:
                refused(refusal)
                return
