"""Filing a report: routing, service levels, the FILED event, and every refusal writing nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from models import Report, ReportEvent
from resolvers.geo import BoundingBox
from resolvers.service_area import ServiceArea
from tests.conftest import Database
from tests.graphql import FILE_REPORT, file_report, filing, gql


async def test_filed_report_is_routed_to_its_categorys_agency(db: Database) -> None:
    report = await file_report(categoryCode="PARKIR_LIAR")

    assert report["status"] == "SUBMITTED"
    assert report["publicGroup"] == "WAITING"
    assert report["category"]["code"] == "PARKIR_LIAR"
    assert report["agency"]["code"] == "DISHUB"
    assert report["location"] == {"lat": -10.17, "lon": 123.607}
    assert report["address"] == "Jl. El Tari, Oebobo"


async def test_due_times_follow_the_category_targets(db: Database) -> None:
    report = await file_report(categoryCode="KEBAKARAN")  # fire: 5 minutes to respond, 2 hours to resolve

    created = datetime.fromisoformat(report["createdAt"])
    assert datetime.fromisoformat(report["acknowledgeDueAt"]) - created == timedelta(minutes=5)
    assert datetime.fromisoformat(report["dueAt"]) - created == timedelta(hours=2)
    assert report["agency"]["code"] == "DAMKAR"


async def test_filing_writes_the_filed_event_in_the_timeline(db: Database) -> None:
    report = await file_report()

    data = await gql(
        "query($id: ID!) { report(id: $id) { timeline { kind toStatus fromStatus cursor } } }",
        {"id": report["id"]},
    )
    timeline = data["report"]["timeline"]
    assert [(e["kind"], e["fromStatus"], e["toStatus"]) for e in timeline] == [("FILED", None, "SUBMITTED")]
    assert await ReportEvent.all().count() == 1


async def test_public_code_finds_the_report_however_it_is_typed(db: Database) -> None:
    report = await file_report()
    typed = report["code"].lower().replace("-", " ")

    data = await gql("query($code: String!) { report(code: $code) { id } }", {"code": typed})

    assert data["report"]["id"] == report["id"]


async def test_category_can_be_given_by_id(db: Database) -> None:
    categories = (await gql("{ categories { id code } }"))["categories"]
    fogging = next(c for c in categories if c["code"] == "FOGGING_DBD")

    report = await file_report(categoryCode=None, categoryId=fogging["id"])

    assert report["agency"]["code"] == "DINKES"


async def _refused(db: Database, variables: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    """File, expect typed errors and an unchanged database; return the errors."""
    before = (await Report.all().count(), await ReportEvent.all().count())
    data = await gql(FILE_REPORT, {"input": variables}, **kwargs)
    payload = data["fileReport"]
    assert payload["report"] is None
    assert payload["errors"], "the filing should have been refused"
    assert (await Report.all().count(), await ReportEvent.all().count()) == before
    return payload["errors"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"categoryCode": "NO_SUCH_THING"}, "UNKNOWN_CATEGORY", "category"),
        ({"categoryCode": None}, "REQUIRED", "category"),
        ({"categoryCode": None, "categoryId": "Q2F0ZWdvcnk6OTk5OQ=="}, "UNKNOWN_CATEGORY", "category"),
        ({"categoryCode": None, "categoryId": "QWdlbmN5OjE="}, "INVALID_ID", "categoryId"),  # an Agency's ID
        ({"categoryCode": None, "categoryId": "not an id"}, "INVALID_ID", "categoryId"),
        ({"location": {"lat": 91, "lon": 123.6}}, "INVALID_COORDINATES", "location"),
        ({"location": {"lat": -10.17, "lon": -181}}, "INVALID_COORDINATES", "location"),
        ({"location": {"lat": -6.2, "lon": 106.8}}, "OUTSIDE_SERVICE_AREA", "location"),  # Jakarta
        ({"title": "   "}, "REQUIRED", "title"),
        ({"title": "x" * 201}, "TOO_LONG", "title"),
        ({"description": ""}, "REQUIRED", "description"),
        ({"description": "x" * 4001}, "TOO_LONG", "description"),
        ({"description": "bell \x07 character"}, "INVALID_INPUT", "description"),  # NUL: test_coded_refusals
        ({"address": "a" * 501}, "TOO_LONG", "address"),
    ],
)
async def test_bad_filing_gets_a_typed_error_and_writes_nothing(
    db: Database, overrides: dict[str, Any], code: str, field: str
) -> None:
    errors = await _refused(db, filing(**overrides))

    assert [(e["code"], e["field"]) for e in errors] == [(code, field)]
    assert errors[0]["message"]
    assert errors[0]["messageEn"]


async def test_every_problem_is_reported_at_once(db: Database) -> None:
    errors = await _refused(
        db, filing(title="", description="", categoryCode="NOPE", location={"lat": 0, "lon": 0})
    )

    assert {(e["code"], e["field"]) for e in errors} == {
        ("REQUIRED", "title"),
        ("REQUIRED", "description"),
        ("OUTSIDE_SERVICE_AREA", "location"),
        ("UNKNOWN_CATEGORY", "category"),
    }


async def test_description_of_exactly_4000_characters_is_accepted(db: Database) -> None:
    report = await file_report(description="d" * 4000)

    assert (await Report.get(id=1)).description == "d" * 4000
    assert report["status"] == "SUBMITTED"


async def test_service_area_is_configurable(db: Database) -> None:
    jakarta = ServiceArea(BoundingBox(-6.4, 106.6, -6.0, 107.0))

    data = await gql(
        FILE_REPORT, {"input": filing(location={"lat": -6.2, "lon": 106.8})}, service_area=jakarta
    )

    assert data["fileReport"]["errors"] == []
    await _refused(db, filing(), service_area=jakarta)  # Kupang is outside Jakarta's area


async def test_inactive_category_refuses_new_reports(db: Database) -> None:
    from models import Category

    await Category.filter(code="PENGEMIS").update(is_active=False)

    errors = await _refused(db, filing(categoryCode="PENGEMIS"))

    assert errors[0]["code"] == "INACTIVE_CATEGORY"
