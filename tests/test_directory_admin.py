"""The city admin edits the directory; nobody else can, and bad edits change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from models import Agency, Category, Role
from schema.ids import to_global_id
from tests.conftest import Database
from tests.graphql import citizen, file_report, gql, staff

UPDATE = """mutation($i: UpdateCategoryInput!) { updateCategory(input: $i) {
  category { code agency { code } responseHours resolutionHours isActive isSensitive }
  errors { code field } } }"""
OUTLINE = """mutation($i: SetAreaOutlineInput!) { setAreaOutline(input: $i) {
  area { code hasOutline } errors { code field } } }"""
AGENCY = (
    """mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { code } errors { code } } }"""
)


async def _ids() -> tuple[str, str]:
    pengemis = await Category.get(code="PENGEMIS")
    satpol = await Agency.get(code="SATPOLPP")
    return to_global_id("Category", pengemis.id), to_global_id("Agency", satpol.id)


async def test_city_admin_reroutes_a_category_for_new_reports(db: Database) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    category_id, satpol_id = await _ids()
    before = await file_report(categoryCode="PENGEMIS")

    data = await gql(
        UPDATE, {"i": {"id": category_id, "agencyId": satpol_id, "resolutionHours": 48}}, principal=admin
    )

    assert data["updateCategory"]["category"]["agency"] == {"code": "SATPOLPP"}
    assert data["updateCategory"]["category"]["resolutionHours"] == 48
    assert (await file_report(categoryCode="PENGEMIS"))["agency"]["code"] == "SATPOLPP"
    assert before["agency"]["code"] == "DINSOS"  # filed earlier: unchanged


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"responseHours": 0}, "INVALID_INPUT"),
        ({"responseHours": 100, "resolutionHours": 10}, "INVALID_INPUT"),
        ({"agencyId": to_global_id("Agency", 999)}, "NOT_FOUND"),
        ({"name": ""}, "REQUIRED"),
    ],
)
async def test_bad_category_edit_changes_nothing(db: Database, change: dict[str, Any], code: str) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    category_id, _ = await _ids()
    before = await Category.all().order_by("id").values()

    data = await gql(UPDATE, {"i": {"id": category_id, **change}}, principal=admin)

    assert [e["code"] for e in data["updateCategory"]["errors"]] == [code]
    assert await Category.all().order_by("id").values() == before


@pytest.mark.parametrize("who", ["anonymous", "citizen", "officer", "agency admin", "dispatcher"])
async def test_only_the_city_admin_edits_the_directory(db: Database, who: str) -> None:
    principal = {
        "anonymous": None,
        "citizen": await citizen(),
        "officer": await staff(Role.OFFICER, "DINSOS", "Officer"),
        "agency admin": await staff(Role.AGENCY_ADMIN, "DINSOS", "Admin Dinsos"),
        "dispatcher": await staff(Role.DISPATCHER, "DINSOS", "Dispatcher"),
    }[who]
    category_id, satpol_id = await _ids()
    before = (await Category.all().order_by("id").values(), await Agency.all().count())

    edits = [
        (await gql(UPDATE, {"i": {"id": category_id, "agencyId": satpol_id}}, principal=principal))[
            "updateCategory"
        ],
        (
            await gql(
                AGENCY, {"i": {"code": "BPBD", "name": "BPBD", "nameEn": "Disaster"}}, principal=principal
            )
        )["createAgency"],
        (await gql(OUTLINE, {"i": {"id": to_global_id("Area", 1), "geojson": None}}, principal=principal))[
            "setAreaOutline"
        ],
    ]

    assert all(e["errors"][0]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"} for e in edits)
    assert (await Category.all().order_by("id").values(), await Agency.all().count()) == before


@pytest.mark.parametrize(
    "geojson",
    [
        "not json",
        json.dumps({"type": "Point", "coordinates": [123.6, -10.17]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),  # bow-tie
        json.dumps({"type": "Polygon", "coordinates": "nope"}),
        json.dumps([1, 2]),
    ],
)
async def test_bad_outlines_are_refused(db: Database, geojson: str) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")

    data = await gql(OUTLINE, {"i": {"id": to_global_id("Area", 1), "geojson": geojson}}, principal=admin)

    assert [(e["code"], e["field"]) for e in data["setAreaOutline"]["errors"]] == [
        ("INVALID_INPUT", "geojson")
    ]
    assert (await gql("{ areas { hasOutline } }"))["areas"][0]["hasOutline"] is False


async def test_an_outline_routes_new_reports(db: Database) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    ring = [[123.59, -10.18], [123.62, -10.18], [123.62, -10.16], [123.59, -10.16], [123.59, -10.18]]
    oebobo = (await gql("{ areas { id code } }"))["areas"]
    oebobo_id = next(a["id"] for a in oebobo if a["code"] == "53.71.04")

    data = await gql(
        OUTLINE,
        {"i": {"id": oebobo_id, "geojson": json.dumps({"type": "Polygon", "coordinates": [ring]})}},
        principal=admin,
    )

    assert data["setAreaOutline"]["area"] == {"code": "53.71.04", "hasOutline": True}
    assert (await file_report())["area"] == {"code": "53.71.04"}
