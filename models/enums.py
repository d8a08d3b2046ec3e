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


class ApiKeyKind(StrEnum):
    PARTNER = "PARTNER"
    DISPLAY = "DISPLAY"
