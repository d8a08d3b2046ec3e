"""Expected failures of the domain, each with a stable code clients can switch on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_ID = "INVALID_ID"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_CATEGORY = "UNKNOWN_CATEGORY"
    CATEGORY_MISMATCH = "CATEGORY_MISMATCH"  # categoryId and categoryCode name different categories
    INVALID_PHONE = "INVALID_PHONE"
    INACTIVE_CATEGORY = "INACTIVE_CATEGORY"
    INVALID_COORDINATES = "INVALID_COORDINATES"
    OUTSIDE_SERVICE_AREA = "OUTSIDE_SERVICE_AREA"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_DUPLICATE = "INVALID_DUPLICATE"
    NOT_STAFF = "NOT_STAFF"
    WRONG_AGENCY = "WRONG_AGENCY"
    NOTHING_CHANGED = "NOTHING_CHANGED"
    INVALID_PAGE_SIZE = "INVALID_PAGE_SIZE"
    INVALID_CURSOR = "INVALID_CURSOR"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - an error code, not a secret
    TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105 - an error code: a mailed token's time ran out
    TOKEN_USED = "TOKEN_USED"  # noqa: S105 - an error code: a mailed token works once
    EMAIL_TAKEN = "EMAIL_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"  # noqa: S105 - an error code, not a secret
    NESTED_CONNECTION = "NESTED_CONNECTION"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    FEED_OVERRUN = "FEED_OVERRUN"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    LIVE_FEED_UNAVAILABLE = "LIVE_FEED_UNAVAILABLE"
    NOT_OPEN = "NOT_OPEN"  # the report is finished: no more support
    OWN_REPORT = "OWN_REPORT"  # a reporter cannot support or follow what they filed
    ALREADY_SUPPORTED = "ALREADY_SUPPORTED"
    ALREADY_FLAGGED = "ALREADY_FLAGGED"  # one flag per person per item
    WINDOW_CLOSED = "WINDOW_CLOSED"  # the time to confirm or dispute a resolution has passed
    INVALID_WINDOW = "INVALID_WINDOW"
    INVALID_UPLOAD = "INVALID_UPLOAD"
    INVALID_FILE_NAME = "INVALID_FILE_NAME"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UNSUPPORTED_IMAGE = "UNSUPPORTED_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    DAMAGED_IMAGE = "DAMAGED_IMAGE"
    TOO_MANY_PHOTOS = "TOO_MANY_PHOTOS"
    AFTER_PHOTO_REQUIRED = "AFTER_PHOTO_REQUIRED"
    RATE_LIMITED = "RATE_LIMITED"  # too many requests or points: see retryAfter
    INVALID_URL = "INVALID_URL"  # a webhook address that is not an http(s) URL, or does not resolve
    ADDRESS_NOT_ALLOWED = "ADDRESS_NOT_ALLOWED"  # a webhook towards a private or reserved address
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"  # the same key came with another request
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"  # the operation's estimated cost is over the maximum
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"  # production: only staff and partners introspect
    QUERY_TIMEOUT = "QUERY_TIMEOUT"  # a database statement ran past its time limit


@dataclass(frozen=True)
class FieldError:
    code: ErrorCode
    message: str  # Indonesian, shown to citizens first
    message_en: str
    field: str | None = None
    retry_after: int | None = None  # seconds, for RATE_LIMITED


class DomainError(Exception):
    """Raised by a resolver when input is refused; nothing has been written."""

    def __init__(self, *errors: FieldError) -> None:
        super().__init__("; ".join(e.message_en for e in errors))
        self.errors = list(errors)


def fail(
    code: ErrorCode,
    message: str,
    message_en: str,
    field: str | None = None,
    *,
    retry_after: int | None = None,
) -> DomainError:
    return DomainError(FieldError(code, message, message_en, field, retry_after))
