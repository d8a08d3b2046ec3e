"""Tortoise models of Sigap. Imports nothing else of the project."""

from models.access import ApiKey, RefreshToken, Registration
from models.directory import Agency, Area, Category, User
from models.enums import (
    ApiKeyKind,
    AreaLevel,
    EscalationTarget,
    EventKind,
    IntakeChannel,
    PhotoFormat,
    PhotoKind,
    PublicGroup,
    ReportStatus,
    ResolutionOutcome,
    Role,
)
from models.idempotency import IdempotencyKey
from models.photos import ReportPhoto
from models.reading import ReportSeen
from models.reports import Report, ReportEvent, ReportFollower, ReportSupport

MODEL_MODULES = [
    "models.directory",
    "models.reports",
    "models.access",
    "models.photos",
    "models.idempotency",
    "models.reading",
]
APP_LABEL = "sigap"

__all__ = [
    "APP_LABEL",
    "MODEL_MODULES",
    "Agency",
    "ApiKey",
    "ApiKeyKind",
    "Area",
    "AreaLevel",
    "Category",
    "EscalationTarget",
    "EventKind",
    "IdempotencyKey",
    "IntakeChannel",
    "PhotoFormat",
    "PhotoKind",
    "PublicGroup",
    "RefreshToken",
    "Registration",
    "Report",
    "ReportEvent",
    "ReportFollower",
    "ReportPhoto",
    "ReportSeen",
    "ReportStatus",
    "ReportSupport",
    "ResolutionOutcome",
    "Role",
    "User",
]
