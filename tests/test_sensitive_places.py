"""Sensitive places (issue 11, items 1-3): sensitivity comes from the category now, never from the
shape of the coordinates; changing it re-places the reports; areas say no more than the rounded point."""

from __future__ import annotations

from typing import Any

import pytest

from models import Area, AreaLevel, Category, ReportEvent, Role
from realtime.outbox import on_commit
from schema.ids import to_global_id
from tests.conftest import Database
from tests.graphql import FILE_REPORT, file_report, filing, gql, staff
from tests.test_area_routing import square

ON_THE_GRID = {
    "ORANG_HILANG": {"lat": -10.17, "lon": 123.61},
    "PENGEMIS": {"lat": -10.2, "lon": 123.6},
}
PATHS = {
    "code": "query($code: String) { report(code: $code) { location { lat lon } address } }",
    "id": "query($id: ID) { report(id: $id) { location { lat lon } address } }",
    "node": "query($id: ID!) { node(id: $id) { ... on Report { location { lat lon } address } } }",
    "edge": "{ reports(first: 5) { edges { node { location { lat lon } address } } } }",
}


def _places(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        if "address" in data:
            return [data]
        return [place for value in data.values() for place in _places(value)]
    if isinstance(data, list):
        return [place for item in data for place in _places(item)]
    return []


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("category", list(ON_THE_GRID))
async def test_a_sensitive_address_stays_hidden_when_the_point_lies_on_the_grid(
    db: Database, category: str, path: str
) -> None:
    point = ON_THE_GRID[category]
    form = filing(categoryCode=category, location=point, address="Rumah no. 7")
    filed = (await gql(FILE_REPORT, {"input": form}))["fileReport"]["report"]
    dinsos = await staff(Role.OFFICER, "DINSOS", "Officer Dinsos")
    query = PATHS[path]
    variables = {name: filed[name] for name in ("code", "id") if f"${name}" in query}

    public = _places(await gql(query, variables))
    agency = _places(await gql(query, variables, principal=dinsos))

    assert public == [{"location": point, "address": None}]
    assert agency == [{"location": point, "address": "Rumah no. 7"}]


UPDATE_CATEGORY = """mutation($i: UpdateCategoryInput!) { updateCategory(input: $i) {
  category { isSensitive } errors { code } } }"""
SEEN = """query($id: ID!, $f: ReportFilter) {
  report(id: $id) { location { lat lon } address area { code } timeline { id kind data } }
  reports(first: 5, filter: $f) { totalCount } }"""
HOUSE = {"lat": -10.16371, "lon": 123.60489}


async def _set_sensitive(code: str, sensitive: bool) -> list[int]:
    """The admin's change, and the ids of the events it announced after commit."""
    admin = await staff(Role.CITY_ADMIN, None, f"Admin {code} {sensitive}")
    category = await Category.get(code=code)
    announced: list[int] = []
    with on_commit(announced.append):
        data = await gql(
            UPDATE_CATEGORY,
            {"i": {"id": to_global_id("Category", category.id), "isSensitive": sensitive}},
            principal=admin,
        )
    assert data["updateCategory"] == {"category": {"isSensitive": sensitive}, "errors": []}
    return announced


async def _seen_by_the_public(report_id: str, near: dict[str, float]) -> dict[str, Any]:
    data = await gql(SEEN, {"id": report_id, "f": {"near": {**near, "radiusMeters": 3}}})
    return {**data["report"], "found": data["reports"]["totalCount"]}


async def test_a_category_made_sensitive_hides_its_reports_places_at_once(db: Database) -> None:
    report = await file_report(location=HOUSE, address="Rumah no. 7")
    assert (await _seen_by_the_public(report["id"], HOUSE))["found"] == 1

    announced = await _set_sensitive("SAMPAH", True)
    public = await _seen_by_the_public(report["id"], HOUSE)

    assert public["location"] == {"lat": -10.16, "lon": 123.6}
    assert public["address"] is None
    assert public["found"] == 0, "a 3 m circle around the house still finds the report"
    assert (await _seen_by_the_public(report["id"], {"lat": -10.16, "lon": 123.6}))["found"] == 1
    changed = [(e["kind"], e["data"]) for e in public["timeline"] if e["kind"] == "PLACE_CHANGED"]
    assert changed == [("PLACE_CHANGED", {"isSensitive": True})]
    events = await ReportEvent.filter(id__in=announced).values_list("kind", flat=True)
    assert list(events) == ["PLACE_CHANGED"]


async def test_a_category_no_longer_sensitive_shows_its_reports_places_again(db: Database) -> None:
    report = await file_report(categoryCode="PENGEMIS", location=HOUSE, address="Pasar Oebobo")
    assert (await _seen_by_the_public(report["id"], HOUSE))["found"] == 0

    announced = await _set_sensitive("PENGEMIS", False)
    public = await _seen_by_the_public(report["id"], HOUSE)

    assert public["location"] == HOUSE
    assert public["address"] == "Pasar Oebobo"
    assert public["found"] == 1
    assert len(announced) == 1


async def _kelurahan_around_the_house() -> None:
    """Fontein: a kelurahan of 400 m around the house, inside Oebobo; the rounded point is outside it."""
    oebobo = await Area.get(code="53.71.04")
    oebobo.polygon = square(-10.17, 123.61, 0.03)
    await oebobo.save()
    fontein = square(HOUSE["lat"], HOUSE["lon"], 0.002)
    await Area.create(
        code="FONTEIN", name="Fontein", level=AreaLevel.KELURAHAN, parent=oebobo, polygon=fontein
    )


async def test_a_sensitive_report_is_placed_in_the_area_of_its_rounded_point(db: Database) -> None:
    await _kelurahan_around_the_house()
    dinsos = await staff(Role.OFFICER, "DINSOS", "Officer Dinsos")

    report = await file_report(categoryCode="ORANG_HILANG", location=HOUSE)
    fontein = await Area.get(code="FONTEIN")
    in_fontein = {"areaIds": [to_global_id("Area", fontein.id)]}
    public = await gql(SEEN, {"id": report["id"], "f": in_fontein})
    agency = await gql(SEEN, {"id": report["id"], "f": in_fontein}, principal=dinsos)

    assert report["area"] == {"code": "53.71.04"}
    for seen in (public, agency):
        assert seen["report"]["area"] == {"code": "53.71.04"}
        assert seen["reports"]["totalCount"] == 0


async def test_a_category_made_sensitive_moves_its_reports_to_the_area_of_the_rounded_point(
    db: Database,
) -> None:
    await _kelurahan_around_the_house()
    report = await file_report(location=HOUSE)
    fontein = await Area.get(code="FONTEIN")
    assert report["area"] == {"code": "FONTEIN"}

    await _set_sensitive("SAMPAH", True)
    public = await gql(SEEN, {"id": report["id"], "f": {"areaIds": [to_global_id("Area", fontein.id)]}})

    assert public["report"]["area"] == {"code": "53.71.04"}
    assert public["reports"]["totalCount"] == 0
    filed = next(e for e in public["report"]["timeline"] if e["kind"] == "FILED")
    assert "areaId" not in filed["data"], "the filing event still names the kelurahan of the house"
    node = "query($id: ID!) { node(id: $id) { ... on ReportEvent { data } } }"
    assert "areaId" not in (await gql(node, {"id": filed["id"]}))["node"]["data"]
    dlh = await staff(Role.OFFICER, "DLH", "Officer DLH")
    assert (await gql(node, {"id": filed["id"]}, principal=dlh))["node"]["data"]["areaId"] == fontein.id

    await _set_sensitive("SAMPAH", False)
    assert (await gql(SEEN, {"id": report["id"]}))["report"]["area"] == {"code": "FONTEIN"}


async def test_events_as_of_a_place_found_before_the_category_became_sensitive_hide_their_area(
    db: Database,
) -> None:
    await _kelurahan_around_the_house()
    report = await file_report(location=HOUSE)
    as_of = """query($id: ID!) { report(id: $id) { timeline { kind after { area { code } } } } }"""
    assert (await gql(as_of, {"id": report["id"]}))["report"]["timeline"][0]["after"]["area"] == {
        "code": "FONTEIN"
    }

    await _set_sensitive("SAMPAH", True)
    public = (await gql(as_of, {"id": report["id"]}))["report"]["timeline"]
    dlh = await staff(Role.OFFICER, "DLH", "Officer DLH")
    agency = (await gql(as_of, {"id": report["id"]}, principal=dlh))["report"]["timeline"]

    assert [event["after"]["area"] for event in public] == [None, None]
    assert [event["after"]["area"] for event in agency] == [{"code": "FONTEIN"}, {"code": "53.71.04"}]
