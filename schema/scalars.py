"""The door every datetime argument comes through: parsed once, refused without a timezone or
outside the years the service can compute with, and turned into UTC.

In UTC, every backend compares the same instants: SQLite compares datetimes as the text Tortoise
writes, so `2026-11-30T12:00:00+08:00` against stored `2026-11-30 04:30:00+00:00` would compare
digits of different clocks. Far dates (year 9999) would overflow the day arithmetic of the
statistics, and naive ones mean a different instant on every server.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dateutil.parser
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)  # exclusive


def utc_datetime(text: str) -> datetime:
    """The instant `text` (ISO 8601 with an offset) names, in UTC; ValueError otherwise."""
    moment = dateutil.parser.isoparse(text)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("give a timezone offset, such as Z or +08:00")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00:00+08:00 is before the first UTC instant
        raise ValueError("the date is out of range") from exc
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"the date must lie between {EARLIEST.year} and {LATEST.year - 1}")
    return moment


UTC_DATETIME = ScalarDefinition(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=None,
    serialize=DateTimeDefinition.serialize,
    parse_value=wrap_parser(utc_datetime, "DateTime", (ValueError, OverflowError)),
    parse_literal=None,
    origin=datetime,
)


def schema_config() -> StrawberryConfig:
    """The configuration of the embedded schema and of each subgraph."""
    return StrawberryConfig(scalar_map={datetime: UTC_DATETIME})
