"""The timelines of a page's reports, one statement for the whole page: each report's event rows,
oldest first, as `report_queries.events_by_report` gives them to the general path (enums as
members, `data` decoded), with the columns the compiled fields and the privacy rule read.

On PostgreSQL the SQL text is written here once (the query builder cost about a millisecond of
CPU per statement); on SQLite `report_queries` reads them as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from models import EventKind, ModerationState, ReportStatus
from resolvers import read_statements, report_queries
from resolvers.directory_queries import Row
from resolvers.raw_sql import default_connection, is_postgres

# What `Report.timeline`/`comments` show and `privacy.timeline_as_seen` decides by.
EVENT_COLUMNS = (
    "id", "report_id", "kind", "from_status", "to_status", "note", "data", "is_internal", "created_at",
    "moderation",
)  # fmt: skip
_EVENTS_SQL = (
    f"SELECT {', '.join(EVENT_COLUMNS)} FROM report_events "  # noqa: S608 - our own column names
    "WHERE report_id = ANY($1::bigint[]) ORDER BY id"
)
_KINDS = {kind.value: kind for kind in EventKind}
_STATUSES = {status.value: status for status in ReportStatus}
_MODERATION = {state.value: state for state in ModerationState}


async def events_by_report(report_ids: Sequence[int]) -> dict[int, list[Row]]:
    """Every event of these reports by report id (none: an empty list), oldest first."""
    if not report_ids:
        return {}
    connection = default_connection()
    if not is_postgres(connection):
        return dict(zip(report_ids, await report_queries.events_by_report(report_ids), strict=True))
    records = await read_statements.fetch(connection, _EVENTS_SQL, [list(report_ids)])
    grouped: dict[int, list[Row]] = {report_id: [] for report_id in report_ids}
    for record in records:
        row = dict(zip(EVENT_COLUMNS, record, strict=True))
        row["kind"] = _KINDS[row["kind"]]
        for column in ("from_status", "to_status"):
            if row[column] is not None:
                row[column] = _STATUSES[row[column]]
        if row["moderation"] is not None:
            row["moderation"] = _MODERATION[row["moderation"]]
        if row["data"] is not None:
            row["data"] = orjson.loads(row["data"])
        grouped[row["report_id"]].append(row)
    return grouped
