"""Citizens' registration (issue 11, items 7 and 8): it never tells which emails have accounts,
it is limited per device, per address and per email before anything is written, and every
account proves a mailbox, so throwaway accounts cannot inflate support counts from one place."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models import Registration, Role, User
from resolvers.passwords import hash_password
from server.app import create_app
from server.settings import Settings
from tests.addresses import FromAddress, clients_by_address
from tests.conftest import Database
from tests.graphql import file_report, gql
from tests.mailbox import mailed_codes

REGISTER = """mutation($i: RegisterCitizenInput!) { registerCitizen(input: $i) {
  session { user { name role email } } errors { code field retryAfter } } }"""
VERIFY = """mutation($c: String!) { verifyEmail(input: {code: $c}) {
  session { accessToken user { name role email } } errors { code field } } }"""
SUPPORT = """mutation($id: ID!) { supportReport(input: {id: $id}) { errors { code } } }"""
COUNT = """query($id: ID!) { report(id: $id) { supportCount } }"""
PASSWORD = "kata-sandi-yang-panjang"
STAFF_EMAIL = "kepala@dinsos.kupang.test"


def _form(address: str, **changes: str) -> dict[str, str]:
    return {"name": "Maria", "email": address, "password": PASSWORD, **changes}


async def test_a_citizen_registers_verifies_the_email_and_is_signed_in(
    db: Database, mail_log: pytest.LogCaptureFixture
) -> None:
    answer = (await gql(REGISTER, {"i": _form("maria@warga.test")}))["registerCitizen"]
    assert answer == {"session": None, "errors": []}
    assert not await User.filter(email="maria@warga.test").exists()  # nothing to sign in with yet

    [code] = mailed_codes(mail_log, "maria@warga.test")
    verified = (await gql(VERIFY, {"c": code}))["verifyEmail"]
    again = (await gql(VERIFY, {"c": code}))["verifyEmail"]

    assert verified["errors"] == []
    assert verified["session"]["user"] == {"name": "Maria", "role": "CITIZEN", "email": "maria@warga.test"}
    assert (await User.get(email="maria@warga.test")).password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    assert again == {"session": None, "errors": [{"code": "INVALID_TOKEN", "field": "code"}]}


@pytest.mark.parametrize("existing", ["staff", "citizen"])
async def test_registration_does_not_tell_which_emails_have_accounts(
    db: Database, mail_log: pytest.LogCaptureFixture, existing: str
) -> None:
    role = Role.AGENCY_ADMIN if existing == "staff" else Role.CITIZEN
    owner = await User.create(
        name="Pemilik", email=STAFF_EMAIL, role=role, password_hash=await hash_password(PASSWORD)
    )
    users_before = await User.all().count()

    taken = (await gql(REGISTER, {"i": _form(STAFF_EMAIL, password="tebakan-penyerang")}))["registerCitizen"]
    fresh = (await gql(REGISTER, {"i": _form("baru@warga.test")}))["registerCitizen"]

    assert taken == fresh == {"session": None, "errors": []}
    assert await User.all().count() == users_before
    assert (await User.get(id=owner.id)).password_hash == owner.password_hash
    # Only the mailbox's holder learns that the account exists, with the code mailed to it.
    [code] = mailed_codes(mail_log, STAFF_EMAIL)
    verified = (await gql(VERIFY, {"c": code}))["verifyEmail"]
    assert verified == {"session": None, "errors": [{"code": "EMAIL_TAKEN", "field": "email"}]}
    assert await User.all().count() == users_before


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"password": "pendek"}, "WEAK_PASSWORD", "password"),
        ({"password": "x" * 257}, "WEAK_PASSWORD", "password"),
        ({"email": "bukan-email"}, "INVALID_INPUT", "email"),
        ({"name": " "}, "REQUIRED", "name"),
        ({"phone": "call me maybe"}, "INVALID_PHONE", "phone"),
    ],
)
async def test_bad_registration_is_refused_and_writes_nothing(
    db: Database, mail_log: pytest.LogCaptureFixture, data: dict[str, str], code: str, field: str
) -> None:
    payload = (await gql(REGISTER, {"i": _form("maria@warga.test", **data)}))["registerCitizen"]

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert await Registration.all().count() == 0
    assert mailed_codes(mail_log, "maria@warga.test") == []


async def test_a_bad_verification_code_is_refused(db: Database) -> None:
    answer = (await gql(VERIFY, {"c": "x" * 43}))["verifyEmail"]

    assert answer == {"session": None, "errors": [{"code": "INVALID_TOKEN", "field": "code"}]}


@pytest.fixture
async def from_address(db: Database) -> FromAddress:
    """HTTP clients of the real app in-process, each from the address given (as the socket says)."""
    limits = {"register": "3/hour", "register_per_address": "5/hour"}
    app = create_app(Settings(database_url=db.url, rate_limits=limits))
    return clients_by_address(app)


async def _post(http: httpx.AsyncClient, query: str, variables: dict[str, Any], **headers: str) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()["data"]


def _code(payload: Any) -> str:
    return payload["errors"][0]["code"] if payload["errors"] else "ACCEPTED"


async def test_registrations_are_limited_per_device_before_anything_is_written(
    from_address: FromAddress, mail_log: pytest.LogCaptureFixture
) -> None:
    async with from_address("198.51.100.30") as phone:
        answers = [
            (
                await _post(
                    phone, REGISTER, {"i": _form(f"warga{n}@warga.test")}, **{"x-sigap-device": "phone-0001"}
                )
            )["registerCitizen"]
            for n in range(12)
        ]

    assert [_code(a) for a in answers] == ["ACCEPTED"] * 3 + ["RATE_LIMITED"] * 9
    assert all(a["errors"][0]["retryAfter"] >= 1 for a in answers[3:])
    assert sorted(await Registration.all().values_list("email", flat=True)) == [
        f"warga{n}@warga.test" for n in range(3)
    ]
    assert [mailed_codes(mail_log, f"warga{n}@warga.test") != [] for n in range(12)] == [True] * 3 + [
        False
    ] * 9
    assert await User.filter(role=Role.CITIZEN).count() == 0


async def test_throwaway_accounts_from_one_address_cannot_inflate_a_support_count(
    from_address: FromAddress, mail_log: pytest.LogCaptureFixture
) -> None:
    report = await file_report()
    supported = 0
    async with from_address("198.51.100.40") as farm:
        for n in range(12):
            email = f"sekali-pakai{n}@warga.test"
            device = {"x-sigap-device": uuid.uuid4().hex}  # a new device id for every account
            registered = (await _post(farm, REGISTER, {"i": _form(email)}, **device))["registerCitizen"]
            if registered["errors"]:
                continue
            [code] = mailed_codes(mail_log, email)
            session = (await _post(farm, VERIFY, {"c": code}, **device))["verifyEmail"]["session"]
            bearer = {"authorization": f"Bearer {session['accessToken']}"}
            answer = (await _post(farm, SUPPORT, {"id": report["id"]}, **bearer))["supportReport"]
            supported += not answer["errors"]
        count = (await _post(farm, COUNT, {"id": report["id"]}))["report"]["supportCount"]

    # Each account needs a mailbox of its own, and one address makes at most five an hour.
    assert supported == count == 5
