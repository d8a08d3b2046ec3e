"""Marking a report DUPLICATE writes to its original too (supporters, followers, an event): it
needs rights on both reports, or a city-wide role. Two such merges of the same pair, in opposite
directions at once, must not deadlock: both reports are locked in id order."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tortoise import Tortoise

from models import Report, ReportFollower, ReportStatus, ReportSupport, Role
from resolvers.casework import update_status
from resolvers.errors import DomainError, ErrorCode
from schema.ids import from_global_id
from tests.casework_api import change, event_kinds
from tests.conftest import Database
from tests.graphql import citizen, file_report, gql, staff
from tests.live_clients import wait_until_async

MARK = """mutation($i: UpdateReportStatusInput!) { updateReportStatus(input: $i) {
  report { status } errors { code field } } }"""


@pytest.mark.parametrize(
    ("role", "agency", "original_category", "refused"),
    [
        (Role.OFFICER, "DLH", "SAMPAH", None),  # both reports are DLH's
        (Role.OFFICER, "DLH", "FASILITAS_ANAK", "FORBIDDEN"),  # the original is DINSOS's
        (Role.AGENCY_ADMIN, "DLH", "FASILITAS_ANAK", "FORBIDDEN"),
        (Role.DISPATCHER, None, "FASILITAS_ANAK", None),  # city-wide
        (Role.CITY_ADMIN, None, "FASILITAS_ANAK", None),
    ],
)
async def test_merging_needs_rights_on_both_reports(
    db: Database, role: Role, agency: str | None, original_category: str, refused: str | None
) -> None:
    supporter = await citizen("Pendukung")
    original = await file_report(categoryCode=original_category, title="Asli")
    copy = await file_report(categoryCode="SAMPAH", title="Salinan")
    await change("supportReport", supporter, id=copy["id"])
    original_events = await event_kinds(original["id"])
    actor = await staff(role, agency, "Penanda")

    payload = (
        await gql(
            MARK,
            {"i": {"id": copy["id"], "status": "DUPLICATE", "duplicateOfId": original["id"]}},
            principal=actor,
        )
    )["updateReportStatus"]

    original_pk = from_global_id(original["id"], "Report")
    if refused:
        assert [e["code"] for e in payload["errors"]] == [refused]
        assert (await Report.get(id=from_global_id(copy["id"], "Report"))).status is ReportStatus.SUBMITTED
        assert await event_kinds(original["id"]) == original_events  # nothing written to it
        assert not await ReportSupport.filter(report_id=original_pk).exists()
        assert not await ReportFollower.filter(report_id=original_pk).exists()
    else:
        assert payload["errors"] == []
        assert payload["report"]["status"] == "DUPLICATE"
        assert (await event_kinds(original["id"]))[-1] == "DUPLICATE_MERGED"


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite runs one writer at a time
async def test_two_dispatchers_merging_a_pair_both_ways_at_once_do_not_deadlock(db: Database) -> None:
    """A second connection holds both rows; both merges queue behind it, then it lets go at once.
    Locking in the order asked (each its own report first) deadlocks here every time."""
    first = from_global_id((await file_report(title="Pertama"))["id"], "Report")
    second = from_global_id((await file_report(title="Kedua"))["id"], "Report")
    ani, budi = await staff(Role.DISPATCHER, None, "Ani"), await staff(Role.DISPATCHER, None, "Budi")
    holder = await asyncpg.connect("postgresql://" + db.url.split("://", 1)[1])
    try:
        await holder.execute("BEGIN")
        await holder.execute(
            "SELECT id FROM reports WHERE id = ANY($1::bigint[]) FOR UPDATE", [first, second]
        )
        merges = [
            asyncio.create_task(
                update_status(
                    mine, ReportStatus.DUPLICATE, note="sama", principal=who, duplicate_of_id=theirs
                )
            )
            for mine, theirs, who in ((first, second, ani), (second, first, budi))
        ]
        await wait_until_async(lambda: _waiting_for_rows(2), what="both merges wait for the rows")
        await holder.execute("ROLLBACK")
        outcomes = await asyncio.gather(*merges, return_exceptions=True)
    finally:
        await holder.close()

    refusals = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refusals) == 1, outcomes  # one merge wins; the other finds its original a duplicate
    assert isinstance(refusals[0], DomainError), refusals
    assert [e.code for e in refusals[0].errors] == [ErrorCode.INVALID_DUPLICATE]
    statuses = {r.id: r.status for r in await Report.filter(id__in=[first, second])}
    assert sorted(statuses.values()) == [ReportStatus.DUPLICATE, ReportStatus.SUBMITTED]


async def _waiting_for_rows(count: int) -> bool:
    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    return int(rows[0]["n"]) >= count
