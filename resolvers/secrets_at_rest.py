"""Random secrets handed out once (refresh tokens, API keys, tracking tokens) and stored hashed.

They carry 256 bits of entropy, so a plain SHA-256 is enough to keep a stolen table useless;
slow hashes are for low-entropy passwords.
"""

from __future__ import annotations

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
