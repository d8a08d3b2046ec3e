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
    COMMENTED = "COMMENTED"
    PHOTO_ADDED = "PHOTO_ADDED"
    PHOTO_REMOVED = "PHOTO_REMOVED"


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
