"""SQL text built once per page shape (resolvers/report_page_sql.py) never drops a condition: every
filter condition that a shape cannot carry sends the page to the query builder, and a shape finds
the same reports as the query builder does."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest

from models import IntakeChannel, Report
from models.reports import REPORT_COLUMNS
from resolvers import report_queries
from resolvers.geo import BoundingBox, Circle
from resolvers.my_reports import RelatedTo, ReportRelation
from resolvers.report_page_sql import PLAIN_FIELDS, plain_conditions, report_by
from resolvers.report_queries import ExactPlaces, ReportFilter, ReportOrder
from tests.conftest import Database
from tests.graphql import file_report

# A value of each condition that a shape does not carry; a new ReportFilter field must be added
# here (or to PLAIN_FIELDS, with its SQL), or this test fails.
NOT_PLAIN = {
    "area_ids": [1],
    "created_after": datetime(2026, 11, 1, tzinfo=UTC),
    "created_before": datetime(2026, 11, 1, tzinfo=UTC),
    "bounding_box": BoundingBox(-10.2, 123.5, -10.1, 123.7),
    "text": "sampah",
    "overdue": False,
    "channels": [IntakeChannel.PHONE],
    "related_to": RelatedTo(1, ReportRelation.FOLLOWED),
}


def test_every_condition_is_either_a_shape_or_sent_to_the_query_builder() -> None:
    assert {f.name for f in fields(ReportFilter)} == PLAIN_FIELDS | set(NOT_PLAIN) | {"near"}


def test_a_circle_has_a_shape_only_for_callers_who_search_public_places() -> None:
    circle = Circle(-10.17, 123.6, 500)
    assert plain_conditions(ReportFilter(near=circle)) is True
    for exact in (ExactPlaces(agency_id=1), ExactPlaces(reporter_id=1)):
        assert plain_conditions(ReportFilter(near=circle, exact_places=exact)) is False


async def test_circles_find_the_same_reports_with_the_shape_and_with_the_query_builder(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports at 0 to ~1.3 km from the centre, some of them in a sensitive category (whose public
    place is coarsened): every circle finds the same page either way, on both databases."""
    centre = (-10.1700, 123.6070)
    for step in range(8):
        place = {"lat": centre[0] + step * 0.0011, "lon": centre[1] + step * 0.0009}
        await file_report(location=place, categoryCode="PENGEMIS" if step % 3 == 0 else "SAMPAH")
    circles = [Circle(centre[0], centre[1], radius) for radius in (1, 150, 400, 900, 1500)]
    circles.append(Circle(centre[0] + 0.004, centre[1] + 0.003, 300))
    by_shape = [await _page_ids(ReportFilter(near=circle)) for circle in circles]

    async def built_by_the_query_builder(*_args: Any, **_kwargs: Any) -> None:
        return None

    monkeypatch.setattr(report_queries, "page_rows", built_by_the_query_builder)
    by_builder = [await _page_ids(ReportFilter(near=circle)) for circle in circles]
    assert by_shape == by_builder
    assert {len(ids) for ids in by_shape} != {0}, "the circles should find some reports"


async def test_lists_of_one_id_and_of_several_find_the_same_reports_either_way(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One id is written `= $n` and several `= ANY($n)` (report_page_sql.Shape): both find what the
    query builder finds."""
    filed = [
        await file_report(categoryCode=code) for code in ("SAMPAH", "PJU_MATI", "SAMPAH", "BANJIR_DRAINASE")
    ]
    reports = await Report.filter(code__in=[r["code"] for r in filed]).values("category_id", "agency_id")
    categories = sorted({r["category_id"] for r in reports})
    agencies = sorted({r["agency_id"] for r in reports})
    filters = [
        ReportFilter(category_ids=categories[:1]),
        ReportFilter(category_ids=categories),
        ReportFilter(agency_ids=agencies[:1]),
        ReportFilter(agency_ids=agencies, category_ids=categories[1:2]),
    ]
    by_shape = [await _page_ids(flt) for flt in filters]

    async def built_by_the_query_builder(*_args: Any, **_kwargs: Any) -> None:
        return None

    monkeypatch.setattr(report_queries, "page_rows", built_by_the_query_builder)
    assert by_shape == [await _page_ids(flt) for flt in filters]
    assert len(by_shape[1]) == 4 > len(by_shape[0]) > 0


async def _page_ids(flt: ReportFilter) -> list[int]:
    page = await report_queries.report_page(flt, first=20, after=None, order=ReportOrder.NEWEST)
    return [row["id"] for row in page.rows]


@pytest.mark.parametrize("condition", list(NOT_PLAIN))
def test_a_condition_no_shape_carries_is_not_plain(condition: str) -> None:
    assert plain_conditions(ReportFilter(**{condition: NOT_PLAIN[condition]})) is False  # type: ignore[arg-type]


def test_plain_conditions_and_blank_text_have_a_shape() -> None:
    assert plain_conditions(ReportFilter(category_ids=[1], unassigned=True, text="  ")) is True


def test_empty_lists_as_the_api_gives_them_are_no_condition() -> None:
    assert plain_conditions(ReportFilter(area_ids=[], channels=[], statuses=[])) is True


async def test_a_report_by_id_or_code_is_the_row_the_query_builder_reads(db: Database) -> None:
    filed = await file_report(categoryCode="PENGEMIS", contactName="Anonim")
    report = await Report.get(code=filed["code"])
    built = await Report.filter(id=report.id).first().values(*REPORT_COLUMNS)
    assert await report_queries.report_by_id(report.id) == built
    assert await report_queries.report_by_code(filed["code"].lower()) == built
    assert await report_queries.report_by_code("ZZZZ-ZZZZ") is None
    if db.backend == "postgres":  # where the SQL text is ours: the same values, of the same types
        found = await report_by("id", report.id)
        assert found is not None
        assert {k: type(v) for k, v in found[0].items()} == {k: type(v) for k, v in built.items()}
