"""Who may do what: one function per rule, called by every mutation and private field."""

from __future__ import annotations

from models import Role
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.identity import Principal, PrincipalKind

CITY_WIDE_ROLES = frozenset({Role.DISPATCHER, Role.CITY_ADMIN})


def _forbidden(message: str, message_en: str) -> DomainError:
    return fail(ErrorCode.FORBIDDEN, message, message_en)


def require_signed_in(principal: Principal) -> None:
    if principal.user is None:
        raise fail(ErrorCode.UNAUTHENTICATED, "Silakan masuk terlebih dahulu", "Sign in first")


def require_can_file(principal: Principal) -> None:
    """Citizens file, signed in or not; partners need the reports:file scope; the wall never."""
    if principal.kind is PrincipalKind.DISPLAY:
        raise _forbidden("Kunci layar hanya untuk membaca", "A display key is read-only")
    if principal.kind is PrincipalKind.PARTNER and "reports:file" not in principal.scopes:
        raise _forbidden("Kunci ini tidak boleh mengirim laporan", "This key may not file reports")


def require_works_on(principal: Principal, report_agency_id: int) -> None:
    """Status changes and assignment: staff of the report's agency, or city-wide staff."""
    require_signed_in(principal)
    if principal.role in CITY_WIDE_ROLES:
        return
    if not principal.is_staff or principal.agency_id != report_agency_id:
        raise _forbidden(
            "Hanya petugas dinas yang menangani laporan ini", "Only staff of the agency handling this report"
        )


def require_can_reroute(principal: Principal, report_agency_id: int) -> None:
    """Dispatchers and the city admin move reports between agencies; an agency admin may hand
    over a report that reached their agency by mistake."""
    require_signed_in(principal)
    if principal.role in CITY_WIDE_ROLES:
        return
    if principal.role is Role.AGENCY_ADMIN and principal.agency_id == report_agency_id:
        return
    raise _forbidden(
        "Hanya dispatcher yang boleh mengalihkan laporan", "Only dispatchers may re-route reports"
    )


def require_city_admin(principal: Principal) -> None:
    require_signed_in(principal)
    if principal.role is not Role.CITY_ADMIN:
        raise _forbidden("Hanya admin kota", "City admins only")


def require_manages_staff(principal: Principal, agency_id: int | None, role: Role) -> None:
    """City admins manage everyone; an agency admin manages officers of their own agency."""
    require_signed_in(principal)
    if principal.role is Role.CITY_ADMIN:
        return
    if principal.role is Role.AGENCY_ADMIN and agency_id == principal.agency_id and role is Role.OFFICER:
        return
    raise _forbidden("Anda tidak boleh mengelola akun ini", "You may not manage this account")
