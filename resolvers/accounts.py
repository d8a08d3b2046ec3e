"""Accounts: citizens register themselves (and verify their email); admins create and disable staff.

Registration answers the same whether or not the email already has an account: it never says
EMAIL_TAKEN. A code goes to the email; only its holder learns, at `verify_email`, that the account
exists already. Every citizen account has thus proven its mailbox: support counts and other
per-account counts need a mailbox per account, and registrations are limited per device, per
address and per email before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import Agency, Registration, Role, User
from resolvers import mail, rate_limits
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.identity import STAFF_ROLES, Principal
from resolvers.passwords import MAX_LENGTH, MIN_LENGTH, hash_password
from resolvers.permissions import require_manages_staff
from resolvers.phones import e164_phone
from resolvers.secrets_at_rest import digest, new_secret
from resolvers.sessions import revoke_all_sessions
from resolvers.validation import clean_text

REGISTRATION_LIFETIME = timedelta(hours=24)
# Deliverability is checked by the mail we send, not by a regex: this only refuses nonsense.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class AccountInput:
    name: str
    email: str
    password: str
    phone: str | None = None


def _checked(data: AccountInput) -> tuple[str, str, str | None]:
    errors: list[FieldError] = []
    name = clean_text(errors, "name", data.name, max_length=200, required=True)
    email = checked_email(errors, data.email)
    phone = e164_phone(errors, "phone", data.phone)
    check_password_policy(errors, data.password)
    if errors or name is None:
        raise DomainError(*errors)
    return name, email, phone


def checked_email(errors: list[FieldError], value: str, field: str = "email") -> str:
    """The email in the one form accounts are found by (trimmed, lower case); an error appended
    when it is not an email."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        errors.append(FieldError(ErrorCode.INVALID_INPUT, "Email tidak valid", "Not a valid email", field))
    return email


