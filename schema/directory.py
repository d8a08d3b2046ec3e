"""GraphQL types of the directory: agencies, categories, areas and staff.

They are the directory subgraph's entities, keyed by their global `id`: the reports subgraph refers
to them by that key and the directory resolves them (`resolve_reference`, batched through the
per-request DataLoaders). The fields the reports subgraph adds to them come in through the bases
from `schema.directory_reports`.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from models import AreaLevel, Role
from resolvers import area_lookup, directory_admin, directory_queries
from resolvers.area_outlines import parse_outline
from resolvers.category_look import CategoryLookChanges
from resolvers.directory_queries import MAX_AGENCIES, MAX_AREAS, MAX_CATEGORIES
from resolvers.errors import DomainError
from schema.context import Info
from schema.descriptions import INPUT_HELP
from schema.directory_reports import AgencyReports, AreaReports, CategoryReports
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import from_global_id, optional_global_id, to_global_id
from schema.locations import LocationInput
from schema.query_cost import list_size

ENTITY_KEY = "id"


@strawberry.interface(description="An object with a global ID, fetchable through `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="ID global, dipakai di `node(id:)` dan argumen lain / "
        "Global ID, for `node(id:)` and other arguments"
    )


@strawberry.federation.type(keys=[ENTITY_KEY], description="A city agency (OPD) that handles reports.")
class Agency(Node, AgencyReports):
    # Shareable: the reports subgraph answers them too (it reads its reports' agencies anyway), so a
    # page of reports with agency names is one subgraph call through the gateway, not two.
    code: str = strawberry.federation.field(
        shareable=True, description="Kode singkat dinas / The agency's short code"
    )
    name: str = strawberry.federation.field(shareable=True, description="Indonesian name")
    name_en: str = strawberry.field(description="Nama dalam bahasa Inggris / Name in English")
    phone: str | None = strawberry.field(
        description="Telepon publik dinas, jika ada / The agency's public phone, if any"
    )
    email: str | None = strawberry.field(
        description="Email publik dinas, jika ada / The agency's public email, if any"
    )
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
    code: str = strawberry.field(
        description="Kode singkat kategori, dapat dipakai saat melapor / "
        "The category's short code, usable when filing"
    )
    name: str = strawberry.field(description="Indonesian name")
    name_en: str = strawberry.field(description="Nama dalam bahasa Inggris / Name in English")
    response_hours: float = strawberry.field(description="Target time to acknowledge, in hours")
    resolution_hours: float = strawberry.field(description="Target time to resolve, in hours")
    is_emergency: bool = strawberry.field(
        description="Darurat: ditangani lebih cepat / An emergency: handled faster"
    )
    is_sensitive: bool = strawberry.field(
        description="Exact places and photos shown only to reporter and agency"
    )
    requires_after_photo: bool = strawberry.field(
        description="Resolving needs an AFTER photo of the fix, added since the report was last reopened"
    )
    is_active: bool = strawberry.field(description="Masih menerima laporan baru / Still accepts new reports")
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
    code: str = strawberry.field(description="Kode wilayah resmi / Official area code")
    name: str = strawberry.field(description="Nama wilayah / The area's name")
    level: AreaLevel = strawberry.field(description="Kecamatan atau kelurahan / Kecamatan or kelurahan")
    has_outline: bool = strawberry.field(description="Whether reports are routed by its polygon")
    pk: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    polygon: strawberry.Private[str | None]

    @strawberry.field(
        description="Batas wilayah: geometri GeoJSON (Polygon/MultiPolygon) seperti dimuat; null bila "
        "belum dimuat / The outline: a GeoJSON geometry (Polygon/MultiPolygon) as loaded; null when none"
    )
    def outline(self) -> JSON | None:
        if self.polygon is None:
            return None
        return parse_outline(self.polygon).geometry  # type: ignore[return-value]  # JSON is any JSON value

    @strawberry.field(
        description="Kotak pembatas batas wilayah; null bila belum dimuat / "
        "The outline's bounding box; null when none is loaded"
    )
    def bounds(self) -> AreaBounds | None:
        if self.polygon is None:
            return None
        box = parse_outline(self.polygon).bounds  # parsed once per outline, not per request
        return AreaBounds(min_lat=box.min_lat, min_lon=box.min_lon, max_lat=box.max_lat, max_lon=box.max_lon)

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
            polygon=row["polygon"],
        )


@strawberry.type(description="Kotak pembatas, derajat WGS84 / A bounding box, WGS84 degrees")
class AreaBounds:
    min_lat: float = strawberry.field(description="Lintang paling selatan / Southernmost latitude")
    min_lon: float = strawberry.field(description="Bujur paling barat / Westernmost longitude")
    max_lat: float = strawberry.field(description="Lintang paling utara / Northernmost latitude")
    max_lon: float = strawberry.field(description="Bujur paling timur / Easternmost longitude")


@strawberry.type(
    description="Kecamatan dan kelurahan sebuah titik, menurut batas wilayah yang dimuat / "
    "The kecamatan and kelurahan of a point, by the loaded outlines"
)
class AreaAtPoint:
    kecamatan_id: strawberry.Private[int | None]
    kelurahan_id: strawberry.Private[int | None]
    reason: str | None = strawberry.field(
        description="Mengapa kecamatan atau kelurahan tidak diketahui; null bila keduanya diketahui / "
        "Why the kecamatan or kelurahan is unknown (Indonesian); null when both are known"
    )
    reason_en: str | None = strawberry.field(
        description="Alasan yang sama dalam bahasa Inggris / The same reason in English"
    )

    @strawberry.field(description="Kecamatan titik ini; null bila tidak diketahui / The point's kecamatan")
    async def kecamatan(self, info: Info) -> Area | None:
        return await _area(info, self.kecamatan_id)

    @strawberry.field(description="Kelurahan titik ini; null bila tidak diketahui / The point's kelurahan")
    async def kelurahan(self, info: Info) -> Area | None:
        return await _area(info, self.kelurahan_id)


async def _area(info: Info, area_id: int | None) -> Area | None:
    row = None if area_id is None else await info.context.loaders.area.load(area_id)
    return None if row is None else Area.from_row(row)


@strawberry.federation.type(keys=[ENTITY_KEY], description="A member of staff, as the public may see them")
class StaffMember(Node):
    name: str = strawberry.field(description="Nama staf / The staff member's name")
    role: Role = strawberry.field(description="Peran / Role")

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
    @strawberry.field(description="All agencies, by code", metadata=list_size(MAX_AGENCIES))
    async def agencies(self) -> list[Agency]:
        return [Agency.from_row(row) for row in await directory_queries.list_agencies()]

    @strawberry.field(
        description="Kategori yang bisa dipilih warga, menurut `sortOrder` lalu kode. / Categories "
        "citizens can file under, by `sortOrder`, then code.",
        metadata=list_size(MAX_CATEGORIES),
    )
    async def categories(
        self,
        include_inactive: Annotated[
            bool, strawberry.argument(description="Sertakan kategori nonaktif / Include inactive categories")
        ] = False,
    ) -> list[Category]:
        rows = await directory_queries.list_categories(include_inactive=include_inactive)
        return [Category.from_row(row) for row in rows]

    @strawberry.field(description="The city's areas, by code", metadata=list_size(MAX_AREAS))
    async def areas(
        self,
        level: Annotated[
            AreaLevel | None,
            strawberry.argument(
                description="Hanya tingkat ini; kosong = semua / Only this level; none = all"
            ),
        ] = None,
    ) -> list[Area]:
        return [Area.from_row(row) for row in await directory_queries.list_areas(level)]

    @strawberry.field(
        description="Kecamatan dan kelurahan yang memuat titik ini (menurut batas yang dimuat); di luar "
        "wilayah layanan: galat OUTSIDE_SERVICE_AREA / The kecamatan and kelurahan containing the point "
        "(by the loaded outlines); outside the service area: an OUTSIDE_SERVICE_AREA error"
    )
    async def area_at(
        self,
        info: Info,
        location: Annotated[
            LocationInput, strawberry.argument(description="Titik yang ditanyakan / The point")
        ],
    ) -> AreaAtPoint:
        found = await area_lookup.area_at(location.lat, location.lon, info.context.service_area)
        reason, reason_en = found.reason or (None, None)
        return AreaAtPoint(
            kecamatan_id=found.kecamatan_id,
            kelurahan_id=found.kelurahan_id,
            reason=reason,
            reason_en=reason_en,
        )


@strawberry.input(description="Only the given fields change")
class UpdateCategoryInput:
    id: strawberry.ID = strawberry.field(description="ID kategori / The category's ID")
    name: str | None = strawberry.field(
        default=None,
        description="Nama baru (Indonesia); kosong = tetap / New Indonesian name; none = unchanged",
    )
    name_en: str | None = strawberry.field(
        default=None, description="Nama baru (Inggris); kosong = tetap / New English name; none = unchanged"
    )
    agency_id: strawberry.ID | None = strawberry.field(default=None, description="Re-route new reports")
    response_hours: float | None = strawberry.field(
        default=None,
        description="Target diterima, jam; kosong = tetap / Acknowledgement target, hours; none = unchanged",
    )
    resolution_hours: float | None = strawberry.field(
        default=None,
        description="Target selesai, jam; kosong = tetap / Resolution target, hours; none = unchanged",
    )
    is_active: bool | None = strawberry.field(
        default=None,
        description="Menerima laporan baru; kosong = tetap / Accepts new reports; none = unchanged",
    )
    is_sensitive: bool | None = strawberry.field(
        default=None,
        description="Lokasi dibulatkan untuk publik; kosong = tetap / "
        "Place rounded for the public; none = unchanged",
    )
    requires_after_photo: bool | None = strawberry.field(
        default=None,
        description="Wajib foto sesudah untuk selesai; kosong = tetap / "
        "After photo required to resolve; none = unchanged",
    )
    description: str | None = strawberry.field(
        default=None, description="Kosong menghapusnya; paling banyak 500 karakter. / Empty clears it."
    )
    description_en: str | None = strawberry.field(
        default=None, description="Penjelasan (Inggris); kosong menghapusnya / In English; empty clears it"
    )
    help_text: str | None = strawberry.field(
        default=None, description="Kosong menghapusnya; paling banyak 1.000 karakter. / Empty clears it."
    )
    help_text_en: str | None = strawberry.field(
        default=None, description="Petunjuk (Inggris); kosong menghapusnya / In English; empty clears it"
    )
    icon: str | None = strawberry.field(
        default=None, description="Nama Material Symbols (huruf kecil, angka, _). / A Material Symbols name."
    )
    color: str | None = strawberry.field(default=None, description="#RRGGBB")
    sort_order: int | None = strawberry.field(
        default=None, description="Urutan di daftar; kosong = tetap / Place in pickers; none = unchanged"
    )


@strawberry.input(description="Dinas baru (admin kota) / A new agency (city admins)")
class CreateAgencyInput:
    code: str = strawberry.field(description="Kode singkat unik / A unique short code")
    name: str = strawberry.field(description="Nama dalam bahasa Indonesia / Name in Indonesian")
    name_en: str = strawberry.field(description="Nama dalam bahasa Inggris / Name in English")


@strawberry.input(description="Batas wilayah baru / An area's new outline")
class SetAreaOutlineInput:
    id: strawberry.ID = strawberry.field(description="ID wilayah / The area's ID")
    geojson: str | None = strawberry.field(description="A GeoJSON Polygon or MultiPolygon; null clears it")


@strawberry.type(description="Hasil mengubah kategori / Result of updating a category")
class CategoryPayload:
    category: Category | None = strawberry.field(
        default=None, description="Kategori; null bila ditolak / The category; null when refused"
    )
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.type(description="Hasil membuat dinas / Result of creating an agency")
class AgencyPayload:
    agency: Agency | None = strawberry.field(
        default=None,
        description="Dinas yang dibuat; null bila ditolak / The agency created; null when refused",
    )
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.type(description="Hasil mengubah batas wilayah / Result of setting an area's outline")
class AreaPayload:
    area: Area | None = strawberry.field(
        default=None, description="Wilayah; null bila ditolak / The area; null when refused"
    )
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(
        description="Admin kota: rute, target layanan, nama dan tampilan kategori. / City admin: a "
        "category's routing, service levels, names and how apps show it."
    )
    async def update_category(
        self, info: Info, input: Annotated[UpdateCategoryInput, strawberry.argument(description=INPUT_HELP)]
    ) -> CategoryPayload:
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
    async def create_agency(
        self, info: Info, input: Annotated[CreateAgencyInput, strawberry.argument(description=INPUT_HELP)]
    ) -> AgencyPayload:
        try:
            agency = await directory_admin.create_agency(
                info.context.principal, code=input.code, name=input.name, name_en=input.name_en
            )
        except DomainError as exc:
            return AgencyPayload(errors=user_errors(exc))
        return AgencyPayload(agency=Agency.from_row(directory_queries.agency_row(agency)))

    @strawberry.mutation(description="City admin: load an area's outline; reports inside route to it")
    async def set_area_outline(
        self, info: Info, input: Annotated[SetAreaOutlineInput, strawberry.argument(description=INPUT_HELP)]
    ) -> AreaPayload:
        try:
            area = await directory_admin.set_area_outline(
                info.context.principal,
                from_global_id(input.id, "Area"),
                input.geojson,
                info.context.service_area.bounds,
            )
        except DomainError as exc:
            return AreaPayload(errors=user_errors(exc))
        return AreaPayload(area=Area.from_row(directory_queries.area_row(area)))
