"""Tortoise models of Sigap. Imports nothing else of the project."""

from models.access import ApiKey, RefreshToken
from models.directory import Agency, Area, Category, User
from models.enums import (
    ApiKeyKind,
    AreaLevel,
    EscalationTarget,
    EventKind,
    PublicGroup,
    ReportStatus,
    ResolutionOutcome,
    Role,
)
from models.reports import Report, ReportEvent, ReportFollower, ReportSupport

MODEL_MODULES = ["models.directory", "models.reports", "models.access"]
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
    "PublicGroup",
    "RefreshToken",
    "Report",
    "ReportEvent",
    "ReportFollower",
    "ReportStatus",
    "ReportSupport",
    "ResolutionOutcome",
    "Role",
    "User",
]
