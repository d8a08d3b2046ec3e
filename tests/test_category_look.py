"""Categories a city needs: how apps show each one (description, help, icon, colour, order), edited
by the city admin, and the everyday categories Kupang's launch list lacked, routed to their agency."""

from __future__ import annotations

import re
from typing import Any

import pytest

from models import Category, Role
from schema.ids import to_global_id
from tests.conftest import Database
from tests.graphql import file_report, gql, staff

LOOK = "description descriptionEn helpText helpTextEn icon color sortOrder"
UPDATE = f"""mutation($i: UpdateCategoryInput!) {{ updateCategory(input: $i) {{
  category {{ code {LOOK} }} errors {{ code field message }} }} }}"""


async def test_every_seeded_category_has_its_look(db: Database) -> None:
    categories = (await gql(f"{{ categories {{ code isEmergency {LOOK} }} }}"))["categories"]

    for category in categories:
        assert category["description"], category["code"]
        assert category["descriptionEn"], category["code"]
        assert category["helpText"], category["code"]
        assert category["helpTextEn"], category["code"]
        assert re.fullmatch(r"[a-z0-9_]+", category["icon"]), category["code"]
        assert re.fullmatch(r"#[0-9A-F]{6}", category["color"]), category["code"]
    orders = [c["sortOrder"] for c in categories]
    assert orders == sorted(orders)  # listed as apps show them
    assert len(set(orders)) == len(orders)
    assert [c["isEmergency"] for c in categories[:2]] == [True, True]  # emergencies first


@pytest.mark.parametrize(
    ("code", "agency"),
    [
        ("JALAN_RUSAK", "PUPR"),
        ("BANJIR_DRAINASE", "PUPR"),
        ("AIR_BERSIH", "PUPR"),
        ("POHON_TUMBANG", "DLH"),
        ("PJU_MATI", "DISHUB"),
    ],
)
async def test_the_everyday_categories_are_filed_to_their_agency(
    db: Database, code: str, agency: str
) -> None:
    report = await file_report(categoryCode=code)

    assert report["category"]["code"] == code
    assert report["agency"]["code"] == agency


async def _id(code: str) -> str:
    return to_global_id("Category", (await Category.get(code=code)).id)


async def test_the_city_admin_edits_the_look(db: Database) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    change = {
        "description": "Sampah rumah tangga atau liar",
        "descriptionEn": "Household or dumped trash",
        "helpText": "Foto tumpukannya",
        "helpTextEn": "Photograph the pile",
        "icon": "recycling",
        "color": "#00aa55",
        "sortOrder": -5,
    }

    data = await gql(UPDATE, {"i": {"id": await _id("SAMPAH"), **change}}, principal=admin)
    listed = (await gql("{ categories { code } }"))["categories"]

    assert data["updateCategory"]["errors"] == []
    assert data["updateCategory"]["category"] == {"code": "SAMPAH", **change, "color": "#00AA55"}
    assert listed[0]["code"] == "SAMPAH"  # first by its new order


async def test_empty_text_clears_and_absent_fields_stay(db: Database) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    before = (await gql(f"{{ categories {{ code {LOOK} }} }}"))["categories"]
    sampah = next(c for c in before if c["code"] == "SAMPAH")

    data = await gql(UPDATE, {"i": {"id": await _id("SAMPAH"), "helpText": "", "icon": ""}}, principal=admin)

    assert data["updateCategory"]["category"] == {**sampah, "helpText": None, "icon": None}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"icon": "Trash Can"}, "icon"),
        ({"icon": "x" * 65}, "icon"),
        ({"color": "green"}, "color"),
        ({"color": "#12345"}, "color"),
        ({"sortOrder": 10**7}, "sortOrder"),
        ({"description": "d" * 501}, "description"),
        ({"helpTextEn": "bad \x07 text"}, "helpTextEn"),
    ],
)
async def test_a_bad_look_changes_nothing(db: Database, change: dict[str, Any], field: str) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    before = await Category.all().order_by("id").values()

    data = await gql(UPDATE, {"i": {"id": await _id("SAMPAH"), "name": "Sampah!", **change}}, principal=admin)

    assert [e["field"] for e in data["updateCategory"]["errors"]] == [field]
    assert data["updateCategory"]["errors"][0]["code"] in {"INVALID_INPUT", "TOO_LONG"}
    assert not re.search(
        r"\b(icon|color|sortOrder|description|helpTextEn)\b", data["updateCategory"]["errors"][0]["message"]
    )
    assert await Category.all().order_by("id").values() == before


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OFFICER, Role.AGENCY_ADMIN, Role.DISPATCHER])
async def test_only_the_city_admin_edits_the_look(db: Database, role: Role) -> None:
    someone = await staff(role, "DLH" if role in {Role.OFFICER, Role.AGENCY_ADMIN} else None, "Orang")
    before = await Category.all().order_by("id").values()

    data = await gql(UPDATE, {"i": {"id": await _id("SAMPAH"), "icon": "delete_forever"}}, principal=someone)

    assert [e["code"] for e in data["updateCategory"]["errors"]] == ["FORBIDDEN"]
    assert await Category.all().order_by("id").values() == before


async def test_seeding_gives_the_launch_categories_their_look_once(db: Database) -> None:
    from models.seed import load_seed

    bare = {"description": None, "description_en": None, "help_text": None, "help_text_en": None}
    await Category.filter(code__in=["SAMPAH", "PENGEMIS"]).update(**bare, icon=None, color=None, sort_order=0)
    await Category.filter(code="PENGEMIS").update(icon="accessibility")  # the admin's, partly set

    await load_seed()

    sampah, pengemis = await Category.get(code="SAMPAH"), await Category.get(code="PENGEMIS")
    assert (sampah.icon, sampah.sort_order, sampah.description is not None) == ("delete", 30, True)
    assert (pengemis.icon, pengemis.sort_order, pengemis.description) == ("accessibility", 0, None)
