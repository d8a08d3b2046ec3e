"""Enumerations shared by the models, the resolvers and the GraphQL schema."""

from enum import StrEnum


class ReportStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"
    DUPLICATE = "DUPLICATE"


class PublicGroup(StrEnum):
    """The three states citizens know from Qlue: red, yellow, green."""

    WAITING = "WAITING"
    IN_PROCESS = "IN_PROCESS"
    DONE = "DONE"


class Role(StrEnum):
    CITIZEN = "CITIZEN"
    OFFICER = "OFFICER"
    DISPATCHER = "DISPATCHER"
    AGENCY_ADMIN = "AGENCY_ADMIN"
    CITY_ADMIN = "CITY_ADMIN"


class AreaLevel(StrEnum):
    KECAMATAN = "KECAMATAN"
    KELURAHAN = "KELURAHAN"


class EventKind(StrEnum):
    FILED = "FILED"
    STATUS_CHANGED = "STATUS_CHANGED"
    ASSIGNED = "ASSIGNED"
    REROUTED = "REROUTED"
    COMMENTED = "COMMENTED"  # a public comment by the reporter or staff
    INTERNAL_NOTE = "INTERNAL_NOTE"  # staff only: never shown to citizens, partners or the wall
    SUPPORTED = "SUPPORTED"  # a citizen backs the report instead of filing the same problem again
    FOLLOWED = "FOLLOWED"
    UNFOLLOWED = "UNFOLLOWED"
    DUPLICATE_MERGED = "DUPLICATE_MERGED"  # on the original: a duplicate's supporters moved here
    ESCALATED = "ESCALATED"  # a service-level target passed with the report still open
    RATED = "RATED"  # the reporter rated the fix
    PHOTO_ADDED = "PHOTO_ADDED"
    PHOTO_REMOVED = "PHOTO_REMOVED"
    PLACE_CHANGED = "PLACE_CHANGED"  # its category became sensitive (place rounded) or stopped being


class IntakeChannel(StrEnum):
    """How a report reached the city: the app, or staff taking it down for a caller."""

    APP = "APP"  # filed by the citizen (app, web) or a partner's integration
    PHONE = "PHONE"  # the call center
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"
    WALK_IN = "WALK_IN"  # at a counter
    SOCIAL_MEDIA = "SOCIAL_MEDIA"  # a post or message the city picked up


class PhotoKind(StrEnum):
    BEFORE = "BEFORE"  # the problem, as reported
    AFTER = "AFTER"  # proof of the fix, taken by staff


class PhotoFormat(StrEnum):
    """What a stored photo was decoded as and re-encoded to; never taken from the upload's name."""

    JPEG = "JPEG"
    PNG = "PNG"
    WEBP = "WEBP"


class ApiKeyKind(StrEnum):
    PARTNER = "PARTNER"
    DISPLAY = "DISPLAY"


class ResolutionOutcome(StrEnum):
    """How a resolved report was closed: fixed is not the same as closed."""

    CONFIRMED = "CONFIRMED"  # the reporter confirmed the fix
    AUTO_CLOSED = "AUTO_CLOSED"  # nobody answered within the confirmation window
    CLOSED_DESPITE_DISPUTE = "CLOSED_DESPITE_DISPUTE"  # disputed, then closed without a confirmation
    CLOSED_BY_STAFF = "CLOSED_BY_STAFF"  # staff closed it before the reporter answered


class EscalationTarget(StrEnum):
    """The service-level targets a report can miss, each escalated once."""

    ACKNOWLEDGE = "ACKNOWLEDGE"
    RESOLVE = "RESOLVE"
