"""Both photo storages against the real thing: a folder on disk, and an S3-compatible HTTP endpoint
(moto's server mode, which speaks the S3 protocol on a local port) through boto3."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from starlette.datastructures import UploadFile

from models import Report, ReportPhoto
from resolvers.photo_storage import InvalidPhotoName, LocalPhotoStorage, PhotoStorage, S3PhotoStorage
from tests import images
from tests.conftest import Database
from tests.databases import photo_rows_refused
from tests.graphql import Caller, filing, gql, run
from tests.server_process import free_port

BUCKET = "sigap-photos"
CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing", "region": "us-east-1"}
NAME = "0123456789abcdef0123456789abcdef.jpg"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_keys(endpoint: str) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    listing = client.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture
def s3_storage(s3_endpoint: str) -> S3PhotoStorage:
    storage = S3PhotoStorage.connect(BUCKET, endpoint_url=s3_endpoint, prefix="kupang/", **CREDENTIALS)
    client: Any = storage.client
    existing = [b["Name"] for b in client.list_buckets().get("Buckets", [])]
    if BUCKET in existing:
        for key in s3_keys(s3_endpoint):
            client.delete_object(Bucket=BUCKET, Key=key)
    else:
        client.create_bucket(Bucket=BUCKET)
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> PhotoStorage:
    if request.param == "local":
        return LocalPhotoStorage(tmp_path / "photos")
    s3: S3PhotoStorage = request.getfixturevalue("s3_storage")
    return s3


async def test_put_get_delete(storage: PhotoStorage) -> None:
    data = images.jpeg_with_gps()

    await storage.put(NAME, data, "image/jpeg")

    assert await storage.get(NAME) == data
    await storage.delete(NAME)
    assert await storage.get(NAME) is None
    await storage.delete(NAME)  # already gone: not an error


@pytest.mark.parametrize(
    "name", ["../server.db", "..%2Fserver.db", "/etc/passwd", "a.jpg", NAME + "\x00.html", NAME.upper(), ""]
)
async def test_names_outside_the_pattern_never_reach_a_path_or_key(storage: PhotoStorage, name: str) -> None:
    with pytest.raises(InvalidPhotoName):
        await storage.put(name, b"x", "image/jpeg")
    with pytest.raises(InvalidPhotoName):
        await storage.get(name)


async def test_local_storage_leaves_no_partial_file(tmp_path: Path) -> None:
    storage = LocalPhotoStorage(tmp_path / "photos")

    await storage.put(NAME, b"photo", "image/jpeg")

    assert sorted(p.name for p in storage.folder.iterdir()) == [NAME]


async def test_s3_objects_carry_their_content_type(s3_storage: S3PhotoStorage, s3_endpoint: str) -> None:
    await s3_storage.put(NAME, images.jpeg_with_gps(), "image/jpeg")

    head = s3_storage.client.head_object(Bucket=BUCKET, Key="kupang/" + NAME)

    assert head["ContentType"] == "image/jpeg"
    assert s3_keys(s3_endpoint) == ["kupang/" + NAME]


async def test_filing_with_photos_into_s3(db: Database, s3_storage: S3PhotoStorage, s3_endpoint: str) -> None:
    Caller.photo_storage = s3_storage
    try:
        files = [UploadFile(io.BytesIO(images.jpeg_with_gps()), filename="a.jpg") for _ in range(2)]
        data = await gql(
            "mutation($i: FileReportInput!) { fileReport(input: $i) { "
            "report { photos { url } } errors { code } } }",
            {"i": filing(photos=files)},
        )
    finally:
        Caller.photo_storage = None

    assert data["fileReport"]["errors"] == []
    keys = s3_keys(s3_endpoint)
    assert len(keys) == 4
    for key in keys:
        stored = await s3_storage.get(key.removeprefix("kupang/"))
        assert stored is not None
        assert images.metadata_of(stored)["gps"] == {}


async def test_a_failed_database_write_empties_the_bucket_again(
    db: Database, s3_storage: S3PhotoStorage, s3_endpoint: str
) -> None:
    Caller.photo_storage = s3_storage
    try:
        files = [UploadFile(io.BytesIO(images.jpeg_with_gps()), filename="a.jpg") for _ in range(3)]
        async with photo_rows_refused(db.backend):
            result = await run(
                "mutation($i: FileReportInput!) { fileReport(input: $i) { report { id } errors { code } } }",
                {"i": filing(photos=files)},
            )
    finally:
        Caller.photo_storage = None

    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert s3_keys(s3_endpoint) == []
    assert await Report.all().count() == 0
    assert await ReportPhoto.all().count() == 0
