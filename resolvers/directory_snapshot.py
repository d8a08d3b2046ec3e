"""The directory (every category and agency) as a page's statement sees it, kept by this process.

Each page of reports names its reports' categories and agencies. Joined to every page, they cost
PostgreSQL more than the page itself (three hash joins and a sort on every request), for tables a
city edits a few times a year. Instead the page statement reads the directory's stamp (migration
0024: every write to categories or agencies renews it in its own transaction) in the page's own
snapshot. Where it equals the stamp of the copy this process keeps, that copy is the directory as
the page's snapshot sees it; otherwise the directory is read again, with its stamp, in one
statement, and kept in place of the old copy. A copy read after the page's snapshot is newer, never
older, than the page: as fresh as the general path's own reads of the directory after the page.

The stamp names the database too (its oid): a process that serves several databases in turn (the
tests do) never takes one's copy for another's, though a database cloned from a template starts
with the template's stamp.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from resolvers import read_statements
from resolvers.directory_queries import AGENCY_COLUMNS, CATEGORY_COLUMNS, Row
from resolvers.raw_sql import default_connection, is_postgres

# A scalar subquery: PostgreSQL reads it once per statement (an InitPlan), in the statement's snapshot.
STAMP_SQL = (
    "(SELECT d.oid || ':' || s.stamp FROM sigap_directory_stamp s, pg_database d"
    " WHERE s.id = 1 AND d.datname = current_database())"
)

# One row shape for both: an agency's first four columns are a category's, its last two at the end.
_SHARED = AGENCY_COLUMNS[:4]
assert CATEGORY_COLUMNS[:4] == _SHARED
_PADDING = ", ".join(["NULL"] * (len(CATEGORY_COLUMNS) - len(_SHARED)))
_DIRECTORY_SQL = f"""
SELECT {STAMP_SQL} AS stamp, 'category' AS kind, {", ".join(CATEGORY_COLUMNS)}, NULL AS a5, NULL AS a6
FROM categories
UNION ALL
SELECT {STAMP_SQL}, 'agency', {", ".join(_SHARED)}, {_PADDING}, {", ".join(AGENCY_COLUMNS[4:])}
FROM agencies
"""  # noqa: S608 - our own column names

Categories = dict[int, Row]
Agencies = dict[int, Row]


@dataclass(frozen=True)
class _Copy:
    stamp: str
    categories: Categories
    agencies: Agencies


_kept: _Copy | None = None


async def directory_as_of(client: BaseDBAsyncClient, stamp: str) -> tuple[Categories, Agencies]:
    """Categories and agencies by id, as a statement that read `stamp` (STAMP_SQL) sees them. The
    dicts are shared by every request: read them, never change them."""
    global _kept
    kept = _kept
    if kept is None or kept.stamp != stamp:
        kept = _kept = await _read(client)
    return kept.categories, kept.agencies


async def current_directory() -> tuple[Categories, Agencies] | None:
    """The directory as a statement now sees it (its stamp, then the copy where it holds: one
    small statement), for reads that have no page statement to carry the stamp; None on SQLite,
    where callers read it through resolvers.directory_queries."""
    connection = default_connection()
    if not is_postgres(connection):
        return None
    records = await read_statements.fetch(connection, f"SELECT {STAMP_SQL} AS stamp", [])
    return await directory_as_of(connection, records[0]["stamp"])


async def _read(client: BaseDBAsyncClient) -> _Copy:
    records = await read_statements.fetch(client, _DIRECTORY_SQL, [])
    categories: Categories = {}
    agencies: Agencies = {}
    for record in records:
        values = tuple(record)[2:]
        if record["kind"] == "category":
            categories[record["id"]] = dict(zip(CATEGORY_COLUMNS, values[:-2], strict=True))
        else:
            agencies[record["id"]] = dict(zip(AGENCY_COLUMNS, values[:4] + values[-2:], strict=True))
    # An empty directory has no rows to carry the stamp: nothing is kept for it.
    stamp = records[0]["stamp"] if records else ""
    return _Copy(stamp, categories, agencies)
