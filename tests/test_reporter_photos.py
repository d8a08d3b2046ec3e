"""Citizens add photos to their own reports (BEFORE: more of the problem), signed in or with the
report's tracking token, with the same cleaning and limits as filing; staff keep the proof of the fix."""

from __future__ import annotations

from typing import Any

import pytest

from models import EventKind, ReportEvent, ReportPhoto, Role
from resolvers.identity import ANONYMOUS, Principal
from resolvers.photo_storage import LocalPhotoStorage
from schema.ids import from_global_id
from tests import images
from tests.graphql import citizen, gql, staff
from tests.test_photos import ADD_PHOTO, file_with, storage, stored_files, upload

__all__ = ["storage"]  # the fixture, shared with tests/test_photos.py

PHOTO_KINDS = "query($t: String) { report(trackingToken: $t) { photos { kind url } } }"


async def _add(
    report_id: str, principal: Principal, data: bytes | None = None, **input: Any
) -> dict[str, Any]:
    variables = {"input": {"reportId": report_id, "file": upload(data or images.jpeg_with_gps()), **input}}
    return dict((await gql(ADD_PHOTO, variables, principal=principal))["addReportPhoto"])


async def _unchanged(report_id: str, storage: LocalPhotoStorage, photos: int) -> None:
    assert await ReportPhoto.filter(report_id=from_global_id(report_id, "Report")).count() == photos
    assert len(stored_files(storage)) == 2 * photos  # each photo and its thumbnail
    assert await ReportEvent.filter(kind=EventKind.PHOTO_ADDED).count() == (
        1 if photos else 0
    )  # the filing's


async def test_a_signed_in_reporter_adds_a_cleaned_photo_of_the_problem(storage: LocalPhotoStorage) -> None:
    rina = await citizen("Rina")
    report = (await file_with([], principal=rina))["report"]

    added = await _add(report["id"], rina)

    assert added["errors"] == []
    assert [p["kind"] for p in added["report"]["photos"]] == ["BEFORE"]
    assert added["event"]["kind"] == "PHOTO_ADDED"
    assert added["event"]["data"]["kind"] == "BEFORE"
    (stored,) = await ReportPhoto.all()
    assert stored.uploaded_by_id == rina.user.id  # type: ignore[union-attr]
    meta = images.metadata_of((storage.folder / stored.stored_name).read_bytes())
    assert (meta["exif_tags"], meta["gps"]) == ({}, {})


async def test_an_anonymous_reporter_adds_one_with_the_tracking_token(storage: LocalPhotoStorage) -> None:
    filed = await file_with([])
    report_id, token = filed["report"]["id"], filed["trackingToken"]

    wrong = await _add(report_id, ANONYMOUS, trackingToken="bukan-token-ini")
    without = await _add(report_id, ANONYMOUS)
    await _unchanged(report_id, storage, 0)
    added = await _add(report_id, ANONYMOUS, trackingToken=token)

    assert [e["code"] for e in wrong["errors"]] == ["INVALID_TOKEN"]
    assert [e["code"] for e in without["errors"]] == ["UNAUTHENTICATED"]
    assert added["errors"] == []
    shown = await gql(PHOTO_KINDS, {"t": token})
    assert [p["kind"] for p in shown["report"]["photos"]] == ["BEFORE"]


async def test_the_proof_of_the_fix_stays_with_staff(storage: LocalPhotoStorage) -> None:
    rina = await citizen("Rina")
    report = (await file_with([], principal=rina))["report"]

    refused = await _add(report["id"], rina, kind="AFTER")

    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    await _unchanged(report["id"], storage, 0)


async def test_the_same_limits_as_filing(storage: LocalPhotoStorage) -> None:
    rina = await citizen("Rina")
    four = [upload(images.jpeg_with_gps()) for _ in range(4)]
    report = (await file_with(four, principal=rina))["report"]

    not_an_image = await _add(report["id"], rina, data=images.gif_javascript_polyglot())
    await _unchanged(report["id"], storage, 4)
    fifth = await _add(report["id"], rina)
    sixth = await _add(report["id"], rina)

    assert [e["code"] for e in not_an_image["errors"]] == ["UNSUPPORTED_IMAGE"]
    assert fifth["errors"] == []
    assert [e["code"] for e in sixth["errors"]] == ["TOO_MANY_PHOTOS"]
    assert await ReportPhoto.all().count() == 5
    assert len(stored_files(storage)) == 10


async def test_a_finished_report_takes_no_more_photos(storage: LocalPhotoStorage) -> None:
    rina, officer = await citizen("Rina"), await staff(Role.OFFICER, "DLH")
    report = (await file_with([], principal=rina))["report"]
    rejected = await gql(
        "mutation($i: UpdateReportStatusInput!) { updateReportStatus(input: $i) { errors { code } } }",
        {"i": {"id": report["id"], "status": "REJECTED", "note": "Bukan wewenang kota"}},
        principal=officer,
    )
    assert rejected["updateReportStatus"]["errors"] == []

    refused = await _add(report["id"], rina)

    assert [e["code"] for e in refused["errors"]] == ["ILLEGAL_TRANSITION"]


@pytest.mark.parametrize(
    ("who", "code", "kind"),
    [
        ("anonymous", "UNAUTHENTICATED", None),
        ("another citizen", "FORBIDDEN", None),
        ("officer of another agency", "FORBIDDEN", None),
        ("agency admin of another agency", "FORBIDDEN", None),
        ("the reporter", None, "BEFORE"),
        ("officer of the agency", None, "AFTER"),
        ("agency admin of the agency", None, "AFTER"),
        ("dispatcher", None, "AFTER"),
        ("city admin", None, "AFTER"),
    ],
)
async def test_who_adds_photos_and_of_which_kind_by_default(
    storage: LocalPhotoStorage, who: str, code: str | None, kind: str | None
) -> None:
    rina = await citizen("Rina")
    callers = {
        "anonymous": ANONYMOUS,
        "another citizen": await citizen("Ani"),
        "officer of another agency": await staff(Role.OFFICER, "DISHUB"),
        "agency admin of another agency": await staff(Role.AGENCY_ADMIN, "DISHUB"),
        "the reporter": rina,
        "officer of the agency": await staff(Role.OFFICER, "DLH"),
        "agency admin of the agency": await staff(Role.AGENCY_ADMIN, "DLH"),
        "dispatcher": await staff(Role.DISPATCHER, None),
        "city admin": await staff(Role.CITY_ADMIN, None),
    }
    report = (await file_with([], principal=rina))["report"]  # trash: DLH's

    added = await _add(report["id"], callers[who])

    assert [e["code"] for e in added["errors"]] == ([code] if code else [])
    assert [p["kind"] for p in (added["report"] or {"photos": []})["photos"]] == ([kind] if kind else [])
