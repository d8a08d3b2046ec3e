"""Kupang's launch directory: seven agencies, the categories named at launch, six kecamatan.

Loading is idempotent and never overwrites what the city admin has changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.directory import Agency, Area, Category
from models.enums import AreaLevel

AGENCIES: list[tuple[str, str, str]] = [
    ("DLH", "Dinas Lingkungan Hidup", "Environment Agency"),
    ("PUPR", "Dinas Pekerjaan Umum", "Public Works"),
    ("DISHUB", "Dinas Perhubungan", "Transportation Agency"),
    ("DINSOS", "Dinas Sosial", "Social Affairs Agency"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "Civil Service Police"),
    ("DINKES", "Dinas Kesehatan", "Health Agency"),
    ("DAMKAR", "Dinas Pemadam Kebakaran", "Fire Department"),
]


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    name_en: str
    agency: str
    response_hours: float
    resolution_hours: float
    is_emergency: bool = False
    is_sensitive: bool = False  # exact location only for the reporter and the agency
    # Proof of the fix (as Qlue asks) where a photo can show it; not for passing events (a jam,
    # a parked car, a fire put out) nor for people (beggars, missing persons).
    requires_after_photo: bool = True


# Targets follow Jakarta's CRM (follow-up within 24 h, done within 7 days) for ordinary
# problems; fires and missing persons are emergencies measured in minutes.
CATEGORIES: list[CategorySeed] = [
    CategorySeed("SAMPAH", "Sampah", "Trash", "DLH", 24, 72),
    CategorySeed(
        "LAMPU_RAMBU", "Lampu & rambu lalu lintas rusak", "Broken traffic lights and signs", "DISHUB", 24, 168
    ),
    CategorySeed("KEMACETAN", "Kemacetan", "Congestion", "DISHUB", 1, 4, requires_after_photo=False),
    CategorySeed(
        "PELANGGARAN_LALIN",
        "Pelanggaran lalu lintas",
        "Traffic violation",
        "DISHUB",
        2,
        24,
        requires_after_photo=False,
    ),
    CategorySeed(
        "PARKIR_LIAR", "Parkir liar", "Illegal parking", "DISHUB", 4, 24, requires_after_photo=False
    ),
    CategorySeed(
        "PENGEMIS", "Pengemis", "Beggars", "DINSOS", 24, 72, is_sensitive=True, requires_after_photo=False
    ),
    CategorySeed("FASILITAS_ANAK", "Fasilitas anak", "Children's facilities", "DINSOS", 24, 168),
    CategorySeed(
        "ORANG_HILANG",
        "Orang hilang",
        "Missing person",
        "DINSOS",
        0.25,
        72,
        is_emergency=True,
        is_sensitive=True,
        requires_after_photo=False,
    ),
    CategorySeed("PKL_LIAR", "PKL liar", "Illegal street vendors", "SATPOLPP", 24, 72),
    CategorySeed("PELANGGARAN_BANGUNAN", "Pelanggaran bangunan", "Building violation", "PUPR", 72, 336),
    CategorySeed("IKLAN_LIAR", "Iklan liar", "Illegal advertising", "SATPOLPP", 24, 168),
    CategorySeed("FOGGING_DBD", "Permintaan fogging DBD", "Dengue fogging request", "DINKES", 24, 72),
    CategorySeed(
        "KEBAKARAN", "Kebakaran", "Fire", "DAMKAR", 5 / 60, 2, is_emergency=True, requires_after_photo=False
    ),
]

KECAMATAN: list[tuple[str, str]] = [
    ("ALAK", "Alak"),
    ("KELAPA_LIMA", "Kelapa Lima"),
    ("KOTA_LAMA", "Kota Lama"),
    ("KOTA_RAJA", "Kota Raja"),
    ("MAULAFA", "Maulafa"),
    ("OEBOBO", "Oebobo"),
]


async def load_seed() -> dict[str, int]:
    """Create whatever of the launch directory is missing; return how many rows were created."""
    created = {"agencies": 0, "categories": 0, "areas": 0}
    async with in_transaction():
        agencies: dict[str, Agency] = {}
        for code, name, name_en in AGENCIES:
            agency, was_created = await Agency.get_or_create(
                code=code, defaults={"name": name, "name_en": name_en}
            )
            agencies[code] = agency
            created["agencies"] += was_created
        for seed in CATEGORIES:
            _, was_created = await Category.get_or_create(
                code=seed.code,
                defaults={
                    "name": seed.name,
                    "name_en": seed.name_en,
                    "agency": agencies[seed.agency],
                    "response_hours": seed.response_hours,
                    "resolution_hours": seed.resolution_hours,
                    "is_emergency": seed.is_emergency,
                    "is_sensitive": seed.is_sensitive,
                    "requires_after_photo": seed.requires_after_photo,
                },
            )
            created["categories"] += was_created
        for code, name in KECAMATAN:
            _, was_created = await Area.get_or_create(
                code=code, defaults={"name": name, "level": AreaLevel.KECAMATAN}
            )
            created["areas"] += was_created
    return created
