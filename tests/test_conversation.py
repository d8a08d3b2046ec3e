"""Comments, internal notes and following, by role, with the events they write."""

from __future__ import annotations

import pytest

from models import ReportEvent, Role
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from tests.casework_api import change, event_kinds
from tests.conftest import Database
from tests.graphql import citizen, file_report, filing, gql, staff

PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"reports:read"}), client="k:1"
)
DISPLAY = Principal(
    kind=PrincipalKind.DISPLAY, api_key_id=2, scopes=frozenset({"reports:read"}), client="k:2"
)
SECRET = "Pelapor ini sering melapor palsu"  # an internal note's text, never to be seen outside staff

READ = """query($id: ID!) { report(id: $id) {
  comments { body isInternal byReporter author { name } }
  timeline { kind note isInternal } } }"""


async def _anonymous_filing() -> tuple[str, str]:
    result = await gql(
        "mutation($i: FileReportInput!) { fileReport(input: $i) { report { id } trackingToken } }",
        {"i": filing()},
        principal=ANONYMOUS,
    )
    return result["fileReport"]["report"]["id"], result["fileReport"]["trackingToken"]


async def test_reporter_and_handling_staff_comment_in_public(db: Database) -> None:
    reporter = await citizen("Ani")
    report = await file_report(reporter)
    officer = await staff(Role.OFFICER, "DLH", "Yohanes")

    mine = await change("addComment", reporter, id=report["id"], body="Masih bau sekali")
    theirs = await change("addComment", officer, id=report["id"], body="Truk datang besok pagi")

    assert mine["errors"] == []
    assert theirs["errors"] == []
    assert (mine["event"]["kind"], mine["event"]["data"], mine["event"]["isInternal"]) == (
        "COMMENTED", {"byReporter": True}, False,
    )  # fmt: skip
    assert theirs["event"]["data"] == {"byReporter": False}
    stranger = await citizen("Budi")
    comments = (await gql(READ, {"id": report["id"]}, principal=stranger))["report"]["comments"]
    assert comments == [
        {"body": "Masih bau sekali", "isInternal": False, "byReporter": True, "author": None},
        {
            "body": "Truk datang besok pagi",
            "isInternal": False,
            "byReporter": False,
            "author": {"name": "Yohanes"},
        },
    ]
    assert await event_kinds(report["id"]) == ["FILED", "COMMENTED", "COMMENTED"]


async def test_anonymous_filer_comments_with_the_tracking_token_of_that_report_only(db: Database) -> None:
    report_id, token = await _anonymous_filing()
    other_id, _ = await _anonymous_filing()

    own = await change("addComment", ANONYMOUS, id=report_id, body="Saya pelapornya", trackingToken=token)
    elsewhere = await change(
        "addComment", ANONYMOUS, id=other_id, body="Bukan laporan saya", trackingToken=token
    )
    staff_only = await change("addInternalNote", ANONYMOUS, id=report_id, body="x")

    assert own["errors"] == []
    assert own["event"]["data"] == {"byReporter": True}
    assert [e["code"] for e in elsewhere["errors"]] == ["INVALID_TOKEN"]
    assert [e["code"] for e in staff_only["errors"]] == ["UNAUTHENTICATED"]
    assert await event_kinds(other_id) == ["FILED"]


@pytest.mark.parametrize(
    ("who", "code"),
    [("anonymous", "UNAUTHENTICATED"), ("other citizen", "FORBIDDEN"), ("officer DISHUB", "FORBIDDEN")],
)
async def test_others_cannot_comment_and_nothing_is_written(db: Database, who: str, code: str) -> None:
    report = await file_report(await citizen("Ani"))
    principal = {
        "anonymous": ANONYMOUS,
        "other citizen": await citizen("Budi"),
        "officer DISHUB": await staff(Role.OFFICER, "DISHUB", "Petrus"),
    }[who]
    before = await ReportEvent.all().count()

    payload = await change("addComment", principal, id=report["id"], body="Halo")

    assert payload["report"] is None
    assert [e["code"] for e in payload["errors"]] == [code]
    assert await ReportEvent.all().count() == before


