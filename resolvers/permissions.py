"""Who may do what: one function per rule, called by every mutation and private field."""

from __future__ import annotations

import secrets

from models import IntakeChannel, PhotoKind, Report, Role
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.identity import Principal, PrincipalKind
from resolvers.secrets_at_rest import digest

CITY_WIDE_ROLES = frozenset({Role.DISPATCHER, Role.CITY_ADMIN})


def _forbidden(message: str, message_en: str, field: str | None = None) -> DomainError:
    return fail(ErrorCode.FORBIDDEN, message, message_en, field)


def require_signed_in(principal: Principal) -> None:
    if principal.user is None:
        raise fail(ErrorCode.UNAUTHENTICATED, "Silakan masuk terlebih dahulu", "Sign in first")


def require_can_file(principal: Principal) -> None:
    """Citizens file, signed in or not; partners need the reports:file scope; the wall never."""
    if principal.kind is PrincipalKind.DISPLAY:
        raise _forbidden("Kunci layar hanya untuk membaca", "A display key is read-only")
    if principal.kind is PrincipalKind.PARTNER and "reports:file" not in principal.scopes:
        raise _forbidden("Kunci ini tidak boleh mengirim laporan", "This key may not file reports")


# What a partner key reads only with the `reports:read` scope: the reports themselves, their
# events, photos and comments, in pages or live. Aggregates (counts, statistics) are not reports.
REPORT_TYPES = frozenset(
    {"Report", "ReportConnection", "ReportEdge", "ReportEvent", "LiveReportEvent", "ReportPhoto", "Comment"}
)


def require_can_read(principal: Principal, type_names: frozenset[str], field: str | None = None) -> None:
    """A partner key reads reports (queries and subscriptions, with its own budget, and webhooks)
    only with the `reports:read` scope: a key made to file or to read statistics cannot page through
    reports. `field`: the input that named the key, if any."""
    if (
        principal.kind is PrincipalKind.PARTNER
        and "reports:read" not in principal.scopes
        and type_names & REPORT_TYPES
    ):
        raise _forbidden(
            "Kunci ini tidak boleh membaca laporan (perlu cakupan reports:read)",
            "This key may not read reports (it needs the reports:read scope)",
            field,
        )


def works_on(principal: Principal, report_agency_id: int) -> bool:
    """Staff of the report's agency, or city-wide staff."""
    if principal.role in CITY_WIDE_ROLES:
        return True
    return principal.is_staff and principal.agency_id == report_agency_id


def may_moderate(principal: Principal, report_agency_id: int) -> bool:
    """Hiding, redacting and restoring a report's content, and its flags: the staff who work on
    it (its agency's officers and admins) and city-wide staff (dispatchers, the city admin)."""
    return works_on(principal, report_agency_id)


def require_may_moderate(principal: Principal, report_agency_id: int) -> None:
    require_signed_in(principal)
    if not may_moderate(principal, report_agency_id):
        raise _forbidden(
            "Hanya petugas dinas yang menangani atau petugas tingkat kota yang boleh memoderasi",
            "Only staff of the handling agency or city-wide staff may moderate",
        )


def require_can_flag(principal: Principal) -> None:
    """Flags come from signed-in citizens (one per person per item); staff moderate directly."""
    require_signed_in(principal)
    if principal.is_staff:
        raise _forbidden(
            "Petugas memoderasi langsung, tidak menandai", "Staff moderate directly instead of flagging"
        )


def require_can_take_intake(principal: Principal, channel: IntakeChannel) -> None:
    """A report taken down for a caller (phone, SMS, WhatsApp, walk-in, social media): staff, or a
    partner's integration allowed to file (a WhatsApp bot). Citizens file through the app."""
    if channel is IntakeChannel.APP or principal.is_staff:
        return
    if principal.kind is PrincipalKind.PARTNER and "reports:file" in principal.scopes:
        return
    require_signed_in(principal)
    raise _forbidden(
        "Hanya petugas yang mencatat laporan dari telepon, SMS, WhatsApp, loket atau media sosial",
        "Only staff take reports down from phone, SMS, WhatsApp, walk-ins or social media",
    )


