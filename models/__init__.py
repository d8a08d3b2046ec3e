"""Tortoise models of Sigap. Imports nothing else of the project."""

from models.directory import Agency, Area, Category, User
from models.enums import AreaLevel, EventKind, PublicGroup, ReportStatus, Role
from models.idempotency import IdempotencyKey
from models.reports import Report, ReportEvent

MODEL_MODULES = ["models.directory", "models.reports", "models.idempotency"]
APP_LABEL = "sigap"

__all__ = [
    "APP_LABEL",
    "MODEL_MODULES",
    "Agency",
    "Area",
    "AreaLevel",
    "Category",
    "EventKind",
    "IdempotencyKey",
    "PublicGroup",
    "Report",
    "ReportEvent",
    "ReportStatus",
    "Role",
    "User",
]
