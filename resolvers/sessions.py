"""Signing staff and citizens in and out: passwords, access tokens, rotating refresh tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import RefreshToken, User
from resolvers import rate_limits
from resolvers.errors import ErrorCode, fail
from resolvers.passwords import hash_password, needs_rehash, verify_password
from resolvers.secrets_at_rest import digest, new_secret
from resolvers.tokens import TokenSigner


@dataclass(frozen=True)
class Session:
    user: User
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


async def sign_in(
    email: str, password: str, signer: TokenSigner, *, client: str, address: str = "anonymous"
) -> Session:
    """Limited per `client` (principal.client) and per `address` (which a new device id per
    attempt cannot widen: password spraying), and failures per account and address with
    progressive waits: guessing is slowed, but strangers cannot lock the owner out."""
    account = email.strip().lower()
    await rate_limits.check_all(("sign_in", client), ("sign_in_per_address", address))
    user = await User.filter(email=account).first()
    # Same answer (and the same hashing work) for an unknown email and a wrong password.
    if not await password_checked(account, user.password_hash if user else None, password, address=address):
        raise fail(
            ErrorCode.INVALID_CREDENTIALS, "Email atau kata sandi salah", "Wrong email or password", "email"
        )
    assert user is not None  # only an existing account's hash verifies
    if not user.is_active:
        raise fail(ErrorCode.FORBIDDEN, "Akun ini dinonaktifkan", "This account is disabled", "email")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
        await user.save(update_fields=["password_hash"])
    return await start_session(user, signer)


async def password_checked(account: str, password_hash: str | None, password: str, *, address: str) -> bool:
    """Whether `password` is the account's, under the failure limit that every password check
    shares (signing in, and the changes that ask for the password again): per account and address,
    with progressive waits, so guessing is slowed wherever it is tried."""
    failures = f"account:{account}|{address}"
    await rate_limits.check_all(("sign_in_failures", failures), count=False)
    if not await verify_password(password_hash, password):
        await rate_limits.record("sign_in_failures", failures)
        return False
    await rate_limits.forget("sign_in_failures", failures)
    return True


async def start_session(user: User, signer: TokenSigner) -> Session:
    """A new sign-in of `user` (after a password, or a verified email)."""
    return await _issue(user, signer, family=secrets.token_hex(16))


async def refresh(refresh_token: str, signer: TokenSigner) -> Session:
    """Trade a refresh token for a new session. Each token works once: presenting a used one
    means it was stolen or replayed, so every token of that sign-in is revoked."""
    now = datetime.now(UTC)
    async with in_transaction() as connection:
        stored = (
            await RefreshToken.filter(token_hash=digest(refresh_token))
            .select_for_update()
            .using_db(connection)
            .first()
        )
        if stored is None or stored.expires_at <= now:
            raise _invalid_refresh()
        replayed = stored.revoked_at is not None
        if replayed:
            # Committed, not rolled back with the refusal below: the thief's copy must die too.
            await (
                RefreshToken.filter(family=stored.family, revoked_at__isnull=True)
                .using_db(connection)
                .update(revoked_at=now)
            )
        else:
            stored.revoked_at = now
            await stored.save(using_db=connection, update_fields=["revoked_at"])
        user = await User.filter(id=stored.user_id, is_active=True).using_db(connection).first()
    if replayed or user is None:
        raise _invalid_refresh()
    return await _issue(user, signer, family=stored.family)


async def sign_out(refresh_token: str) -> None:
    """Revoke the refresh token's whole sign-in; an unknown token is already signed out."""
    stored = await RefreshToken.filter(token_hash=digest(refresh_token)).first()
    if stored is not None:
        await RefreshToken.filter(family=stored.family, revoked_at__isnull=True).update(
            revoked_at=datetime.now(UTC)
        )


async def revoke_all_sessions(user_id: int) -> None:
    """End every session of the account: its refresh tokens, and (through the credentials version
    they carry) its access tokens, on HTTP and on open live connections alike."""
    await RefreshToken.filter(user_id=user_id, revoked_at__isnull=True).update(revoked_at=datetime.now(UTC))
    await User.filter(id=user_id).update(credentials_version=F("credentials_version") + 1)


async def _issue(user: User, signer: TokenSigner, *, family: str) -> Session:
    now = datetime.now(UTC)
    access, access_expires = signer.access_token(user, now)
    secret = new_secret()
    refresh_expires = now + signer.refresh_ttl
    await RefreshToken.create(
        user=user, token_hash=digest(secret), family=family, created_at=now, expires_at=refresh_expires
    )
    return Session(user, access, access_expires, secret, refresh_expires)


def _invalid_refresh() -> Exception:
    return fail(
        ErrorCode.INVALID_TOKEN,
        "Sesi berakhir; silakan masuk lagi",
        "The session has ended; sign in again",
        "refreshToken",
    )
