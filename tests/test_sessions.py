"""Signing in and out: passwords, rotating refresh tokens, and what a stolen token can do."""

from __future__ import annotations

from typing import Any

import pytest

from models import Agency, RefreshToken, Role, User
from resolvers.passwords import hash_password
from tests.conftest import Database
from tests.graphql import gql, staff

SIGN_IN = """mutation($i: SignInInput!) { signIn(input: $i) {
  session { accessToken refreshToken accessTokenExpiresAt user { name role agency { code } } }
  errors { code field message } } }"""
REFRESH = """mutation($t: String!) { refreshSession(input: {refreshToken: $t}) {
  session { accessToken refreshToken } errors { code } } }"""
SIGN_OUT = """mutation($t: String!) { signOut(input: {refreshToken: $t}) { signedOut } }"""

PASSWORD = "kata-sandi-yang-panjang"


async def _officer(active: bool = True) -> User:
    agency = await Agency.get(code="DLH")
    return await User.create(
        name="Yohanes",
        email="yohanes@dlh.kupang.test",
        role=Role.OFFICER,
        agency=agency,
        password_hash=await hash_password(PASSWORD),
        is_active=active,
    )


async def sign_in(email: str, password: str) -> dict[str, Any]:
    return (await gql(SIGN_IN, {"i": {"email": email, "password": password}}))["signIn"]


async def test_sign_in_returns_a_session_for_the_account(db: Database) -> None:
    await _officer()

    payload = await sign_in("Yohanes@DLH.kupang.test ", PASSWORD)

    session = payload["session"]
    assert payload["errors"] == []
    assert session["user"] == {"name": "Yohanes", "role": "OFFICER", "agency": {"code": "DLH"}}
    assert session["accessToken"].count(".") == 2
    assert await RefreshToken.all().count() == 1


@pytest.mark.parametrize(("email", "password"), [("yohanes@dlh.kupang.test", "salah-sandi-123"),
                                                  ("nobody@kupang.test", PASSWORD)])  # fmt: skip
async def test_wrong_password_and_unknown_email_get_the_same_answer(
    db: Database, email: str, password: str
) -> None:
    await _officer()

    payload = await sign_in(email, password)

    assert payload["session"] is None
    assert payload["errors"] == [
        {"code": "INVALID_CREDENTIALS", "field": "email", "message": "Email atau kata sandi salah"}
    ]
    assert await RefreshToken.all().count() == 0


async def test_disabled_account_cannot_sign_in(db: Database) -> None:
    await _officer(active=False)

    payload = await sign_in("yohanes@dlh.kupang.test", PASSWORD)

    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert await RefreshToken.all().count() == 0


async def test_refresh_rotates_and_a_replayed_token_ends_the_session(db: Database) -> None:
    await _officer()
    first = (await sign_in("yohanes@dlh.kupang.test", PASSWORD))["session"]["refreshToken"]

    second = (await gql(REFRESH, {"t": first}))["refreshSession"]["session"]["refreshToken"]
    replay = (await gql(REFRESH, {"t": first}))["refreshSession"]
    after_theft = (await gql(REFRESH, {"t": second}))["refreshSession"]

    assert second != first
    assert [e["code"] for e in replay["errors"]] == ["INVALID_TOKEN"]
    assert [e["code"] for e in after_theft["errors"]] == ["INVALID_TOKEN"]  # the whole family is revoked


async def test_sign_out_revokes_the_refresh_token(db: Database) -> None:
    await _officer()
    token = (await sign_in("yohanes@dlh.kupang.test", PASSWORD))["session"]["refreshToken"]

    assert (await gql(SIGN_OUT, {"t": token}))["signOut"]["signedOut"] is True
    assert [e["code"] for e in (await gql(REFRESH, {"t": token}))["refreshSession"]["errors"]] == [
        "INVALID_TOKEN"
    ]


async def test_disabling_staff_ends_their_sessions(db: Database) -> None:
    officer = await _officer()
    token = (await sign_in("yohanes@dlh.kupang.test", PASSWORD))["session"]["refreshToken"]
    admin = await staff(Role.CITY_ADMIN, None, "Admin")

    payload = await gql(
        "mutation($i: SetStaffActiveInput!) { setStaffActive(input: $i) { errors { code } } }",
        {"i": {"id": _user_id(officer.id), "active": False}},
        principal=admin,
    )

    assert payload["setStaffActive"]["errors"] == []
    assert [e["code"] for e in (await gql(REFRESH, {"t": token}))["refreshSession"]["errors"]] == [
        "INVALID_TOKEN"
    ]


def _user_id(pk: int) -> str:
    from schema.ids import to_global_id

    return to_global_id("User", pk)
