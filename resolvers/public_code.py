"""Short public codes that a citizen can read out over the phone or type into an SMS."""

import re
import secrets

# Crockford's base32: no I, L, O or U, so nothing is mistaken for 1, 0 or a rude word.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_NOT_CODE = re.compile(r"[^0-9A-Z]")
LENGTH = 8  # 32^8 ≈ 10^12 codes: collisions stay rare for decades of reports


def new_public_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_public_code(text: str) -> str | None:
    """Read what a person typed ("k7m9 qx2o") as a stored code ("K7M9-QX20"), or None."""
    raw = _NOT_CODE.sub("", text.upper().translate(_LOOKALIKES))
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"
