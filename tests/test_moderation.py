"""Moderation through the public interfaces: staff hide and redact content with a reason, the
public no longer sees it anywhere (GraphQL, the live feed's replays, exports, Open311, photo
addresses), staff still do, marked; citizens flag content into the moderation queue."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models import ApiKeyKind, PhotoKind, Report, Role
from resolvers.api_keys import create_api_key
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from resolvers.photo_storage import LocalPhotoStorage
from resolvers.photos import IncomingPhoto, add_report_photo
from resolvers.privacy import REDACTED_MARKER
from schema import schema
from schema.context import Context
from schema.ids import from_global_id, to_global_id
from schema.live import FollowHub
from server.app import create_app
from server.settings import Settings
from tests.casework_api import change
from tests.conftest import Database, QueryLog
from tests.graphql import SIGNER, citizen, file_report, gql, run, staff
from tests.images import jpeg_with_gps
from tests.live_in_process import live_feed

SECRET = "Hubungi saya di 0812 3456 7890, rumah cat biru"  # a comment a moderator hides
PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"reports:read"}), client="k:1"
)
DISPLAY = Principal(
    kind=PrincipalKind.DISPLAY, api_key_id=2, scopes=frozenset({"reports:read"}), client="k:2"
)

MODERATE = """mutation($i: ModerateContentInput!) { moderateContent(input: $i) {
  event { kind isInternal note data } errors { code field } } }"""
FLAG = "mutation($i: FlagContentInput!) { flagContent(input: $i) { flagged errors { code field } } }"
DISMISS = """mutation($i: DismissFlagsInput!) { dismissFlags(input: $i) {
  item { resolution flagCount } errors { code } } }"""
QUEUE = """query($f: ModerationQueueFilter) { moderationQueue(first: 10, filter: $f) {
  edges { node { id target contentId flagCount reasons { reason count } notes resolution
    report { id } comment { body moderation { state reason } } } }
  pageInfo { hasNextPage } } }"""
READ = """query($id: ID!) { report(id: $id) {
  title description titleModeration { state reason }
  comments { body moderation { state reason } }
  timeline { kind note data }
  photos { url moderation { state reason } } } }"""


async def moderate(principal: Principal, target: str, content_id: str, action: str) -> dict[str, Any]:
    variables = {"i": {"target": target, "id": content_id, "action": action, "reason": "Data pribadi"}}
    return (await gql(MODERATE, variables, principal=principal))["moderateContent"]  # type: ignore[no-any-return]


async def flag(
    principal: Principal, target: str, content_id: str, reason: str, text: str | None = None
) -> Any:
    variables = {"i": {"target": target, "id": content_id, "reason": reason, "text": text}}
    return (await gql(FLAG, variables, principal=principal))["flagContent"]


async def read(report_id: str, principal: Principal) -> dict[str, Any]:
    return (await gql(READ, {"id": report_id}, principal=principal))["report"]  # type: ignore[no-any-return]


async def unread(report_id: str, principal: Principal) -> int:
    query = "query($id: ID!) { report(id: $id) { unreadUpdates } }"
    return (await gql(query, {"id": report_id}, principal=principal))["report"]["unreadUpdates"]  # type: ignore[no-any-return]


@pytest.fixture
async def http(db: Database, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=db.url, jwt_secret="test-secret-" + "x" * 32, photo_dir=tmp_path / "photos"
    )
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost"
    ) as client:
        yield client


def bearer(principal: Principal) -> dict[str, str]:
    assert principal.user is not None
    return {"authorization": f"Bearer {SIGNER.access_token(principal.user)[0]}"}


async def over_http(http: httpx.AsyncClient, query: str, variables: dict[str, Any], **headers: str) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body["data"]


async def replayed(principal: Principal, report_id: str, until: str) -> list[dict[str, Any]]:
    """The report's events the live feed replays to `principal`, up to the one whose note is `until`."""
    query = """subscription($f: ReportEventFilter) { reportEvents(filter: $f, after: "0") {
      event { kind note data } report { title } } }"""
    async with live_feed() as hub:
        context = Context(principal=principal, tokens=SIGNER, live=FollowHub(hub))
        stream = await schema.subscribe(
            query, variable_values={"f": {"reportId": report_id}}, context_value=context
        )
        assert isinstance(stream, AsyncGenerator), stream
        events: list[dict[str, Any]] = []
        try:
            async with asyncio.timeout(5):
                while not events or events[-1]["note"] != until:
                    result = await anext(stream)
                    assert not result.errors, result.errors
                    events.append(result.data["reportEvents"]["event"])  # type: ignore[index]
        finally:
            await stream.aclose()
    return events