async def test_empty_or_oversized_comment_is_refused(db: Database) -> None:
    reporter = await citizen("Ani")
    report = await file_report(reporter)

    empty = await change("addComment", reporter, id=report["id"], body="   ")
    huge = await change("addComment", reporter, id=report["id"], body="x" * 2001)

    assert [(e["code"], e["field"]) for e in empty["errors"]] == [("REQUIRED", "body")]
    assert [(e["code"], e["field"]) for e in huge["errors"]] == [("TOO_LONG", "body")]
    assert await event_kinds(report["id"]) == ["FILED"]


async def test_internal_note_reaches_handling_and_city_wide_staff_only(db: Database) -> None:
    reporter = await citizen("Ani")
    report = await file_report(reporter)  # DLH
    officer = await staff(Role.OFFICER, "DLH", "Yohanes")
    note = await change("addInternalNote", officer, id=report["id"], body=SECRET)
    assert note["errors"] == []
    assert note["event"]["isInternal"] is True
    assert note["event"]["kind"] == "INTERNAL_NOTE"
    event_id = note["event"]["id"]

    readers = {
        "officer DLH": officer,
        "dispatcher": await staff(Role.DISPATCHER, "DINSOS", "Dispatcher"),
        "city admin": await staff(Role.CITY_ADMIN, None, "Admin"),
    }
    outsiders = {
        "reporter": reporter,
        "citizen": await citizen("Budi"),
        "anonymous": ANONYMOUS,
        "partner": PARTNER,
        "display": DISPLAY,
        "officer DISHUB": await staff(Role.OFFICER, "DISHUB", "Petrus"),
    }
    node = "query($id: ID!) { node(id: $id) { ... on ReportEvent { note } } }"
    for name, principal in readers.items():
        seen = (await gql(READ, {"id": report["id"]}, principal=principal))["report"]
        assert [c["body"] for c in seen["comments"] if c["isInternal"]] == [SECRET], name
        assert SECRET in [e["note"] for e in seen["timeline"]], name
        assert (await gql(node, {"id": event_id}, principal=principal))["node"] == {"note": SECRET}, name
    for name, principal in outsiders.items():
        seen = (await gql(READ, {"id": report["id"]}, principal=principal))["report"]
        assert seen["comments"] == [], name
        assert [e["kind"] for e in seen["timeline"]] == ["FILED"], name
        assert (await gql(node, {"id": event_id}, principal=principal))["node"] is None, name


async def test_other_agencies_officer_cannot_write_an_internal_note(db: Database) -> None:
    report = await file_report()
    payload = await change(
        "addInternalNote", await staff(Role.OFFICER, "DISHUB", "Petrus"), id=report["id"], body="x"
    )
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]


async def test_citizen_follows_and_unfollows_a_report_they_did_not_file(db: Database) -> None:
    report = await file_report(await citizen("Ani"))
    follower = await citizen("Budi")
    query = "query($id: ID!) { report(id: $id) { viewerFollows } }"

    followed = await change("followReport", follower, id=report["id"])
    again = await change("followReport", follower, id=report["id"])
    assert (await gql(query, {"id": report["id"]}, principal=follower))["report"]["viewerFollows"] is True
    unfollowed = await change("unfollowReport", follower, id=report["id"])

    assert followed["event"]["kind"] == "FOLLOWED"
    assert followed["event"]["data"] == {"byReporter": False}
    assert [e["code"] for e in again["errors"]] == ["NOTHING_CHANGED"]
    assert unfollowed["event"]["kind"] == "UNFOLLOWED"
    assert (await gql(query, {"id": report["id"]}, principal=follower))["report"]["viewerFollows"] is False
    anonymous = await change("followReport", ANONYMOUS, id=report["id"])
    assert [e["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
    assert await event_kinds(report["id"]) == ["FILED", "FOLLOWED", "UNFOLLOWED"]


async def test_reporter_mutes_and_unmutes_their_own_report_by_token(db: Database) -> None:
    report_id, token = await _anonymous_filing()

    muted = await change("unfollowReport", ANONYMOUS, id=report_id, trackingToken=token)
    seen = await gql(
        "query($t: String!) { report(trackingToken: $t) { viewerFollows } }",
        {"t": token},
        principal=ANONYMOUS,
    )
    followed = await change("followReport", ANONYMOUS, id=report_id, trackingToken=token)

    assert muted["event"]["kind"] == "UNFOLLOWED"
    assert muted["event"]["data"] == {"byReporter": True}
    assert seen["report"]["viewerFollows"] is False
    assert followed["errors"] == []
    assert await event_kinds(report_id) == ["FILED", "UNFOLLOWED", "FOLLOWED"]
