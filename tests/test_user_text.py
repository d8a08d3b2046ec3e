"""Text people write (titles, descriptions, addresses, comments, notes, names) goes through one
door (resolvers.validation.clean_text): bidirectional controls that make the wall show one thing
and say another are refused; invisible characters are removed; joiners (emoji) are kept."""

from __future__ import annotations

from typing import Any

import pytest

from models import Report, ReportEvent, Role
from tests.abuse import abusive
from tests.casework_api import change
from tests.conftest import Database
from tests.graphql import FILE_REPORT, UPDATE_STATUS, citizen, file_report, filing, gql, staff

TROJAN = "\u202eHARMLESS\u200b\ufeff"  # shows reversed, with invisible characters after it
FILING_FIELDS = ["title", "description", "address", "contactName"]


@pytest.mark.parametrize("field", FILING_FIELDS)
async def test_bidi_overrides_in_a_filing_are_refused(db: Database, field: str) -> None:
    payload = (await gql(FILE_REPORT, {"input": filing(**{field: abusive(TROJAN + " jalan")})}))["fileReport"]

    assert payload["report"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]
    assert await Report.all().count() == 0


async def test_invisible_characters_are_removed_and_emoji_kept(db: Database) -> None:
    report = await file_report(
        title=abusive("Jalan\u200b berlubang\ufeff\u2060 \U0001f468\u200d\U0001f527"),
        description=abusive("Sudah\u00ad lama\u200e rusak"),
    )
    stored = await Report.get(code=report["code"])

    assert (stored.title, stored.description) == (
        "Jalan berlubang \U0001f468\u200d\U0001f527",
        "Sudah lama rusak",
    )


@pytest.mark.parametrize(
    ("mutation", "who", "fields"),
    [
        ("addComment", "reporter", {"body": TROJAN}),
        ("addInternalNote", "officer", {"body": "\u2066catatan\u2069"}),
        ("updateReportStatus", "officer", {"status": "ACKNOWLEDGED", "note": TROJAN}),
    ],
)
async def test_bidi_overrides_in_comments_and_notes_are_refused(
    db: Database, mutation: str, who: str, fields: dict[str, Any]
) -> None:
    reporter = await citizen("Ani")
    report = await file_report(reporter)
    actor = reporter if who == "reporter" else await staff(Role.OFFICER, "DLH", "Yohanes")
    before = await ReportEvent.all().count()

    if mutation == "updateReportStatus":
        variables = {"input": {"id": report["id"], **abusive(fields)}}
        payload = (await gql(UPDATE_STATUS, variables, principal=actor))[mutation]
    else:
        payload = await change(mutation, actor, id=report["id"], **abusive(fields))

    assert payload["report"] is None
    assert [e["code"] for e in payload["errors"]] == ["INVALID_INPUT"]
    assert await ReportEvent.all().count() == before


async def test_bidi_overrides_in_a_name_are_refused(db: Database) -> None:
    query = """mutation($i: RegisterCitizenInput!) { registerCitizen(input: $i) { errors { code field } } }"""
    account = {"name": abusive(TROJAN), "email": "ani@warga.test", "password": "kata sandi yang panjang 1"}

    payload = (await gql(query, {"i": account}))["registerCitizen"]

    assert ("INVALID_INPUT", "name") in [(e["code"], e["field"]) for e in payload["errors"]]