async def test_a_hidden_comment_is_gone_for_the_public_and_marked_for_staff(db: Database) -> None:
    reporter, stranger = await citizen("Ani"), await citizen("Budi")
    officer = await staff(Role.OFFICER, "DLH", "Petugas DLH")
    report = await file_report(reporter)
    await change("followReport", stranger, id=report["id"])
    comment = (await change("addComment", reporter, id=report["id"], body=SECRET))["event"]

    hidden = await moderate(officer, "COMMENT", comment["id"], "HIDE")
    await change("addComment", officer, id=report["id"], body="Segera diangkut")

    assert hidden["errors"] == []
    action = {"target": "COMMENT", "targetId": from_global_id(comment["id"], "ReportEvent"), "action": "HIDE"}
    assert hidden["event"] == {
        "kind": "MODERATED",
        "isInternal": False,  # public, so that live clients show the report again; its reason is not
        "note": None,
        "data": {**action, "reason": "Data pribadi"},  # for the staff who may moderate
    }
    for viewer in (ANONYMOUS, stranger, reporter, PARTNER):
        seen = await read(report["id"], viewer)
        assert [c["body"] for c in seen["comments"]] == ["Segera diangkut"]
        assert [e["kind"] for e in seen["timeline"]] == ["FILED", "FOLLOWED", "MODERATED", "COMMENTED"]
        assert seen["timeline"][2]["data"] == action
        assert SECRET not in str(seen)
        assert "Data pribadi" not in str(seen)
        node = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": comment["id"]}, principal=viewer)
        assert node["node"] is None
    assert await unread(report["id"], stranger) == 1  # the officer's comment; the hidden one is no news
    staff_view = await read(report["id"], officer)
    assert staff_view["comments"][0] == {
        "body": SECRET,
        "moderation": {"state": "HIDDEN", "reason": "Data pribadi"},
    }
    assert [e["kind"] for e in staff_view["timeline"]] == [
        "FILED",
        "FOLLOWED",
        "COMMENTED",
        "MODERATED",
        "COMMENTED",
    ]
    public_replay = str(await replayed(stranger, report["id"], until="Segera diangkut"))
    assert SECRET not in public_replay
    assert "Data pribadi" not in public_replay
    assert SECRET in str(await replayed(officer, report["id"], until="Segera diangkut"))

    restored = await moderate(officer, "COMMENT", comment["id"], "RESTORE")
    again = await moderate(officer, "COMMENT", comment["id"], "RESTORE")

    assert restored["errors"] == []
    assert again["errors"] == [{"code": "NOTHING_CHANGED", "field": "action"}]
    assert [c["body"] for c in (await read(report["id"], stranger))["comments"]] == [
        SECRET,
        "Segera diangkut",
    ]
    assert await unread(report["id"], stranger) == 2

    await moderate(officer, "COMMENT", comment["id"], "REDACT")

    assert (await read(report["id"], stranger))["comments"][0] == {
        "body": REDACTED_MARKER,
        "moderation": None,
    }
    assert (await read(report["id"], officer))["comments"][0]["body"] == SECRET


