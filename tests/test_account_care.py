"""Accounts as people expect (issue 13): a forgotten password reset by a mailed token that tells
nobody which emails have accounts, profile edits (a new email only once its code comes back), a
password change that needs the current one, and deleting an account: the person's data goes, their
reports stay, anonymous. Through HTTP, on SQLite and PostgreSQL; the live side is in
test_live_identity.py (a deleted account's open subscription ends)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models import (
    PasswordReset,
    PushSubscription,
    RefreshToken,
    Report,
    ReportEvent,
    ReportFollower,
    Role,
    User,
)
from resolvers.passwords import hash_password
from server.app import create_app
from server.settings import Settings
from tests.addresses import FromAddress, clients_by_address
from tests.conftest import Database
from tests.graphql import FILE_REPORT, filing, gql, staff
from tests.mailbox import delivered_codes, mailed_codes

PASSWORD = "kata-sandi-yang-panjang"
NEW_PASSWORD = "kata-sandi-baru-yang-panjang"
EMAIL = "maria@warga.test"

REQUEST_RESET = """mutation($e: String!) { requestPasswordReset(input: {email: $e}) {
  accepted errors { code field } } }"""
RESET = """mutation($t: String!, $p: String!) { resetPassword(input: {token: $t, newPassword: $p}) {
  session { accessToken refreshToken user { email } } errors { code field } } }"""
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) {
  session { accessToken refreshToken } errors { code } } }"""
REFRESH = """mutation($r: String!) { refreshSession(input: {refreshToken: $r}) { errors { code field } } }"""
ME = "{ me { name email phone locale } }"
UPDATE = """mutation($i: UpdateProfileInput!) { updateProfile(input: $i) {
  me { name email phone locale } emailVerificationSent errors { code field } } }"""
VERIFY = """mutation($c: String!) { verifyEmail(input: {code: $c}) {
  session { accessToken user { email } } errors { code field } } }"""
CHANGE = """mutation($c: String!, $n: String!) {
  changePassword(input: {currentPassword: $c, newPassword: $n}) {
    session { accessToken } errors { code field } } }"""
DELETE = (
    """mutation($p: String!) { deleteAccount(input: {password: $p}) { deleted errors { code field } } }"""
)
REGISTER = """mutation($e: String!) { registerCitizen(input: {name: "Maria", email: $e,
  password: "kata-sandi-yang-panjang"}) { errors { code } } }"""


@pytest.fixture
async def from_address(db: Database) -> FromAddress:
    return clients_by_address(create_app(Settings(database_url=db.url)))


@pytest.fixture
async def http(from_address: FromAddress) -> AsyncIterator[httpx.AsyncClient]:
    async with from_address("198.51.100.60") as client:
        yield client


async def _call(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str = "",
    **headers: str,
) -> httpx.Response:
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


async def _data(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, **kw: Any
) -> Any:
    answer = (await _call(http, query, variables, **kw)).json()
    assert "errors" not in answer, answer
    return next(iter(answer["data"].values()))


_hashed: dict[str, str] = {}  # PASSWORD's hash, made once: Argon2 is slow on purpose


async def _citizen(email: str = EMAIL, **fields: Any) -> User:
    if not _hashed:
        _hashed[PASSWORD] = await hash_password(PASSWORD)
    return await User.create(
        name="Maria", email=email, role=Role.CITIZEN, password_hash=_hashed[PASSWORD], **fields
    )


async def _sign_in(http: httpx.AsyncClient, email: str = EMAIL, password: str = PASSWORD) -> dict[str, str]:
    signed_in = await _data(http, SIGN_IN, {"e": email, "p": password})
    assert signed_in["errors"] == [], signed_in
    return dict(signed_in["session"])


async def _refused_token(http: httpx.AsyncClient, token: str) -> str:
    """The code of the refusal of a request made with `token` (as a client reading a 401 sees it)."""
    response = await _call(http, ME, token=token)
    assert response.status_code == 401, response.text
    return str(response.json()["errors"][0]["extensions"]["code"])


def _codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


# -- forgotten passwords ------------------------------------------------------------------


