"""Addresses of stored photos. Public photos have plain, permanent addresses; photos of reports in
sensitive categories get addresses signed for one viewer's page, valid for a short while, because
an <img> tag cannot send the viewer's credentials."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SIGNED_URL_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class PhotoUrls:
    base: str = "/photos"  # PHOTO_URL_BASE: where /photos/{name} is served, e.g. behind a proxy
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    ttl: timedelta = SIGNED_URL_TTL

    @classmethod
    def from_secret(cls, base: str, shared_secret: str) -> PhotoUrls:
        # Its own key, derived from the shared one: a photo signature is never a valid token.
        key = hmac.new(shared_secret.encode(), b"sigap photo addresses", hashlib.sha256).digest()
        return cls(base=base.rstrip("/"), secret=key)

    def public(self, name: str) -> str:
        return f"{self.base}/{name}"

    def signed(self, name: str, now: datetime) -> tuple[str, datetime]:
        """The address and the moment it stops working."""
        expires = now + self.ttl
        stamp = int(expires.timestamp())
        return f"{self.base}/{name}?expires={stamp}&signature={self._signature(name, stamp)}", expires

    def verify(self, name: str, expires: str | None, signature: str | None, now: datetime) -> bool:
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not expires or not signature or not (expires.isascii() and expires.isdigit()) or len(expires) > 12:
            return False
        stamp = int(expires)
        if stamp < now.timestamp():
            return False
        return hmac.compare_digest(signature, self._signature(name, stamp))

    def _signature(self, name: str, stamp: int) -> str:
        return hmac.new(self.secret, f"{name}:{stamp}".encode(), hashlib.sha256).hexdigest()