async def test_redacted_text_reads_as_the_marker_on_every_public_path(
    db: Database, http: httpx.AsyncClient
) -> None:
    officer = await staff(Role.OFFICER, "DLH", "Petugas DLH")
    report = await file_report(title="Pak Joko tukang buang sampah", description="Rumah Pak Joko, nomor 12")
    code = (await Report.get(id=from_global_id(report["id"], "Report"))).code
    redacted = [
        await moderate(officer, target, report["id"], "REDACT")
        for target in ("REPORT_TITLE", "REPORT_DESCRIPTION")
    ]
    admin = await staff(Role.CITY_ADMIN, None, "Admin")
    _, key = await create_api_key(
        admin, name="Mitra", kind=ApiKeyKind.PARTNER, scopes=["reports:read"], budget_per_hour=None
    )
    page = "{ reports(first: 5) { edges { node { title description } } } }"  # the compiled path
    one = "query($id: ID!) { report(id: $id) { title description titleModeration { state reason } } }"

    public_page = await over_http(http, page, {})
    partner_page = await over_http(http, page, {}, **{"x-api-key": key})
    public_one = await over_http(http, one, {"id": report["id"]})
    staff_one = await over_http(http, one, {"id": report["id"]}, **bearer(officer))
    csv_rows = list(csv.DictReader(io.StringIO((await http.get("/exports/reports.csv")).text)))
    staff_csv = (await http.get("/exports/reports.ndjson", headers=bearer(officer))).text
    open311 = (await http.get(f"/open311/v2/requests/{code}.json")).json()

    assert all(r["errors"] == [] for r in redacted)
    marker = {"title": REDACTED_MARKER, "description": REDACTED_MARKER}
    assert public_page["reports"]["edges"] == partner_page["reports"]["edges"] == [{"node": marker}]
    assert public_one["report"] == {**marker, "titleModeration": None}
    assert staff_one["report"] == {
        "title": "Pak Joko tukang buang sampah",
        "description": "Rumah Pak Joko, nomor 12",
        "titleModeration": {"state": "REDACTED", "reason": "Data pribadi"},
    }
    assert [(row["title"], row["description"]) for row in csv_rows] == [(REDACTED_MARKER, REDACTED_MARKER)]
    assert "Rumah Pak Joko" in staff_csv
    assert open311[0]["description"] == REDACTED_MARKER
    assert "Joko" not in str(public_page) + str(csv_rows) + str(open311)
    search = '{ reports(first: 5, filter: {text: "joko"}) { edges { node { id } } } }'
    assert (await over_http(http, search, {}, **bearer(officer)))["reports"]["edges"] == []

    await moderate(officer, "REPORT_TITLE", report["id"], "RESTORE")

    assert (await over_http(http, page, {}))["reports"]["edges"] == [
        {"node": {"title": "Pak Joko tukang buang sampah", "description": REDACTED_MARKER}}
    ]
    assert (await over_http(http, search, {}))["reports"]["edges"] == [{"node": {"id": report["id"]}}]


