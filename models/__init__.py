"""Tortoise models of Sigap. Imports nothing else of the project."""

from models.access import ApiKey, PasswordReset, RefreshToken, Registration
from models.deliveries import Delivery, DeliveryStatus, OutboxCursor
from models.directory import Agency, Area, Category, User
from models.enums import (
    ApiKeyKind,
    AreaLevel,
    EscalationTarget,
    EventKind,
    FlagReason,
    FlagResolution,
    FlagTarget,
    IntakeChannel,
    ModerationAction,
    ModerationState,
    ModerationTarget,
    NotificationChannel,
    NotificationGroup,
    NotificationKind,
    PhotoFormat,
    PhotoKind,
    PublicGroup,
    ReportStatus,
    ResolutionOutcome,
    Role,
)
from models.flags import ContentFlag, FlaggedItem
from models.idempotency import IdempotencyKey
from models.map_cells import ReportMapCell
from models.notifications import Notification, NotificationPreference
from models.photos import ReportPhoto
from models.push import PushSubscription
from models.reading import ReportSeen
from models.reports import Report, ReportEvent, ReportFollower, ReportSupport
from models.webhooks import WebhookEndpoint, WebhookStatus

MODEL_MODULES = [
    "models.directory",
    "models.reports",
    "models.access",
    "models.photos",
    "models.idempotency",
    "models.reading",
    "models.flags",
    "models.deliveries",
    "models.webhooks",
    "models.push",
    "models.notifications",
    "models.map_cells",
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
    "ContentFlag",
    "Delivery",
    "DeliveryStatus",
    "EscalationTarget",
    "EventKind",
    "FlagReason",
    "FlagResolution",
    "FlagTarget",
    "FlaggedItem",
    "IdempotencyKey",
    "IntakeChannel",
    "ModerationAction",
    "ModerationState",
    "ModerationTarget",
    "Notification",
    "NotificationChannel",
    "NotificationGroup",
    "NotificationKind",
    "NotificationPreference",
    "OutboxCursor",
    "PasswordReset",
    "PhotoFormat",
    "PhotoKind",
    "PublicGroup",
    "PushSubscription",
    "RefreshToken",
    "Registration",
    "Report",
    "ReportEvent",
    "ReportFollower",
    "ReportMapCell",
    "ReportPhoto",
    "ReportSeen",
    "ReportStatus",
    "ReportSupport",
    "ResolutionOutcome",
    "Role",
    "User",
    "WebhookEndpoint",
    "WebhookStatus",
]
