"""The launch directory: seeding is idempotent and respects the city admin's changes."""

from __future__ import annotations

from models import Agency, Area, Category
from models.kupang_areas import KECAMATAN, KELURAHAN
from models.seed import AGENCIES, CATEGORIES, load_seed
from tests.conftest import Database
from tests.graphql import gql


async def test_seed_holds_kupangs_launch_directory(db: Database) -> None:
    data = await gql(
        "{ agencies { code nameEn } categories { code name agency { code } } areas { name level } }"
    )

    assert {a["code"] for a in data["agencies"]} == {
        "DLH",
        "PUPR",
        "DISHUB",
        "DINSOS",
        "SATPOLPP",
        "DINKES",
        "DAMKAR",
    }
    routing = {c["name"]: c["agency"]["code"] for c in data["categories"]}
    assert routing["Sampah"] == "DLH"
    assert routing["Orang hilang"] == "DINSOS"
    assert routing["Kebakaran"] == "DAMKAR"
    assert routing["Iklan liar"] == "SATPOLPP"
    assert routing["Pelanggaran bangunan"] == "PUPR"
    assert routing["Permintaan fogging DBD"] == "DINKES"
    assert len(routing) == len(CATEGORIES) == 18  # the 13 of the launch and 5 everyday ones
    levels = [a["level"] for a in data["areas"]]
    counts = (levels.count("KECAMATAN"), levels.count("KELURAHAN"))
    assert counts == (len(KECAMATAN), len(KELURAHAN)) == (6, 51)


async def test_seeding_twice_creates_nothing_new(db: Database) -> None:
    again = await load_seed()

    assert again == {"agencies": 0, "categories": 0, "areas": 0}
    assert await Agency.all().count() == len(AGENCIES)
    assert await Category.all().count() == len(CATEGORIES)
    assert await Area.all().count() == len(KECAMATAN) + len(KELURAHAN)


async def test_seeding_keeps_the_admins_routing(db: Database) -> None:
    satpol = await Agency.get(code="SATPOLPP")
    await Category.filter(code="PENGEMIS").update(agency_id=satpol.id, resolution_hours=12)

    await load_seed()

    pengemis = await Category.get(code="PENGEMIS")
    assert (pengemis.agency_id, pengemis.resolution_hours) == (satpol.id, 12)


async def test_inactive_categories_are_listed_only_on_request(db: Database) -> None:
    await Category.filter(code="PENGEMIS").update(is_active=False)

    active = await gql("{ categories { code } }")
    everything = await gql("{ categories(includeInactive: true) { code isActive } }")

    assert "PENGEMIS" not in {c["code"] for c in active["categories"]}
    assert {"code": "PENGEMIS", "isActive": False} in everything["categories"]
