"""Duplicates before filing, supporting instead of filing, and marking DUPLICATE with its people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import Category, Report, ReportFollower, ReportSupport, Role
from resolvers.identity import ANONYMOUS
from schema.ids import from_global_id
from tests.casework_api import change, event_kinds, move
from tests.conftest import Database
from tests.graphql import FILE_REPORT, citizen, file_report, filing, gql, run, staff

SIMILAR = """query($loc: LocationInput!, $code: String, $days: Int) {
  similarReports(location: $loc, categoryCode: $code, days: $days) { totalCount edges { node { id } } } }"""
HERE = {"lat": -10.1700, "lon": 123.6070}
# About 55 m and 330 m north of HERE.
NEAR = {"lat": -10.1695, "lon": 123.6070}
FAR = {"lat": -10.1670, "lon": 123.6070}


async def _similar(**variables: object) -> list[str]:
    data = await gql(SIMILAR, {"loc": HERE, "code": "SAMPAH", **variables})
    return [edge["node"]["id"] for edge in data["similarReports"]["edges"]]


async def test_open_reports_of_the_category_nearby_and_recent_are_candidates(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, "DLH", "Dispatcher")
    near = await file_report(location=NEAR)
    far = await file_report(location=FAR)
    other_category = await file_report(location=NEAR, categoryCode="PKL_LIAR")
    finished = await file_report(location=NEAR)
    await move(finished["id"], ["REJECTED"], dispatcher, note="palsu")
    old = await file_report(location=NEAR)
    await Report.filter(id=from_global_id(old["id"], "Report")).update(
        created_at=(await Report.get(id=from_global_id(old["id"], "Report"))).created_at - timedelta(days=10)
    )

    assert await _similar() == [near["id"]]
    assert set(await _similar(days=30)) == {near["id"], old["id"]}
    del far, other_category


async def test_the_radius_is_the_categorys(db: Database) -> None:
    far = await file_report(location=FAR)
    await Category.filter(code="SAMPAH").update(duplicate_radius_m=500)

    assert await _similar() == [far["id"]]


async def test_file_report_returns_the_candidates_but_not_itself(db: Database) -> None:
    near = await file_report(location=NEAR)

    data = await gql(
        FILE_REPORT.replace("errors {", "similarReports { id } errors {"), {"input": filing(location=HERE)}
    )

    payload = data["fileReport"]
    assert payload["errors"] == []
    assert payload["similarReports"] == [{"id": near["id"]}]


@pytest.mark.parametrize("days", [0, 91])
async def test_bad_window_is_a_typed_error(db: Database, days: int) -> None:
    result = await run(SIMILAR, {"loc": HERE, "code": "SAMPAH", "days": days})
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "INVALID_INPUT"


async def test_a_citizen_supports_once_and_the_report_counts_it(db: Database) -> None:
    report = await file_report(await citizen("Ani"))
    supporter = await citizen("Budi")

    first = await change("supportReport", supporter, id=report["id"])
    second = await change("supportReport", supporter, id=report["id"])

    assert first["errors"] == []
    assert first["report"]["supportCount"] == 1
    assert (first["event"]["kind"], first["event"]["data"]) == ("SUPPORTED", {"supportCount": 1})
    assert [e["code"] for e in second["errors"]] == ["ALREADY_SUPPORTED"]
    seen = await gql(
        "query($id: ID!) { report(id: $id) { supportCount viewerSupports } }",
        {"id": report["id"]},
        principal=supporter,
    )
    assert seen["report"] == {"supportCount": 1, "viewerSupports": True}
    assert await event_kinds(report["id"]) == ["FILED", "SUPPORTED"]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("reporter", "OWN_REPORT"),
        ("anonymous", "UNAUTHENTICATED"),
        ("officer", "FORBIDDEN"),
        ("finished", "NOT_OPEN"),
    ],
)
async def test_support_refusals_write_nothing(db: Database, who: str, code: str) -> None:
    reporter = await citizen("Ani")
    report = await file_report(reporter)
    if who == "finished":
        await move(report["id"], ["REJECTED"], await staff(Role.DISPATCHER, "DLH", "D"), note="palsu")
    principal = {
        "reporter": reporter,
        "anonymous": ANONYMOUS,
        "officer": await staff(Role.OFFICER, "DLH", "Yohanes"),
        "finished": await citizen("Budi"),
    }[who]
    events_before = await event_kinds(report["id"])

    payload = await change("supportReport", principal, id=report["id"])

    assert [e["code"] for e in payload["errors"]] == [code]
    assert await ReportSupport.all().count() == 0
    assert await event_kinds(report["id"]) == events_before


async def test_marking_duplicate_moves_supporters_and_followers_to_the_original(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, "DLH", "Dispatcher")
    first_reporter, second_reporter = await citizen("Ani"), await citizen("Budi")
    both, only_copy, follower = await citizen("Citra"), await citizen("Dedi"), await citizen("Eka")
    original = await file_report(first_reporter)
    copy = await file_report(second_reporter)
    for report in (original, copy):
        assert (await change("supportReport", both, id=report["id"]))["errors"] == []
    await change("supportReport", only_copy, id=copy["id"])
    await change("supportReport", first_reporter, id=copy["id"])  # the original's reporter backs the copy
    await change("followReport", follower, id=copy["id"])

    data = await gql(
        """mutation($i: UpdateReportStatusInput!) { updateReportStatus(input: $i) {
             event { kind data } errors { code } } }""",
        {"i": {"id": copy["id"], "status": "DUPLICATE", "duplicateOfId": original["id"]}},
        principal=dispatcher,
    )

    payload = data["updateReportStatus"]
    assert payload["errors"] == []
    original_pk, copy_pk = from_global_id(original["id"], "Report"), from_global_id(copy["id"], "Report")
    assert payload["event"]["data"] == {
        "duplicateOfId": original_pk,
        "supportersMoved": 2,
        "followersMoved": 2,
    }
    supporters = set(await ReportSupport.filter(report_id=original_pk).values_list("user_id", flat=True))
    assert supporters == {both.user.id, only_copy.user.id, second_reporter.user.id}  # type: ignore[union-attr]
    followers = set(await ReportFollower.filter(report_id=original_pk).values_list("user_id", flat=True))
    assert followers == {follower.user.id, second_reporter.user.id}  # type: ignore[union-attr]
    assert await ReportSupport.filter(report_id=copy_pk).count() == 0
    assert await ReportFollower.filter(report_id=copy_pk).count() == 0
    assert (await event_kinds(original["id"]))[-1] == "DUPLICATE_MERGED"
    assert (await event_kinds(copy["id"]))[-1] == "STATUS_CHANGED"
    merged = await gql(
        "query($id: ID!) { report(id: $id) { supportCount timeline { kind data } } }", {"id": original["id"]}
    )
    assert merged["report"]["supportCount"] == 3
    assert merged["report"]["timeline"][-1] == {
        "kind": "DUPLICATE_MERGED",
        "data": {"duplicateId": copy_pk, "supportersMoved": 2, "followersMoved": 2},
    }
