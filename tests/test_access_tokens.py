"""Access tokens: a token already verified is checked again against the clock, never trusted blindly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from models import Role, User
from resolvers import tokens
from resolvers.tokens import InvalidAccessToken, TokenSigner

SECRET = "access-token-test-secret-" + "s" * 20


def _holder() -> User:
    return User(id=7, name="Petugas", role=Role.OFFICER, credentials_version=3)


def test_a_verified_token_stops_working_when_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = TokenSigner(SECRET)
    token, expires = signer.access_token(_holder())
    assert signer.holder_of(token) == (7, 3)
    assert signer.holder_of(token) == (7, 3)  # the second time from what the first verified

    later = expires.timestamp() + 1
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    with pytest.raises(InvalidAccessToken):
        signer.holder_of(token)


def test_only_tokens_that_verify_are_accepted_however_often_they_come() -> None:
    signer = TokenSigner(SECRET)
    token, _ = signer.access_token(_holder())
    signer.holder_of(token)
    header, _claims, signature = token.split(".")
    forged_claims = jwt.encode({"sub": "8", "aud": tokens.AUDIENCE}, "x" * 32).split(".")[1]
    now = datetime.now(UTC)
    for forged in (
        f"{header}.{forged_claims}.{signature}",
        token + "x",
        jwt.encode(_claims_of(now), "another-secret-" + "s" * 20),  # the right claims, another key
    ):
        for _ in range(2):
            with pytest.raises(InvalidAccessToken):
                signer.holder_of(forged)
    with pytest.raises(InvalidAccessToken):  # another signer (another secret) verifies on its own
        TokenSigner("another-secret-" + "s" * 20).holder_of(token)
    assert signer.holder_of(token) == (7, 3)


def _claims_of(now: datetime) -> dict[str, object]:
    return {"sub": "7", "iss": "sigap", "aud": tokens.AUDIENCE, "iat": now, "exp": now + timedelta(minutes=5)}