async def test_a_hidden_photo_is_served_to_staff_only(
    db: Database, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    officer = await staff(Role.OFFICER, "DLH", "Petugas DLH")
    report = await file_report()
    code = (await Report.get(id=from_global_id(report["id"], "Report"))).code
    storage = LocalPhotoStorage(tmp_path / "photos")
    await add_report_photo(
        from_global_id(report["id"], "Report"),
        PhotoKind.AFTER,
        IncomingPhoto(jpeg_with_gps(), "a.jpg", "file"),
        principal=officer,
        storage=storage,
    )
    photos = "query($id: ID!) { report(id: $id) { photos { id url moderation { state reason } } } }"
    before = (await over_http(http, photos, {"id": report["id"]}))["report"]["photos"][0]

    refused = await moderate(officer, "PHOTO", before["id"], "REDACT")
    hidden = await moderate(officer, "PHOTO", before["id"], "HIDE")

    assert (await http.get(before["url"])).status_code == 404  # was public until hidden
    assert refused["errors"] == [{"code": "INVALID_INPUT", "field": "action"}]
    assert hidden["errors"] == []
    assert (await over_http(http, photos, {"id": report["id"]}))["report"]["photos"] == []
    assert (await http.get(f"/open311/v2/requests/{code}.json")).json()[0]["media_url"] is None
    (seen,) = (await over_http(http, photos, {"id": report["id"]}, **bearer(officer)))["report"]["photos"]
    assert seen["moderation"] == {"state": "HIDDEN", "reason": "Data pribadi"}
    assert (await http.get(seen["url"])).status_code == 200  # a signed address, for staff

    await moderate(officer, "PHOTO", before["id"], "RESTORE")

    assert (await http.get(before["url"])).status_code == 200


async def test_flags_feed_the_queue_until_staff_act_or_dismiss(db: Database) -> None:
    reporter, ani, budi = await citizen("Pelapor"), await citizen("Ani"), await citizen("Budi")
    officer = await staff(Role.OFFICER, "DLH", "Petugas DLH")
    elsewhere = await staff(Role.OFFICER, "SATPOLPP", "Petugas Satpol")
    dispatcher = await staff(Role.DISPATCHER, None, "Dispatcher")
    report = await file_report(reporter)
    comment = (await change("addComment", reporter, id=report["id"], body=SECRET))["event"]

    first = await flag(ani, "COMMENT", comment["id"], "PERSONAL_DATA")
    twice = await flag(ani, "COMMENT", comment["id"], "SPAM")
    without_words = await flag(budi, "COMMENT", comment["id"], "OTHER")
    with_words = await flag(budi, "COMMENT", comment["id"], "OTHER", "Ada nomor telepon")
    anonymous = await flag(ANONYMOUS, "COMMENT", comment["id"], "SPAM")
    wrong_type = await flag(ani, "COMMENT", report["id"], "SPAM")

    assert first == {"flagged": True, "errors": []}
    assert twice == {"flagged": False, "errors": [{"code": "ALREADY_FLAGGED", "field": "id"}]}
    assert without_words["errors"] == [{"code": "REQUIRED", "field": "text"}]
    assert with_words["errors"] == []
    assert anonymous["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]
    assert wrong_type["errors"] == [{"code": "INVALID_ID", "field": "id"}]
    queue = (await gql(QUEUE, {}, principal=officer))["moderationQueue"]
    (entry,) = [edge["node"] for edge in queue["edges"]]
    assert (entry["target"], entry["contentId"]) == ("COMMENT", comment["id"])
    assert entry["flagCount"] == 2
    assert entry["reasons"] == [{"reason": "OTHER", "count": 1}, {"reason": "PERSONAL_DATA", "count": 1}]
    assert entry["notes"] == ["Ada nomor telepon"]
    assert entry["comment"] == {"body": SECRET, "moderation": None}
    assert (await gql(QUEUE, {}, principal=elsewhere))["moderationQueue"]["edges"] == []
    dlh = to_global_id("Agency", (await Report.get(id=from_global_id(report["id"], "Report"))).agency_id)
    assert (
        len((await gql(QUEUE, {"f": {"agency": dlh}}, principal=dispatcher))["moderationQueue"]["edges"]) == 1
    )
    foreign = await run(QUEUE, {"f": {"agency": dlh}}, principal=elsewhere)
    assert [e.extensions["code"] for e in foreign.errors or ()] == ["FORBIDDEN"]  # type: ignore[index]

    await moderate(officer, "COMMENT", comment["id"], "HIDE")
    report_flag = await flag(budi, "REPORT", report["id"], "WRONG_PLACE")
    hidden_again = await flag(reporter, "COMMENT", comment["id"], "SPAM")  # the public cannot see it now
    report_entry = (await gql(QUEUE, {}, principal=officer))["moderationQueue"]["edges"][0]["node"]
    dismissed = (await gql(DISMISS, {"i": {"id": report_entry["id"]}}, principal=officer))["dismissFlags"]

    assert report_flag["errors"] == []
    assert hidden_again["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert report_entry["target"] == "REPORT"
    assert dismissed == {"item": {"resolution": "DISMISSED", "flagCount": 1}, "errors": []}
    assert (await gql(QUEUE, {}, principal=officer))["moderationQueue"]["edges"] == []
    resolved = (await gql(QUEUE, {"f": {"state": "RESOLVED"}}, principal=officer))["moderationQueue"]["edges"]
    assert [(e["node"]["target"], e["node"]["resolution"]) for e in resolved] == [
        ("REPORT", "DISMISSED"),
        ("COMMENT", "MODERATED"),
    ]
    paged = """query($after: String) { moderationQueue(first: 1, after: $after, filter: {state: RESOLVED}) {
      edges { node { target } } pageInfo { hasNextPage endCursor } } }"""
    one = (await gql(paged, {}, principal=officer))["moderationQueue"]
    two = (await gql(paged, {"after": one["pageInfo"]["endCursor"]}, principal=officer))["moderationQueue"]
    assert (one["edges"], one["pageInfo"]["hasNextPage"]) == ([{"node": {"target": "REPORT"}}], True)
    assert (two["edges"], two["pageInfo"]["hasNextPage"]) == ([{"node": {"target": "COMMENT"}}], False)
    garbage = await run(paged, {"after": "not-a-cursor"}, principal=officer)
    assert [e.extensions["code"] for e in garbage.errors or ()] == ["INVALID_CURSOR"]  # type: ignore[index]


async def test_a_queue_page_costs_the_same_queries_however_many_entries_it_shows(
    db: Database, tmp_path: Path, sql_queries: QueryLog
) -> None:
    officer, ani = await staff(Role.OFFICER, "DLH", "Petugas DLH"), await citizen("Ani")
    report = await file_report()
    comments = [
        (await change("addComment", officer, id=report["id"], body=f"Info {n}"))["event"] for n in range(3)
    ]
    storage = LocalPhotoStorage(tmp_path / "photos")
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        await add_report_photo(
            from_global_id(report["id"], "Report"),
            PhotoKind.AFTER,
            IncomingPhoto(jpeg_with_gps(), name, "file"),
            principal=officer,
            storage=storage,
        )
    ids = "query($id: ID!) { report(id: $id) { photos { id } } }"
    photos = (await gql(ids, {"id": report["id"]}, principal=officer))["report"]["photos"]
    page = """{ moderationQueue(first: 10) { edges { node { target notes reasons { count }
      report { id } comment { body } photo { id } } } } }"""

    async def queue_queries() -> tuple[int, list[Any]]:
        sql_queries.clear()
        edges = (await gql(page, principal=officer))["moderationQueue"]["edges"]
        return sql_queries.count, [edge["node"] for edge in edges]

    await flag(ani, "COMMENT", comments[0]["id"], "SPAM")
    await flag(ani, "PHOTO", photos[0]["id"], "SPAM")
    small, two = await queue_queries()
    for comment in comments[1:]:
        await flag(ani, "COMMENT", comment["id"], "SPAM")
    for photo in photos[1:]:
        await flag(ani, "PHOTO", photo["id"], "SPAM")
    large, six = await queue_queries()

    assert len(two) == 2
    assert sorted(node["comment"]["body"] for node in six if node["target"] == "COMMENT") == [
        "Info 0",
        "Info 1",
        "Info 2",
    ]
    assert sorted(node["photo"]["id"] for node in six if node["target"] == "PHOTO") == sorted(
        photo["id"] for photo in photos
    )
    assert large == small, sql_queries.statements


async def test_every_entry_of_a_page_shows_its_own_newest_notes(db: Database) -> None:
    officer, reporter = await staff(Role.OFFICER, "DLH", "Petugas DLH"), await citizen("Pelapor")
    report = await file_report(reporter)
    comment = (await change("addComment", reporter, id=report["id"], body=SECRET))["event"]
    await flag(await citizen("Ani"), "COMMENT", comment["id"], "OTHER", "Ada nomor telepon")
    # Then many citizens flag the report itself, each with words of their own.
    for n in range(12):
        answer = await flag(await citizen(f"Warga{n}"), "REPORT", report["id"], "OTHER", f"Catatan {n}")
        assert answer["errors"] == []

    queue = (await gql(QUEUE, {}, principal=officer))["moderationQueue"]["edges"]

    notes = {edge["node"]["target"]: edge["node"]["notes"] for edge in queue}
    assert notes == {
        "REPORT": ["Catatan 11", "Catatan 10", "Catatan 9", "Catatan 8", "Catatan 7"],
        "COMMENT": ["Ada nomor telepon"],
    }


async def test_flagging_is_rate_limited_per_citizen(db: Database) -> None:
    officer, ani = await staff(Role.OFFICER, "DLH", "Petugas DLH"), await citizen("Ani")
    report = await file_report()
    comments = [
        (await change("addComment", officer, id=report["id"], body=f"Info {n}"))["event"] for n in range(11)
    ]

    answers = [await flag(ani, "COMMENT", comment["id"], "SPAM") for comment in comments]

    assert [a["errors"] for a in answers[:10]] == [[]] * 10
    assert answers[10]["errors"] == [{"code": "RATE_LIMITED", "field": None}]


# Every role, each trying every moderation action (not a sample).
ROLES: dict[str, tuple[Role, str | None] | None] = {
    "anonymous": None,
    "partner": None,
    "display": None,
    "citizen": (Role.CITIZEN, None),
    "officer of the handling agency": (Role.OFFICER, "DLH"),
    "officer of another agency": (Role.OFFICER, "SATPOLPP"),
    "admin of the handling agency": (Role.AGENCY_ADMIN, "DLH"),
    "admin of another agency": (Role.AGENCY_ADMIN, "SATPOLPP"),
    "dispatcher": (Role.DISPATCHER, None),
    "city admin": (Role.CITY_ADMIN, None),
}
MODERATORS = {"officer of the handling agency", "admin of the handling agency", "dispatcher", "city admin"}
NOBODY = {"anonymous": "UNAUTHENTICATED", "partner": "UNAUTHENTICATED", "display": "UNAUTHENTICATED"}


async def _principal(name: str) -> Principal:
    fixed = {"anonymous": ANONYMOUS, "partner": PARTNER, "display": DISPLAY}
    if name in fixed:
        return fixed[name]
    role, agency = ROLES[name]  # type: ignore[misc]
    if role is Role.CITIZEN:
        return await citizen("Matriks")
    return await staff(role, agency, name.title().replace(" ", ""))


async def test_every_role_tries_every_moderation_action(db: Database) -> None:
    report = await file_report()
    await flag(await citizen("Penanda"), "REPORT", report["id"], "SPAM")
    queue = (await gql(QUEUE, {}, principal=await staff(Role.DISPATCHER, None, "Lihat")))["moderationQueue"]
    item_id = queue["edges"][0]["node"]["id"]
    outcomes: dict[str, dict[str, str]] = {}
    for n, name in enumerate(ROLES):
        principal = await _principal(name)
        redact = await moderate(principal, "REPORT_TITLE", report["id"], "REDACT")
        if not redact["errors"]:
            await moderate(principal, "REPORT_TITLE", report["id"], "RESTORE")
        await flag(await citizen(f"Penanda{n}"), "REPORT", report["id"], "SPAM")  # opens the entry again
        dismiss = (await gql(DISMISS, {"i": {"id": item_id}}, principal=principal))["dismissFlags"]
        flagged = await flag(principal, "REPORT", report["id"], "ABUSIVE")
        queue = await run(QUEUE, {}, principal=principal)
        outcomes[name] = {
            "moderate": (redact["errors"] or [{"code": "OK"}])[0]["code"],
            "dismiss": (dismiss["errors"] or [{"code": "OK"}])[0]["code"],
            "flag": (flagged["errors"] or [{"code": "OK"}])[0]["code"],
            "queue": queue.errors[0].extensions["code"] if queue.errors else "OK",  # type: ignore[index]
        }

    def expected(name: str) -> dict[str, str]:
        if name in NOBODY:
            return dict.fromkeys(("moderate", "dismiss", "flag", "queue"), NOBODY[name])
        if name == "citizen":
            return {"moderate": "FORBIDDEN", "dismiss": "FORBIDDEN", "flag": "OK", "queue": "FORBIDDEN"}
        allowed = "OK" if name in MODERATORS else "FORBIDDEN"
        return {"moderate": allowed, "dismiss": allowed, "flag": "FORBIDDEN", "queue": "OK"}

    assert outcomes == {name: expected(name) for name in ROLES}
