"""Tortoise models of Sigap. Imports nothing else of the project."""

from models.access import ApiKey, RefreshToken
from models.directory import Agency, Area, Category, User
from models.enums import (
    ApiKeyKind,
    AreaLevel,
    EventKind,
    PhotoFormat,
    PhotoKind,
    PublicGroup,
    ReportStatus,
    Role,
)
from models.photos import ReportPhoto
from models.reports import Report, ReportEvent

MODEL_MODULES = ["models.directory", "models.reports", "models.access", "models.photos"]
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
    "EventKind",
    "PhotoFormat",
    "PhotoKind",
    "PublicGroup",
    "RefreshToken",
    "Report",
    "ReportEvent",
    "ReportPhoto",
    "ReportStatus",
    "Role",
    "User",
]
