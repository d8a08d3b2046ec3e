"""SQL text built once per page shape (resolvers/report_page_sql.py) never drops a condition: every
filter condition that a shape cannot carry sends the page to the query builder."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from models import IntakeChannel
from resolvers.geo import BoundingBox, Circle
from resolvers.my_reports import RelatedTo, ReportRelation
from resolvers.report_page_sql import PLAIN_FIELDS, plain_conditions
from resolvers.report_queries import ReportFilter

# A value of each condition that a shape does not carry; a new ReportFilter field must be added
# here (or to PLAIN_FIELDS, with its SQL), or this test fails.
NOT_PLAIN = {
    "area_ids": [1],
    "created_after": datetime(2026, 11, 1, tzinfo=UTC),
    "created_before": datetime(2026, 11, 1, tzinfo=UTC),
    "bounding_box": BoundingBox(-10.2, 123.5, -10.1, 123.7),
    "near": Circle(-10.17, 123.6, 500),
    "text": "sampah",
    "overdue": False,
    "channels": [IntakeChannel.PHONE],
    "related_to": RelatedTo(1, ReportRelation.FOLLOWED),
}


def test_every_condition_is_either_a_shape_or_sent_to_the_query_builder() -> None:
    assert {f.name for f in fields(ReportFilter)} == PLAIN_FIELDS | set(NOT_PLAIN)


@pytest.mark.parametrize("condition", list(NOT_PLAIN))
def test_a_condition_no_shape_carries_is_not_plain(condition: str) -> None:
    assert plain_conditions(ReportFilter(**{condition: NOT_PLAIN[condition]})) is False  # type: ignore[arg-type]


def test_plain_conditions_and_blank_text_have_a_shape() -> None:
    assert plain_conditions(ReportFilter(category_ids=[1], unassigned=True, text="  ")) is True
