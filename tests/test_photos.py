"""Photos through the schema: filing with photos, proof of the fix, removal, privacy, and bad files
that must leave neither a row nor a file behind. Real images made with Pillow, real storage on disk."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from starlette.datastructures import UploadFile

from models import Report, ReportEvent, ReportPhoto, Role
from resolvers.identity import ANONYMOUS, Principal
from resolvers.photo_cleaning import MAX_FILE_BYTES
from resolvers.photo_storage import LocalPhotoStorage
from schema.ids import from_global_id
from tests import images
from tests.conftest import Database
from tests.databases import photo_rows_refused
from tests.graphql import UPDATE_STATUS, Caller, citizen, filing, gql, run, staff

FILE_WITH_PHOTOS = """
mutation($input: FileReportInput!) {
  fileReport(input: $input) {
    report { id photos { id kind format contentType width height url thumbnailUrl urlExpiresAt }
             timeline { kind data } }
    trackingToken
    errors { code field messageEn }
  }
}
"""

ADD_PHOTO = """
mutation($input: AddReportPhotoInput!) {
  addReportPhoto(input: $input) {
    report { id photos { id kind } }
    event { kind data }
    errors { code field }
  }
}
"""

REMOVE_PHOTO = """
mutation($input: RemoveReportPhotoInput!) {
  removeReportPhoto(input: $input) {
    report { photos { id } }
    event { kind note data }
    errors { code field }
  }
}
"""

PHOTOS_OF = "query($id: ID!) { report(id: $id) { photos { id url thumbnailUrl urlExpiresAt } } }"


@pytest.fixture
async def storage(db: Database, tmp_path: Path) -> AsyncIterator[LocalPhotoStorage]:
    Caller.photo_storage = LocalPhotoStorage(tmp_path / "photos")
    yield Caller.photo_storage
    Caller.photo_storage = None


def upload(data: bytes, name: str | None = "photo.jpg") -> UploadFile:
    """What the HTTP view hands the resolvers for one file part of a multipart request."""
    return UploadFile(io.BytesIO(data), filename=name, size=len(data))


def stored_files(storage: LocalPhotoStorage) -> list[str]:
    return sorted(p.name for p in storage.folder.iterdir()) if storage.folder.exists() else []


async def file_with(files: list[UploadFile], principal: Principal | None = None, **overrides: Any) -> Any:
    data = await gql(FILE_WITH_PHOTOS, {"input": filing(photos=files, **overrides)}, principal=principal)
    return data["fileReport"]


async def nothing_written(storage: LocalPhotoStorage) -> None:
    assert await Report.all().count() == 0
    assert await ReportPhoto.all().count() == 0
    assert await ReportEvent.all().count() == 0
    assert stored_files(storage) == []


async def test_filed_photos_are_stored_without_metadata(storage: LocalPhotoStorage) -> None:
    payload = await file_with([upload(images.jpeg_with_gps()), upload(images.png_with_gps(), "layar.png")])

    assert payload["errors"] == []
    photos = payload["report"]["photos"]
    assert [(p["kind"], p["format"], p["contentType"]) for p in photos] == [
        ("BEFORE", "JPEG", "image/jpeg"),
        ("BEFORE", "PNG", "image/png"),
    ]
    assert all(p["urlExpiresAt"] is None and p["url"].startswith("/photos/") for p in photos)
    # Four files (two photos, two thumbnails), each decodable and carrying nothing but pixels.
    files = stored_files(storage)
    assert len(files) == 4
    for name in files:
        stored = (storage.folder / name).read_bytes()
        meta = images.metadata_of(stored)
        assert (meta["exif_tags"], meta["gps"], meta["info_keys"]) == ({}, {}, [])
        assert b"Canon" not in stored
        assert b"Budi" not in stored
        assert b"<b>hi" not in stored
    assert {p["url"].rsplit("/", 1)[1] for p in photos} | {
        p["thumbnailUrl"].rsplit("/", 1)[1] for p in photos
    } == set(files)
    photo_events = [e for e in payload["report"]["timeline"] if e["kind"] == "PHOTO_ADDED"]
    assert len(photo_events) == 1
    assert photo_events[0]["data"]["kind"] == "BEFORE"
    assert len(photo_events[0]["data"]["photoIds"]) == 2


async def test_orientation_is_applied_before_the_metadata_goes(storage: LocalPhotoStorage) -> None:
    # 240 x 120, left red; EXIF orientation 6 says "turn 90 degrees clockwise to view".
    payload = await file_with([upload(images.jpeg_with_gps(orientation=6))])

    photo = payload["report"]["photos"][0]
    assert (photo["width"], photo["height"]) == (120, 240)
    with Image.open(storage.folder / photo["url"].rsplit("/", 1)[1]) as stored:
        assert stored.size == (120, 240)
        assert stored.getexif() == {}
        top = stored.convert("RGB").getpixel((60, 10))
        bottom = stored.convert("RGB").getpixel((60, 230))
    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert top[0] > 150 > top[2], "the red half must be on top once turned"
    assert bottom[2] > 150 > bottom[0]


async def test_appended_html_does_not_survive(storage: LocalPhotoStorage) -> None:
    payload = await file_with([upload(images.jpeg_with_html_appended())])

    assert payload["errors"] == []
    for name in stored_files(storage):
        assert b"<script" not in (storage.folder / name).read_bytes()


BAD_FILES = {
    "empty": (b"", "photo.jpg", "EMPTY_FILE"),
    "html named jpg": (images.HTML, "photo.jpg", "UNSUPPORTED_IMAGE"),
    "svg": (images.SVG, "photo.svg", "UNSUPPORTED_IMAGE"),
    "gif": (images.gif(), "photo.gif", "UNSUPPORTED_IMAGE"),
    "gif/javascript polyglot": (images.gif_javascript_polyglot(), "photo.jpg", "UNSUPPORTED_IMAGE"),
    "truncated jpeg": (images.jpeg_with_gps(1200, 900)[:2000], "photo.jpg", "DAMAGED_IMAGE"),
    "too many bytes": (b"\xff\xd8" + b"\x00" * MAX_FILE_BYTES, "photo.jpg", "FILE_TOO_LARGE"),
    "path in the name": (images.jpeg_with_gps(), "../../etc/passwd.jpg", "INVALID_FILE_NAME"),
    "backslash in the name": (images.jpeg_with_gps(), "..\\evil.jpg", "INVALID_FILE_NAME"),
    "nul in the name": (images.jpeg_with_gps(), "photo.php\x00.jpg", "INVALID_FILE_NAME"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_a_bad_third_file_leaves_nothing_behind(storage: LocalPhotoStorage, case: str) -> None:
    data, name, code = BAD_FILES[case]
    good = [upload(images.jpeg_with_gps()) for _ in range(4)]
    files = [*good[:2], upload(data, name), *good[2:]]

    payload = await file_with(files)

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "photos.2")]
    assert payload["report"] is None
    await nothing_written(storage)


async def test_decompression_bomb_is_refused_before_decoding(storage: LocalPhotoStorage) -> None:
    bomb = images.png_bomb()
    assert len(bomb) < 400_000  # 1.6 gigapixels in a few hundred kilobytes

    payload = await file_with([upload(bomb, "bomb.png")])

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("IMAGE_TOO_LARGE", "photos.0")]
    await nothing_written(storage)


async def test_at_most_five_photos_with_a_filing(storage: LocalPhotoStorage) -> None:
    payload = await file_with([upload(images.jpeg_with_gps()) for _ in range(6)])

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("TOO_MANY_PHOTOS", "photos")]
    await nothing_written(storage)


async def test_a_photo_must_be_a_file_not_a_json_value(storage: LocalPhotoStorage) -> None:
    payload = await file_with(["iVBORw0KGgo="])  # type: ignore[list-item]

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_UPLOAD", "photos.0")]
    await nothing_written(storage)


async def test_a_failed_database_write_removes_the_stored_files(
    db: Database, storage: LocalPhotoStorage
) -> None:
    """The files are put before the rows: when the database refuses the rows, they must go again."""
    async with photo_rows_refused(db.backend):
        result = await run(FILE_WITH_PHOTOS, {"input": filing(photos=[upload(images.jpeg_with_gps())])})

    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "INTERNAL_SERVER_ERROR"
    await nothing_written(storage)


# Proof of the fix


async def _in_progress(officer: Principal, **overrides: Any) -> str:
    report = (await file_with([], **overrides))["report"]
    for status in ["ACKNOWLEDGED", "IN_PROGRESS"]:
        changed = await gql(
            UPDATE_STATUS, {"input": {"id": report["id"], "status": status}}, principal=officer
        )
        assert changed["updateReportStatus"]["errors"] == []
    return str(report["id"])


async def _resolve(report_id: str, officer: Principal) -> dict[str, Any]:
    data = await gql(UPDATE_STATUS, {"input": {"id": report_id, "status": "RESOLVED"}}, principal=officer)
    return dict(data["updateReportStatus"])


async def _add_after_photo(report_id: str, officer: Principal) -> dict[str, Any]:
    variables = {"input": {"reportId": report_id, "file": upload(images.jpeg_with_gps())}}
    return dict((await gql(ADD_PHOTO, variables, principal=officer))["addReportPhoto"])


async def test_resolving_needs_an_after_photo_since_the_last_reopen(storage: LocalPhotoStorage) -> None:
    officer = await staff(Role.OFFICER, "DLH", "Officer DLH")
    report_id = await _in_progress(officer)

    refused = await _resolve(report_id, officer)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("AFTER_PHOTO_REQUIRED", "status")]
    assert (await Report.get(id=from_global_id(report_id, "Report"))).status == "IN_PROGRESS"

    added = await _add_after_photo(report_id, officer)
    assert added["errors"] == []
    assert added["event"]["kind"] == "PHOTO_ADDED"
    assert added["event"]["data"]["kind"] == "AFTER"
    assert [p["kind"] for p in added["report"]["photos"]] == ["AFTER"]
    assert (await _resolve(report_id, officer))["errors"] == []

    # "Not fixed": reopened, the earlier proof no longer counts.
    reopened = await gql(
        UPDATE_STATUS,
        {"input": {"id": report_id, "status": "IN_PROGRESS", "note": "Masih ada"}},
        principal=officer,
    )
    assert reopened["updateReportStatus"]["errors"] == []
    assert [e["code"] for e in (await _resolve(report_id, officer))["errors"]] == ["AFTER_PHOTO_REQUIRED"]
    assert (await _add_after_photo(report_id, officer))["errors"] == []
    assert (await _resolve(report_id, officer))["report"]["status"] == "RESOLVED"


async def test_categories_without_the_rule_resolve_without_a_photo(storage: LocalPhotoStorage) -> None:
    officer = await staff(Role.OFFICER, "DISHUB", "Officer DISHUB")
    report_id = await _in_progress(officer, categoryCode="KEMACETAN")

    assert (await _resolve(report_id, officer))["errors"] == []


async def test_the_city_admin_sets_the_rule_per_category(storage: LocalPhotoStorage) -> None:
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    category = (await gql("{ categories { id code requiresAfterPhoto } }"))["categories"]
    trash = next(c for c in category if c["code"] == "SAMPAH")
    assert trash["requiresAfterPhoto"] is True

    changed = await gql(
        "mutation($i: UpdateCategoryInput!) { updateCategory(input: $i) { "
        "category { requiresAfterPhoto } errors { code } } }",
        {"i": {"id": trash["id"], "requiresAfterPhoto": False}},
        principal=admin,
    )

    assert changed["updateCategory"] == {"category": {"requiresAfterPhoto": False}, "errors": []}
    officer = await staff(Role.OFFICER, "DLH", "Officer DLH")
    assert (await _resolve(await _in_progress(officer), officer))["errors"] == []


async def test_only_the_handling_agency_adds_photos(storage: LocalPhotoStorage) -> None:
    officer = await staff(Role.OFFICER, "DLH", "Officer DLH")
    report_id = await _in_progress(officer)
    outsiders = [ANONYMOUS, await citizen("Ani"), await staff(Role.OFFICER, "DISHUB", "Officer DISHUB")]

    for outsider in outsiders:
        refused = await _add_after_photo(report_id, outsider)
        assert [e["code"] for e in refused["errors"]] in (["FORBIDDEN"], ["UNAUTHENTICATED"])
    assert await ReportPhoto.all().count() == 0
    assert stored_files(storage) == []


async def test_staff_take_a_photo_down_with_its_files(storage: LocalPhotoStorage) -> None:
    payload = await file_with([upload(images.jpeg_with_gps()), upload(images.webp_with_gps(), "b.webp")])
    first, second = payload["report"]["photos"]
    officer = await staff(Role.OFFICER, "DLH", "Officer DLH")

    citizen_try = await gql(
        REMOVE_PHOTO, {"input": {"id": first["id"], "reason": "x"}}, principal=await citizen("Ani")
    )
    assert [e["code"] for e in citizen_try["removeReportPhoto"]["errors"]] == ["FORBIDDEN"]
    removed = await gql(
        REMOVE_PHOTO, {"input": {"id": first["id"], "reason": "Wajah orang terlihat"}}, principal=officer
    )

    payload = removed["removeReportPhoto"]
    assert payload["errors"] == []
    assert payload["report"]["photos"] == [{"id": second["id"]}]
    assert payload["event"]["kind"] == "PHOTO_REMOVED"
    assert payload["event"]["note"] == "Wajah orang terlihat"
    assert sorted(stored_files(storage)) == sorted(
        [second["url"].rsplit("/", 1)[1], second["thumbnailUrl"].rsplit("/", 1)[1]]
    )


# Privacy


async def test_sensitive_photos_are_only_for_the_reporter_and_the_agency(storage: LocalPhotoStorage) -> None:
    ani = await citizen("Ani")
    payload = await file_with([upload(images.jpeg_with_gps())], principal=ani, categoryCode="ORANG_HILANG")
    report_id = payload["report"]["id"]
    photo = payload["report"]["photos"][0]
    assert photo["urlExpiresAt"] is not None
    assert "signature=" in photo["url"]
    assert "signature=" in photo["thumbnailUrl"]

    dinsos = await staff(Role.OFFICER, "DINSOS", "Officer DINSOS")
    dishub = await staff(Role.OFFICER, "DISHUB", "Officer DISHUB")
    for viewer, sees in [
        (ani, True),
        (dinsos, True),
        (ANONYMOUS, False),
        (await citizen("Budi"), False),
        (dishub, False),
    ]:
        photos = (await gql(PHOTOS_OF, {"id": report_id}, principal=viewer))["report"]["photos"]
        assert (len(photos) == 1) is sees
        node = await gql(
            "query($id: ID!) { node(id: $id) { ... on ReportPhoto { url } } }",
            {"id": photo["id"]},
            principal=viewer,
        )
        assert (node["node"] is not None) is sees
        listed = await gql("{ reports(first: 5) { edges { node { photos { id } } } } }", principal=viewer)
        assert (listed["reports"]["edges"][0]["node"]["photos"] != []) is sees


async def test_ordinary_photos_are_public(storage: LocalPhotoStorage) -> None:
    payload = await file_with([upload(images.jpeg_with_gps())], principal=await citizen("Ani"))

    photos = (await gql(PHOTOS_OF, {"id": payload["report"]["id"]}))["report"]["photos"]
    assert photos[0]["url"] == payload["report"]["photos"][0]["url"]
    assert photos[0]["urlExpiresAt"] is None