async def test_a_reset_request_answers_alike_for_known_and_unknown_emails(
    http: httpx.AsyncClient, mail_log: pytest.LogCaptureFixture
) -> None:
    await _citizen()

    known = await _data(http, REQUEST_RESET, {"e": " Maria@Warga.test "})
    unknown = await _data(http, REQUEST_RESET, {"e": "siapa@warga.test"})
    malformed = await _data(http, REQUEST_RESET, {"e": "bukan-email"})

    assert known == unknown == {"accepted": True, "errors": []}
    assert _codes(malformed) == [("INVALID_INPUT", "email")]
    assert len(await delivered_codes(mail_log, EMAIL)) == 1
    assert mailed_codes(mail_log, "siapa@warga.test") == []


async def test_a_reset_token_sets_the_password_once_and_ends_every_session(
    http: httpx.AsyncClient, mail_log: pytest.LogCaptureFixture
) -> None:
    await _citizen()
    before = await _sign_in(http)
    await _data(http, REQUEST_RESET, {"e": EMAIL})
    [token] = await delivered_codes(mail_log, EMAIL)

    weak = await _data(http, RESET, {"t": token, "p": "pendek"})
    reset = await _data(http, RESET, {"t": token, "p": NEW_PASSWORD})
    again = await _data(http, RESET, {"t": token, "p": "kata-sandi-ketiga-panjang"})

    assert _codes(weak) == [("WEAK_PASSWORD", "newPassword")]  # and the token still works:
    assert reset["errors"] == []
    assert reset["session"]["user"] == {"email": EMAIL}  # signed in
    assert _codes(again) == [("TOKEN_USED", "token")]
    assert await _refused_token(http, before["accessToken"]) == "UNAUTHENTICATED"
    assert _codes(await _data(http, REFRESH, {"r": before["refreshToken"]})) == [
        ("INVALID_TOKEN", "refreshToken")
    ]
    assert (await _data(http, ME, token=reset["session"]["accessToken"]))["email"] == EMAIL
    old = await _data(http, SIGN_IN, {"e": EMAIL, "p": PASSWORD})
    assert old["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    await _sign_in(http, password=NEW_PASSWORD)


async def test_a_newer_request_replaces_the_older_token_and_tokens_expire(
    http: httpx.AsyncClient, mail_log: pytest.LogCaptureFixture
) -> None:
    await _citizen()
    for _ in range(2):
        await _data(http, REQUEST_RESET, {"e": EMAIL})
    first, second = await delivered_codes(mail_log, EMAIL)

    replaced = await _data(http, RESET, {"t": first, "p": NEW_PASSWORD})
    await PasswordReset.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))  # 30 minutes on
    expired = await _data(http, RESET, {"t": second, "p": NEW_PASSWORD})
    wrong = await _data(http, RESET, {"t": "x" * 43, "p": NEW_PASSWORD})

    assert _codes(replaced) == [("INVALID_TOKEN", "token")]
    assert _codes(expired) == [("TOKEN_EXPIRED", "token")]
    assert _codes(wrong) == [("INVALID_TOKEN", "token")]
    await _sign_in(http)  # the password is as it was


async def test_reset_requests_are_limited_per_email_whatever_the_device(
    from_address: FromAddress, mail_log: pytest.LogCaptureFixture
) -> None:
    await _citizen()
    answers: dict[str, list[str]] = {}
    async with from_address("198.51.100.61") as phones:
        for email in (EMAIL, "siapa@warga.test"):  # limited alike: the limit tells nothing either
            answers[email] = []
            for _ in range(5):
                device = {"x-sigap-device": uuid.uuid4().hex}
                payload = await _data(phones, REQUEST_RESET, {"e": email}, **device)
                answers[email].append(payload["errors"][0]["code"] if payload["errors"] else "ACCEPTED")

    assert answers[EMAIL] == answers["siapa@warga.test"] == ["ACCEPTED"] * 3 + ["RATE_LIMITED"] * 2
    assert len(await delivered_codes(mail_log, EMAIL)) == 3


# -- the profile --------------------------------------------------------------------------


