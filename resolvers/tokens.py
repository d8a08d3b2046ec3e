"""Short-lived access tokens (JWT, HS256) that say which user is calling."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt

from models import User

ALGORITHM = "HS256"
AUDIENCE = "sigap-api"
VERIFIED_TOKENS = 4096  # about one access token per caller signed in within a quarter hour


class InvalidAccessToken(Exception):
    """Expired, forged, malformed or for another audience: the caller must sign in again."""


@dataclass(frozen=True)
class TokenSigner:
    secret: str
    issuer: str = "sigap"
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)
    # Tokens whose signature and claims passed, with their expiry: a signed token's claims never
    # change, so only the clock is checked again (see `holder_of`).
    _verified: OrderedDict[str, tuple[int, int, int]] = field(
        default_factory=OrderedDict, init=False, repr=False, compare=False
    )

    def access_token(self, user: User, now: datetime | None = None) -> tuple[str, datetime]:
        issued = now or datetime.now(UTC)
        expires = issued + self.access_ttl
        claims = {
            "sub": str(user.id),
            "role": user.role.value,
            "iss": self.issuer,
            "aud": AUDIENCE,
            "iat": issued,
            "exp": expires,
            "jti": uuid.uuid4().hex,
            "ver": user.credentials_version,  # ends with the account's sessions (server.authentication)
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM), expires

    def user_id_of(self, token: str) -> int:
        """The user id an access token was issued to; InvalidAccessToken otherwise."""
        return self.holder_of(token)[0]

    def holder_of(self, token: str) -> tuple[int, int]:
        """The user id an access token was issued to, and the account's credentials version then
        (0 for tokens older than the claim); InvalidAccessToken otherwise.

        Decoding checks the signature, audience, issuer, required claims and the clock (`iat` and
        `nbf` not in the future, `exp` not past). Only the last can change for the same text, so a
        token that passed is kept with its `exp` and, when presented again, only that is checked:
        about a tenth of a signed-in read's CPU saved. Whether the account may still use it (active,
        the same credentials version) is the caller's check, made on every request."""
        known = self._verified.get(token)
        if known is not None:
            user_id, version, expires = known
            if expires <= time.time():  # as PyJWT: expired once `exp <= now`, for good
                del self._verified[token]
                raise InvalidAccessToken("Signature has expired")
            self._verified.move_to_end(token)
            return user_id, version
        user_id, version, expires = self._decode(token)
        self._verified[token] = (user_id, version, expires)
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return user_id, version

    def _decode(self, token: str) -> tuple[int, int, int]:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],  # never "none", never a key confusion
                audience=AUDIENCE,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            return int(claims["sub"]), int(claims.get("ver", 0)), int(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidAccessToken(str(exc)) from exc
