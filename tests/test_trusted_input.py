"""Input a city can trust: one category however it is named, phone numbers in E.164, dates in
ISO 8601 in event data, and field names in messages as people call them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from models import EventKind, Report, ReportEvent
from resolvers.field_names import FIELD_LABELS
from resolvers.service_levels import run_periodic_jobs
from resolvers.timeline import utcnow
from schema.ids import from_global_id
from tests.conftest import Database
from tests.graphql import FILE_REPORT, file_report, filing, gql

ISO_8601_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$")


async def _refused(variables: dict[str, Any]) -> list[dict[str, Any]]:
    before = (await Report.all().count(), await ReportEvent.all().count())
    payload = (await gql(FILE_REPORT, {"input": variables}))["fileReport"]
    assert payload["report"] is None
    assert (await Report.all().count(), await ReportEvent.all().count()) == before
    return list(payload["errors"])


async def test_category_id_and_code_that_disagree_are_refused(db: Database) -> None:
    categories = {c["code"]: c["id"] for c in (await gql("{ categories { id code } }"))["categories"]}

    errors = await _refused(filing(categoryId=categories["KEBAKARAN"], categoryCode="SAMPAH"))

    assert [(e["code"], e["field"]) for e in errors] == [("CATEGORY_MISMATCH", "category")]
    assert "KEBAKARAN" in errors[0]["message"]
    assert "SAMPAH" in errors[0]["messageEn"]


async def test_category_id_and_code_that_agree_are_accepted(db: Database) -> None:
    categories = {c["code"]: c["id"] for c in (await gql("{ categories { id code } }"))["categories"]}

    report = await file_report(categoryId=categories["SAMPAH"], categoryCode=" sampah ")

    assert report["category"]["code"] == "SAMPAH"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),  # as WhatsApp links write it
        ("(0380) 821234", "+62380821234"),  # a Kupang landline
        ("+1 202 555 0143", "+12025550143"),  # a visitor's number stays theirs
    ],
)
async def test_contact_phones_are_stored_in_e164(db: Database, typed: str, stored: str) -> None:
    await file_report(contactName="Rina", contactPhone=typed)

    assert (await Report.get()).contact_phone == stored


@pytest.mark.parametrize(
    "typed", ["0812", "call me maybe", "112", "0812-3456-7890-1234-5678", "+62 000 0000"]
)
async def test_phones_that_are_not_numbers_are_refused(db: Database, typed: str) -> None:
    errors = await _refused(filing(contactPhone=typed))

    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_PHONE", "contactPhone")]
    assert errors[0]["message"].startswith("Nomor telepon pelapor bukan nomor telepon yang valid")


async def test_escalation_dates_in_event_data_are_iso_8601(db: Database) -> None:
    report = await file_report()
    past = utcnow() - timedelta(hours=1)
    await Report.filter(id=from_global_id(report["id"], "Report")).update(
        acknowledge_due_at=past, due_at=past
    )

    await run_periodic_jobs()

    data = await gql("query($id: ID!) { report(id: $id) { timeline { kind data } } }", {"id": report["id"]})
    escalations = [e["data"] for e in data["report"]["timeline"] if e["kind"] == EventKind.ESCALATED.value]
    assert len(escalations) == 2
    assert all(ISO_8601_UTC.match(e["dueAt"]) for e in escalations), escalations


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": " "}, "Judul wajib diisi"),
        ({"description": ""}, "Uraian wajib diisi"),
        ({"title": "x" * 201}, "Judul paling banyak 200 karakter"),
        ({"address": "a\x07b"}, "Alamat berisi karakter yang tidak diizinkan"),
    ],
)
async def test_messages_name_fields_as_people_call_them(
    db: Database, overrides: dict[str, Any], message: str
) -> None:
    errors = await _refused(filing(**overrides))

    assert errors[0]["message"] == message


def test_every_field_validated_by_name_has_a_label() -> None:
    """Every field name passed to the shared text and phone checks has an Indonesian label."""
    import pathlib

    used: set[str] = set()
    pattern = re.compile(r"(?:clean_text\(errors, |checked_note\(|e164_phone\(errors, )\"(\w+)\"")
    for path in pathlib.Path("resolvers").glob("*.py"):
        used |= set(pattern.findall(path.read_text()))
    assert used, "the pattern no longer finds the checks"
    assert used <= set(FIELD_LABELS), used - set(FIELD_LABELS)
