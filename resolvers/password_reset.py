"""Forgotten passwords: a token mailed to the account's email, then a new password with it.

`request_password_reset` answers the same for every well-formed email, known or not: the same
limits are counted, the same token is made and hashed, the same lookup is made, and the token is
stored and mailed in the background, so that neither the answer nor its time tells which emails
have accounts. The token is random (256
bits), stored hashed, works once, expires (PASSWORD_RESET_MINUTES, 30 by default), and a newer
request replaces the older ones. Using it sets the password, ends every session of the account
(refresh and access tokens, open live connections) and signs the holder in: they proved the
mailbox and chose the password, and a client would otherwise ask for it again at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import PasswordReset, User
from resolvers import mail, rate_limits
from resolvers.accounts import check_password_policy, checked_email
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.passwords import hash_password
from resolvers.secrets_at_rest import digest, new_secret
from resolvers.sessions import revoke_all_sessions

_lifetime = timedelta(minutes=30)


def configure(lifetime: timedelta) -> None:
    global _lifetime
    _lifetime = lifetime


async def request_password_reset(email: str, *, client: str, address: str) -> None:
    errors: list[FieldError] = []
    account = checked_email(errors, email)
    if errors:
        raise DomainError(*errors)
    await rate_limits.check_all(
        ("password_reset", client),
        ("password_reset_per_address", address),
        ("password_reset_per_email", f"email:{account}"),
    )
    token = new_secret()
    token_hash = digest(token)  # made whether or not the email has an account: the same work
    user = await User.filter(email=account, is_active=True).first()
    # Stored and mailed in the background, and alike for nobody (the same transaction, writing
    # nothing): the answer takes the same time either way.
    mail.send_later(_stored_token(user, token, token_hash))


async def _stored_token(user: User | None, token: str, token_hash: str) -> mail.Mail | None:
    now, user_id = datetime.now(UTC), user.id if user is not None else 0
    async with in_transaction() as connection:
        # One request of the account at a time (the row lock), and the newer replaces the older:
        # only the latest unused token works. Used ones stay until they expire, so that a second
        # use is told TOKEN_USED rather than a vague refusal.
        await User.filter(id=user_id).select_for_update().using_db(connection).first()
        await (
            PasswordReset.filter(Q(used_at__isnull=True) | Q(expires_at__lte=now), user_id=user_id)
            .using_db(connection)
            .delete()
        )
        if user is None:
            return None
        await PasswordReset.create(
            user=user, token_hash=token_hash, created_at=now, expires_at=now + _lifetime, using_db=connection
        )
    return _reset_mail(user, token)


def _reset_mail(user: User, token: str) -> mail.Mail:
    minutes = int(_lifetime.total_seconds() // 60)
    body = (
        f"Halo {user.name},\n\nseseorang meminta penggantian kata sandi akun Sigap Anda. Token "
        f"penggantian (berlaku {minutes} menit, sekali pakai):\n\n{token}\n\n"
        f"Someone asked to reset your Sigap password: the token above works once, for {minutes} "
        f"minutes. If it was not you, ignore this mail; your password stays as it is."
    )
    return mail.Mail(
        to=user.email or "", subject="Ganti kata sandi Sigap / Reset your Sigap password", body=body
    )


async def reset_password(token: str, new_password: str) -> User:
    """The account, with its new password and every earlier session ended."""
    errors: list[FieldError] = []
    check_password_policy(errors, new_password, "newPassword")
    if errors:
        raise DomainError(*errors)
    await _usable(await PasswordReset.filter(token_hash=digest(token)).first())  # before hashing
    password_hash = await hash_password(new_password)
    async with in_transaction() as connection:
        reset = (
            await PasswordReset.filter(token_hash=digest(token))
            .select_for_update()
            .using_db(connection)
            .first()
        )
        user = await _usable(reset, connection)
        assert reset is not None
        reset.used_at = datetime.now(UTC)
        await reset.save(using_db=connection, update_fields=["used_at"])
        user.password_hash = password_hash
        await user.save(using_db=connection, update_fields=["password_hash"])
    await revoke_all_sessions(user.id)
    return await User.get(id=user.id)  # with its new credentials version, for the new session


async def _usable(reset: PasswordReset | None, connection: BaseDBAsyncClient | None = None) -> User:
    now = datetime.now(UTC)
    if reset is not None and reset.used_at is not None:
        raise _refused(ErrorCode.TOKEN_USED, "Token ini sudah dipakai", "This token was used already")
    if reset is not None and reset.expires_at <= now:
        raise _refused(
            ErrorCode.TOKEN_EXPIRED,
            "Token kedaluwarsa; minta penggantian kata sandi lagi",
            "The token expired; ask for a password reset again",
        )
    user = None
    if reset is not None:
        user = await User.filter(id=reset.user_id, is_active=True).using_db(connection).first()
    if user is None:
        raise _refused(
            ErrorCode.INVALID_TOKEN,
            "Token salah atau sudah diganti dengan yang lebih baru",
            "The token is wrong or was replaced by a newer one",
        )
    return user


def _refused(code: ErrorCode, message: str, message_en: str) -> DomainError:
    return fail(code, message, message_en, "token")
