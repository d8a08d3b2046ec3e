"""VAPID (RFC 8292): the key pair that identifies Sigap to browsers' push services.

The private key comes from VAPID_PRIVATE_KEY (the 32-byte P-256 scalar, base64url, as
`sigap keys vapid` prints it); its public half is the application server key that browsers pass to
`pushManager.subscribe`. Development without a key uses one generated once and kept under var/, so
that subscriptions survive restarts; production without a key has no Web Push.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

log = logging.getLogger("sigap.web_push")

DEVELOPMENT_KEY_FILE = Path("var") / "vapid_private_key"
DEFAULT_SUBJECT = "mailto:admin@localhost"


class VapidKeyError(ValueError):
    """VAPID_PRIVATE_KEY or VAPID_SUBJECT cannot be used."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    """Base64url with or without padding; binascii.Error (a ValueError) for anything else."""
    if not text or any(c not in _B64URL for c in text):
        raise binascii.Error("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def generate_private_key() -> str:
    """A new private key as VAPID_PRIVATE_KEY holds it."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def public_key_of(private_key: str) -> str:
    """The application server key (uncompressed P-256 point, base64url) of a private key."""
    point = Vapid.from_raw(private_key.encode()).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


@dataclass(frozen=True)
class WebPushConfig:
    """Web Push settings, read from the environment by server.settings."""

    private_key: str | None = field(default=None, repr=False)
    # Development without VAPID_PRIVATE_KEY: the key kept in this file, made on first use (not when
    # the settings are read, which many commands and tests do without ever pushing).
    key_file: Path | None = None
    subject: str = DEFAULT_SUBJECT  # how push services reach the operator: mailto: or https:
    ttl_s: int = 24 * 3600  # how long a push service keeps a message for an offline device
    # Per push service; under the deliveries framework's send timeout (10 s by default), so that a
    # slow push service is counted against its own subscription.
    timeout_s: float = 8.0

    @cached_property
    def signing_key(self) -> str | None:
        """None: no key, no Web Push (the sender and webPushPublicKey say so)."""
        if self.private_key:
            return self.private_key
        return development_private_key(self.key_file) if self.key_file else None

    @cached_property
    def vapid(self) -> Vapid | None:
        return Vapid.from_raw(self.signing_key.encode()) if self.signing_key else None

    @cached_property
    def public_key(self) -> str | None:
        return public_key_of(self.signing_key) if self.signing_key else None


def web_push_config(env: dict[str, str], environment: str) -> WebPushConfig:
    """VAPID_PRIVATE_KEY, VAPID_SUBJECT, WEB_PUSH_TTL_SECONDS; development without a key uses
    VAPID_KEY_FILE (var/vapid_private_key). Where pushes may go is the outbound-address rule's
    (resolvers/outbound_addresses.py, server.settings)."""
    production = environment == "production"
    private_key = env.get("VAPID_PRIVATE_KEY") or None
    subject = env.get("VAPID_SUBJECT") or DEFAULT_SUBJECT
    if private_key is not None:
        _check_private_key(private_key)
    key_file = None
    if private_key is None and environment == "development":
        key_file = Path(env.get("VAPID_KEY_FILE") or DEVELOPMENT_KEY_FILE)
    if not subject.startswith(("mailto:", "https://")):
        raise VapidKeyError(f"VAPID_SUBJECT must be a mailto: or https: address, got {subject!r}")
    if production and private_key and subject == DEFAULT_SUBJECT:
        raise VapidKeyError("VAPID_SUBJECT must name the operator (mailto:...) in production")
    ttl = env.get("WEB_PUSH_TTL_SECONDS")
    if ttl is not None and (not ttl.isdigit() or not 0 <= int(ttl) <= 28 * 24 * 3600):
        raise VapidKeyError(f"WEB_PUSH_TTL_SECONDS must be 0..2419200 seconds, got {ttl!r}")
    return WebPushConfig(
        private_key=private_key,
        key_file=key_file,
        subject=subject,
        ttl_s=int(ttl) if ttl is not None else WebPushConfig.ttl_s,
    )


def _check_private_key(text: str) -> None:
    try:
        raw = from_b64url(text)
        if len(raw) != 32:
            raise ValueError("not 32 bytes")
        public_key_of(text)
    except ValueError as exc:
        raise VapidKeyError(
            "VAPID_PRIVATE_KEY must be a P-256 private key, 32 bytes base64url (`sigap keys vapid`)"
        ) from exc


def development_private_key(path: Path) -> str:
    """The development key under var/, made on first use (readable by its owner only)."""
    if path.exists():
        text = path.read_text().strip()
        _check_private_key(text)
        return text
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(generate_private_key() + "\n")
    try:
        os.link(draft, path)  # whole or not at all; a worker that lost the race reads the winner's
        log.info("generated a development VAPID key in %s (set VAPID_PRIVATE_KEY outside development)", path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return development_private_key(path)