def check_password_policy(errors: list[FieldError], password: str, field: str = "password") -> None:
    """The one password policy: at registration, staff creation, reset and change."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        errors.append(
            FieldError(
                ErrorCode.WEAK_PASSWORD,
                f"Kata sandi minimal {MIN_LENGTH} karakter",
                f"Passwords have {MIN_LENGTH} to {MAX_LENGTH} characters",
                field,
            )
        )


async def _create(data: AccountInput, role: Role, agency_id: int | None) -> User:
    name, email, phone = _checked(data)
    try:
        return await User.create(
            name=name,
            email=email,
            phone=phone,
            role=role,
            agency_id=agency_id,
            password_hash=await hash_password(data.password),
        )
    except IntegrityError as exc:
        raise _email_taken() from exc


def _email_taken() -> Exception:
    return fail(ErrorCode.EMAIL_TAKEN, "Email sudah terdaftar", "This email is already registered", "email")


async def register_citizen(data: AccountInput, *, client: str, address: str) -> None:
    """Check, count, then write the registration and mail its code: the same steps for a new email
    and a taken one. Refusals (bad input, limits) write nothing."""
    name, email, phone = _checked(data)
    await rate_limits.check_all(
        ("register", client), ("register_per_address", address), ("register_per_email", f"email:{email}")
    )
    await _mail_code(email, name=name, phone=phone, password_hash=await hash_password(data.password))


async def request_email_change(user: User, new_email: str, *, client: str, address: str) -> None:
    """Mail a code to `new_email`; `verifyEmail` with it moves the account there. Limited like
    registrations, and answered alike whether or not the address has an account already (only
    the mailbox's holder learns it, at verifyEmail). A newer request replaces a pending one."""
    errors: list[FieldError] = []
    email = checked_email(errors, new_email)
    if errors:
        raise DomainError(*errors)
    await rate_limits.check_all(
        ("register", client), ("register_per_address", address), ("register_per_email", f"email:{email}")
    )
    await Registration.filter(user_id=user.id).delete()
    await _mail_code(email, name=user.name, phone=None, password_hash=None, user_id=user.id)


async def _mail_code(
    email: str, *, name: str, phone: str | None, password_hash: str | None, user_id: int | None = None
) -> None:
    """Store a pending email (a registration, or an account's new address) and mail its code."""
    code, now = new_secret(), datetime.now(UTC)
    await Registration.filter(email=email, expires_at__lte=now).delete()  # the email's stale ones
    await Registration.create(
        email=email,
        name=name,
        phone=phone,
        password_hash=password_hash,
        user_id=user_id,
        token_hash=digest(code),
        created_at=now,
        expires_at=now + REGISTRATION_LIFETIME,
    )
    await mail.send(_verification_mail(email, name, code))


def _verification_mail(email: str, name: str, code: str) -> mail.Mail:
    body = (
        f"Halo {name},\n\nkode verifikasi email Sigap Anda (berlaku 24 jam):\n\n{code}\n\n"
        f"Your Sigap email verification code (valid for 24 hours) is above. If you did not ask for "
        f"it, ignore this mail."
    )
    return mail.Mail(to=email, subject="Verifikasi email Sigap / Verify your Sigap email", body=body)


async def verify_email(code: str) -> User:
    """The account of the pending email whose code this is: a new citizen's, or the account that
    asked to move to this email. The code works once, and ends every other pending registration of
    the email. EMAIL_TAKEN here tells only the mailbox's holder."""
    now = datetime.now(UTC)
    async with in_transaction() as connection:
        registration = (
            await Registration.filter(token_hash=digest(code))
            .select_for_update()
            .using_db(connection)
            .first()
        )
        if registration is None or registration.expires_at <= now:
            raise _invalid_code()
        await Registration.filter(email=registration.email).using_db(connection).delete()
        taken = await User.filter(email=registration.email).using_db(connection).exists()
        user = None if taken else await _account_of(registration, connection)
    if user is None:  # the code is used up either way (committed above)
        raise _email_taken()
    return user


def _invalid_code() -> Exception:
    return fail(
        ErrorCode.INVALID_TOKEN,
        "Kode verifikasi salah atau kedaluwarsa",
        "The verification code is wrong or expired",
        "code",
    )


async def _account_of(registration: Registration, connection: BaseDBAsyncClient) -> User:
    """A verified registration's new citizen account, or the account moved to the verified email."""
    if registration.user_id is None:
        return await User.create(
            name=registration.name,
            email=registration.email,
            phone=registration.phone,
            role=Role.CITIZEN,
            password_hash=registration.password_hash,
            using_db=connection,
        )
    user = await User.filter(id=registration.user_id, is_active=True).using_db(connection).first()
    if user is None:  # disabled since it asked
        raise _invalid_code()
    user.email = registration.email
    await user.save(using_db=connection, update_fields=["email"])
    return user


async def create_city_admin(data: AccountInput) -> User:
    """The first account of a deployment, made from the command line (nobody can sign in yet)."""
    return await _create(data, Role.CITY_ADMIN, None)


async def create_staff(
    principal: Principal, data: AccountInput, *, role: Role, agency_id: int | None
) -> User:
    if role not in STAFF_ROLES:
        raise fail(ErrorCode.INVALID_INPUT, "Peran bukan peran petugas", "Not a staff role", "role")
    require_manages_staff(principal, agency_id, role)
    needs_agency = role is not Role.CITY_ADMIN
    if needs_agency and (agency_id is None or not await Agency.filter(id=agency_id).exists()):
        raise fail(ErrorCode.NOT_FOUND, "Dinas tidak ditemukan", "Agency not found", "agencyId")
    return await _create(data, role, agency_id)


async def set_user_active(principal: Principal, user_id: int, active: bool) -> User:
    user = await User.filter(id=user_id).first()
    if user is None:
        raise fail(ErrorCode.NOT_FOUND, "Akun tidak ditemukan", "Account not found", "id")
    require_manages_staff(principal, user.agency_id, user.role)
    user.is_active = active
    await user.save(update_fields=["is_active"])
    if not active:
        await revoke_all_sessions(user.id)
    return user
