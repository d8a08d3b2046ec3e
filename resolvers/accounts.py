"""Accounts: citizens register themselves; admins create and disable staff."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from models import Agency, Role, User
from resolvers.errors import DomainError, ErrorCode, FieldError, fail
from resolvers.identity import STAFF_ROLES, Principal
from resolvers.passwords import MAX_LENGTH, MIN_LENGTH, hash_password
from resolvers.permissions import require_manages_staff
from resolvers.sessions import revoke_all_sessions
from resolvers.validation import clean_text

# Deliverability is checked by the mail we send, not by a regex: this only refuses nonsense.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


@dataclass(frozen=True)
class AccountInput:
    name: str
    email: str
    password: str
    phone: str | None = None


def _checked(data: AccountInput) -> tuple[str, str, str | None]:
    errors: list[FieldError] = []
    name = clean_text(errors, "name", data.name, max_length=200, required=True)
    email = data.email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        errors.append(FieldError(ErrorCode.INVALID_INPUT, "Email tidak valid", "Not a valid email", "email"))
    phone = (data.phone or "").strip() or None
    if phone is not None and not _PHONE.match(phone):
        errors.append(
            FieldError(ErrorCode.INVALID_INPUT, "Nomor telepon tidak valid", "Not a valid phone", "phone")
        )
    if not MIN_LENGTH <= len(data.password) <= MAX_LENGTH:
        errors.append(
            FieldError(
                ErrorCode.WEAK_PASSWORD,
                f"Kata sandi minimal {MIN_LENGTH} karakter",
                f"Passwords have {MIN_LENGTH} to {MAX_LENGTH} characters",
                "password",
            )
        )
    if errors or name is None:
        raise DomainError(*errors)
    return name, email, phone


async def _create(data: AccountInput, role: Role, agency_id: int | None) -> User:
    name, email, phone = _checked(data)
    try:
        return await User.create(
            name=name,
            email=email,
            phone=phone,
            role=role,
            agency_id=agency_id,
            password_hash=hash_password(data.password),
        )
    except IntegrityError as exc:
        raise fail(
            ErrorCode.EMAIL_TAKEN, "Email sudah terdaftar", "This email is already registered", "email"
        ) from exc


async def register_citizen(data: AccountInput) -> User:
    return await _create(data, Role.CITIZEN, None)


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