def require_works_on(principal: Principal, report_agency_id: int) -> None:
    """Status changes and assignment: staff of the report's agency, or city-wide staff."""
    require_signed_in(principal)
    if not works_on(principal, report_agency_id):
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


def sees_internal_notes(principal: Principal, report_agency_id: int) -> bool:
    """Internal notes: staff of the handling agency and city-wide staff; nobody else, ever."""
    return works_on(principal, report_agency_id)


def require_sees_internal_notes(principal: Principal, report_agency_id: int) -> None:
    require_signed_in(principal)
    if not sees_internal_notes(principal, report_agency_id):
        raise _forbidden(
            "Catatan internal hanya untuk petugas dinas yang menangani",
            "Internal notes are for staff of the handling agency only",
        )


def acts_as_reporter(principal: Principal, report: Report, tracking_token: str | None) -> bool:
    """Whether the caller is the report's reporter: the signed-in citizen who filed it, or the
    holder of this very report's tracking token. A token that does not match is refused, never
    ignored, and a token proves nothing about any other report."""
    if tracking_token is not None:
        expected = report.tracking_token_hash
        if expected is None or not secrets.compare_digest(digest(tracking_token), expected):
            raise fail(
                ErrorCode.INVALID_TOKEN,
                "Token pelacakan tidak cocok dengan laporan ini",
                "The tracking token does not belong to this report",
                "trackingToken",
            )
        return True
    return principal.user is not None and report.reporter_id == principal.user.id


def require_is_reporter(principal: Principal, report: Report, tracking_token: str | None) -> None:
    """Confirming, disputing and rating a fix: the reporter only."""
    if acts_as_reporter(principal, report, tracking_token):
        return
    require_signed_in(principal)
    raise _forbidden("Hanya pelapor yang boleh melakukan ini", "Only the reporter may do this")


def require_can_add_photo(
    principal: Principal, report: Report, kind: PhotoKind, tracking_token: str | None
) -> None:
    """Photos added to a report: staff working on it, of either kind; its reporter (signed in, or
    holding its tracking token) more of the problem (BEFORE), never the proof of the fix (AFTER)."""
    if tracking_token is None and works_on(principal, report.agency_id):
        return
    if acts_as_reporter(principal, report, tracking_token):
        if kind is PhotoKind.AFTER:
            raise _forbidden(
                "Foto hasil perbaikan (AFTER) hanya dari petugas; kirim foto masalahnya sebagai BEFORE",
                "Photos of the fix (AFTER) come from staff; send a photo of the problem as BEFORE",
            )
        return
    require_works_on(principal, report.agency_id)  # the refusal an outsider gets


def require_citizen(principal: Principal) -> None:
    """Supporting a report is a citizen's voice: one per signed-in citizen (staff do not count)."""
    require_signed_in(principal)
    if principal.is_staff:
        raise _forbidden("Dukungan hanya dari warga", "Only citizens support reports")


def statistics_agency_scope(principal: Principal, agency_id: int | None) -> int | None:
    """Whose statistics the caller may read; returns the agency to restrict to (None: all).

    City admins and dispatchers read every agency; officers and agency admins their own agency;
    partners with the stats:read scope and the command center's display key the city's aggregates.
    Citizens and anonymous callers read none (the public sees counts through `reportCounts`)."""
    if principal.role in CITY_WIDE_ROLES:
        return agency_id
    if principal.is_staff:
        if agency_id is not None and agency_id != principal.agency_id:
            raise _forbidden("Hanya statistik dinas Anda", "Only your own agency's statistics")
        return principal.agency_id
    if principal.kind is PrincipalKind.DISPLAY:
        return agency_id
    if principal.kind is PrincipalKind.PARTNER and "stats:read" in principal.scopes:
        return agency_id
    if principal.kind is PrincipalKind.PARTNER:
        raise _forbidden("Kunci ini tidak boleh membaca statistik", "This key may not read statistics")
    require_signed_in(principal)
    raise _forbidden("Statistik hanya untuk petugas", "Statistics are for staff")


def require_staff(principal: Principal) -> None:
    """An officer's own queue: any signed-in member of staff."""
    require_signed_in(principal)
    if not principal.is_staff:
        raise _forbidden("Hanya untuk petugas", "Staff only")