async def test_a_citizen_edits_the_profile_and_bad_input_changes_nothing(http: httpx.AsyncClient) -> None:
    await _citizen()
    token = (await _sign_in(http))["accessToken"]

    edited = await _data(
        http, UPDATE, {"i": {"name": "Maria Bere", "phone": "0812-3456-7890", "locale": "en"}}, token=token
    )
    bad_phone = await _data(
        http, UPDATE, {"i": {"name": "Orang Lain", "phone": "call me maybe"}}, token=token
    )
    bad_locale = await _data(http, UPDATE, {"i": {"locale": "fr"}}, token=token)
    anonymous = await _data(http, UPDATE, {"i": {"name": "Siapa"}})

    assert edited["errors"] == []
    assert edited["me"] == {"name": "Maria Bere", "email": EMAIL, "phone": "+6281234567890", "locale": "en"}
    assert _codes(bad_phone) == [("INVALID_PHONE", "phone")]
    assert _codes(bad_locale) == [("INVALID_INPUT", "locale")]
    assert _codes(anonymous) == [("UNAUTHENTICATED", None)]
    assert await _data(http, ME, token=token) == edited["me"]  # the refused edits wrote nothing
    removed = await _data(http, UPDATE, {"i": {"phone": ""}}, token=token)
    assert removed["me"]["phone"] is None


async def test_a_new_email_counts_only_once_its_code_comes_back(
    http: httpx.AsyncClient, mail_log: pytest.LogCaptureFixture
) -> None:
    await _citizen()
    await _citizen("ana@warga.test")
    token = (await _sign_in(http))["accessToken"]

    asked = await _data(http, UPDATE, {"i": {"email": "maria.baru@warga.test"}}, token=token)
    taken = await _data(http, UPDATE, {"i": {"email": "ana@warga.test"}}, token=token)
    [taken_code] = mailed_codes(mail_log, "ana@warga.test")
    refused = await _data(http, VERIFY, {"c": taken_code})

    # The same answer for a free address and a taken one; only the mailbox's holder learns more.
    assert asked["emailVerificationSent"] is taken["emailVerificationSent"] is True
    assert asked["me"]["email"] == taken["me"]["email"] == EMAIL  # not yet
    assert _codes(refused) == [("EMAIL_TAKEN", "email")]

    await _data(http, UPDATE, {"i": {"email": "maria.baru@warga.test"}}, token=token)  # asked again
    first, latest = mailed_codes(mail_log, "maria.baru@warga.test")
    assert _codes(await _data(http, VERIFY, {"c": first})) == [("INVALID_TOKEN", "code")]  # replaced
    verified = await _data(http, VERIFY, {"c": latest})
    assert verified["session"]["user"] == {"email": "maria.baru@warga.test"}
    await _sign_in(http, "maria.baru@warga.test")
    assert (await _data(http, SIGN_IN, {"e": EMAIL, "p": PASSWORD}))["errors"] == [
        {"code": "INVALID_CREDENTIALS"}
    ]


async def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    http: httpx.AsyncClient,
) -> None:
    await _citizen()
    here, elsewhere = await _sign_in(http), await _sign_in(http)

    wrong = await _data(
        http, CHANGE, {"c": "tebakan-pencuri-sesi", "n": NEW_PASSWORD}, token=here["accessToken"]
    )
    assert _codes(wrong) == [("INVALID_CREDENTIALS", "currentPassword")]
    assert (await _data(http, ME, token=elsewhere["accessToken"]))["email"] == EMAIL  # nothing ended
    changed = await _data(http, CHANGE, {"c": PASSWORD, "n": NEW_PASSWORD}, token=here["accessToken"])

    assert changed["errors"] == []
    assert await _refused_token(http, elsewhere["accessToken"]) == "UNAUTHENTICATED"
    assert _codes(await _data(http, REFRESH, {"r": elsewhere["refreshToken"]})) == [
        ("INVALID_TOKEN", "refreshToken")
    ]
    assert (await _data(http, ME, token=changed["session"]["accessToken"]))["email"] == EMAIL
    await _sign_in(http, password=NEW_PASSWORD)


# -- deleting the account -----------------------------------------------------------------

STAFF_VIEW = """query($id: ID!) { report(id: $id) { title supportCount reporterContact { name phone email }
  comments { body byReporter author { name } } timeline { kind actorRole } } }"""
ACT = """mutation($id: ID!) {
  addComment(input: {id: $id, body: "Masih bau sampai hari ini"}) { errors { code } }
  supportReport(input: {id: $id}) { errors { code } } }"""
