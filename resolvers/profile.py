"""The signed-in person's own account: name, phone, language and email, and their password.

Every field is checked before anything is written: one bad field refuses the whole edit. A new
email is not taken at its word: a code goes to it (the registration's code flow,
`accounts.request_email_change`), and the account moves there at `verifyEmail`. Changing the
password needs the current one, and ends every other session.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import User
from resolvers.accounts import check_password_policy, request_email_change
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.passwords import hash_password
from resolvers.phones import e164_phone
from resolvers.sessions import password_checked, revoke_all_sessions
from resolvers.validation import clean_text

LOCALES = ("id", "en")  # Indonesian first


@dataclass(frozen=True)
class ProfileChange:
    """What the person sent; None leaves a field as it is (an empty phone removes it)."""

    name: str | None = None
    phone: str | None = None
    locale: str | None = None
    email: str | None = None


async def update_profile(user: User, change: ProfileChange, *, client: str, address: str) -> bool:
    """Apply the change to `user`; True when a code went to a new email (not yet the account's)."""
    errors: list[FieldError] = []
    fields: dict[str, object] = {}
    if change.name is not None:
        fields["name"] = clean_text(errors, "name", change.name, max_length=200, required=True)
    if change.phone is not None:
        fields["phone"] = e164_phone(errors, "phone", change.phone)
    if change.locale is not None:
        if change.locale not in LOCALES:
            errors.append(
                FieldError(ErrorCode.INVALID_INPUT, "Bahasa tidak didukung", "Unsupported language", "locale")
            )
        fields["locale"] = change.locale
    new_email = change.email is not None and change.email.strip().lower() != (user.email or "")
    if errors:
        raise DomainError(*errors)
    if new_email:  # checked and limited there; refusals come before the rest is written
        assert change.email is not None
        await request_email_change(user, change.email, client=client, address=address)
    if fields:
        user.update_from_dict(fields)
        await user.save(update_fields=list(fields))
    return new_email


async def change_password(user: User, current: str, new: str, *, address: str) -> User:
    """The account with its new password and every earlier session ended (the caller's too: it
    gets a new one). Wrong guesses of the current password count like failed sign-ins."""
    errors: list[FieldError] = []
    check_password_policy(errors, new, "newPassword")
    if errors:
        raise DomainError(*errors)
    await require_password(user, current, address=address)
    user.password_hash = await hash_password(new)
    await user.save(update_fields=["password_hash"])
    await revoke_all_sessions(user.id)
    return await User.get(id=user.id)  # with its new credentials version


async def require_password(
    user: User, password: str, *, address: str, field: str = "currentPassword"
) -> None:
    """Proof that the person at the keyboard knows the password, before a change that needs it
    (a stolen session is not enough). Failures are limited like those of signing in."""
    if not await password_checked(user.email or "", user.password_hash, password, address=address):
        raise fail(ErrorCode.INVALID_CREDENTIALS, "Kata sandi salah", "Wrong password", field)
