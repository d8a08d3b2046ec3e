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
    MODERATED = "MODERATED"  # staff hid, redacted or restored content (public; the reason for staff only)


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


class NotificationKind(StrEnum):
    """What a follower is told about (resolvers.notifications decides which events these are)."""

    ACKNOWLEDGED = "ACKNOWLEDGED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"
    DUPLICATE = "DUPLICATE"
    STAFF_COMMENT = "STAFF_COMMENT"  # a public comment by staff (internal notes never notify)


class NotificationGroup(StrEnum):
    """Kinds a user switches channels on and off for together."""

    STATUS = "STATUS"  # every status kind
    COMMENTS = "COMMENTS"  # staff comments


class NotificationChannel(StrEnum):
    """Where a notification goes besides the in-app inbox; the value is the delivery channel."""

    EMAIL = "email"
    WEB_PUSH = "web_push"
    SMS = "sms"
    WHATSAPP = "whatsapp"


class ModerationState(StrEnum):
    """What a moderator made of a piece of content; null on a row that was never moderated."""

    HIDDEN = "HIDDEN"  # gone from every public path; staff still see it, marked
    REDACTED = "REDACTED"  # its text replaced by a marker in public; staff still see the original


class ModerationTarget(StrEnum):
    """What a moderator acts on."""

    COMMENT = "COMMENT"  # a public comment (its timeline event)
    PHOTO = "PHOTO"
    REPORT_TITLE = "REPORT_TITLE"
    REPORT_DESCRIPTION = "REPORT_DESCRIPTION"


class ModerationAction(StrEnum):
    HIDE = "HIDE"
    REDACT = "REDACT"
    RESTORE = "RESTORE"  # undo: the content is shown as written again


class FlagTarget(StrEnum):
    """What a citizen flags: a report (its text), a comment or a photo."""

    REPORT = "REPORT"
    COMMENT = "COMMENT"
    PHOTO = "PHOTO"


class FlagReason(StrEnum):
    SPAM = "SPAM"
    ABUSIVE = "ABUSIVE"
    PERSONAL_DATA = "PERSONAL_DATA"
    WRONG_PLACE = "WRONG_PLACE"
    OTHER = "OTHER"  # with the citizen's own words


class FlagResolution(StrEnum):
    MODERATED = "MODERATED"  # staff hid or redacted the content
    DISMISSED = "DISMISSED"  # staff found nothing wrong
