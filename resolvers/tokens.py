"""Short-lived access tokens (JWT, HS256) that say which user is calling."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from models import User

ALGORITHM = "HS256"
AUDIENCE = "sigap-api"


class InvalidAccessToken(Exception):
    """Expired, forged, malformed or for another audience: the caller must sign in again."""


@dataclass(frozen=True)
class TokenSigner:
    secret: str
    issuer: str = "sigap"
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)

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
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM), expires

    def user_id_of(self, token: str) -> int:
        """The user id an access token was issued to; InvalidAccessToken otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],  # never "none", never a key confusion
                audience=AUDIENCE,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            return int(claims["sub"])
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidAccessToken(str(exc)) from exc
