"""Sign-in limits over HTTP (issue 11, items 5 and 8): a new device id per attempt does not widen
what one address may try, and strangers' wrong passwords never lock an account's owner out."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models import Role, User
from resolvers.passwords import hash_password
from server.app import create_app
from server.settings import Settings
from tests.addresses import FromAddress, clients_by_address
from tests.conftest import Database

SIGN_IN = """mutation($e: String!, $p: String!) {
  signIn(input: {email: $e, password: $p}) { session { accessToken } errors { code retryAfter } } }"""
STAFF_EMAIL, STAFF_PASSWORD = "kepala@dinsos.kupang.test", "kata-sandi-kepala-dinsos"


@pytest.fixture
async def from_address(db: Database) -> FromAddress:
    """HTTP clients of the real app in-process, each from the address given (as the socket says)."""
    await User.create(
        name="Kepala Dinsos",
        email=STAFF_EMAIL,
        role=Role.AGENCY_ADMIN,
        password_hash=await hash_password(STAFF_PASSWORD),
    )
    app = create_app(Settings(database_url=db.url, rate_limits={"sign_in_per_address": "5/minute"}))
    return clients_by_address(app)


async def _sign_in(http: httpx.AsyncClient, email: str, password: str, device: str | None = None) -> Any:
    headers = {"x-sigap-device": device} if device else {}
    response = await http.post(
        "/graphql", json={"query": SIGN_IN, "variables": {"e": email, "p": password}}, headers=headers
    )
    return response.json()["data"]["signIn"]


def _code(answer: Any) -> str:
    return answer["errors"][0]["code"] if answer["errors"] else "SIGNED_IN"


async def test_a_new_device_id_per_attempt_does_not_widen_one_address(from_address: FromAddress) -> None:
    async with from_address("198.51.100.9") as sprayer, from_address("203.0.113.5") as neighbour:
        codes = [
            _code(await _sign_in(sprayer, f"warga{n}@warga.test", "Password123!", device=uuid.uuid4().hex))
            for n in range(8)
        ]
        other = _code(await _sign_in(neighbour, STAFF_EMAIL, STAFF_PASSWORD, device=uuid.uuid4().hex))

    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 3
    assert other == "SIGNED_IN"


async def test_strangers_wrong_passwords_do_not_lock_the_owner_out(from_address: FromAddress) -> None:
    codes = []
    for n in range(10):
        async with from_address(f"192.0.2.{n + 1}") as stranger:
            codes.append(_code(await _sign_in(stranger, STAFF_EMAIL, f"tebakan-{n}-salah")))

    async with from_address("203.0.113.77") as owner:
        answer = await _sign_in(owner, STAFF_EMAIL, STAFF_PASSWORD)

    assert codes == ["INVALID_CREDENTIALS"] * 10
    assert answer["errors"] == []
    assert answer["session"]["accessToken"]


async def test_one_source_guessing_one_account_waits_longer_and_longer(from_address: FromAddress) -> None:
    async with from_address("198.51.100.20") as guesser:
        answers = [await _sign_in(guesser, STAFF_EMAIL, f"tebakan-{n}-salah") for n in range(4)]
        right_password_too_soon = await _sign_in(guesser, STAFF_EMAIL, STAFF_PASSWORD)

    # Three failures within ten seconds: the fourth attempt of this source at this account waits,
    # even with the right password (a guess is not checked while waiting).
    assert [_code(a) for a in answers] == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"]
    assert 1 <= answers[3]["errors"][0]["retryAfter"] <= 10
    assert _code(right_password_too_soon) == "RATE_LIMITED"
