"""Reports and their append-only timeline."""

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import EventKind, IntakeChannel, ModerationState, ReportStatus, ResolutionOutcome

if TYPE_CHECKING:
    from models.directory import Agency, Area, Category, User

TITLE_MAX = 200
DESCRIPTION_MAX = 4000  # as Open311
ADDRESS_MAX = 500
NOTE_MAX = 2000
MAP_CELL_COVER = ("status", "category_id", "public_latitude", "public_longitude")


class Report(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True, description="public code for phone and SMS")
    title = fields.CharField(max_length=TITLE_MAX)
    description = fields.TextField()
    category: fields.ForeignKeyRelation["Category"] = fields.ForeignKeyField(
        "sigap.Category", related_name="reports", on_delete=fields.RESTRICT
    )
    agency: fields.ForeignKeyRelation["Agency"] = fields.ForeignKeyField(
        "sigap.Agency", related_name="reports", on_delete=fields.RESTRICT
    )
    area: fields.ForeignKeyNullableRelation["Area"] = fields.ForeignKeyField(
        "sigap.Area", related_name="reports", null=True, on_delete=fields.RESTRICT
    )
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    # What the public sees and searches: coarsened for sensitive categories (missing persons).
    public_latitude = fields.FloatField()
    public_longitude = fields.FloatField()
    # The public point's cell at the finest map zoom, kept by the database (models.map_cells).
    public_cell_row = fields.IntField(null=True, description="map cell row of the public point")
    public_cell_col = fields.IntField(null=True, description="map cell column of the public point")
    address = fields.CharField(max_length=ADDRESS_MAX, null=True)
    status = fields.CharEnumField(ReportStatus, max_length=16, default=ReportStatus.SUBMITTED)
    status_reason = fields.CharField(max_length=NOTE_MAX, null=True)
    duplicate_of: fields.ForeignKeyNullableRelation["Report"] = fields.ForeignKeyField(
        "sigap.Report", related_name="duplicates", null=True, on_delete=fields.RESTRICT
    )
    contact_name = fields.CharField(max_length=200, null=True, description="private: reporter and agency")
    contact_phone = fields.CharField(max_length=40, null=True, description="private: reporter and agency")
    tracking_token_hash = fields.CharField(
        max_length=64, null=True, unique=True, description="anonymous filer's secret, hashed"
    )
    reporter: fields.ForeignKeyNullableRelation["User"] = fields.ForeignKeyField(
        "sigap.User", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    assignee: fields.ForeignKeyNullableRelation["User"] = fields.ForeignKeyField(
        "sigap.User", related_name="assigned_reports", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    acknowledged_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    acknowledge_due_at = fields.DatetimeField()
    due_at = fields.DatetimeField()
    # Set once by the periodic job when a target passed: the guard that escalates exactly once.
    acknowledge_escalated_at = fields.DatetimeField(null=True)
    due_escalated_at = fields.DatetimeField(null=True)
    # Closing the loop: the reporter confirms or disputes the fix and rates it.
    resolution_outcome = fields.CharEnumField(ResolutionOutcome, max_length=24, null=True)
    dispute_count = fields.IntField(default=0)
    rating = fields.SmallIntField(null=True, description="1..5, the reporter's rating of the fix")
    rating_comment = fields.CharField(max_length=NOTE_MAX, null=True, description="private")
    reporter_follows = fields.BooleanField(default=True, description="the reporter gets its updates")
    channel = fields.CharEnumField(
        IntakeChannel, max_length=16, default=IntakeChannel.APP, description="how the report reached the city"
    )
    # Moderation (resolvers.moderation): the public sees a marker instead; staff the original.
    title_moderation = fields.CharEnumField(ModerationState, max_length=16, null=True)
    description_moderation = fields.CharEnumField(ModerationState, max_length=16, null=True)

    category_id: int
    agency_id: int
    area_id: int | None
    reporter_id: int | None
    assignee_id: int | None
    duplicate_of_id: int | None

    class Meta:
        table = "reports"
        indexes = [
            Index(fields=("created_at", "id")),
            Index(fields=("status", "created_at")),
            Index(fields=("agency_id", "created_at")),
            Index(fields=("category_id", "created_at")),
            Index(fields=("area_id", "created_at")),
            Index(fields=("latitude", "longitude")),
            Index(fields=("public_latitude", "public_longitude")),
            # Map clusters grouped from the reports, by rows or by columns of cells: read from the
            # index alone (models.map_cells).
            Index(fields=("public_cell_row", "public_cell_col", *MAP_CELL_COVER)),
            Index(fields=("public_cell_col", "public_cell_row", *MAP_CELL_COVER)),
            Index(fields=("due_at",)),
            Index(fields=("assignee_id", "due_at")),  # an officer's queue
        ]


class ReportEvent(Model):
    """One entry of a report's timeline. Its id is the monotonic cursor of the live feed.

    Written in the same transaction as the change it records (the outbox).
    """

    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "sigap.Report", related_name="events", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(EventKind, max_length=24)
    actor: fields.ForeignKeyNullableRelation["User"] = fields.ForeignKeyField(
        "sigap.User", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    from_status = fields.CharEnumField(ReportStatus, max_length=16, null=True)
    to_status = fields.CharEnumField(ReportStatus, max_length=16, null=True)
    note = fields.CharField(max_length=NOTE_MAX, null=True)
    is_internal = fields.BooleanField(
        default=False, description="staff only (internal notes): the live feed and timeline hide it"
    )
    data: fields.JSONField[dict[str, Any] | None] = fields.JSONField(
        null=True, description="kind-specific details, e.g. old and new agency"
    )
    created_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True, description="set by the relay once on the bus")
    # The report as the event found and left it (null on events older than these columns):
    # the live feed's filters match an event as it was, so a replay equals what was live.
    # Plain ids, not foreign keys: history outlives a renamed or removed directory entry.
    agency_before_id = fields.IntField(null=True)
    agency_after_id = fields.IntField(null=True)
    category_before_id = fields.IntField(null=True)
    category_after_id = fields.IntField(null=True)
    area_before_id = fields.IntField(null=True)
    area_after_id = fields.IntField(null=True)
    status_before = fields.CharEnumField(ReportStatus, max_length=16, null=True)
    status_after = fields.CharEnumField(ReportStatus, max_length=16, null=True)
    # A comment hidden or redacted by a moderator (resolvers.moderation); null when as written.
    moderation = fields.CharEnumField(ModerationState, max_length=16, null=True)

    report_id: int
    actor_id: int | None

    class Meta:
        table = "report_events"
        # (published_at, id): the relay finds what is not yet on the bus without a full scan.
        indexes = [Index(fields=("report_id", "id")), Index(fields=("published_at", "id"))]


class ReportSupport(Model):
    """A citizen backing an existing report ("me too") instead of filing it again."""

    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "sigap.Report", related_name="supports", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation["User"] = fields.ForeignKeyField(
        "sigap.User", related_name="supports", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()

    report_id: int
    user_id: int

    class Meta:
        table = "report_supports"
        unique_together = (("report", "user"),)


class ReportFollower(Model):
    """A signed-in user following a report they did not file (the reporter follows their own)."""

    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "sigap.Report", related_name="followers", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation["User"] = fields.ForeignKeyField(
        "sigap.User", related_name="follows", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()

    report_id: int
    user_id: int

    class Meta:
        table = "report_followers"
        unique_together = (("report", "user"),)


# The columns the API reads, as plain rows (never ORM instances on hot paths).
EVENT_COLUMNS = (
    "id", "report_id", "kind", "actor_id", "from_status", "to_status", "note", "data", "is_internal",
    "created_at", "agency_before_id", "agency_after_id", "category_before_id", "category_after_id",
    "area_before_id", "area_after_id", "status_before", "status_after", "moderation",
)  # fmt: skip
REPORT_COLUMNS = (
    "id", "code", "title", "description", "category_id", "agency_id", "area_id",
    "latitude", "longitude", "public_latitude", "public_longitude", "address", "contact_name",
    "contact_phone", "status", "status_reason", "duplicate_of_id",
    "reporter_id", "assignee_id", "created_at", "updated_at", "acknowledged_at",
    "resolved_at", "closed_at", "acknowledge_due_at", "due_at", "resolution_outcome", "dispute_count",
    "rating", "rating_comment", "reporter_follows", "channel", "title_moderation", "description_moderation",
)  # fmt: skip