FOLLOW = """mutation($id: ID!) { followReport(input: {id: $id}) { errors { code } } }"""
SUBSCRIBE_PUSH = """mutation { registerPushSubscription(input: {
  endpoint: "https://fcm.googleapis.com/fcm/send/ponsel-maria",
  keys: {p256dh: "BMLiHqxb-76HkKhMpuPTzqJCErm4DYIOTGj8kPF2ak4LeWUsgJaRG7OgXrBx6YtLT2dg_24nbfIZOnMkz2FVmco",
         auth: "whn4Sqa5mAMhya5joGqoBw"} }) { errors { code } } }"""


async def test_deleting_an_account_removes_the_person_and_keeps_their_reports_anonymous(
    http: httpx.AsyncClient, mail_log: pytest.LogCaptureFixture
) -> None:
    user = await _citizen(phone="+6281234567890")
    token = (await _sign_in(http))["accessToken"]
    contact = {"contactName": "Maria", "contactPhone": "0812 3456 7890"}
    filed = (await _data(http, FILE_REPORT, {"input": filing(**contact)}, token=token))["report"]
    await _data(http, ACT, {"id": filed["id"]}, token=token)
    neighbour = (await _data(http, FILE_REPORT, {"input": filing(title="Lampu jalan mati")}))["report"]
    assert (await _call(http, ACT, {"id": neighbour["id"]}, token=token)).json()["data"]["supportReport"][
        "errors"
    ] == []
    await _data(http, FOLLOW, {"id": neighbour["id"]}, token=token)
    assert (await _data(http, SUBSCRIBE_PUSH, token=token))["errors"] == []
    dlh = await staff(Role.AGENCY_ADMIN, "DLH")

    wrong = await _data(http, DELETE, {"p": "tebakan-pencuri-sesi"}, token=token)
    assert _codes(wrong) == [("INVALID_CREDENTIALS", "password")]
    assert (await gql(STAFF_VIEW, {"id": filed["id"]}, principal=dlh))["report"]["reporterContact"][
        "email"
    ] == EMAIL
    deleted = await _data(http, DELETE, {"p": PASSWORD}, token=token)

    assert deleted == {"deleted": True, "errors": []}
    row = await User.get(id=user.id)
    assert (row.name, row.email, row.phone, row.password_hash, row.is_active) == ("", None, None, None, False)
    assert not await RefreshToken.filter(user_id=user.id).exists()
    assert not await ReportFollower.filter(user_id=user.id).exists()
    assert not await PushSubscription.filter(user_id=user.id).exists()
    assert not await ReportEvent.filter(actor_id=user.id).exists()
    assert await Report.filter(reporter_id=user.id).count() == 0
    assert await Report.filter(contact_phone__isnull=False).count() == 0
    # What the handling agency now sees: the problem, the words, no person.
    seen = (await gql(STAFF_VIEW, {"id": filed["id"]}, principal=dlh))["report"]
    assert seen["title"] == filing()["title"]
    assert seen["reporterContact"] is None
    assert seen["comments"] == [{"body": "Masih bau sampai hari ini", "byReporter": True, "author": None}]
    assert {e["actorRole"] for e in seen["timeline"]} == {None}
    assert (await gql(STAFF_VIEW, {"id": neighbour["id"]}, principal=dlh))["report"]["supportCount"] == 1
    assert await _refused_token(http, token) == "UNAUTHENTICATED"
    assert (await _data(http, SIGN_IN, {"e": EMAIL, "p": PASSWORD}))["errors"] == [
        {"code": "INVALID_CREDENTIALS"}
    ]
    # The email is free again: the person may come back.
    assert (await _data(http, REGISTER, {"e": EMAIL}))["errors"] == []
    [code] = mailed_codes(mail_log, EMAIL)
    assert (await _data(http, VERIFY, {"c": code}))["session"]["user"] == {"email": EMAIL}


async def test_staff_are_disabled_by_an_admin_not_deleted_by_themselves(db: Database) -> None:
    officer = await staff(Role.OFFICER, "DLH")

    answer = (await gql(DELETE, {"p": PASSWORD}, principal=officer))["deleteAccount"]

    assert answer == {"deleted": False, "errors": [{"code": "FORBIDDEN", "field": None}]}
    assert officer.user is not None
    assert (await User.get(id=officer.user.id)).is_active
