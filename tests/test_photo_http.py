"""Photo uploads at the edge: real GraphQL multipart requests to a real server process, the CSRF
preflight rule, size limits, and /photos/{name} with its headers and privacy."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests import images
from tests.databases import migrated_sqlite_url
from tests.loopback_http import HTTP
from tests.server_process import RunningServer, create_admin, sigap_server

SECRET = "photo-http-test-secret-" + "s" * 20
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@kupang.test", "admin-kata-sandi-123"
PREFLIGHT = {"x-sigap-csrf": "1"}
FILE = """mutation($input: FileReportInput!) { fileReport(input: $input) {
  report { id photos { url thumbnailUrl urlExpiresAt } } trackingToken errors { code field } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("photo-http")
    env = {
        "DATABASE_URL": migrated_sqlite_url(folder),
        "JWT_SECRET": SECRET,
        "PHOTO_DIR": str(folder / "photos"),
        "RESPONSE_CACHE": "off",
    }
    created = create_admin(env, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert created.returncode == 0, created.stderr
    with sigap_server(folder, **env) as running:
        yield running


def photo_dir(server: RunningServer) -> Path:
    return server.log_path.parent / "photos"


def stored_files(server: RunningServer) -> set[str]:
    folder = photo_dir(server)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def report_count(server: RunningServer) -> int:
    response = HTTP.post(server.url + "/graphql", json={"query": "{ reports(first: 1) { totalCount } }"})
    return int(response.json()["data"]["reports"]["totalCount"])


def multipart(
    server: RunningServer,
    files: list[tuple[str, bytes, str]],
    *,
    headers: dict[str, str] | None = None,
    query: str = FILE,
    variables: dict[str, Any] | None = None,
    path: str = "variables.input.photos",
) -> httpx.Response:
    """A GraphQL multipart request (jaydenseric's spec): `operations`, `map`, then the files."""
    if variables is None:
        variables = {"input": _filing(photos=[None] * len(files))}
    operations = json.dumps({"query": query, "variables": variables})
    # A list variable takes file i at `path.i`; a single Upload variable takes the one file at `path`.
    targets = [f"{path}.{i}" for i in range(len(files))] if path.endswith(".photos") else [path]
    mapping = {str(i): [target] for i, target in enumerate(targets)}
    return HTTP.post(
        server.url + "/graphql",
        data={"operations": operations, "map": json.dumps(mapping)},
        files=[(str(i), (name, data, content_type)) for i, (name, data, content_type) in enumerate(files)],
        headers=headers if headers is not None else PREFLIGHT,
        timeout=30,
    )


def _filing(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Sampah menumpuk",
        "description": "Belum diangkut tiga hari",
        "categoryCode": "SAMPAH",
        "location": {"lat": -10.17, "lon": 123.607},
        **overrides,
    }


def test_a_filing_with_photos_over_http(server: RunningServer) -> None:
    response = multipart(
        server,
        [
            ("rumah-budi.jpg", images.jpeg_with_gps(), "image/jpeg"),
            ("x.png", images.png_with_gps(), "image/png"),
        ],
    )

    assert response.status_code == 200
    payload = response.json()["data"]["fileReport"]
    assert payload["errors"] == []
    photo = payload["report"]["photos"][0]
    assert photo["url"].startswith(server.url + "/photos/")  # absolute: a mobile app fetches it as it is
    served = HTTP.get(photo["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"].startswith("default-src 'none'")
    name = photo["url"].rsplit("/", 1)[1]
    assert served.headers["content-disposition"] == f'inline; filename="{name}"'
    assert served.headers["cache-control"] == "public, no-cache"
    meta = images.metadata_of(served.content)
    assert (meta["format"], meta["exif_tags"], meta["gps"]) == ("JPEG", {}, {})
    assert "rumah-budi" not in photo["url"]
    thumbnail = HTTP.get(payload["report"]["photos"][1]["thumbnailUrl"])
    assert thumbnail.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(thumbnail.content)).format == "PNG"


@pytest.mark.parametrize(
    "headers", [{}, {"x-sigap-csrf": ""}, {"origin": "https://evil.example"}], ids=["none", "empty", "origin"]
)
def test_multipart_without_a_preflight_header_is_refused(
    server: RunningServer, headers: dict[str, str]
) -> None:
    before_reports, before_files = report_count(server), stored_files(server)

    response = multipart(server, [("a.jpg", images.jpeg_with_gps(), "image/jpeg")], headers=headers)

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "PREFLIGHT_REQUIRED"
    assert (report_count(server), stored_files(server)) == (before_reports, before_files)


def test_apollo_preflight_header_is_accepted(server: RunningServer) -> None:
    response = multipart(
        server,
        [("a.jpg", images.jpeg_with_gps(), "image/jpeg")],
        headers={"apollo-require-preflight": "true"},
    )

    assert response.json()["data"]["fileReport"]["errors"] == []


def test_an_oversized_request_is_refused_before_it_is_read(server: RunningServer) -> None:
    before = stored_files(server)
    big = b"\xff\xd8" + os.urandom(31 * 1024 * 1024)

    response = multipart(server, [("big.jpg", big, "image/jpeg")])

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert stored_files(server) == before


def test_an_oversized_body_without_a_length_is_cut_off_while_it_arrives(server: RunningServer) -> None:
    """Chunked transfer: no Content-Length to check up front, so the bytes are counted."""
    before = stored_files(server)

    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="0"; filename="a.jpg"\r\n\r\n'
        for _ in range(40):
            yield b"\x00" * (1024 * 1024)

    response = HTTP.post(
        server.url + "/graphql",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=b", **PREFLIGHT},
        timeout=30,
    )

    assert response.status_code == 413
    assert stored_files(server) == before


def test_more_files_than_a_filing_takes_are_refused(server: RunningServer) -> None:
    before = report_count(server)

    response = multipart(server, [("a.jpg", images.jpeg_with_gps(), "image/jpeg")] * 6)

    assert response.status_code == 400
    assert report_count(server) == before


@pytest.mark.parametrize(
    ("name", "data", "content_type", "code"),
    [
        ("bomb.png", images.png_bomb(), "image/png", "IMAGE_TOO_LARGE"),
        ("photo.jpg", images.HTML, "image/jpeg", "UNSUPPORTED_IMAGE"),
        ("photo.svg", images.SVG, "image/svg+xml", "UNSUPPORTED_IMAGE"),
        ("photo.gif", images.gif_javascript_polyglot(), "image/gif", "UNSUPPORTED_IMAGE"),
        ("photo.jpg", b"", "image/jpeg", "EMPTY_FILE"),
        ("../../photo.jpg", images.jpeg_with_gps(), "image/jpeg", "INVALID_FILE_NAME"),
    ],
)
def test_bad_files_get_a_typed_error_and_leave_nothing(
    server: RunningServer, name: str, data: bytes, content_type: str, code: str
) -> None:
    before_reports, before_files = report_count(server), stored_files(server)
    good = ("a.jpg", images.jpeg_with_gps(), "image/jpeg")

    response = multipart(server, [good, good, (name, data, content_type), good])

    assert response.status_code == 200
    payload = response.json()["data"]["fileReport"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "photos.2")]
    assert (report_count(server), stored_files(server)) == (before_reports, before_files)


def test_a_nul_byte_in_the_file_name(server: RunningServer) -> None:
    """Written by hand: HTTP clients will not put a NUL in a file name, attackers will."""
    before = stored_files(server)
    boundary = "sigapboundary"
    operations = json.dumps({"query": FILE, "variables": {"input": _filing(photos=[None])}})
    mapping = json.dumps({"0": ["variables.input.photos.0"]})
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{operations}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{mapping}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="shell.php\x00.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + images.jpeg_with_gps()
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = HTTP.post(
        server.url + "/graphql",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}", **PREFLIGHT},
    )

    assert response.status_code == 200
    errors = response.json()["data"]["fileReport"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_FILE_NAME", "photos.0")]
    assert stored_files(server) == before


@pytest.mark.parametrize(
    "path", ["/photos/..%2Fserver.db", "/photos/server.db", "/photos/%2e%2e", "/photos/" + "0" * 32 + ".jpg"]
)
def test_unknown_or_crafted_names_are_not_found(server: RunningServer, path: str) -> None:
    response = HTTP.get(server.url + path)

    assert response.status_code == 404
    assert b"SQLite" not in response.content


def test_sensitive_photos_need_a_signed_address(server: RunningServer) -> None:
    response = multipart(
        server,
        [("a.jpg", images.jpeg_with_gps(), "image/jpeg")],
        variables={"input": _filing(categoryCode="ORANG_HILANG", photos=[None])},
    )
    payload = response.json()["data"]["fileReport"]
    signed = payload["report"]["photos"][0]["url"]
    bare = signed.split("?", 1)[0]
    public_view = HTTP.post(
        server.url + "/graphql",
        json={
            "query": "query($id: ID!) { report(id: $id) { photos { url } } }",
            "variables": {"id": payload["report"]["id"]},
        },
    )

    assert public_view.json()["data"]["report"]["photos"] == []
    assert HTTP.get(bare).status_code == 404
    assert HTTP.get(signed[:-4] + "0000").status_code == 404
    # A digit to str.isdigit() that int() refuses is a crafted address, not a server error.
    assert HTTP.get(bare + "?expires=%C2%B2&signature=x").status_code == 404
    served = HTTP.get(signed)
    assert served.status_code == 200
    assert served.headers["cache-control"] == "private, no-store"
    # The anonymous filer's tracking token shows them their photos again, with fresh addresses.
    tracked = HTTP.post(
        server.url + "/graphql",
        json={
            "query": "query($t: String!) { report(trackingToken: $t) { photos { url } } }",
            "variables": {"t": payload["trackingToken"]},
        },
    )
    again = tracked.json()["data"]["report"]["photos"][0]["url"]
    assert HTTP.get(again).status_code == 200


def test_staff_add_the_after_photo_that_resolving_needs(server: RunningServer) -> None:
    auth = _admin_headers(server)
    filed = HTTP.post(server.url + "/graphql", json={"query": FILE, "variables": {"input": _filing()}})
    report_id = filed.json()["data"]["fileReport"]["report"]["id"]
    status = "mutation($i: UpdateReportStatusInput!) { updateReportStatus(input: $i) { errors { code } } }"

    def move(to: str) -> list[str]:
        answer = HTTP.post(
            server.url + "/graphql",
            json={"query": status, "variables": {"i": {"id": report_id, "status": to}}},
            headers=auth,
        )
        return [e["code"] for e in answer.json()["data"]["updateReportStatus"]["errors"]]

    assert move("ACKNOWLEDGED") == move("IN_PROGRESS") == []
    assert move("RESOLVED") == ["AFTER_PHOTO_REQUIRED"]
    added = multipart(
        server,
        [("sesudah.webp", images.webp_with_gps(), "image/webp")],
        query="mutation($input: AddReportPhotoInput!) { addReportPhoto(input: $input) "
        "{ report { photos { kind url } } errors { code } } }",
        variables={"input": {"reportId": report_id, "file": None}},
        path="variables.input.file",
        headers={**PREFLIGHT, **auth},
    )

    payload = added.json()["data"]["addReportPhoto"]
    assert payload["errors"] == []
    assert [p["kind"] for p in payload["report"]["photos"]] == ["AFTER"]
    served = HTTP.get(payload["report"]["photos"][0]["url"])
    assert served.headers["content-type"] == "image/webp"
    assert images.metadata_of(served.content)["gps"] == {}
    assert move("RESOLVED") == []


def _admin_headers(server: RunningServer) -> dict[str, str]:
    signed_in = HTTP.post(
        server.url + "/graphql",
        json={
            "query": "mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) "
            "{ session { accessToken } } }",
            "variables": {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
        },
    )
    return {"authorization": "Bearer " + signed_in.json()["data"]["signIn"]["session"]["accessToken"]}


def test_a_public_photo_is_revalidated_before_every_use_and_gone_once_private(server: RunningServer) -> None:
    filed = multipart(
        server,
        [("parkir.jpg", images.jpeg_with_gps(), "image/jpeg")],
        variables={"input": _filing(categoryCode="PARKIR_LIAR", photos=[None])},
    ).json()["data"]["fileReport"]
    url = filed["report"]["photos"][0]["url"]

    first = HTTP.get(url)
    directives = {d.strip() for d in first.headers["cache-control"].split(",")}
    revalidated = HTTP.get(url, headers={"if-none-match": first.headers["etag"]})

    assert first.status_code == 200
    assert "no-cache" in directives
    assert "immutable" not in directives
    assert not any(d.startswith(("max-age", "s-maxage")) and d.split("=")[1] != "0" for d in directives)
    assert (revalidated.status_code, revalidated.content) == (304, b"")

    admin = _admin_headers(server)
    categories = HTTP.post(server.url + "/graphql", json={"query": "{ categories { id code } }"})
    category_id = next(c["id"] for c in categories.json()["data"]["categories"] if c["code"] == "PARKIR_LIAR")
    update = """mutation($i: UpdateCategoryInput!) { updateCategory(input: $i) { errors { code } } }"""

    def sensitive(value: bool) -> None:
        answer = HTTP.post(
            server.url + "/graphql",
            json={"query": update, "variables": {"i": {"id": category_id, "isSensitive": value}}},
            headers=admin,
        )
        assert answer.json()["data"]["updateCategory"]["errors"] == []

    sensitive(True)
    try:
        # What a shared cache holding the photo asks before serving it again: the photo is gone.
        assert HTTP.get(url, headers={"if-none-match": first.headers["etag"]}).status_code == 404
        assert HTTP.get(url).status_code == 404
    finally:
        sensitive(False)
