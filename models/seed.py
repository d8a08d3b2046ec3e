"""Kupang's directory: seven agencies, the categories named at launch and five everyday ones, the six
kecamatan and 51 kelurahan with their official codes (models/kupang_areas.py).

Loading is idempotent and never overwrites what the city admin has changed since.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tortoise.transactions import in_transaction

from models.directory import Agency, Category
from models.kupang_areas import load_areas

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
class CategoryLook:
    """What a citizen app shows for a category: Indonesian first, English beside it."""

    description: str
    description_en: str
    help_text: str
    help_text_en: str
    icon: str  # a Material Symbols name (fonts.google.com/icons), drawn by the apps
    color: str  # #RRGGBB
    sort_order: int


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    name_en: str
    agency: str
    response_hours: float
    resolution_hours: float
    look: CategoryLook
    is_emergency: bool = False
    is_sensitive: bool = False  # exact location only for the reporter and the agency
    # Proof of the fix (as Qlue asks) where a photo can show it; not for passing events (a jam,
    # a parked car, a fire put out) nor for people (beggars, missing persons).
    requires_after_photo: bool = True


L = CategoryLook
PHOTO_ID = "Foto jelas membantu petugas menemukan dan menilai masalahnya."
PHOTO_EN = "A clear photo helps staff find and judge the problem."

# Targets follow Jakarta's CRM (follow-up within 24 h, done within 7 days) for ordinary
# problems; fires and missing persons are emergencies measured in minutes. The list's order is the
# order of their ids (kept as launched); `sort_order` is the order apps show. The last five are the
# everyday problems citizens of Indonesian cities report most (Qlue, LAPOR!, Jakarta's CRM) that the
# launch list lacked; their routing is explained in the README (Citizens and staff).
CATEGORIES: list[CategorySeed] = [
    CategorySeed(
        "SAMPAH",
        "Sampah",
        "Trash",
        "DLH",
        24,
        72,
        L(
            "Sampah menumpuk, tidak diangkut, atau dibuang sembarangan.",
            "Trash piling up, not collected, or dumped.",
            PHOTO_ID,
            PHOTO_EN,
            "delete",
            "#2E7D32",
            30,
        ),
    ),
    CategorySeed(
        "LAMPU_RAMBU",
        "Lampu & rambu lalu lintas rusak",
        "Broken traffic lights and signs",
        "DISHUB",
        24,
        168,
        L(
            "Lampu lalu lintas mati atau rambu rusak, hilang atau tertutup.",
            "Traffic lights out, or signs broken, missing or hidden.",
            PHOTO_ID,
            PHOTO_EN,
            "traffic",
            "#EF6C00",
            90,
        ),
    ),
    CategorySeed(
        "KEMACETAN",
        "Kemacetan",
        "Congestion",
        "DISHUB",
        1,
        4,
        L(
            "Lalu lintas macet yang tidak biasa.",
            "Unusual traffic jams.",
            "Sebutkan arah dan penyebabnya bila terlihat.",
            "Give the direction and the cause if you can see it.",
            "traffic_jam",
            "#F57C00",
            100,
        ),
        requires_after_photo=False,
    ),
    CategorySeed(
        "PELANGGARAN_LALIN",
        "Pelanggaran lalu lintas",
        "Traffic violation",
        "DISHUB",
        2,
        24,
        L(
            "Kendaraan melawan arus, menerobos lampu merah, atau ugal-ugalan.",
            "Vehicles driving against traffic, running red lights, or driving recklessly.",
            PHOTO_ID,
            PHOTO_EN,
            "gavel",
            "#E64A19",
            110,
        ),
        requires_after_photo=False,
    ),
    CategorySeed(
        "PARKIR_LIAR",
        "Parkir liar",
        "Illegal parking",
        "DISHUB",
        4,
        24,
        L(
            "Kendaraan parkir di trotoar, bahu jalan atau tempat terlarang.",
            "Vehicles parked on pavements, road shoulders or where it is forbidden.",
            PHOTO_ID,
            PHOTO_EN,
            "local_parking",
            "#FF8F00",
            120,
        ),
        requires_after_photo=False,
    ),
    CategorySeed(
        "PENGEMIS",
        "Pengemis",
        "Beggars",
        "DINSOS",
        24,
        72,
        L(
            "Pengemis, anak jalanan atau orang terlantar yang butuh bantuan.",
            "Beggars, street children or neglected people in need of help.",
            "Tidak perlu memotret wajah. Lokasi persis hanya dilihat petugas.",
            "No need to photograph faces. Only staff see the exact place.",
            "volunteer_activism",
            "#8E24AA",
            180,
        ),
        is_sensitive=True,
        requires_after_photo=False,
    ),
    CategorySeed(
        "FASILITAS_ANAK",
        "Fasilitas anak",
        "Children's facilities",
        "DINSOS",
        24,
        168,
        L(
            "Taman bermain atau fasilitas anak yang rusak atau berbahaya.",
            "Playgrounds or children's facilities that are broken or dangerous.",
            PHOTO_ID,
            PHOTO_EN,
            "child_care",
            "#00ACC1",
            170,
        ),
    ),
    CategorySeed(
        "ORANG_HILANG",
        "Orang hilang",
        "Missing person",
        "DINSOS",
        0.25,
        72,
        L(
            "Anggota keluarga atau kenalan yang tidak diketahui keberadaannya.",
            "A relative or acquaintance whose whereabouts are unknown.",
            "Sebutkan nama, umur, ciri-ciri, pakaian terakhir dan tempat terakhir terlihat. "
            "Lokasi persis hanya dilihat petugas.",
            "Give name, age, appearance, last clothes and where last seen. Only staff see the exact place.",
            "person_search",
            "#C2185B",
            20,
        ),
        is_emergency=True,
        is_sensitive=True,
        requires_after_photo=False,
    ),
    CategorySeed(
        "PKL_LIAR",
        "PKL liar",
        "Illegal street vendors",
        "SATPOLPP",
        24,
        72,
        L(
            "Pedagang kaki lima di trotoar atau tempat terlarang.",
            "Street vendors on pavements or forbidden places.",
            PHOTO_ID,
            PHOTO_EN,
            "storefront",
            "#5D4037",
            130,
        ),
    ),
    CategorySeed(
        "PELANGGARAN_BANGUNAN",
        "Pelanggaran bangunan",
        "Building violation",
        "PUPR",
        72,
        336,
        L(
            "Bangunan tanpa izin atau di atas saluran dan sempadan.",
            "Buildings without a permit or over drains and setbacks.",
            PHOTO_ID,
            PHOTO_EN,
            "domain",
            "#455A64",
            150,
        ),
    ),
    CategorySeed(
        "IKLAN_LIAR",
        "Iklan liar",
        "Illegal advertising",
        "SATPOLPP",
        24,
        168,
        L(
            "Spanduk, baliho atau poster tanpa izin.",
            "Banners, billboards or posters without a permit.",
            PHOTO_ID,
            PHOTO_EN,
            "campaign",
            "#7B1FA2",
            140,
        ),
    ),
    CategorySeed(
        "FOGGING_DBD",
        "Permintaan fogging DBD",
        "Dengue fogging request",
        "DINKES",
        24,
        72,
        L(
            "Permintaan pengasapan karena kasus demam berdarah di sekitar.",
            "A request for fogging because of dengue cases nearby.",
            "Sebutkan jumlah kasus DBD di lingkungan Anda bila diketahui.",
            "Say how many dengue cases there are around you, if you know.",
            "pest_control",
            "#00897B",
            160,
        ),
    ),
    CategorySeed(
        "KEBAKARAN",
        "Kebakaran",
        "Fire",
        "DAMKAR",
        5 / 60,
        2,
        L(
            "Api atau asap dari bangunan, lahan atau kendaraan.",
            "Fire or smoke from a building, land or vehicle.",
            "Keadaan darurat: hubungi juga 113. Jauhi api; laporkan alamat dan apa yang terbakar.",
            "An emergency: call 113 too. Keep away; give the address and what is burning.",
            "local_fire_department",
            "#D32F2F",
            10,
        ),
        is_emergency=True,
        requires_after_photo=False,
    ),
    CategorySeed(
        "JALAN_RUSAK",
        "Jalan rusak",
        "Road damage",
        "PUPR",
        24,
        168,
        L(
            "Jalan berlubang, retak, amblas atau aspal terkelupas.",
            "Potholes, cracks, subsidence or broken asphalt.",
            "Foto lubangnya dengan benda pembanding (sandal, botol) agar ukurannya terlihat.",
            "Photograph the hole next to something for scale (a sandal, a bottle).",
            "edit_road",
            "#6D4C41",
            40,
        ),
    ),
    CategorySeed(
        "BANJIR_DRAINASE",
        "Banjir & saluran air",
        "Flooding and drainage",
        "PUPR",
        2,
        72,
        L(
            "Genangan, banjir, atau selokan dan gorong-gorong tersumbat.",
            "Standing water, floods, or blocked gutters and culverts.",
            "Sebutkan perkiraan tinggi air dan apakah jalan masih bisa dilalui.",
            "Say roughly how deep the water is and whether the road is still passable.",
            "flood",
            "#1565C0",
            50,
        ),
    ),
    CategorySeed(
        "AIR_BERSIH",
        "Air bersih",
        "Clean water",
        "PUPR",
        24,
        72,
        L(
            "Air bersih tidak mengalir, keruh, atau pipa bocor di jalan.",
            "No running water, dirty water, or a leaking pipe in the street.",
            "Sebutkan sejak kapan dan apakah tetangga juga mengalaminya.",
            "Say since when, and whether neighbours have it too.",
            "water_drop",
            "#0288D1",
            60,
        ),
    ),
    CategorySeed(
        "POHON_TUMBANG",
        "Pohon tumbang",
        "Fallen tree",
        "DLH",
        2,
        24,
        L(
            "Pohon atau dahan tumbang, atau pohon yang hampir roboh.",
            "A fallen tree or branch, or one about to fall.",
            "Sebutkan apakah jalan tertutup atau kabel listrik ikut tertimpa; jangan mendekat.",
            "Say whether the road is blocked or power lines are hit; keep away.",
            "nature",
            "#558B2F",
            70,
        ),
    ),
    CategorySeed(
        "PJU_MATI",
        "Lampu jalan mati",
        "Street lights out",
        "DISHUB",
        24,
        72,
        L(
            "Lampu penerangan jalan umum (PJU) mati atau berkedip.",
            "Public street lights out or flickering.",
            "Sebutkan berapa tiang yang mati; nomor tiang membantu bila terlihat.",
            "Say how many poles are out; the pole number helps if you can see it.",
            "lightbulb",
            "#F9A825",
            80,
        ),
    ),
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
                    **asdict(seed.look),
                },
            )
            created["categories"] += was_created
            if was_created:
                continue  # made with its look just now
            # Seeded before categories had a look (migration 0011): give it Kupang's, once. A look
            # the admin set, even partly, is theirs and stays.
            await Category.filter(
                code=seed.code, description=None, description_en=None, help_text=None, help_text_en=None,
                icon=None, color=None, sort_order=0,
            ).update(**asdict(seed.look))  # fmt: skip
        created["areas"] = await load_areas()
    return created
