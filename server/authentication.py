"""Credentials to principals, the same way for HTTP requests and websocket connections.

Only what the caller proves counts: a signed access token or an API key. No header that anyone
could set (a user id, a role, a "from the gateway" flag) is ever trusted; the gateway forwards
the caller's own credentials.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from resolvers.api_keys import key_principal
from resolvers.errors import DomainError, ErrorCode, FieldError
from resolvers.identity import Principal, active_user, principal_for_user
from resolvers.tokens import InvalidAccessToken, TokenSigner


class Unauthenticated(DomainError):
    """Credentials were sent and are not valid: answer 401 (or close the socket with 4401), coded
    UNAUTHENTICATED and in both languages like every other refusal."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(FieldError(ErrorCode.UNAUTHENTICATED, message, message_en))


async def authenticate(credentials: Mapping[str, str], *, client: str, signer: TokenSigner) -> Principal:
    """`credentials` holds `authorization` and/or `x-api-key` (HTTP headers or connection_init),
    and an anonymous app's `x-sigap-device`; `client` is the caller's address (`ip:...`)."""
    authorization = credentials.get("authorization", "").strip()
    api_key = credentials.get("x-api-key", "").strip()
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value:
        try:
            user_id, version = signer.holder_of(value.strip())
        except InvalidAccessToken as exc:
            raise Unauthenticated(
                "Token akses kedaluwarsa atau tidak valid; masuk kembali",
                "The access token is expired or not valid; sign in again",
            ) from exc
        user = await active_user(user_id)
        if user is None:
            raise Unauthenticated("Akun ini dinonaktifkan", "The account is disabled")
        if version != user.credentials_version:  # a password reset or change ended the session
            raise Unauthenticated(
                "Sesi ini telah diakhiri; masuk kembali", "This session was ended; sign in again"
            )
        return principal_for_user(user, address=client)
    if scheme.lower() == "apikey" and value:
        api_key = value.strip()
    elif authorization:
        raise Unauthenticated(
            "Skema Authorization tidak didukung; gunakan Bearer atau ApiKey",
            "Unsupported Authorization scheme; use Bearer or ApiKey",
        )
    if api_key:
        principal = await key_principal(api_key, client=client)
        if principal is None:
            raise Unauthenticated(
                "Kunci API tidak valid atau sudah dicabut", "The API key is not valid or was revoked"
            )
        return principal
    device = credentials.get(DEVICE_HEADER, "").strip()
    if _DEVICE_ID.fullmatch(device):
        # An install's own id: phones behind one carrier NAT are limited each on their own.
        return Principal(client=f"device:{device}", address=client)
    return Principal(client=client, address=client)


DEVICE_HEADER = "x-sigap-device"
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def credentials_of(init_payload: Mapping[str, object] | None, headers: Mapping[str, str]) -> dict[str, str]:
    """A websocket's credentials: from its connection_init payload (what browsers can send:
    `{"authorization": "Bearer ..."}`, `{"x-api-key": ...}`, or either under `headers`), else
    from the upgrade request's headers."""
    found = {name: value for name, value in headers.items() if name in CREDENTIAL_NAMES}
    payload: Mapping[str, object] = init_payload or {}
    nested = payload.get("headers")
    for source in (nested if isinstance(nested, Mapping) else {}, payload):
        for name, value in source.items():
            if isinstance(name, str) and name.lower() in CREDENTIAL_NAMES and isinstance(value, str):
                found[name.lower()] = value
    return found


CREDENTIAL_NAMES = frozenset({"authorization", "x-api-key", DEVICE_HEADER})
