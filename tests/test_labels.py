"""Statuses in Indonesian end to end: every status and public group has its labels from the API,
and a report's labels follow its status through every move."""

from __future__ import annotations

from models import ReportStatus, Role
from models.lifecycle import PUBLIC_GROUP, TRANSITIONS
from tests.casework_api import move
from tests.conftest import Database
from tests.graphql import file_report, gql, staff

STATUSES = (
    "{ statuses { status label { id en } publicGroup publicGroupLabel { id en } isOpen nextStatuses } }"
)
LABELS = "query($id: ID!) { report(id: $id) { status statusLabel { id en } publicGroupLabel { id en } } }"


async def test_every_status_is_listed_in_lifecycle_order_with_both_labels(db: Database) -> None:
    statuses = (await gql(STATUSES))["statuses"]

    assert [s["status"] for s in statuses] == [status.value for status in ReportStatus]
    for entry in statuses:
        status = ReportStatus(entry["status"])
        assert entry["label"]["id"]
        assert entry["label"]["en"]
        assert entry["label"]["id"] != entry["label"]["en"]
        assert entry["publicGroup"] == PUBLIC_GROUP[status].value
        assert set(entry["nextStatuses"]) == {s.value for s in TRANSITIONS[status]}
    assert len({s["label"]["id"] for s in statuses}) == len(statuses)  # no two read the same
    assert next(s for s in statuses if s["status"] == "SUBMITTED")["publicGroupLabel"] == {
        "id": "Menunggu",
        "en": "Waiting",
    }


async def test_a_reports_labels_follow_its_status(db: Database) -> None:
    labels = {s["status"]: s for s in (await gql(STATUSES))["statuses"]}
    report = await file_report()
    officer = await staff(Role.OFFICER, "DLH")
    seen = []
    for path in ([], ["ACKNOWLEDGED"], ["IN_PROGRESS"], ["REJECTED"]):
        if path:
            await move(report["id"], path, officer, note="Bukan wewenang kota")
        shown = (await gql(LABELS, {"id": report["id"]}))["report"]
        assert shown["statusLabel"] == labels[shown["status"]]["label"]
        assert shown["publicGroupLabel"] == labels[shown["status"]]["publicGroupLabel"]
        seen.append(shown["statusLabel"]["id"])

    assert seen == ["Baru dilaporkan", "Diterima petugas", "Sedang dikerjakan", "Ditolak"]


async def test_a_refused_move_names_the_statuses_as_people_read_them(db: Database) -> None:
    report = await file_report()
    officer = await staff(Role.OFFICER, "DLH")

    refused = await gql(
        "mutation($i: UpdateReportStatusInput!) {"
        " updateReportStatus(input: $i) { errors { code message } } }",
        {"i": {"id": report["id"], "status": "CLOSED"}},
        principal=officer,
    )

    assert refused["updateReportStatus"]["errors"] == [
        {
            "code": "ILLEGAL_TRANSITION",
            "message": 'Status tidak bisa diubah dari "Baru dilaporkan" ke "Ditutup"',
        }
    ]
