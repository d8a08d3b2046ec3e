"""The city's directory: agencies, the categories they handle, areas and people."""

from tortoise import fields
from tortoise.models import Model

from models.enums import AreaLevel, Role


class Agency(Model):
    """A city agency (OPD) that resolves reports."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200, description="Indonesian name")
    name_en = fields.CharField(max_length=200)
    phone = fields.CharField(max_length=40, null=True)
    email = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "agencies"
        ordering = ["code"]


DESCRIPTION_MAX = 500  # a category's description
HELP_TEXT_MAX = 1000  # what to report and what to photograph


class Category(Model):
    """What a report is about: it decides which agency gets it and how fast."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=48, unique=True)
    name = fields.CharField(max_length=200, description="Indonesian name")
    name_en = fields.CharField(max_length=200)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "sigap.Agency", related_name="categories", on_delete=fields.RESTRICT
    )
    response_hours = fields.FloatField(description="target time to acknowledge")
    resolution_hours = fields.FloatField(description="target time to resolve")
    is_emergency = fields.BooleanField(default=False)
    is_sensitive = fields.BooleanField(
        default=False, description="exact location shown only to the reporter and the agency"
    )
    requires_after_photo = fields.BooleanField(
        default=True, description="resolving needs a photo of the fix taken since the last reopen"
    )
    is_active = fields.BooleanField(default=True)
    duplicate_radius_m = fields.IntField(
        default=100, description="open reports this close are offered as duplicates before filing"
    )
    # What a citizen app shows when a citizen picks a category.
    description = fields.CharField(max_length=DESCRIPTION_MAX, null=True, description="Indonesian")
    description_en = fields.CharField(max_length=DESCRIPTION_MAX, null=True)
    help_text = fields.CharField(
        max_length=HELP_TEXT_MAX, null=True, description="what to report, Indonesian"
    )
    help_text_en = fields.CharField(max_length=HELP_TEXT_MAX, null=True)
    icon = fields.CharField(max_length=64, null=True, description="a Material Symbols icon name")
    color = fields.CharField(max_length=7, null=True, description="#RRGGBB")
    sort_order = fields.IntField(default=0, description="lower first in pickers")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    agency_id: int

    class Meta:
        table = "categories"
        ordering = ["code"]


class Area(Model):
    """A kecamatan or kelurahan. Its polygon (GeoJSON), when loaded, routes reports to it."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=48, unique=True)
    name = fields.CharField(max_length=200)
    level = fields.CharEnumField(AreaLevel, max_length=16)
    parent: fields.ForeignKeyNullableRelation["Area"] = fields.ForeignKeyField(
        "sigap.Area", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    polygon = fields.TextField(null=True, description="GeoJSON Polygon or MultiPolygon")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    parent_id: int | None

    class Meta:
        table = "areas"
        ordering = ["code"]


class User(Model):
    """A citizen or a member of staff (staff belong to an agency)."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True, null=True)
    phone = fields.CharField(max_length=40, null=True)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16, default=Role.CITIZEN)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "sigap.Agency", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    password_hash = fields.CharField(max_length=255, null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    locale = fields.CharField(max_length=8, default="id", description="language of mail and messages")
    # Access tokens carry the version they were issued under: bumping it ends every session at once
    # (a password reset or change, a deletion), access tokens included, without a revocation list.
    credentials_version = fields.IntField(default=0)
    deleted_at = fields.DatetimeField(null=True, description="the person deleted the account: no data left")

    agency_id: int | None

    class Meta:
        table = "users"
