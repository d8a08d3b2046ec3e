"""GraphQL types of the directory: agencies, categories, areas and staff.

They are the directory subgraph's entities, keyed by their global `id`: the reports subgraph refers
to them by that key and the directory resolves them (`resolve_reference`, batched through the
per-request DataLoaders). The fields the reports subgraph adds to them come in through the bases
from `schema.directory_reports`.
"""

from __future__ import annotations

from typing import Any

import strawberry

from models import AreaLevel, Role
from resolvers import directory_admin, directory_queries
from resolvers.category_look import CategoryLookChanges
from resolvers.errors import DomainError
from schema.context import Info
from schema.directory_reports import AgencyReports, AreaReports, CategoryReports
from schema.errors import UserError, user_errors
from schema.ids import from_global_id, optional_global_id, to_global_id

ENTITY_KEY = "id"


@strawberry.interface(description="An object with a global ID, fetchable through `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.federation.type(keys=[ENTITY_KEY], description="A city agency (OPD) that handles reports.")
class Agency(Node, AgencyReports):
    code: str
    name: str = strawberry.field(description="Indonesian name")
    name_en: str
    phone: str | None
    email: str | None
    pk: strawberry.Private[int]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Agency | None:
        row = await info.context.loaders.agency.load(from_global_id(id, "Agency"))
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Agency:
        return cls(
            id=strawberry.ID(to_global_id("Agency", row["id"])),
            pk=row["id"],
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"],
            phone=row["phone"],
            email=row["email"],
        )


@strawberry.federation.type(
    keys=[ENTITY_KEY], description="What a report is about; it decides the agency and the service level."
)
class Category(Node, CategoryReports):
    code: str
    name: str = strawberry.field(description="Indonesian name")
    name_en: str
    response_hours: float = strawberry.field(description="Target time to acknowledge, in hours")
    resolution_hours: float = strawberry.field(description="Target time to resolve, in hours")
    is_emergency: bool
    is_sensitive: bool = strawberry.field(
        description="Exact places and photos shown only to reporter and agency"
    )
    requires_after_photo: bool = strawberry.field(
        description="Resolving needs an AFTER photo of the fix, added since the report was last reopened"
    )
    is_active: bool
    description: str | None = strawberry.field(
        description="Penjelasan singkat untuk warga yang memilih kategori. / A short description for "
        "citizens choosing a category (Indonesian)."
    )
    description_en: str | None = strawberry.field(
        description="Penjelasan dalam bahasa Inggris. / In English."
    )
    help_text: str | None = strawberry.field(
        description="Petunjuk: apa yang perlu dilaporkan dan difoto. / What to report and photograph "
        "(Indonesian)."
    )
    help_text_en: str | None = strawberry.field(description="Petunjuk dalam bahasa Inggris. / In English.")
    icon: str | None = strawberry.field(
        description="Nama ikon Material Symbols, misalnya `delete`. / A Material Symbols icon name, e.g. "
        "`delete`."
    )
    color: str | None = strawberry.field(description="Warna kategori, #RRGGBB. / The category's colour.")
    sort_order: int = strawberry.field(
        description="Urutan di daftar pilihan, kecil lebih dulu; `categories` mengikutinya. / Place in "
        "pickers, lower first; `categories` is in this order."
    )
    pk: strawberry.Private[int]
    agency_id: strawberry.Private[int]

    @strawberry.field(description="The agency this category routes to")
    def agency(self, info: Info) -> Agency:
        return info.context.loaders.now_or_later("agency", self.agency_id, Agency.from_row)  # type: ignore[return-value]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Category | None:
        row = await info.context.loaders.category.load(from_global_id(id, "Category"))
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Category:
        return cls(
            id=strawberry.ID(to_global_id("Category", row["id"])),
            pk=row["id"],
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"],
            response_hours=row["response_hours"],
            resolution_hours=row["resolution_hours"],
            is_emergency=row["is_emergency"],
            is_sensitive=row["is_sensitive"],
            requires_after_photo=row["requires_after_photo"],
            is_active=row["is_active"],
            description=row["description"],
            description_en=row["description_en"],
            help_text=row["help_text"],
            help_text_en=row["help_text_en"],
            icon=row["icon"],
            color=row["color"],
            sort_order=row["sort_order"],
            agency_id=row["agency_id"],
        )


@strawberry.federation.type(keys=[ENTITY_KEY], description="A kecamatan or kelurahan of the city.")
class Area(Node, AreaReports):
    code: str
    name: str
    level: AreaLevel
    has_outline: bool = strawberry.field(description="Whether reports are routed by its polygon")
    pk: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @strawberry.field(description="The kecamatan a kelurahan belongs to")
    async def parent(self, info: Info) -> Area | None:
        if self.parent_id is None:
            return None
        return Area.from_row(await info.context.loaders.area.load(self.parent_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Area | None:
        row = await info.context.loaders.area.load(from_global_id(id, "Area"))
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Area:
        return cls(
            id=strawberry.ID(to_global_id("Area", row["id"])),
            pk=row["id"],
            code=row["code"],
            name=row["name"],
            level=AreaLevel(row["level"]),
            has_outline=row["polygon"] is not None,
            parent_id=row["parent_id"],
        )


@strawberry.federation.type(keys=[ENTITY_KEY], description="A member of staff, as the public may see them")
class StaffMember(Node):
    name: str
    role: Role

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> StaffMember | None:
        row = await info.context.loaders.user.load(from_global_id(id, "User"))
        return cls.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StaffMember | None:
        """Staff only: a citizen's name is never shown, whichever way they are asked for."""
        if row["role"] == Role.CITIZEN:
            return None
        return cls(
            id=strawberry.ID(to_global_id("User", row["id"])), name=row["name"], role=Role(row["role"])
        )


@strawberry.type
class DirectoryQuery:
    @strawberry.field(description="All agencies, by code")
    async def agencies(self) -> list[Agency]:
        return [Agency.from_row(row) for row in await directory_queries.list_agencies()]

    @strawberry.field(
        description="Kategori yang bisa dipilih warga, menurut `sortOrder` lalu kode. / Categories "
        "citizens can file under, by `sortOrder`, then code."
    )
    async def categories(self, include_inactive: bool = False) -> list[Category]:
        rows = await directory_queries.list_categories(include_inactive=include_inactive)
        return [Category.from_row(row) for row in rows]

    @strawberry.field(description="The city's areas, by code")
    async def areas(self, level: AreaLevel | None = None) -> list[Area]:
        return [Area.from_row(row) for row in await directory_queries.list_areas(level)]


@strawberry.input(description="Only the given fields change")
class UpdateCategoryInput:
    id: strawberry.ID
    name: str | None = None
    name_en: str | None = None
    agency_id: strawberry.ID | None = strawberry.field(default=None, description="Re-route new reports")
    response_hours: float | None = None
    resolution_hours: float | None = None
    is_active: bool | None = None
    is_sensitive: bool | None = None
    requires_after_photo: bool | None = None
    description: str | None = strawberry.field(
        default=None, description="Kosong menghapusnya; paling banyak 500 karakter. / Empty clears it."
    )
    description_en: str | None = None
    help_text: str | None = strawberry.field(
        default=None, description="Kosong menghapusnya; paling banyak 1.000 karakter. / Empty clears it."
    )
    help_text_en: str | None = None
    icon: str | None = strawberry.field(
        default=None, description="Nama Material Symbols (huruf kecil, angka, _). / A Material Symbols name."
    )
    color: str | None = strawberry.field(default=None, description="#RRGGBB")
    sort_order: int | None = None


@strawberry.input
class CreateAgencyInput:
    code: str
    name: str
    name_en: str


@strawberry.input
class SetAreaOutlineInput:
    id: strawberry.ID
    geojson: str | None = strawberry.field(description="A GeoJSON Polygon or MultiPolygon; null clears it")


@strawberry.type
class CategoryPayload:
    category: Category | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AgencyPayload:
    agency: Agency | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AreaPayload:
    area: Area | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(
        description="Admin kota: rute, target layanan, nama dan tampilan kategori. / City admin: a "
        "category's routing, service levels, names and how apps show it."
    )
    async def update_category(self, info: Info, input: UpdateCategoryInput) -> CategoryPayload:
        try:
            changes = directory_admin.CategoryChanges(
                name=input.name,
                name_en=input.name_en,
                agency_id=optional_global_id(input.agency_id, "Agency", "agencyId"),
                response_hours=input.response_hours,
                resolution_hours=input.resolution_hours,
                is_active=input.is_active,
                is_sensitive=input.is_sensitive,
                requires_after_photo=input.requires_after_photo,
                look=CategoryLookChanges(
                    description=input.description,
                    description_en=input.description_en,
                    help_text=input.help_text,
                    help_text_en=input.help_text_en,
                    icon=input.icon,
                    color=input.color,
                    sort_order=input.sort_order,
                ),
            )
            category = await directory_admin.update_category(
                info.context.principal, from_global_id(input.id, "Category"), changes
            )
        except DomainError as exc:
            return CategoryPayload(errors=user_errors(exc))
        return CategoryPayload(category=Category.from_row(directory_queries.category_row(category)))

    @strawberry.mutation(description="City admin: a new agency")
    async def create_agency(self, info: Info, input: CreateAgencyInput) -> AgencyPayload:
        try:
            agency = await directory_admin.create_agency(
                info.context.principal, code=input.code, name=input.name, name_en=input.name_en
            )
        except DomainError as exc:
            return AgencyPayload(errors=user_errors(exc))
        return AgencyPayload(agency=Agency.from_row(directory_queries.agency_row(agency)))

    @strawberry.mutation(description="City admin: load an area's outline; reports inside route to it")
    async def set_area_outline(self, info: Info, input: SetAreaOutlineInput) -> AreaPayload:
        try:
            area = await directory_admin.set_area_outline(
                info.context.principal, from_global_id(input.id, "Area"), input.geojson
            )
        except DomainError as exc:
            return AreaPayload(errors=user_errors(exc))
        return AreaPayload(area=Area.from_row(directory_queries.area_row(area)))
